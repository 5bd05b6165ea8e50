// lib/jwt.cpp: HS256 verification in a fixed order (DESIGN §4, STYLE 12).
#include "crypto.hpp"
#include "jwt.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <limits>
#include <string>

using namespace cabinet;

namespace {

// RFC 7515 appendix A.1: the JWS, and the JWK "k" of its key.
const char kRfcToken[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
    ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
    ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const char kRfcKey[] = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
const int64_t kRfcExp = 1300819380;

const std::string kKey = "unit-test-signing-key-0123456789abcdef";
const int64_t kNow = 1800000000;
const Clock kClock = [] { return kNow; };

std::string rfc_key() { return unbase64url(kRfcKey).value(); }
Clock at(int64_t t) { return [t] { return t; }; }

// A token over arbitrary header and payload JSON, signed with HMAC-SHA256 under key.
std::string token(const std::string& header, const std::string& payload, const std::string& key = kKey) {
    std::string input = base64url(header) + "." + base64url(payload);
    return input + "." + base64url(hmac_sha256(key, input));
}

std::string hs256(const std::string& payload) { return token(R"({"alg":"HS256","typ":"JWT"})", payload); }

// A full cabinet claims set, with the time claims given.
std::string claims(int64_t iat, int64_t exp, const std::string& extra = "") {
    return R"({"sub":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b","id":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b",)"
           R"("email":"a@example.com","org":"0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d","jti":"j1",)"
           R"("iat":)" + std::to_string(iat) + R"(,"exp":)" + std::to_string(exp) + R"(,"ver":1)" + extra + "}";
}

Claims sample_claims() {
    Claims c;
    c.sub = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
    c.email = "user@example.com";
    c.org = "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d";
    c.jti = "3c8d1f6e-2b4a-4c9d-8e7f-6a5b4c3d2e1f";
    c.iat = kNow - 10;
    c.exp = kNow + 3600;
    c.ver = 7;
    return c;
}

bool rejected_because(const std::string& tok, const std::string& why, const Clock& now = kClock) {
    std::string reason;
    bool ok = verify_hs256(tok, kKey, now, &reason);
    BOOST_TEST_INFO("reason: " << reason);
    BOOST_CHECK_EQUAL(reason, why);
    return !ok;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(jwt)

BOOST_AUTO_TEST_CASE(rfc7515_a1_example_verifies) {
    std::string reason;
    BOOST_TEST(verify_hs256(kRfcToken, rfc_key(), at(kRfcExp - 60), &reason), reason);
}

BOOST_AUTO_TEST_CASE(rfc7515_a1_example_is_expired_after_its_exp_and_leeway) {
    BOOST_TEST(verify_hs256(kRfcToken, rfc_key(), at(kRfcExp + kJwtLeeway)));
    BOOST_TEST(!verify_hs256(kRfcToken, rfc_key(), at(kRfcExp + kJwtLeeway + 1)));
    BOOST_TEST(!verify_hs256(kRfcToken, rfc_key()));  // the real clock: long expired
}

BOOST_AUTO_TEST_CASE(rfc7515_a1_example_fails_under_another_key) {
    BOOST_TEST(!verify_hs256(kRfcToken, kKey, at(kRfcExp - 60)));
}

BOOST_AUTO_TEST_CASE(alg_none_is_rejected) {
    std::string payload = base64url(claims(kNow, kNow + 60));
    std::string unsigned_token = base64url(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".";
    BOOST_TEST(rejected_because(unsigned_token, "algorithm not allowed"));
    // Even carrying a valid HMAC, the token does not pick the algorithm.
    BOOST_TEST(rejected_because(token(R"({"alg":"none"})", claims(kNow, kNow + 60)), "algorithm not allowed"));
    BOOST_TEST(!verify_jwt(unsigned_token, kKey, kClock));
}

BOOST_AUTO_TEST_CASE(other_algorithms_are_rejected) {
    for (const char* header : {R"({"alg":"HS384"})", R"({"alg":"HS512"})", R"({"alg":"RS256"})",
                               R"({"alg":"ES256"})", R"({"alg":"PS256"})", R"({"alg":"hs256"})",
                               R"({"alg":"HS256 "})", R"({"alg":["HS256"]})", R"({"alg":null})", R"({"typ":"JWT"})"}) {
        BOOST_TEST_CONTEXT(header) {
            BOOST_TEST(rejected_because(token(header, claims(kNow, kNow + 60)), "algorithm not allowed"));
        }
    }
}

BOOST_AUTO_TEST_CASE(critical_header_is_rejected) {
    BOOST_TEST(rejected_because(token(R"({"alg":"HS256","crit":["exp"]})", claims(kNow, kNow + 60)),
                                "critical header not understood"));
}

BOOST_AUTO_TEST_CASE(bad_signature_is_rejected) {
    std::string good = hs256(claims(kNow, kNow + 60));
    BOOST_TEST(verify_hs256(good, kKey, kClock));
    std::string other_key = token(R"({"alg":"HS256"})", claims(kNow, kNow + 60), "another-key");
    BOOST_TEST(rejected_because(other_key, "bad signature"));
    std::string flipped = good;
    flipped[flipped.rfind('.') + 1] = flipped[flipped.rfind('.') + 1] == 'A' ? 'B' : 'A';
    BOOST_TEST(rejected_because(flipped, "bad signature"));
    std::string empty_sig = good.substr(0, good.rfind('.') + 1);
    BOOST_TEST(rejected_because(empty_sig, "bad signature"));
    std::string truncated = good.substr(0, good.size() - 4);
    BOOST_TEST(!verify_hs256(truncated, kKey, kClock));
}

BOOST_AUTO_TEST_CASE(tampered_payload_is_rejected) {
    std::string good = sign_jwt(sample_claims(), kKey);
    size_t d1 = good.find('.'), d2 = good.rfind('.');
    Claims forged = sample_claims();
    forged.sub = "ffffffff-ffff-4fff-bfff-ffffffffffff";
    std::string forged_token = sign_jwt(forged, "attacker-key");
    std::string forged_payload = forged_token.substr(forged_token.find('.') + 1,
                                                     forged_token.rfind('.') - forged_token.find('.') - 1);
    std::string tampered = good.substr(0, d1 + 1) + forged_payload + good.substr(d2);
    BOOST_TEST(verify_jwt(good, kKey, kClock).has_value());
    std::string reason;
    BOOST_TEST(!verify_jwt(tampered, kKey, kClock, &reason));
    BOOST_CHECK_EQUAL(reason, "bad signature");
}

BOOST_AUTO_TEST_CASE(expired_token_beyond_leeway_is_rejected) {
    BOOST_TEST(rejected_because(hs256(claims(kNow - 3600, kNow - kJwtLeeway - 1)), "expired"));
    BOOST_TEST(rejected_because(hs256(claims(kNow - 7200, kNow - 3600)), "expired"));
}

BOOST_AUTO_TEST_CASE(expired_token_within_leeway_is_accepted) {
    BOOST_TEST(verify_hs256(hs256(claims(kNow - 3600, kNow - 1)), kKey, kClock));
    BOOST_TEST(verify_hs256(hs256(claims(kNow - 3600, kNow - kJwtLeeway)), kKey, kClock));
}

BOOST_AUTO_TEST_CASE(exp_far_in_the_future_is_accepted_without_overflow) {
    int64_t max = std::numeric_limits<int64_t>::max();
    BOOST_TEST(verify_hs256(hs256(claims(kNow, max)), kKey, kClock));
    BOOST_TEST(rejected_because(hs256(claims(kNow, std::numeric_limits<int64_t>::min())), "expired"));
}

BOOST_AUTO_TEST_CASE(missing_or_non_integer_exp_is_rejected) {
    BOOST_TEST(rejected_because(hs256(R"({"sub":"x"})"), "exp missing"));
    BOOST_TEST(rejected_because(hs256(R"({"exp":"1900000000"})"), "exp missing"));
    BOOST_TEST(rejected_because(hs256(R"({"exp":1900000000.5})"), "exp missing"));
}

BOOST_AUTO_TEST_CASE(not_yet_valid_nbf_is_rejected) {
    BOOST_TEST(rejected_because(hs256(claims(kNow, kNow + 3600, R"(,"nbf":)" + std::to_string(kNow + kJwtLeeway + 1))),
                                "not yet valid"));
    BOOST_TEST(rejected_because(hs256(claims(kNow, kNow + 3600, R"(,"nbf":"soon")")), "not yet valid"));
    BOOST_TEST(verify_hs256(hs256(claims(kNow, kNow + 3600, R"(,"nbf":)" + std::to_string(kNow + kJwtLeeway))), kKey,
                            kClock));
}

BOOST_AUTO_TEST_CASE(iat_in_the_future_is_rejected) {
    BOOST_TEST(rejected_because(hs256(claims(kNow + kJwtLeeway + 1, kNow + 3600)), "issued in the future"));
    BOOST_TEST(verify_hs256(hs256(claims(kNow + kJwtLeeway, kNow + 3600)), kKey, kClock));
}

BOOST_AUTO_TEST_CASE(two_or_four_parts_are_rejected) {
    std::string good = hs256(claims(kNow, kNow + 60));
    std::string two = good.substr(0, good.rfind('.'));
    BOOST_TEST(rejected_because(two, "not three parts"));
    BOOST_TEST(rejected_because(good + ".", "not three parts"));
    BOOST_TEST(rejected_because(good + "." + good.substr(good.rfind('.') + 1), "not three parts"));
    BOOST_TEST(rejected_because("", "not three parts"));
    BOOST_TEST(rejected_because("abc", "not three parts"));
    BOOST_TEST(!verify_jwt(two, kKey, kClock));
}

BOOST_AUTO_TEST_CASE(bad_base64url_is_rejected) {
    std::string good = hs256(claims(kNow, kNow + 60));
    size_t d1 = good.find('.'), d2 = good.rfind('.');
    std::string header = good.substr(0, d1), payload = good.substr(d1 + 1, d2 - d1 - 1), sig = good.substr(d2 + 1);
    BOOST_TEST(rejected_because(header + "=." + payload + "." + sig, "bad header encoding"));
    BOOST_TEST(rejected_because("e+J." + payload + "." + sig, "bad header encoding"));
    BOOST_TEST(rejected_because(header + "." + payload + "." + sig + "=", "bad signature encoding"));
    BOOST_TEST(rejected_because(header + "." + payload + "." + sig.substr(0, 10) + "/" + sig.substr(11),
                                "bad signature encoding"));
    // A signed payload that is not base64url (or not a JSON object) fails after the signature.
    std::string input = header + "." + "eyJ!";
    BOOST_TEST(rejected_because(input + "." + base64url(hmac_sha256(kKey, input)), "bad payload encoding"));
    BOOST_TEST(rejected_because(hs256("[1,2]"), "bad payload encoding"));
    BOOST_TEST(rejected_because(token("not json", claims(kNow, kNow + 60)), "bad header encoding"));
}

BOOST_AUTO_TEST_CASE(sign_then_verify_round_trips_the_claims) {
    Claims c = sample_claims();
    std::string tok = sign_jwt(c, kKey);
    std::string reason;
    auto got = verify_jwt(tok, kKey, kClock, &reason);
    BOOST_REQUIRE_MESSAGE(got.has_value(), reason);
    BOOST_CHECK_EQUAL(got->sub, c.sub);
    BOOST_CHECK_EQUAL(got->email, c.email);
    BOOST_CHECK_EQUAL(got->org, c.org);
    BOOST_CHECK_EQUAL(got->jti, c.jti);
    BOOST_CHECK_EQUAL(got->iat, c.iat);
    BOOST_CHECK_EQUAL(got->exp, c.exp);
    BOOST_CHECK_EQUAL(got->ver, c.ver);
    BOOST_TEST(!verify_jwt(tok, "another-key", kClock));
}

BOOST_AUTO_TEST_CASE(signed_token_carries_sub_and_id_and_hs256_header) {
    std::string tok = sign_jwt(sample_claims(), kKey);
    size_t d1 = tok.find('.'), d2 = tok.rfind('.');
    std::string header = unbase64url(tok.substr(0, d1)).value();
    std::string payload = unbase64url(tok.substr(d1 + 1, d2 - d1 - 1)).value();
    BOOST_TEST(header.find(R"("alg":"HS256")") != std::string::npos);
    BOOST_TEST(payload.find(R"("sub":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")") != std::string::npos);
    BOOST_TEST(payload.find(R"("id":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(token_missing_ver_sub_or_org_is_rejected) {
    const std::string sub = R"("sub":"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b")";
    const std::string org = R"("org":"0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d")";
    const std::string times = R"("iat":)" + std::to_string(kNow) + R"(,"exp":)" + std::to_string(kNow + 60);
    const std::string complete = "{" + sub + "," + org + "," + times + R"(,"ver":0})";
    BOOST_TEST(verify_jwt(hs256(complete), kKey, kClock).has_value());
    const std::string incomplete[] = {
        "{" + sub + "," + org + "," + times + "}",                      // no ver
        "{" + sub + "," + org + "," + times + R"(,"ver":"1"})",         // ver not an integer
        "{" + org + "," + times + R"(,"ver":1})",                       // no sub
        R"({"sub":"not-a-uuid",)" + org + "," + times + R"(,"ver":1})",  // sub not a uuid
        "{" + sub + "," + times + R"(,"ver":1})",                       // no org
        "{" + sub + "," + org + R"(,"exp":)" + std::to_string(kNow + 60) + R"(,"ver":1})",  // no iat
    };
    for (const auto& payload : incomplete) {
        BOOST_TEST_CONTEXT(payload) {
            BOOST_TEST(verify_hs256(hs256(payload), kKey, kClock));  // the JWS itself is fine
            BOOST_TEST(!verify_jwt(hs256(payload), kKey, kClock));
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
