// lib/error.cpp: the SQLSTATE table and the error envelope (DESIGN §4, STYLE 4–6).
#include "error.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace cabinet;

namespace {

bool has_header(const Error& e, const std::string& name, const std::string& value) {
    for (const auto& [k, v] : e.headers)
        if (k == name && v == value) return true;
    return false;
}

const char kReason[] = "groups_insert: duplicate key value violates unique constraint \"groups_name_key\"";

}  // namespace

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(unique_and_foreign_key_violations_are_409_conflict) {
    for (const char* state : {"23505", "23503"}) {
        BOOST_TEST_CONTEXT(state) {
            Error e = from_sqlstate(state, kReason);
            BOOST_CHECK_EQUAL(e.status, 409);
            BOOST_CHECK_EQUAL(e.code, "CONFLICT");
            BOOST_TEST(!e.retryable);
            BOOST_CHECK_EQUAL(e.internal, kReason);
            BOOST_TEST(e.message.find("duplicate key") == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(serialization_failure_and_deadlock_are_retryable) {
    for (const char* state : {"40001", "40P01"}) {
        BOOST_TEST_CONTEXT(state) {
            Error e = from_sqlstate(state, "could not serialize access");
            BOOST_TEST(e.retryable);
            BOOST_CHECK_EQUAL(e.status, 503);
            BOOST_CHECK_EQUAL(e.code, "SERVICE_UNAVAILABLE");
        }
    }
}

BOOST_AUTO_TEST_CASE(connection_failure_and_shutdown_are_503_with_retry_after) {
    for (const char* state : {"08006", "08001", "57P01", "57P03", "53300"}) {
        BOOST_TEST_CONTEXT(state) {
            Error e = from_sqlstate(state, "terminating connection due to administrator command");
            BOOST_CHECK_EQUAL(e.status, 503);
            BOOST_CHECK_EQUAL(e.code, "SERVICE_UNAVAILABLE");
            BOOST_TEST(!e.retryable);
            BOOST_TEST(has_header(e, "Retry-After", "1"));
            BOOST_TEST(e.message.find("administrator") == std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_text_representation_is_400) {
    Error e = from_sqlstate("22P02", "invalid input syntax for type uuid: \"x\"");
    BOOST_CHECK_EQUAL(e.status, 400);
    BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
    BOOST_TEST(e.message.find("syntax") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_sqlstate_is_500_with_the_reason_only_internal) {
    for (const char* state : {"42P01", "XX000", "", "2350"}) {
        BOOST_TEST_CONTEXT(state) {
            Error e = from_sqlstate(state, "ERROR:  relation \"nope\" does not exist; SELECT * FROM nope");
            BOOST_CHECK_EQUAL(e.status, 500);
            BOOST_CHECK_EQUAL(e.code, "INTERNAL_ERROR");
            BOOST_CHECK_EQUAL(e.message, "Internal error");
            BOOST_CHECK_EQUAL(e.internal, "ERROR:  relation \"nope\" does not exist; SELECT * FROM nope");
            BOOST_TEST(!e.retryable);
            std::string body = render_error(e, false);
            BOOST_CHECK_EQUAL(body, R"({"error":{"code":"INTERNAL_ERROR","message":"Internal error"}})");
        }
    }
    BOOST_CHECK_EQUAL(from_sqlstate(nullptr, "no result").status, 500);
}

BOOST_AUTO_TEST_CASE(validation_error_renders_the_documented_envelope) {
    BOOST_CHECK_EQUAL(render_error(validation("Invalid email format", "email", "invalid-email"), false),
                      R"({"error":{"code":"VALIDATION_ERROR","message":"Invalid email format","details":{"field":"email","value":"invalid-email"}}})");
}

BOOST_AUTO_TEST_CASE(with_success_puts_success_false_first) {
    BOOST_CHECK_EQUAL(render_error(validation("Invalid email format", "email", "invalid-email"), true),
                      R"({"success":false,"error":{"code":"VALIDATION_ERROR","message":"Invalid email format","details":{"field":"email","value":"invalid-email"}}})");
}

BOOST_AUTO_TEST_CASE(details_appear_only_when_a_field_is_concerned) {
    BOOST_CHECK_EQUAL(render_error(not_found(), false), R"({"error":{"code":"NOT_FOUND","message":"Resource not found"}})");
    BOOST_CHECK_EQUAL(render_error(conflict("Email already in use", "email"), false),
                      R"({"error":{"code":"CONFLICT","message":"Email already in use","details":{"field":"email"}}})");
    BOOST_CHECK_EQUAL(render_error(validation("Field is required", "target.customerId"), false),
                      R"({"error":{"code":"VALIDATION_ERROR","message":"Field is required","details":{"field":"target.customerId"}}})");
}

BOOST_AUTO_TEST_CASE(rendered_values_are_json_escaped) {
    BOOST_CHECK_EQUAL(render_error(validation("Bad", "name", "a\"b\\c\n"), false),
                      R"({"error":{"code":"VALIDATION_ERROR","message":"Bad","details":{"field":"name","value":"a\"b\\c\n"}}})");
}

BOOST_AUTO_TEST_CASE(internal_reason_never_reaches_the_body) {
    Error e = internal("SELECT secret FROM keys: syntax error");
    std::string body = render_error(e, true);
    BOOST_TEST(body.find("SELECT") == std::string::npos);
    BOOST_TEST(body.find("syntax error") == std::string::npos);
    BOOST_CHECK_EQUAL(body, R"({"success":false,"error":{"code":"INTERNAL_ERROR","message":"Internal error"}})");
}

BOOST_AUTO_TEST_CASE(factories_carry_the_documented_status_and_code) {
    struct Row {
        Error e;
        int status;
        const char* code;
    };
    const Row rows[] = {
        {invalid_json("Malformed JSON"), 400, "INVALID_JSON"},
        {validation("Bad"), 400, "VALIDATION_ERROR"},
        {unauthorized(), 401, "UNAUTHORIZED"},
        {forbidden(), 403, "FORBIDDEN"},
        {not_found(), 404, "NOT_FOUND"},
        {method_not_allowed("GET, POST"), 405, "METHOD_NOT_ALLOWED"},
        {conflict("Taken"), 409, "CONFLICT"},
        {gone("API v1 is retired"), 410, "GONE"},
        {payload_too_large(), 413, "PAYLOAD_TOO_LARGE"},
        {unsupported_media_type(), 415, "UNSUPPORTED_MEDIA_TYPE"},
        {locked("Account locked"), 423, "LOCKED"},
        {internal("why"), 500, "INTERNAL_ERROR"},
        {unavailable("why"), 503, "SERVICE_UNAVAILABLE"},
    };
    for (const auto& r : rows) {
        BOOST_TEST_CONTEXT(r.code) {
            BOOST_CHECK_EQUAL(r.e.status, r.status);
            BOOST_CHECK_EQUAL(r.e.code, r.code);
        }
    }
    BOOST_TEST(has_header(method_not_allowed("GET, POST"), "Allow", "GET, POST"));
    BOOST_TEST(has_header(unauthorized("x", true), "WWW-Authenticate", "Bearer realm=\"cabinet\", error=\"invalid_token\""));
    BOOST_TEST(has_header(unauthorized(), "WWW-Authenticate", "Bearer realm=\"cabinet\""));
    BOOST_TEST(has_header(unavailable("db down"), "Retry-After", "1"));
}

BOOST_AUTO_TEST_SUITE_END()
