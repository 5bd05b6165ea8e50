// lib/router.cpp: routing inside a handler.
#include "router.hpp"

#include <boost/test/unit_test.hpp>

#include <sstream>
#include <string>

using namespace cabinet;

namespace {

bool matches(const char* pattern, const char* path, PathParams* out = nullptr) {
    PathParams p;
    bool ok = match_route(pattern, path, p);
    if (out) *out = p;
    return ok;
}

Response nothing(Ctx&) { return no_content(); }

const Service kService = {"test",
                          {
                              {"GET", "/api/things", nothing, Access::Authenticated, nullptr},
                              {"POST", "/api/things", nothing, Access::Authenticated, nullptr},
                              {"GET", "/api/things/{id}", nothing, Access::Authenticated, nullptr},
                              {"DELETE", "/api/things/{id}", nothing, Access::Authenticated, nullptr},
                              {"*", "/v1/old/*", nothing, Access::Public, nullptr},
                          }};

}  // namespace

BOOST_AUTO_TEST_SUITE(router)

BOOST_AUTO_TEST_CASE(literal_route_matches_only_itself) {
    BOOST_TEST(matches("/api/groups", "/api/groups"));
    BOOST_TEST(!matches("/api/groups", "/api/group"));
    BOOST_TEST(!matches("/api/groups", "/api/groupsX"));
    BOOST_TEST(!matches("/api/groups", "/api/groups/x"));
    BOOST_TEST(!matches("/api/groups", "/api/users"));
    BOOST_TEST(!matches("/api/groups", ""));
}

BOOST_AUTO_TEST_CASE(route_params_capture_one_segment_each) {
    PathParams p;
    BOOST_TEST(matches("/api/groups/{groupId}/users/{userId}", "/api/groups/g-1/users/u-2", &p));
    BOOST_CHECK_EQUAL(p.size(), 2u);
    BOOST_CHECK_EQUAL(p["groupId"], "g-1");
    BOOST_CHECK_EQUAL(p["userId"], "u-2");
    BOOST_TEST(matches("/v1/organizations/{id}", "/v1/organizations/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b", &p));
    BOOST_CHECK_EQUAL(p["id"], "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
}

BOOST_AUTO_TEST_CASE(route_param_needs_a_non_empty_segment) {
    BOOST_TEST(!matches("/api/groups/{groupId}", "/api/groups"));
    BOOST_TEST(!matches("/api/groups/{groupId}/users", "/api/groups//users"));
    BOOST_TEST(!matches("/api/groups/{groupId}", "/api/groups/a/b"));
    BOOST_TEST(!matches("/api/groups/{groupId}/users", "/api/groups/a"));
    BOOST_TEST(!matches("/api/groups/{groupId}/users", "/api/groups/a/members"));
}

BOOST_AUTO_TEST_CASE(trailing_slash_is_ignored) {
    PathParams p;
    BOOST_TEST(matches("/api/groups", "/api/groups/"));
    BOOST_TEST(matches("/api/groups/{groupId}", "/api/groups/g-1/", &p));
    BOOST_CHECK_EQUAL(p["groupId"], "g-1");
    BOOST_TEST(matches("/", "/"));
    BOOST_TEST(!matches("/api/groups", "/api/groups//"));
}

BOOST_AUTO_TEST_CASE(wildcard_takes_the_rest) {
    PathParams p;
    BOOST_TEST(matches("/v1/user/*", "/v1/user/x"));
    BOOST_TEST(matches("/v1/user/*", "/v1/user/x/y/z"));
    BOOST_TEST(!matches("/v1/user/*", "/v1/user"));  // auth routes /v1/user itself separately
    BOOST_TEST(matches("/v1/user", "/v1/user/"));
    BOOST_TEST(!matches("/v1/user/*", "/v1/users/x"));
    BOOST_TEST(!matches("/v1/user/*", "/v2/user/x"));
    BOOST_TEST(matches("/api/groups/{groupId}/*", "/api/groups/g-1/users/u-2", &p));
    BOOST_CHECK_EQUAL(p["groupId"], "g-1");
}

BOOST_AUTO_TEST_CASE(params_do_not_leak_between_matches) {
    PathParams p;
    BOOST_TEST(match_route("/api/groups/{groupId}", "/api/groups/g-1", p));
    BOOST_TEST(!match_route("/api/users/{userId}", "/api/groups/g-1", p));
    BOOST_TEST(p.count("groupId") == 0u);
}


BOOST_AUTO_TEST_CASE(find_route_picks_the_method_of_the_path) {
    PathParams p;
    const Route& r = find_route(kService, "DELETE", "/api/things/abc", p);
    BOOST_CHECK_EQUAL(r.method, "DELETE");
    BOOST_CHECK_EQUAL(r.pattern, "/api/things/{id}");
    BOOST_CHECK_EQUAL(p.at("id"), "abc");
}

BOOST_AUTO_TEST_CASE(an_unknown_path_is_not_found) {
    PathParams p;
    try {
        find_route(kService, "GET", "/api/others", p);
        BOOST_FAIL("no error");
    } catch (const Error& e) {
        BOOST_CHECK_EQUAL(e.status, 404);
        BOOST_CHECK_EQUAL(e.code, "NOT_FOUND");
    }
}

BOOST_AUTO_TEST_CASE(another_method_of_a_known_path_is_405_with_allow) {
    PathParams p;
    try {
        find_route(kService, "PATCH", "/api/things/abc", p);
        BOOST_FAIL("no error");
    } catch (const Error& e) {
        BOOST_CHECK_EQUAL(e.status, 405);
        BOOST_REQUIRE_EQUAL(e.headers.size(), 1u);
        BOOST_CHECK_EQUAL(e.headers[0].first, "Allow");
        BOOST_CHECK_EQUAL(e.headers[0].second, "GET, DELETE");
    }
}

BOOST_AUTO_TEST_CASE(any_method_route_takes_every_method) {
    PathParams p;
    BOOST_CHECK_EQUAL(find_route(kService, "PATCH", "/v1/old/x/y", p).pattern, "/v1/old/*");
}

BOOST_AUTO_TEST_CASE(routes_print_one_line_each) {
    std::ostringstream out;
    print_routes(kService, out);
    BOOST_CHECK_EQUAL(out.str(),
                      "GET /api/things\nPOST /api/things\nGET /api/things/{id}\nDELETE /api/things/{id}\n* /v1/old/*\n");
}

BOOST_AUTO_TEST_SUITE_END()
