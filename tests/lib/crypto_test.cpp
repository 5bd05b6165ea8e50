// lib/crypto.cpp: encodings, password hashing, sealing secrets at rest, uuids.
#include "crypto.hpp"
#include "error.hpp"

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

using namespace cabinet;

namespace {

const int kFast = 1000;  // iterations for tests that are not about the cost
const std::string kMasterKey(32, '\x42');
const std::string kOwner = "cabinet|s3|0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d|6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

}  // namespace

BOOST_AUTO_TEST_SUITE(crypto)

BOOST_AUTO_TEST_CASE(password_hash_round_trips) {
    std::string stored = hash_password("correct horse battery staple", kFast);
    BOOST_TEST(stored.rfind("$pbkdf2-sha256$1000$", 0) == 0, stored);
    BOOST_TEST(verify_password("correct horse battery staple", stored));
}

BOOST_AUTO_TEST_CASE(password_hash_at_default_cost_names_600000_iterations) {
    BOOST_CHECK_EQUAL(kPasswordIterations, 600000);
    std::string stored = hash_password("correct horse battery staple");
    BOOST_TEST(stored.rfind("$pbkdf2-sha256$600000$", 0) == 0, stored);
    BOOST_TEST(verify_password("correct horse battery staple", stored));
}

BOOST_AUTO_TEST_CASE(wrong_password_is_rejected) {
    std::string stored = hash_password("correct horse battery staple", kFast);
    for (const char* wrong : {"correct horse battery stapl", "Correct horse battery staple", "", "correct horse battery staple "}) {
        BOOST_TEST_CONTEXT(wrong) { BOOST_TEST(!verify_password(wrong, stored)); }
    }
}

BOOST_AUTO_TEST_CASE(same_password_hashes_differently_each_time) {
    BOOST_TEST(hash_password("same password!", kFast) != hash_password("same password!", kFast));
}

BOOST_AUTO_TEST_CASE(malformed_stored_hash_is_rejected) {
    std::string good = hash_password("correct horse battery staple", kFast);
    std::string tail = good.substr(std::string("$pbkdf2-sha256$1000$").size());  // salt$hash
    for (const std::string& stored :
         {std::string(""), std::string("correct horse battery staple"), std::string("$pbkdf2-sha256$"),
          std::string("$pbkdf2-sha256$1000$"), std::string("$pbkdf2-sha256$1000$") + tail.substr(0, tail.find('$')),
          "$pbkdf2-sha1$1000$" + tail, "$pbkdf2-sha256$abc$" + tail, "$pbkdf2-sha256$$" + tail,
          "$pbkdf2-sha256$0$" + tail, "$pbkdf2-sha256$-1000$" + tail, "$pbkdf2-sha256$99999999999999999999$" + tail,
          "$pbkdf2-sha256$1000$!!!$" + tail.substr(tail.find('$') + 1),
          "$pbkdf2-sha256$1000$" + tail.substr(0, tail.find('$')) + "$not base64",
          good.substr(0, good.size() - 2), "$pbkdf2-sha256$1000$" + tail + "$extra"}) {
        BOOST_TEST_CONTEXT(stored) {
            bool ok = true;
            BOOST_CHECK_NO_THROW(ok = verify_password("correct horse battery staple", stored));
            BOOST_TEST(!ok);
        }
    }
}

BOOST_AUTO_TEST_CASE(seal_then_open_round_trips) {
    for (const std::string& secret : {std::string("s3-secret-value"), std::string(), std::string("a\0b", 3),
                                      std::string(10000, 'x')}) {
        std::string sealed = seal(kMasterKey, secret, kOwner);
        BOOST_CHECK_EQUAL(sealed.size(), 12 + secret.size() + 16);
        auto opened = open_sealed(kMasterKey, sealed, kOwner);
        BOOST_REQUIRE(opened.has_value());
        BOOST_TEST(*opened == secret);
    }
}

