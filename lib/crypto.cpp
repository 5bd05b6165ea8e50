#include "crypto.hpp"

#include "error.hpp"

#include <cstring>
#include <memory>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

namespace cabinet {

namespace {

const char kB64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const char kB64Std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string encode64(std::string_view in, const char* alphabet, bool pad) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out.push_back(alphabet[(acc >> bits) & 63]);
        }
    }
    if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 63]);
    if (pad)
        while (out.size() % 4) out.push_back('=');
    return out;
}

std::optional<std::string> decode64(std::string_view in, const char* alphabet) {
    int8_t table[256];
    std::memset(table, -1, sizeof table);
    for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(alphabet[i])] = static_cast<int8_t>(i);
    std::string out;
    out.reserve(in.size() * 3 / 4);
    uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in) {
        int v = table[c];
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    if (bits >= 6) return std::nullopt;                     // 4k+1 characters
    if (bits > 0 && (acc & ((1u << bits) - 1))) return std::nullopt;  // non-canonical trailing bits
    return out;
}

struct CipherCtx {
    EVP_CIPHER_CTX* p = EVP_CIPHER_CTX_new();
    ~CipherCtx() { EVP_CIPHER_CTX_free(p); }
};

const unsigned char* u(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string random_bytes(size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw internal("RAND_bytes failed");
    return out;
}

std::string hex(std::string_view bytes) {
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 15]);
    }
    return out;
}

std::optional<std::string> unhex(std::string_view text) {
    if (text.size() % 2) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    std::string out;
    for (size_t i = 0; i < text.size(); i += 2) {
        int hi = nibble(text[i]), lo = nibble(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

std::string base64url(std::string_view bytes) { return encode64(bytes, kB64Url, false); }
std::optional<std::string> unbase64url(std::string_view text) { return decode64(text, kB64Url); }
std::string base64(std::string_view bytes) { return encode64(bytes, kB64Std, true); }

std::optional<std::string> unbase64(std::string_view text) {
    if (text.size() % 4) return std::nullopt;
    size_t end = text.size();
    for (int i = 0; i < 2 && end > 0 && text[end - 1] == '='; ++i) --end;
    return decode64(text.substr(0, end), kB64Std);
}

namespace {

// HMAC-SHA256 contexts keyed once: fetching the algorithm from the provider
// and setting a key cost more than the MAC of a token, and a process uses a
// handful of keys (the JWT secret, the cursor key, the master key's subkeys).
class HmacKeys {
   public:
    ~HmacKeys() {
        for (auto& [key, ctx] : ctxs_) EVP_MAC_CTX_free(ctx);
        EVP_MAC_free(mac_);
    }
    // A context holding key, restarted; nullptr if OpenSSL fails.
    EVP_MAC_CTX* restart(std::string_view key) {
        for (auto& [k, ctx] : ctxs_)
            if (k == key) return EVP_MAC_init(ctx, nullptr, 0, nullptr) == 1 ? ctx : nullptr;
        if (!mac_ && !(mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr))) return nullptr;
        EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac_);
        char digest[] = "SHA256";
        OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
        if (!ctx || EVP_MAC_init(ctx, u(key), key.size(), params) != 1) {
            EVP_MAC_CTX_free(ctx);
            return nullptr;
        }
        if (ctxs_.size() >= kMaxKeys) {
            EVP_MAC_CTX_free(ctxs_.front().second);
            ctxs_.erase(ctxs_.begin());
        }
        ctxs_.emplace_back(std::string(key), ctx);
        return ctx;
    }

   private:
    static constexpr size_t kMaxKeys = 8;
    EVP_MAC* mac_ = nullptr;
    std::vector<std::pair<std::string, EVP_MAC_CTX*>> ctxs_;
};

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view data) {
    thread_local HmacKeys keys;
    unsigned char out[32];
    size_t len = 0;
    EVP_MAC_CTX* ctx = keys.restart(key);
    if (!ctx || EVP_MAC_update(ctx, u(data), data.size()) != 1 || EVP_MAC_final(ctx, out, &len, sizeof out) != 1)
        throw internal("HMAC failed");
    return std::string(reinterpret_cast<char*>(out), len);
}

std::string sha256(std::string_view data) {
    unsigned char out[SHA256_DIGEST_LENGTH];
    SHA256(u(data), data.size(), out);
    return std::string(reinterpret_cast<char*>(out), sizeof out);
}

bool equal_ct(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

std::string pbkdf2(std::string_view password, std::string_view salt, int iterations) {
    std::string out(32, '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), u(salt), static_cast<int>(salt.size()),
                          iterations, EVP_sha256(), 32, reinterpret_cast<unsigned char*>(out.data())) != 1)
        throw internal("PBKDF2 failed");
    return out;
}

}  // namespace

