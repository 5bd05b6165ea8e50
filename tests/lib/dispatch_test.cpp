// lib/dispatch.cpp: the pipeline driven against a fake service, without
// Postgres (its Db points nowhere; routes that reach it answer 503).
#include "ctx.hpp"
#include "dispatch.hpp"

#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

using namespace cabinet;

namespace {

int g_flaky_calls = 0;

Response gone_route(Ctx&) { throw gone("retired"); }
Response boom(Ctx&) { throw std::runtime_error("SELECT secret FROM internals"); }
Response echo(Ctx& c) {
    JsonOut j;
    j.obj().kv("name", str(c.body, "name")).end();
    return json_response(200, j.take());
}
Response whoami(Ctx& c) { return json_response(200, "{\"id\":\"" + c.caller().user_id + "\"}"); }
Response flaky(Ctx&) {
    if (++g_flaky_calls < 3) throw Error(503, "SERVICE_UNAVAILABLE", "Please retry").because("40001");
    return json_response(200, "{}");
}
Response always_flaky(Ctx&) {
    ++g_flaky_calls;
    Error e(503, "SERVICE_UNAVAILABLE", "Please retry");
    e.retryable = true;
    throw e;
}
Response retry_then_ok(Ctx&) {
    if (++g_flaky_calls < 3) {
        Error e(503, "SERVICE_UNAVAILABLE", "Please retry");
        e.retryable = true;
        throw e;
    }
    return json_response(200, "{}");
}

const Fields kEchoFields = {{"name", Kind::String, true}};

const Service kService = {"fake",
                          {
                              {"*", "/v1/gone/*", gone_route, Access::Public, nullptr},
                              {"POST", "/echo", echo, Access::Public, &kEchoFields},
                              {"GET", "/boom", boom, Access::Public, &kEchoFields},
                              {"GET", "/api/me", whoami, Access::Authenticated, nullptr},
                              {"GET", "/v2/account", whoami, Access::Authenticated, nullptr},
                              {"POST", "/flaky", flaky, Access::Public, &kEchoFields},
                              {"POST", "/always-flaky", always_flaky, Access::Public, &kEchoFields},
                              {"POST", "/retry", retry_then_ok, Access::Public, &kEchoFields},
                          }};

struct Fixture {
    Config cfg;
    Db db{"host=/nonexistent dbname=none", "dispatch-test"};  // never reached by these routes
    Fixture() {
        cfg.jwt_secret = std::string(32, 'k');
        cfg.rate_limits = false;
        g_flaky_calls = 0;
    }
    Response send(const char* method, const char* path, std::string body = {},
                  const char* content_type = "application/json", const char* authorization = "") {
        Request req;
        req.method = method;
        req.path = path;
        req.body = std::move(body);
        req.content_type = content_type;
        req.authorization = authorization;
        req.request_id = "test";
        return dispatch(kService, req, &db, cfg);
    }
};

std::string header(const Response& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return "<none>";
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(dispatch_pipeline, Fixture)

BOOST_AUTO_TEST_CASE(an_unknown_path_is_the_404_envelope) {
    Response r = send("GET", "/nowhere");
    BOOST_CHECK_EQUAL(r.status, 404);
    BOOST_CHECK_EQUAL(r.body, R"({"error":{"code":"NOT_FOUND","message":"Resource not found"}})");
    BOOST_TEST(r.route == nullptr);
}

BOOST_AUTO_TEST_CASE(another_method_is_405_with_allow) {
    Response r = send("DELETE", "/echo");
    BOOST_CHECK_EQUAL(r.status, 405);
    BOOST_CHECK_EQUAL(header(r, "Allow"), "POST");
}

BOOST_AUTO_TEST_CASE(a_too_large_body_is_413_before_the_route) {
    Request req;
    req.method = "GET";
    req.path = "/nowhere";
    req.too_large = true;
    Response r = dispatch(kService, req, &db, cfg);
    BOOST_CHECK_EQUAL(r.status, 413);
}

BOOST_AUTO_TEST_CASE(a_public_route_without_body_answers_before_any_check) {
    Response r = send("PATCH", "/v1/gone/x", "not json", "text/plain");
    BOOST_CHECK_EQUAL(r.status, 410);
    BOOST_CHECK_EQUAL(r.route, "/v1/gone/*");
}

BOOST_AUTO_TEST_CASE(a_body_that_is_not_json_typed_is_415) {
    Response r = send("POST", "/echo", R"({"name":"a"})", "text/plain");
    BOOST_CHECK_EQUAL(r.status, 415);
}

BOOST_AUTO_TEST_CASE(a_missing_body_is_invalid_json) {
    Response r = send("POST", "/echo");
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_TEST(r.body.find("INVALID_JSON") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_undeclared_field_is_rejected_before_the_operation) {
    Response r = send("POST", "/echo", R"({"name":"a","extra":1})");
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_TEST(r.body.find(R"("field":"extra")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(declared_fields_reach_the_operation) {
    Response r = send("POST", "/echo", R"({"name":"Ann"})", "application/json; charset=utf-8");
    BOOST_CHECK_EQUAL(r.status, 200);
    BOOST_CHECK_EQUAL(r.body, R"({"name":"Ann"})");
    BOOST_CHECK_EQUAL(r.route, "/echo");
}

BOOST_AUTO_TEST_CASE(an_unhandled_exception_is_500_without_internals) {
    Response r = send("GET", "/boom", R"({"name":"a"})");
    BOOST_CHECK_EQUAL(r.status, 500);
    BOOST_CHECK_EQUAL(r.body, R"({"error":{"code":"INTERNAL_ERROR","message":"Internal error"}})");
}

BOOST_AUTO_TEST_CASE(a_malformed_query_string_is_400) {
    Request req;
    req.method = "POST";
    req.path = "/echo";
    req.query_string = "a=%zz";
    req.body = R"({"name":"a"})";
    req.content_type = "application/json";
    Response r = dispatch(kService, req, &db, cfg);
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_TEST(r.body.find(R"("field":"query")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_nul_in_the_query_is_400_never_truncated) {
    Request req;
    req.method = "POST";
    req.path = "/echo";
    req.query_string = "search=vis%00hidden";
    req.body = R"({"name":"a"})";
    req.content_type = "application/json";
    Response r = dispatch(kService, req, &db, cfg);
    BOOST_CHECK_EQUAL(r.status, 400);
    BOOST_TEST(r.body.find(R"("field":"search")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_api_key_has_one_spelling) {
    // "cab_x\0suffix:secret" and "cab x:secret": refused before any lookup.
    for (const char* basic : {"Basic Y2FiX3gAc3VmZml4OnNlY3JldA==", "Basic Y2FiIHg6c2VjcmV0"}) {
        BOOST_TEST_CONTEXT(basic) {
            Response r = send("GET", "/api/me", {}, "", basic);
            BOOST_CHECK_EQUAL(r.status, 401);
            BOOST_TEST(r.body.find("Invalid API key") != std::string::npos);
        }
    }
}

BOOST_AUTO_TEST_CASE(no_credential_is_401_before_the_database) {
    Response r = send("GET", "/api/me");
    BOOST_CHECK_EQUAL(r.status, 401);
    BOOST_CHECK_EQUAL(r.route, "/api/me");
    BOOST_TEST(r.actor.empty());
}

BOOST_AUTO_TEST_CASE(a_forged_token_is_401_invalid_token) {
    Response r = send("GET", "/api/me", {}, "", "Bearer a.b.c");
    BOOST_CHECK_EQUAL(r.status, 401);
    BOOST_TEST(header(r, "WWW-Authenticate").find("invalid_token") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(account_family_errors_carry_success_false) {
    Response r = send("GET", "/v2/account");
    BOOST_CHECK_EQUAL(r.status, 401);
    BOOST_TEST(r.body.find(R"("success":false)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_retryable_error_runs_the_operation_again) {
    Response r = send("POST", "/retry", R"({"name":"a"})");
    BOOST_CHECK_EQUAL(r.status, 200);
    BOOST_CHECK_EQUAL(g_flaky_calls, 3);
}

BOOST_AUTO_TEST_CASE(a_request_runs_at_most_three_times) {
    Response r = send("POST", "/always-flaky", R"({"name":"a"})");
    BOOST_CHECK_EQUAL(r.status, 503);
    BOOST_CHECK_EQUAL(g_flaky_calls, 3);
    BOOST_CHECK_EQUAL(header(r, "Retry-After"), "<none>");  // this fake error carries none
}

BOOST_AUTO_TEST_CASE(an_error_that_is_not_retryable_runs_once) {
    Response r = send("POST", "/flaky", R"({"name":"a"})");
    BOOST_CHECK_EQUAL(r.status, 503);
    BOOST_CHECK_EQUAL(g_flaky_calls, 1);
}

BOOST_AUTO_TEST_CASE(without_a_database_operations_answer_503) {
    Request req;
    req.method = "GET";
    req.path = "/api/me";
    req.authorization = "Bearer a.b.c";
    Response r = dispatch(kService, req, nullptr, cfg);
    BOOST_CHECK_EQUAL(r.status, 503);
}

BOOST_AUTO_TEST_CASE(without_a_database_a_public_route_still_answers) {
    Request req;
    req.method = "POST";
    req.path = "/echo";
    req.body = R"({"name":"Ann"})";
    req.content_type = "application/json";
    Response r = dispatch(kService, req, nullptr, cfg);
    BOOST_CHECK_EQUAL(r.status, 200);
}

BOOST_AUTO_TEST_SUITE_END()