BOOST_AUTO_TEST_CASE(sealed_value_does_not_contain_the_plaintext) {
    std::string sealed = seal(kMasterKey, "VISIBLE-SECRET-TEXT", kOwner);
    BOOST_TEST(sealed.find("VISIBLE-SECRET-TEXT") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(open_with_wrong_associated_data_fails) {
    std::string sealed = seal(kMasterKey, "secret", kOwner);
    BOOST_TEST(!open_sealed(kMasterKey, sealed, kOwner + "x"));
    BOOST_TEST(!open_sealed(kMasterKey, sealed, ""));
    BOOST_TEST(!open_sealed(kMasterKey, sealed, "cabinet|swift|0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d|6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"));
}

BOOST_AUTO_TEST_CASE(open_with_wrong_key_fails) {
    std::string sealed = seal(kMasterKey, "secret", kOwner);
    std::string other = kMasterKey;
    other[31] ^= 1;
    BOOST_TEST(!open_sealed(other, sealed, kOwner));
    BOOST_TEST(!open_sealed(kMasterKey.substr(0, 31), sealed, kOwner));
    BOOST_TEST(!open_sealed("", sealed, kOwner));
}

BOOST_AUTO_TEST_CASE(any_flipped_byte_fails_to_open) {
    std::string sealed = seal(kMasterKey, "secret value", kOwner);
    for (size_t i = 0; i < sealed.size(); ++i) {  // nonce, ciphertext and tag
        std::string bad = sealed;
        bad[i] ^= 0x01;
        BOOST_TEST_CONTEXT("byte " << i) { BOOST_TEST(!open_sealed(kMasterKey, bad, kOwner)); }
    }
    BOOST_TEST(!open_sealed(kMasterKey, sealed.substr(0, sealed.size() - 1), kOwner));
    BOOST_TEST(!open_sealed(kMasterKey, sealed + "x", kOwner));
    BOOST_TEST(!open_sealed(kMasterKey, sealed.substr(0, 27), kOwner));
    BOOST_TEST(!open_sealed(kMasterKey, "", kOwner));
}

BOOST_AUTO_TEST_CASE(two_seals_of_the_same_value_differ) {
    std::string a = seal(kMasterKey, "secret", kOwner), b = seal(kMasterKey, "secret", kOwner);
    BOOST_TEST(a != b);
    BOOST_TEST(a.substr(0, 12) != b.substr(0, 12));  // a fresh nonce each time
}

BOOST_AUTO_TEST_CASE(seal_refuses_a_key_that_is_not_32_bytes) {
    BOOST_CHECK_THROW(seal(std::string(31, 'k'), "secret", kOwner), Error);
    BOOST_CHECK_THROW(seal(std::string(33, 'k'), "secret", kOwner), Error);
}

BOOST_AUTO_TEST_CASE(base64_matches_rfc4648_vectors) {
    const char* vectors[][3] = {{"", "", ""},           {"f", "Zg==", "Zg"},         {"fo", "Zm8=", "Zm8"},
                                {"foo", "Zm9v", "Zm9v"}, {"foob", "Zm9vYg==", "Zm9vYg"}, {"fooba", "Zm9vYmE=", "Zm9vYmE"},
                                {"foobar", "Zm9vYmFy", "Zm9vYmFy"}};
    for (const auto& v : vectors) {
        BOOST_TEST_CONTEXT(v[0]) {
            BOOST_CHECK_EQUAL(base64(v[0]), v[1]);
            BOOST_CHECK_EQUAL(base64url(v[0]), v[2]);
            BOOST_CHECK_EQUAL(unbase64(v[1]).value_or("<none>"), v[0]);
            BOOST_CHECK_EQUAL(unbase64url(v[2]).value_or("<none>"), v[0]);
        }
    }
    BOOST_CHECK_EQUAL(base64("\xfb\xff\xbf"), "+/+/");
    BOOST_CHECK_EQUAL(base64url("\xfb\xff\xbf"), "-_-_");
}

BOOST_AUTO_TEST_CASE(encodings_round_trip_random_bytes) {
    for (size_t n = 0; n < 70; ++n) {
        std::string bytes = random_bytes(n);
        BOOST_CHECK_EQUAL(bytes.size(), n);
        BOOST_TEST(unbase64(base64(bytes)).value_or("<none>") == bytes);
        BOOST_TEST(unbase64url(base64url(bytes)).value_or("<none>") == bytes);
        BOOST_TEST(unhex(hex(bytes)).value_or("<none>") == bytes);
        BOOST_TEST(base64url(bytes).find_first_of("+/=") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(bad_base64url_is_rejected) {
    for (const char* bad : {"Zg==", "Zg=", "Zm9v+", "Zm9v/", "Zm 9v", "Z", "Zm9vY", "Zh", "Zm9=", "Zm\n9v", "é"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!unbase64url(bad)); }
    }
}

BOOST_AUTO_TEST_CASE(bad_base64_is_rejected) {
    for (const char* bad : {"Zg", "Zg=", "Zm9v-_8=", "Zm9v====", "=Zg=", "Z===", "Zh==", "Zm9v\n", "Zm 9v", "Zg=A"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!unbase64(bad)); }
    }
}

BOOST_AUTO_TEST_CASE(hex_round_trips_and_rejects_bad_input) {
    BOOST_CHECK_EQUAL(hex(std::string("\x00\xff\x10\xab", 4)), "00ff10ab");
    BOOST_TEST(unhex("00FF10aB").value_or("<none>") == std::string("\x00\xff\x10\xab", 4));
    BOOST_TEST(unhex("").value_or("<none>").empty());
    for (const char* bad : {"abc", "zz", "0g", " 0", "0x00"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!unhex(bad)); }
    }
}

BOOST_AUTO_TEST_CASE(hmac_sha256_matches_rfc4231_case_2) {
    BOOST_CHECK_EQUAL(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
                      "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    BOOST_CHECK_EQUAL(hex(sha256("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(equal_ct_compares_content_and_length) {
    BOOST_TEST(equal_ct("abc", "abc"));
    BOOST_TEST(equal_ct("", ""));
    BOOST_TEST(!equal_ct("abc", "abd"));
    BOOST_TEST(!equal_ct("abc", "abcd"));
}

BOOST_AUTO_TEST_CASE(is_uuid_accepts_only_the_canonical_form) {
    for (const char* good : {"6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", "6F1C2A3B-4D5E-4F60-8A7B-9C0D1E2F3A4B",
                             "00000000-0000-0000-0000-000000000000"}) {
        BOOST_TEST_CONTEXT(good) { BOOST_TEST(is_uuid(good)); }
    }
    for (const char* bad : {"", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4bc",
                            "6f1c2a3b4d5e4f608a7b9c0d1e2f3a4b", "{6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b}",
                            "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4g", "6f1c2a3b_4d5e-4f60-8a7b-9c0d1e2f3a4b",
                            "6f1c2a3-b4d5e-4f60-8a7b-9c0d1e2f3a4b", " f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"}) {
        BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!is_uuid(bad)); }
    }
}

BOOST_AUTO_TEST_CASE(new_uuid_is_a_random_v4_uuid) {
    std::set<std::string> seen;
    for (int i = 0; i < 200; ++i) {
        std::string id = new_uuid();
        BOOST_TEST_CONTEXT(id) {
            BOOST_TEST(is_uuid(id));
            BOOST_CHECK_EQUAL(id[14], '4');                                        // version 4
            BOOST_TEST(std::string("89ab").find(id[19]) != std::string::npos);    // RFC 4122 variant
            BOOST_TEST(id.find_first_of("ABCDEF") == std::string::npos);          // lower-case
        }
        seen.insert(id);
    }
    BOOST_CHECK_EQUAL(seen.size(), 200u);
}

BOOST_AUTO_TEST_SUITE_END()
