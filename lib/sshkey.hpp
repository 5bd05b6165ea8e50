// OpenSSH public keys: parsing with the accepted types and sizes, SHA256
// fingerprints, Ed25519 generation (libssh). The only unit that needs libssh:
// a program that uses it links -lssh (the Makefile's SSH_LIBS); the others
// never pull sshkey.o out of libcabinet.a.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cabinet {

struct PublicKey {
    std::string line;         // "type base64[ comment]"
    std::string fingerprint;  // SHA256:… as ssh-keygen -lf prints it
};

// Parses one OpenSSH public key line "type base64 [comment]" (surrounding
// blanks and line ends trimmed). VALIDATION_ERROR on field for anything else:
// more than 16384 bytes, a private key, several lines or control characters,
// an unsupported type (DSA, certificates, security keys), malformed or
// non-canonical key data, a blob whose type differs from the line's, RSA
// under 2048 or over 16384 bits.
PublicKey parse_public_key(std::string content, const char* field = "content");

struct GeneratedKey {
    PublicKey pub;
    std::string private_key;  // OpenSSH format, unencrypted, wrapped at 70 columns
};

// A fresh Ed25519 key pair; INTERNAL_ERROR if libssh fails.
GeneratedKey generate_ed25519();

// The idx-th length-prefixed string of an SSH wire-format blob; nullopt past the end.
std::optional<std::string_view> wire_string(std::string_view blob, int idx);

// The "-----BEGIN OPENSSH PRIVATE KEY-----" PEM body re-wrapped at 70 columns,
// as ssh-keygen writes it; INTERNAL_ERROR without the armour lines.
std::string wrap_pem(const std::string& pem);

}  // namespace cabinet
