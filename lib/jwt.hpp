// JWT HS256 (RFC 7519/7515) signing and verification.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cabinet {

struct Claims {
    std::string sub;    // the user's uuid (also "id")
    std::string email;
    std::string org;    // the organization's uuid
    std::string jti;
    int64_t iat = 0;
    int64_t exp = 0;
    int64_t ver = 0;    // the user's token version at issue time
};

using Clock = std::function<int64_t()>;
int64_t system_clock_now();

constexpr int64_t kJwtLeeway = 30;  // seconds, for exp / nbf / iat

std::string sign_jwt(const Claims& c, std::string_view key);

// Verifies in a fixed order: three parts → base64url → header alg is HS256
// (the token never picks the algorithm) → signature (CRYPTO_memcmp) →
// exp / nbf / iat with the leeway → required claims. nullopt on any failure;
// reason (when given) says which check failed, for the log.
std::optional<Claims> verify_jwt(std::string_view token, std::string_view key, const Clock& now = system_clock_now,
                                 std::string* reason = nullptr);

// The JWS part alone (any claims set with a numeric exp): for conformance tests.
bool verify_hs256(std::string_view token, std::string_view key, const Clock& now = system_clock_now,
                  std::string* reason = nullptr);

}  // namespace cabinet
