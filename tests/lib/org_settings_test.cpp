// lib/org_settings.cpp: organization settings and private endpoints.
#include "org_settings.hpp"

#include <boost/test/unit_test.hpp>

using namespace cabinet;

namespace {

// The endpoints of privateEndpoints.<key> in body.
std::vector<Endpoint> endpoints(const std::string& body, const char* key) {
    rapidjson::Document doc;
    parse_json_object(body, doc);
    return valid_endpoints(doc, key);
}

Error endpoints_error(const std::string& body, const char* key) {
    try {
        endpoints(body, key);
    } catch (const Error& e) {
        return e;
    }
    BOOST_ERROR("accepted: " << body);
    return Error();
}

const char* kOne = R"({"add":[{"id":"vpce-1","description":"d","cloudProvider":"aws","region":"us-east-1"}]})";

}  // namespace

BOOST_AUTO_TEST_SUITE(org_settings)

BOOST_AUTO_TEST_CASE(settings_fields_normalize_timezone_and_language) {
    rapidjson::Document doc;
    parse_json_object(R"({"timezone":"Europe/Moscow","language":"zh-hant-tw"})", doc);
    Input in = read_fields(doc, org_settings_fields(), "settings.");
    BOOST_TEST(in.str("settings.timezone") == "Europe/Moscow");
    BOOST_TEST(in.str("settings.language") == "zh-Hant-TW");
}

BOOST_AUTO_TEST_CASE(settings_fields_reject_an_unknown_zone_on_its_path) {
    rapidjson::Document doc;
    parse_json_object(R"({"timezone":"Mars/Olympus_Mons"})", doc);
    try {
        read_fields(doc, org_settings_fields(), "settings.");
        BOOST_ERROR("accepted an unknown zone");
    } catch (const Error& e) {
        BOOST_TEST(e.message == "Unknown IANA time zone");
        BOOST_TEST(e.field == "settings.timezone");
        BOOST_TEST(*e.value == "Mars/Olympus_Mons");
    }
}

BOOST_AUTO_TEST_CASE(endpoints_to_add_are_read_in_order) {
    auto eps = endpoints(kOne, "add");
    BOOST_REQUIRE(eps.size() == 1u);
    BOOST_TEST(eps[0].id == "vpce-1");
    BOOST_TEST(eps[0].description == "d");
    BOOST_TEST(eps[0].cloud_provider == "aws");
    BOOST_TEST(eps[0].region == "us-east-1");
    BOOST_TEST(endpoints(kOne, "remove").empty());
    BOOST_TEST(endpoints(R"({"add":null})", "add").empty());
}

BOOST_AUTO_TEST_CASE(bad_endpoint_fields_answer_on_their_item_path) {
    Error e = endpoints_error(R"({"add":[{"id":"a","cloudProvider":"aws","region":"US"}]})", "add");
    BOOST_TEST(e.message == "Must be a region name such as us-east-1");
    BOOST_TEST(e.field == "privateEndpoints.add.0.region");
    e = endpoints_error(R"({"add":[{"id":"a","cloudProvider":"ibm","region":"x"}]})", "add");
    BOOST_TEST(e.message == "Must be one of aws, gcp, azure");
    BOOST_TEST(e.field == "privateEndpoints.add.0.cloudProvider");
    e = endpoints_error(R"({"add":[{"id":"a b","cloudProvider":"aws","region":"x"}]})", "add");
    BOOST_TEST(e.message == "Must not contain spaces or control characters");
    e = endpoints_error(R"({"add":[{"id":"a","cloudProvider":"aws"}]})", "add");
    BOOST_TEST(e.message == "Field is required");
    BOOST_TEST(e.field == "privateEndpoints.add.0.region");
    e = endpoints_error(R"({"add":[{"id":"a","cloudProvider":"aws","region":"x","vpc":1}]})", "add");
    BOOST_TEST(e.message == "Unknown field");
    BOOST_TEST(e.field == "privateEndpoints.add.0.vpc");
    e = endpoints_error(R"({"add":["a"]})", "add");
    BOOST_TEST(e.message == "Must be an object");
    BOOST_TEST(e.field == "privateEndpoints.add.0");
    e = endpoints_error(R"({"remove":{}})", "remove");
    BOOST_TEST(e.message == "Must be an array");
    BOOST_TEST(e.field == "privateEndpoints.remove");
}

BOOST_AUTO_TEST_CASE(removal_needs_only_an_id) {
    auto eps = endpoints(R"({"remove":[{"id":"vpce-1","region":"ANY THING"}]})", "remove");
    BOOST_REQUIRE(eps.size() == 1u);
    BOOST_TEST(eps[0].id == "vpce-1");
}

BOOST_AUTO_TEST_CASE(more_than_100_items_in_one_list_are_rejected) {
    std::string body = R"({"remove":[)";
    for (int i = 0; i <= 100; ++i) body += std::string(i ? "," : "") + R"({"id":"e)" + std::to_string(i) + R"("})";
    Error e = endpoints_error(body + "]}", "remove");
    BOOST_TEST(e.message == "At most 100 items");
    BOOST_TEST(e.field == "privateEndpoints.remove");
}

BOOST_AUTO_TEST_CASE(merge_removes_first_then_adds_unknown_ids) {
    std::vector<Endpoint> cur = {{"a", "", "aws", "r"}, {"b", "", "aws", "r"}};
    auto out = merge_endpoints(cur, {{"a", "", "", ""}, {"zz", "", "", ""}}, {{"b", "new", "gcp", "x"}, {"a", "", "gcp", "y"}});
    BOOST_REQUIRE(out.size() == 2u);
    BOOST_TEST(out[0].id == "b");
    BOOST_TEST(out[0].description == "");  // a present id is a no-op
    BOOST_TEST(out[1].id == "a");
    BOOST_TEST(out[1].region == "y");
}

BOOST_AUTO_TEST_CASE(merge_beyond_100_endpoints_is_rejected) {
    std::vector<Endpoint> cur(100, Endpoint{"", "", "aws", "r"});
    for (size_t i = 0; i < cur.size(); ++i) cur[i].id = "e" + std::to_string(i);
    try {
        merge_endpoints(cur, {}, {{"new", "", "aws", "r"}});
        BOOST_ERROR("accepted a 101st endpoint");
    } catch (const Error& e) {
        BOOST_TEST(e.message == "At most 100 private endpoints");
        BOOST_TEST(e.field == "privateEndpoints.add");
    }
}

BOOST_AUTO_TEST_CASE(stored_endpoints_round_trip_through_their_json) {
    std::vector<Endpoint> eps = {{"a", "d \"q\"", "aws", "us-east-1"}};
    JsonOut j;
    write_endpoints(j, eps);
    std::string json = j.take();
    BOOST_TEST(json == R"([{"id":"a","description":"d \"q\"","cloudProvider":"aws","region":"us-east-1"}])");
    auto back = parse_stored_endpoints(json);
    BOOST_REQUIRE(back.size() == 1u);
    BOOST_TEST(back[0].description == "d \"q\"");
    BOOST_TEST(parse_stored_endpoints("not json").empty());
}

BOOST_AUTO_TEST_SUITE_END()
