// lib/directory.cpp: the email and password rules every user creation shares (DESIGN §3).
#include "directory.hpp"
#include "error.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace cabinet;

namespace {

Error password_error(const std::string& password, const std::string& email = "user@example.com") {
    try {
        check_password(password, email);
    } catch (const Error& e) {
        return e;
    }
    BOOST_ERROR("password accepted: " << password);
    return Error();
}

// n characters, each of them the UTF-8 text ch.
std::string repeat(const std::string& ch, size_t n) {
    std::string s;
    for (size_t i = 0; i < n; ++i) s += ch;
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(directory)

BOOST_AUTO_TEST_CASE(valid_emails_are_accepted) {
    for (const std::string& email :
         {std::string("user@example.com"), std::string("first.last+tag@sub.example.co"), std::string("a@b.co"),
          std::string("O'Brien@example.org"), std::string("user_name-1@example-host.io"), std::string("x@xn--80ak6aa92e.com"),
          std::string("UPPER@EXAMPLE.COM"), repeat("a", 64) + "@example.com",
          repeat("a", 64) + "@" + repeat("b", 254 - 64 - 1 - 4) + ".com"}) {
        BOOST_TEST_CONTEXT(email) { BOOST_CHECK_NO_THROW(check_email(email)); }
    }
}

BOOST_AUTO_TEST_CASE(invalid_emails_are_rejected) {
    for (const std::string& email :
         {std::string("invalid-email"), std::string(""), std::string("@example.com"), std::string("user@"),
          std::string("user@example"), std::string("user@@example.com"), std::string("us@er@example.com"),
          std::string("user@.example.com"), std::string("user@example..com"), std::string("user@example.com."),
          std::string(".user@example.com"), std::string("user.@example.com"), std::string("us..er@example.com"),
          std::string("user name@example.com"), std::string("user@exa mple.com"), std::string("user@-example.com"),
          std::string("user@example.com-"), std::string("user@exam_ple.com"), std::string("user@example.com\n"),
          std::string("<user@example.com>"), std::string("user@[127.0.0.1]"), std::string("\"user\"@example.com"),
          std::string("user\0@example.com", 17), repeat("a", 65) + "@example.com",
          repeat("a", 64) + "@" + repeat("b", 255 - 64 - 1 - 4) + ".com"}) {
        BOOST_TEST_CONTEXT(email) {
            try {
                check_email(email);
                BOOST_ERROR("accepted");
            } catch (const Error& e) {
                BOOST_CHECK_EQUAL(e.status, 400);
                BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
                BOOST_CHECK_EQUAL(e.message, "Invalid email format");
                BOOST_CHECK_EQUAL(e.field, "email");
                BOOST_CHECK_EQUAL(e.value.value_or("<none>"), email);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(email_error_names_the_given_field) {
    try {
        check_email("invalid-email", "admin-email");
        BOOST_ERROR("accepted");
    } catch (const Error& e) {
        BOOST_CHECK_EQUAL(e.field, "admin-email");
    }
}

BOOST_AUTO_TEST_CASE(password_of_11_characters_is_rejected) {
    Error e = password_error(std::string(11, 'p'));
    BOOST_CHECK_EQUAL(e.status, 400);
    BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
    BOOST_CHECK_EQUAL(e.field, "password");
    BOOST_TEST(!e.value.has_value());  // a password is never echoed
    BOOST_CHECK_EQUAL(password_error("").field, "password");
}

BOOST_AUTO_TEST_CASE(password_of_12_to_256_characters_is_accepted) {
    BOOST_CHECK_NO_THROW(check_password(std::string(12, 'p'), "user@example.com"));
    BOOST_CHECK_NO_THROW(check_password(std::string(256, 'p'), "user@example.com"));
}

BOOST_AUTO_TEST_CASE(password_of_257_characters_is_rejected) {
    BOOST_CHECK_EQUAL(password_error(std::string(257, 'p')).code, "VALIDATION_ERROR");
}

BOOST_AUTO_TEST_CASE(password_length_counts_characters_not_bytes) {
    // "п" and "é" are two bytes each in UTF-8, "😀" four.
    BOOST_CHECK_EQUAL(password_error(repeat("п", 11)).code, "VALIDATION_ERROR");
    BOOST_CHECK_EQUAL(password_error(repeat("😀", 11)).code, "VALIDATION_ERROR");
    BOOST_CHECK_NO_THROW(check_password(repeat("п", 12), "user@example.com"));
    BOOST_CHECK_NO_THROW(check_password(repeat("é", 256), "user@example.com"));
    BOOST_CHECK_NO_THROW(check_password(repeat("😀", 256), "user@example.com"));
    BOOST_CHECK_EQUAL(password_error(repeat("é", 257)).code, "VALIDATION_ERROR");
}

BOOST_AUTO_TEST_CASE(password_equal_to_email_is_rejected_case_insensitively) {
    const std::string email = "Admin.User@Example.com";
    for (const char* pw : {"Admin.User@Example.com", "admin.user@example.com", "ADMIN.USER@EXAMPLE.COM"}) {
        BOOST_TEST_CONTEXT(pw) {
            Error e = password_error(pw, email);
            BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
            BOOST_CHECK_EQUAL(e.field, "password");
        }
    }
    BOOST_CHECK_NO_THROW(check_password("admin.user@example.com!", email));
}

BOOST_AUTO_TEST_CASE(password_error_names_the_given_field) {
    try {
        check_password("short", "user@example.com", "admin-password");
        BOOST_ERROR("accepted");
    } catch (const Error& e) {
        BOOST_CHECK_EQUAL(e.field, "admin-password");
    }
}

BOOST_AUTO_TEST_CASE(secret_binding_names_purpose_and_owner) {
    BOOST_CHECK_EQUAL(secret_binding("o", "u", "s3"), "cabinet|s3|o|u");
    BOOST_TEST(secret_binding("o", "u", "s3") != secret_binding("o", "u", "swift"));
    BOOST_TEST(secret_binding("o", "u", "s3") != secret_binding("o", "v", "s3"));
}

BOOST_AUTO_TEST_SUITE_END()
