// lib/http.cpp: query-string decoding and responses.
#include "http.hpp"

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

using namespace cabinet;

namespace {

using Query = std::vector<std::pair<std::string, std::string>>;

// A readable form of a decoded query: "k=v&k=v", for comparisons.
std::string show(const std::optional<Query>& q) {
    if (!q) return "<nullopt>";
    std::string s;
    for (const auto& [k, v] : *q) s += (s.empty() ? "" : "&") + k + "=" + v;
    return s;
}


}  // namespace

BOOST_AUTO_TEST_SUITE(http)

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

BOOST_AUTO_TEST_CASE(a_response_is_an_error_until_said_otherwise) {
    Response r;
    BOOST_CHECK_EQUAL(r.status, 500);
}

BOOST_AUTO_TEST_SUITE_END()
