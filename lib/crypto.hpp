// Primitives over OpenSSL: randomness, encodings, HMAC, password hashing,
// AES-256-GCM for secrets at rest.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cabinet {

std::string random_bytes(size_t n);
std::string hex(std::string_view bytes);
std::optional<std::string> unhex(std::string_view text);
std::string base64url(std::string_view bytes);                   // unpadded (RFC 7515)
std::optional<std::string> unbase64url(std::string_view text);   // rejects padding and foreign characters
std::string base64(std::string_view bytes);                      // standard, padded
std::optional<std::string> unbase64(std::string_view text);      // standard, padding required
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string sha256(std::string_view data);
bool equal_ct(std::string_view a, std::string_view b);           // CRYPTO_memcmp; lengths are not secret

// PBKDF2-HMAC-SHA256, OWASP 2023 cost (600 000 iterations), 16-byte salt:
// "$pbkdf2-sha256$<iterations>$<salt b64url>$<hash b64url>".
constexpr int kPasswordIterations = 600000;
std::string hash_password(std::string_view password, int iterations = kPasswordIterations);
bool verify_password(std::string_view password, std::string_view stored);

// AES-256-GCM with a fresh 96-bit nonce; the associated data binds the value
// to its owner. Output: nonce || ciphertext || tag.
std::string seal(std::string_view key32, std::string_view plaintext, std::string_view associated);
std::optional<std::string> open_sealed(std::string_view key32, std::string_view sealed, std::string_view associated);

bool is_uuid(std::string_view s);
std::string new_uuid();

}  // namespace cabinet
