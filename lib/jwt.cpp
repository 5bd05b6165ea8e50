#include "jwt.hpp"

#include "crypto.hpp"
#include "json.hpp"


namespace cabinet {

int64_t system_clock_now() { return static_cast<int64_t>(std::time(nullptr)); }

std::string sign_jwt(const Claims& c, std::string_view key) {
    static const std::string header = base64url(R"({"alg":"HS256","typ":"JWT"})");
    JsonOut p;
    p.obj()
        .kv("sub", c.sub)
        .kv("id", c.sub)
        .kv("email", c.email)
        .kv("org", c.org)
        .kv("iat", c.iat)
        .kv("exp", c.exp)
        .kv("jti", c.jti)
        .kv("ver", c.ver)
        .end();
    std::string signing_input = header + "." + base64url(p.take());
    return signing_input + "." + base64url(hmac_sha256(key, signing_input));
}

namespace {

bool fail(std::string* reason, const char* why) {
    if (reason) *reason = why;
    return false;
}

// A token's JSON is small: its documents live in a buffer on the stack
// rather than in the allocator's default 64 KiB heap chunk.
constexpr size_t kTokenJsonBuffer = 2048;

bool parse_object(std::string_view b64, rapidjson::Document& doc) {
    auto text = unbase64url(b64);
    if (!text) return false;
    doc.Parse<rapidjson::kParseValidateEncodingFlag>(text->data(), text->size());
    return !doc.HasParseError() && doc.IsObject();
}

bool int_claim(const rapidjson::Document& d, const char* name, int64_t& out) {
    const auto* v = member(d, name);
    if (!v || !v->IsInt64()) return false;
    out = v->GetInt64();
    return true;
}

bool check_jws(std::string_view token, std::string_view key, const Clock& now, rapidjson::Document& payload,
               std::string* reason) {
    size_t d1 = token.find('.');
    if (d1 == std::string_view::npos) return fail(reason, "not three parts");
    size_t d2 = token.find('.', d1 + 1);
    if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos)
        return fail(reason, "not three parts");

    char buffer[kTokenJsonBuffer];
    rapidjson::MemoryPoolAllocator<> memory(buffer, sizeof buffer);
    rapidjson::Document header(&memory);
    if (!parse_object(token.substr(0, d1), header)) return fail(reason, "bad header encoding");
    auto signature = unbase64url(token.substr(d2 + 1));
    if (!signature) return fail(reason, "bad signature encoding");

    const auto* alg = member(header, "alg");
    if (!alg || !alg->IsString() || std::string_view(alg->GetString(), alg->GetStringLength()) != "HS256")
        return fail(reason, "algorithm not allowed");
    if (header.HasMember("crit")) return fail(reason, "critical header not understood");

    if (!equal_ct(hmac_sha256(key, token.substr(0, d2)), *signature)) return fail(reason, "bad signature");

    if (!parse_object(token.substr(d1 + 1, d2 - d1 - 1), payload)) return fail(reason, "bad payload encoding");
    const int64_t t = now();
    int64_t exp = 0, nbf = 0, iat = 0;
    if (!int_claim(payload, "exp", exp)) return fail(reason, "exp missing");
    if (t - kJwtLeeway > exp) return fail(reason, "expired");  // not exp + leeway: exp may be INT64_MAX
    if (payload.HasMember("nbf") && (!int_claim(payload, "nbf", nbf) || t + kJwtLeeway < nbf))
        return fail(reason, "not yet valid");
    if (payload.HasMember("iat") && (!int_claim(payload, "iat", iat) || t + kJwtLeeway < iat))
        return fail(reason, "issued in the future");
    return true;
}

bool cabinet_claims(const rapidjson::Document& payload, Claims& c, std::string* reason) {
    c.sub = str(payload, "sub");
    c.org = str(payload, "org");
    c.email = str(payload, "email");
    c.jti = str(payload, "jti");
    if (!is_uuid(c.sub) || !is_uuid(c.org)) return fail(reason, "sub/org missing");
    if (!int_claim(payload, "exp", c.exp) || !int_claim(payload, "iat", c.iat)) return fail(reason, "iat missing");
    if (!int_claim(payload, "ver", c.ver)) return fail(reason, "ver missing");
    return true;
}

}  // namespace

std::optional<Claims> verify_jwt(std::string_view token, std::string_view key, const Clock& now, std::string* reason) {
    char buffer[kTokenJsonBuffer];
    rapidjson::MemoryPoolAllocator<> memory(buffer, sizeof buffer);
    rapidjson::Document payload(&memory);
    Claims c;
    if (!check_jws(token, key, now, payload, reason) || !cabinet_claims(payload, c, reason)) return std::nullopt;
    return c;
}

bool verify_hs256(std::string_view token, std::string_view key, const Clock& now, std::string* reason) {
    rapidjson::Document payload;
    return check_jws(token, key, now, payload, reason);
}

}  // namespace cabinet