std::string hash_password(std::string_view password, int iterations) {
    std::string salt = random_bytes(16);
    return "$pbkdf2-sha256$" + std::to_string(iterations) + "$" + base64url(salt) + "$" +
           base64url(pbkdf2(password, salt, iterations));
}

bool verify_password(std::string_view password, std::string_view stored) {
    static const std::string_view kPrefix = "$pbkdf2-sha256$";
    if (stored.substr(0, kPrefix.size()) != kPrefix) return false;
    std::string_view rest = stored.substr(kPrefix.size());
    size_t d1 = rest.find('$');
    if (d1 == std::string_view::npos) return false;
    size_t d2 = rest.find('$', d1 + 1);
    if (d2 == std::string_view::npos) return false;
    int iterations = 0;
    for (char c : rest.substr(0, d1)) {
        if (c < '0' || c > '9' || iterations > 10000000) return false;
        iterations = iterations * 10 + (c - '0');
    }
    auto salt = unbase64url(rest.substr(d1 + 1, d2 - d1 - 1));
    auto want = unbase64url(rest.substr(d2 + 1));
    if (!salt || !want || iterations < 1) return false;
    return equal_ct(pbkdf2(password, *salt, iterations), *want);
}

std::string seal(std::string_view key32, std::string_view plaintext, std::string_view associated) {
    if (key32.size() != 32) throw internal("master key must be 32 bytes");
    std::string nonce = random_bytes(12);
    std::string out = nonce;
    out.resize(12 + plaintext.size() + 16);
    CipherCtx ctx;
    int len = 0, fin = 0;
    auto* dst = reinterpret_cast<unsigned char*>(out.data()) + 12;
    if (!ctx.p || EVP_EncryptInit_ex(ctx.p, EVP_aes_256_gcm(), nullptr, u(key32), u(nonce)) != 1 ||
        EVP_EncryptUpdate(ctx.p, nullptr, &len, u(associated), static_cast<int>(associated.size())) != 1 ||
        EVP_EncryptUpdate(ctx.p, dst, &len, u(plaintext), static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.p, dst + len, &fin) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.p, EVP_CTRL_GCM_GET_TAG, 16, dst + plaintext.size()) != 1)
        throw internal("AES-GCM encryption failed");
    return out;
}

std::optional<std::string> open_sealed(std::string_view key32, std::string_view sealed, std::string_view associated) {
    if (key32.size() != 32 || sealed.size() < 28) return std::nullopt;
    std::string_view nonce = sealed.substr(0, 12);
    std::string_view body = sealed.substr(12, sealed.size() - 28);
    std::string tag(sealed.substr(sealed.size() - 16));
    std::string out(body.size(), '\0');
    CipherCtx ctx;
    int len = 0, fin = 0;
    auto* dst = reinterpret_cast<unsigned char*>(out.data());
    if (!ctx.p || EVP_DecryptInit_ex(ctx.p, EVP_aes_256_gcm(), nullptr, u(key32), u(nonce)) != 1 ||
        EVP_DecryptUpdate(ctx.p, nullptr, &len, u(associated), static_cast<int>(associated.size())) != 1 ||
        EVP_DecryptUpdate(ctx.p, dst, &len, u(body), static_cast<int>(body.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.p, EVP_CTRL_GCM_SET_TAG, 16, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.p, dst + len, &fin) != 1)
        return std::nullopt;
    return out;
}

bool is_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (size_t i = 0; i < 36; ++i) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-') return false;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
            return false;
        }
    }
    return true;
}

std::string new_uuid() {
    std::string b = random_bytes(16);
    b[6] = static_cast<char>((b[6] & 0x0F) | 0x40);
    b[8] = static_cast<char>((b[8] & 0x3F) | 0x80);
    std::string h = hex(b);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

}  // namespace cabinet
