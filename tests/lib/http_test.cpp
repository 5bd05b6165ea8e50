// lib/http.cpp: routing inside a handler and query-string decoding.
#include "http.hpp"

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

using namespace cabinet;

namespace {

using PathParams = std::unordered_map<std::string, std::string>;
using Query = std::vector<std::pair<std::string, std::string>>;

// A readable form of a decoded query: "k=v&k=v", for comparisons.
std::string show(const std::optional<Query>& q) {
    if (!q) return "<nullopt>";
    std::string s;
    for (const auto& [k, v] : *q) s += (s.empty() ? "" : "&") + k + "=" + v;
    return s;
}

bool matches(const char* pattern, const char* path, PathParams* out = nullptr) {
    PathParams p;
    bool ok = match_route(pattern, path, p);
    if (out) *out = p;
    return ok;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http)

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

BOOST_AUTO_TEST_CASE(query_string_is_decoded) {
    auto q = parse_query("limit=10&search=a+b&path=%2Fx%2fy&plus=%2B&flag&empty=&cursor.after=abc-_");
    BOOST_REQUIRE(q.has_value());
    const Query want = {{"limit", "10"}, {"search", "a b"}, {"path", "/x/y"}, {"plus", "+"},
                        {"flag", ""},    {"empty", ""},     {"cursor.after", "abc-_"}};
    BOOST_CHECK_EQUAL(show(q), show(want));
    BOOST_TEST((*q == want));
}

BOOST_AUTO_TEST_CASE(query_keys_are_decoded_too) {
    const Query want = {{"target.customerId", "c"}, {"a b", "1"}};
    BOOST_CHECK_EQUAL(show(parse_query("target%2EcustomerId=c&a+b=1")), show(want));
}

BOOST_AUTO_TEST_CASE(empty_query_items_are_skipped) {
    BOOST_CHECK_EQUAL(show(parse_query("")), "");
    BOOST_CHECK_EQUAL(show(parse_query("&&")), "");
    BOOST_CHECK_EQUAL(show(parse_query("&a=1&&b=2&")), "a=1&b=2");
}

BOOST_AUTO_TEST_CASE(malformed_escape_is_rejected) {
    for (const char* qs : {"a=%zz", "a=%", "a=%2", "a=%2g", "%zz=1", "ok=1&bad=%G0", "a=100%"}) {
        BOOST_TEST_CONTEXT(qs) { BOOST_CHECK_EQUAL(show(parse_query(qs)), "<nullopt>"); }
    }
}

BOOST_AUTO_TEST_CASE(value_may_contain_equals_and_encoded_ampersand) {
    auto q = parse_query("a=x=y&b=c%26d");
    BOOST_REQUIRE(q.has_value());
    BOOST_REQUIRE_EQUAL(q->size(), 2u);
    BOOST_CHECK_EQUAL((*q)[0].first, "a");
    BOOST_CHECK_EQUAL((*q)[0].second, "x=y");
    BOOST_CHECK_EQUAL((*q)[1].first, "b");
    BOOST_CHECK_EQUAL((*q)[1].second, "c&d");
}

BOOST_AUTO_TEST_CASE(param_returns_the_first_value) {
    Request r;
    r.query = parse_query("role=admin&role=user").value();
    BOOST_CHECK_EQUAL(r.param("role").value_or("<none>"), "admin");
    BOOST_TEST(!r.param("missing"));
}

BOOST_AUTO_TEST_CASE(responses_carry_their_status) {
    Response ok = json_response(201, R"({"a":1})");
    BOOST_CHECK_EQUAL(ok.status, 201);
    BOOST_CHECK_EQUAL(ok.body, R"({"a":1})");
    Response none = no_content();
    BOOST_CHECK_EQUAL(none.status, 204);
    BOOST_TEST(none.body.empty());
}

BOOST_AUTO_TEST_SUITE_END()
