#include "sshkey.hpp"

#include "crypto.hpp"
#include "error.hpp"

#include <cstdint>
#include <cstring>
#include <memory>

#include <libssh/libssh.h>
#include <openssl/bn.h>

namespace cabinet {

namespace {

using SshKey = std::unique_ptr<ssh_key_struct, decltype(&ssh_key_free)>;
using SshText = std::unique_ptr<char, decltype(&ssh_string_free_char)>;

std::string trim(const std::string& s, const char* blanks) {
    size_t b = s.find_first_not_of(blanks), e = s.find_last_not_of(blanks);
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The accepted types, by their OpenSSH names.
ssh_keytypes_e accepted_type(const std::string& name, const char* field) {
    if (name == "ssh-ed25519") return SSH_KEYTYPE_ED25519;
    if (name == "ecdsa-sha2-nistp256") return SSH_KEYTYPE_ECDSA_P256;
    if (name == "ecdsa-sha2-nistp384") return SSH_KEYTYPE_ECDSA_P384;
    if (name == "ecdsa-sha2-nistp521") return SSH_KEYTYPE_ECDSA_P521;
    if (name == "ssh-rsa") return SSH_KEYTYPE_RSA;
    if (name == "ssh-dss") throw validation("DSA keys are not accepted", field);
    throw validation("Unsupported key type; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa", field);
}

int rsa_bits(std::string_view blob) {
    auto n = wire_string(blob, 2);  // "ssh-rsa", e, n
    if (!n) return 0;
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr), &BN_free);
    return bn ? BN_num_bits(bn.get()) : 0;
}

std::string fingerprint_of(ssh_key key) {
    unsigned char* hash = nullptr;
    size_t len = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) != SSH_OK)
        throw internal("sshkey: ssh_get_publickey_hash failed");
    std::string digest(reinterpret_cast<char*>(hash), len);
    ssh_clean_pubkey_hash(&hash);
    std::string b64 = base64(digest);
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return "SHA256:" + b64;
}

}  // namespace

std::optional<std::string_view> wire_string(std::string_view blob, int idx) {
    for (int i = 0;; ++i) {
        if (blob.size() < 4) return std::nullopt;
        auto u = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(blob[k])); };
        uint32_t len = u(0) << 24 | u(1) << 16 | u(2) << 8 | u(3);
        if (len > blob.size() - 4) return std::nullopt;
        if (i == idx) return blob.substr(4, len);
        blob.remove_prefix(4 + len);
    }
}

PublicKey parse_public_key(std::string content, const char* field) {
    auto bad = [field](const char* msg) { return validation(msg, field); };
    if (content.size() > 16384) throw bad("Key is too long");
    if (content.find("PRIVATE KEY") != std::string::npos) throw bad("Private keys are not accepted; upload the public key");
    content = trim(content, " \t\r\n");
    if (content.empty()) throw bad("An OpenSSH public key is required");
    for (unsigned char ch : content)
        if ((ch < 0x20 && ch != ' ' && ch != '\t') || ch == 0x7f) throw bad("Must be one OpenSSH public key line");
    size_t sp = content.find_first_of(" \t");
    if (sp == std::string::npos) throw bad("Expected \"type base64 [comment]\"");
    std::string type = content.substr(0, sp);
    size_t b64_start = content.find_first_not_of(" \t", sp);
    size_t b64_end = content.find_first_of(" \t", b64_start);
    std::string b64 = content.substr(b64_start, b64_end == std::string::npos ? std::string::npos : b64_end - b64_start);
    std::string comment = b64_end == std::string::npos ? "" : content.substr(content.find_first_not_of(" \t", b64_end));
    ssh_keytypes_e kt = accepted_type(type, field);
    auto blob = unbase64(b64);
    if (!blob) throw bad("Malformed key data");
    auto inner = wire_string(*blob, 0);
    if (!inner || *inner != type) throw bad("Key type does not match the key data");

    ssh_key raw = nullptr;
    if (ssh_pki_import_pubkey_base64(b64.c_str(), kt, &raw) != SSH_OK) throw bad("Malformed key data");
    SshKey key(raw, &ssh_key_free);
    if (ssh_key_type(key.get()) != kt) throw bad("Key type does not match the key data");
    char* out = nullptr;
    if (ssh_pki_export_pubkey_base64(key.get(), &out) != SSH_OK) throw bad("Malformed key data");
    SshText canonical(out, &ssh_string_free_char);
    if (unbase64(canonical.get()) != blob) throw bad("Malformed key data");  // trailing or non-canonical bytes
    if (kt == SSH_KEYTYPE_RSA && rsa_bits(*blob) < 2048) throw bad("RSA keys must be at least 2048 bits");
    if (kt == SSH_KEYTYPE_RSA && rsa_bits(*blob) > 16384) throw bad("RSA keys must be at most 16384 bits");
    return PublicKey{type + " " + b64 + (comment.empty() ? "" : " " + comment), fingerprint_of(key.get())};
}

std::string wrap_pem(const std::string& pem) {
    const std::string begin = "-----BEGIN OPENSSH PRIVATE KEY-----", end = "-----END OPENSSH PRIVATE KEY-----";
    size_t b = pem.find(begin), e = pem.find(end);
    if (b == std::string::npos || e == std::string::npos) throw internal("sshkey: unexpected private key format");
    std::string body;
    for (size_t i = b + begin.size(); i < e; ++i)
        if (pem[i] != '\n' && pem[i] != '\r') body.push_back(pem[i]);
    std::string out = begin + "\n";
    for (size_t i = 0; i < body.size(); i += 70) out += body.substr(i, 70) + "\n";
    return out + end + "\n";
}

GeneratedKey generate_ed25519() {
    ssh_key raw = nullptr;
    if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &raw) != SSH_OK) throw internal("sshkey: ssh_pki_generate failed");
    SshKey key(raw, &ssh_key_free);
    char* priv = nullptr;
    if (ssh_pki_export_privkey_base64(key.get(), nullptr, nullptr, nullptr, &priv) != SSH_OK)
        throw internal("sshkey: ssh_pki_export_privkey_base64 failed");
    std::string pem(priv);
    explicit_bzero(priv, pem.size());
    ssh_string_free_char(priv);
    char* pub = nullptr;
    if (ssh_pki_export_pubkey_base64(key.get(), &pub) != SSH_OK)
        throw internal("sshkey: ssh_pki_export_pubkey_base64 failed");
    SshText pub_b64(pub, &ssh_string_free_char);
    return GeneratedKey{{std::string("ssh-ed25519 ") + pub_b64.get(), fingerprint_of(key.get())}, wrap_pem(pem)};
}

}  // namespace cabinet
