// lib/keycheck.cpp: the fingerprint that names a key without revealing it.
#include "keycheck.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace cabinet;

BOOST_AUTO_TEST_SUITE(keycheck)

// HMAC-SHA256(key, "cabinet key check"), as `openssl dgst -sha256 -mac HMAC` computes it.
BOOST_AUTO_TEST_CASE(fingerprint_is_the_hmac_of_the_fixed_text_under_the_key) {
    BOOST_TEST(key_fingerprint(std::string(32, '\x01')) ==
               "6b264d03f108a18fe2a89d5aeed8706378ce216dba41859e1ca30315a8876c55");
}

BOOST_AUTO_TEST_CASE(different_keys_have_different_fingerprints) {
    BOOST_TEST(key_fingerprint(std::string(32, '\x01')) != key_fingerprint(std::string(32, '\x02')));
}

BOOST_AUTO_TEST_SUITE_END()
