// lib/json.cpp: bounded, validated request bodies (DESIGN §4) and the JSON writer.
#include "error.hpp"
#include "json.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace cabinet;

namespace {

// The error parse_json_object throws for text (fails the test when it accepts it).
Error parse_error(const std::string& text) {
    rapidjson::Document doc;
    try {
        parse_json_object(text, doc);
    } catch (const Error& e) {
        return e;
    }
    BOOST_ERROR("accepted: " << text.substr(0, 80));
    return Error();
}

bool parses(const std::string& text) {
    rapidjson::Document doc;
    try {
        parse_json_object(text, doc);
        return true;
    } catch (const Error& e) {
        BOOST_TEST_MESSAGE("rejected: " << e.message << " (" << e.internal << ")");
        return false;
    }
}

// An object nested depth levels deep, counting the top level: {"a":{"a":…{}…}}.
std::string nested_objects(int depth) {
    std::string s;
    for (int i = 1; i < depth; ++i) s += R"({"a":)";
    s += "{}";
    s.append(static_cast<size_t>(depth - 1), '}');
    return s;
}

// An object holding arrays nested so that the whole document is depth levels deep.
std::string nested_arrays(int depth) {
    return R"({"a":)" + std::string(static_cast<size_t>(depth - 1), '[') + std::string(static_cast<size_t>(depth - 1), ']') + "}";
}

const Fields kSpec = {
    {"name", Kind::String, true},
    {"enabled", Kind::Bool},
    {"count", Kind::Integer},
    {"tags", Kind::StringArray},
    {"extra", Kind::Any},
    {"target", Kind::Object, false, {{"customerId", Kind::String, true}, {"projectId", Kind::String}}},
};

// The error check_fields throws for body under kSpec (fails the test when it accepts it).
Error field_error(const std::string& body) {
    rapidjson::Document doc;
    parse_json_object(body, doc);
    try {
        check_fields(doc, kSpec);
    } catch (const Error& e) {
        return e;
    }
    BOOST_ERROR("accepted: " << body);
    return Error();
}

void check_rejects(const std::string& body, const std::string& field) {
    BOOST_TEST_CONTEXT(body) {
        Error e = field_error(body);
        BOOST_CHECK_EQUAL(e.status, 400);
        BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
        BOOST_CHECK_EQUAL(e.field, field);
    }
}

void check_accepts(const std::string& body) {
    BOOST_TEST_CONTEXT(body) {
        rapidjson::Document doc;
        parse_json_object(body, doc);
        BOOST_CHECK_NO_THROW(check_fields(doc, kSpec));
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json)

BOOST_AUTO_TEST_CASE(object_is_accepted) {
    rapidjson::Document doc;
    parse_json_object(R"( {"name":"x","n":1,"list":[1,"a",null,true],"o":{"k":"v"}} )", doc);
    BOOST_TEST(doc.IsObject());
    BOOST_CHECK_EQUAL(str(doc, "name"), "x");
    BOOST_TEST(has(doc, "o"));
    BOOST_TEST(member(doc, "missing") == nullptr);
    BOOST_CHECK_EQUAL(str(doc, "n", "fallback"), "fallback");
    BOOST_TEST(parses("{}"));
    BOOST_TEST(parses(R"({"s":"caf\u00e9 ☕ \ud83d\ude00"})"));
}

BOOST_AUTO_TEST_CASE(malformed_json_is_rejected) {
    for (const char* text : {"", " ", "{", "}", R"({"a":})", R"({"a" 1})", R"({a:1})", R"({'a':1})", R"({"a":1,})",
                             R"({"a":tru})", R"({"a":"unterminated})", R"({"a":01})", R"({"a":"\x"})", "{\"a\":\"\t\"}"}) {
        BOOST_TEST_CONTEXT(text) {
            Error e = parse_error(text);
            BOOST_CHECK_EQUAL(e.status, 400);
            BOOST_CHECK_EQUAL(e.code, "INVALID_JSON");
            BOOST_TEST(e.field.empty());
        }
    }
}

BOOST_AUTO_TEST_CASE(parser_message_stays_out_of_the_public_message) {
    Error e = parse_error(R"({"a":})");
    BOOST_CHECK_EQUAL(e.message, "Malformed JSON");
    BOOST_TEST(!e.internal.empty());
}

BOOST_AUTO_TEST_CASE(trailing_garbage_is_rejected) {
    for (const char* text : {R"({"a":1} x)", R"({"a":1}{})", R"({"a":1},)", R"({"a":1}])", "{} 1"}) {
        BOOST_TEST_CONTEXT(text) { BOOST_CHECK_EQUAL(parse_error(text).code, "INVALID_JSON"); }
    }
    BOOST_TEST(parses("{\"a\":1} \r\n\t"));
}

BOOST_AUTO_TEST_CASE(non_object_top_level_is_rejected) {
    for (const char* text : {"[]", R"([{"a":1}])", R"("text")", "1", "true", "null"}) {
        BOOST_TEST_CONTEXT(text) {
            Error e = parse_error(text);
            BOOST_CHECK_EQUAL(e.code, "INVALID_JSON");
            BOOST_CHECK_EQUAL(e.message, "JSON body must be an object");
        }
    }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_rejected) {
    for (const char* text : {"{\"a\":\"\xff\"}", "{\"a\":\"\xc3\"}", "{\"a\":\"\xc0\xaf\"}", "{\"a\":\"\xed\xa0\x80\"}",
                             "{\"\xfe\":1}", "{\"a\":\"\xf4\x90\x80\x80\"}"}) {
        BOOST_TEST_CONTEXT(text) { BOOST_CHECK_EQUAL(parse_error(text).code, "INVALID_JSON"); }
    }
    BOOST_TEST(parses("{\"a\":\"\xc3\xa9\xe2\x98\x95\xf0\x9f\x98\x80\"}"));
}

BOOST_AUTO_TEST_CASE(nul_byte_inside_the_body_is_rejected) {
    std::string text = std::string("{\"a\":1}") + '\0' + "garbage";
    BOOST_CHECK_EQUAL(parse_error(text).code, "INVALID_JSON");
    BOOST_CHECK_EQUAL(parse_error(std::string("{\"a\":1}\0", 8)).code, "INVALID_JSON");
    BOOST_CHECK_EQUAL(parse_error(std::string("{\"a\":\"x\0y\"}", 11)).code, "INVALID_JSON");
    BOOST_CHECK_EQUAL(parse_error(std::string("\0{}", 3)).code, "INVALID_JSON");
    BOOST_TEST(parses(R"({"a":"x\u0000y"})"));  // an escaped NUL is a fine string
}

BOOST_AUTO_TEST_CASE(depth_32_is_accepted) {
    BOOST_TEST(parses(nested_objects(kMaxJsonDepth)));
    BOOST_TEST(parses(nested_arrays(kMaxJsonDepth)));
}

BOOST_AUTO_TEST_CASE(depth_33_is_rejected) {
    for (const std::string& text : {nested_objects(kMaxJsonDepth + 1), nested_arrays(kMaxJsonDepth + 1)}) {
        Error e = parse_error(text);
        BOOST_CHECK_EQUAL(e.status, 400);
        BOOST_CHECK_EQUAL(e.code, "INVALID_JSON");
    }
}

BOOST_AUTO_TEST_CASE(brackets_inside_strings_do_not_count_as_depth) {
    std::string brackets(100, '{');
    BOOST_TEST(parses(R"({"a":")" + brackets + R"(","b":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\\"})"));
}

BOOST_AUTO_TEST_CASE(nesting_100000_deep_is_rejected_without_crashing) {
    const size_t n = 100000;
    BOOST_CHECK_EQUAL(parse_error(std::string(n, '[') + std::string(n, ']')).code, "INVALID_JSON");
    BOOST_CHECK_EQUAL(parse_error(std::string(n, '[')).code, "INVALID_JSON");
    std::string objects;
    for (size_t i = 0; i < n; ++i) objects += R"({"a":)";
    objects += "1";
    objects.append(n, '}');
    BOOST_CHECK_EQUAL(parse_error(objects).code, "INVALID_JSON");
    // Closers first must not buy extra depth for the openers that follow.
    BOOST_CHECK_EQUAL(parse_error(std::string(n, ']') + std::string(n, '[')).code, "INVALID_JSON");
    BOOST_CHECK_EQUAL(parse_error("{}" + std::string(n, '}') + std::string(n, '{')).code, "INVALID_JSON");
}

BOOST_AUTO_TEST_CASE(declared_fields_of_the_right_types_are_accepted) {
    check_accepts(R"({"name":"n"})");
    check_accepts(R"({"name":"n","enabled":false,"count":-3,"tags":[],"extra":null,"target":{"customerId":"c"}})");
    check_accepts(R"({"name":"n","tags":["a","b"],"extra":[1,{"x":2}],"target":{"customerId":"c","projectId":"p"}})");
    check_accepts(R"({"name":"n","count":9223372036854775807})");
}

BOOST_AUTO_TEST_CASE(unknown_field_is_rejected_with_its_dotted_path) {
    check_rejects(R"({"name":"n","bogus":1})", "bogus");
    check_rejects(R"({"name":"n","Name":"n"})", "Name");
    check_rejects(R"({"name":"n","target":{"customerId":"c","extra":1}})", "target.extra");
    Error e = field_error(R"({"name":"n","target":{"customerId":"c","extra":1}})");
    BOOST_CHECK_EQUAL(e.message, "Unknown field");
}

BOOST_AUTO_TEST_CASE(nested_field_path_uses_the_prefix) {
    rapidjson::Document doc;
    parse_json_object(R"({"a":1})", doc);
    try {
        check_fields(doc, {{"b", Kind::Integer}}, "outer.");
        BOOST_ERROR("accepted an unknown field");
    } catch (const Error& e) {
        BOOST_CHECK_EQUAL(e.field, "outer.a");
    }
}

BOOST_AUTO_TEST_CASE(wrong_types_are_rejected) {
    check_rejects(R"({"name":1})", "name");
    check_rejects(R"({"name":["n"]})", "name");
    check_rejects(R"({"name":null})", "name");
    check_rejects(R"({"name":"n","enabled":"true"})", "enabled");
    check_rejects(R"({"name":"n","enabled":1})", "enabled");
    check_rejects(R"({"name":"n","count":"1"})", "count");
    check_rejects(R"({"name":"n","count":1.5})", "count");
    check_rejects(R"({"name":"n","count":1.0})", "count");
    check_rejects(R"({"name":"n","count":true})", "count");
    check_rejects(R"({"name":"n","count":18446744073709551615})", "count");
    check_rejects(R"({"name":"n","count":null})", "count");
    check_rejects(R"({"name":"n","tags":"a"})", "tags");
    check_rejects(R"({"name":"n","tags":["a",1]})", "tags");
    check_rejects(R"({"name":"n","tags":[null]})", "tags");
    check_rejects(R"({"name":"n","target":"c"})", "target");
    check_rejects(R"({"name":"n","target":null})", "target");
    check_rejects(R"({"name":"n","target":{"customerId":5}})", "target.customerId");
    Error e = field_error(R"({"name":"n","count":"1"})");
    BOOST_CHECK_EQUAL(e.message, "Must be an integer");
}

BOOST_AUTO_TEST_CASE(missing_required_fields_are_rejected) {
    check_rejects(R"({})", "name");
    check_rejects(R"({"enabled":true})", "name");
    check_rejects(R"({"name":"n","target":{}})", "target.customerId");
    check_rejects(R"({"name":"n","target":{"projectId":"p"}})", "target.customerId");
    Error e = field_error(R"({})");
    BOOST_CHECK_EQUAL(e.message, "Field is required");
}

BOOST_AUTO_TEST_CASE(duplicate_keys_are_rejected) {
    check_rejects(R"({"name":"a","name":"b"})", "name");
    check_rejects(R"({"name":"a","enabled":true,"enabled":true})", "enabled");
    check_rejects(R"({"name":"a","target":{"customerId":"c","customerId":"d"}})", "target.customerId");
    Error e = field_error(R"({"name":"a","name":"b"})");
    BOOST_CHECK_EQUAL(e.message, "Duplicate field");
}

BOOST_AUTO_TEST_CASE(json_out_escapes_strings) {
    JsonOut j;
    j.obj().kv("k\"ey", std::string_view("a\"b\\c\nd\te\x01/</script>")).end();
    BOOST_CHECK_EQUAL(j.take(), R"({"k\"ey":"a\"b\\c\nd\te\u0001/</script>"})");
}

BOOST_AUTO_TEST_CASE(json_out_writes_every_kind_of_value) {
    JsonOut j;
    j.obj()
        .kv("s", std::string_view("x"))
        .kv("n", static_cast<int64_t>(-42))
        .kv("b", true)
        .kv("null", static_cast<const char*>(nullptr))
        .key("a")
        .arr()
        .str("p")
        .integer(1)
        .end_arr()
        .key("raw")
        .raw(R"({"r":1})")
        .end();
    BOOST_CHECK_EQUAL(j.take(), R"({"s":"x","n":-42,"b":true,"null":null,"a":["p",1],"raw":{"r":1}})");
}

BOOST_AUTO_TEST_CASE(json_out_keeps_embedded_nul_and_utf8) {
    JsonOut j;
    j.obj().kv("k", std::string_view("a\0b\xc3\xa9", 5)).end();
    BOOST_CHECK_EQUAL(j.take(), "{\"k\":\"a\\u0000b\xc3\xa9\"}");
}

// ---------------------------------------------------------------- declared checks → typed Input

namespace {

const Fields kChecked = {
    {"name", Kind::String, true, {}, check::name(128)},
    {"description", Kind::String},
    {"userIds", Kind::StringArray, false, {}, check::uuid(), 3, "At most 3 users"},
    {"enabled", Kind::Bool},
    {"count", Kind::Integer},
    {"target", Kind::Object, false, {{"customerId", Kind::String, false, {}, check::uuid()}, {"projectId", Kind::Any}}},
};

// The Input read_fields makes of body under spec.
Input input_of(rapidjson::Document& doc, const std::string& body, const Fields& spec = kChecked) {
    parse_json_object(body, doc);
    return read_fields(doc, spec);
}

// The error read_fields throws for body (fails the test when it accepts it).
Error input_error(const std::string& body, const Fields& spec = kChecked) {
    rapidjson::Document doc;
    try {
        input_of(doc, body, spec);
    } catch (const Error& e) {
        return e;
    }
    BOOST_ERROR("accepted: " << body);
    return Error();
}

const std::string kUpper = "0F8FAD5B-D9CB-469F-A165-70867728950E";
const std::string kLower = "0f8fad5b-d9cb-469f-a165-70867728950e";

}  // namespace

BOOST_AUTO_TEST_CASE(read_fields_returns_each_value_normalized_by_its_check) {
    rapidjson::Document doc;
    Input in = input_of(doc, R"({"name":"  Ops ","userIds":[")" + kUpper + R"("],"enabled":false,"count":7,)"
                             R"("target":{"customerId":")" + kUpper + R"(","projectId":null}})");
    BOOST_TEST(in.str("name") == "Ops");
    BOOST_TEST((in.list("userIds") == std::vector<std::string>{kLower}));
    BOOST_TEST(*in.flag("enabled") == false);
    BOOST_TEST(*in.integer("count") == 7);
    BOOST_TEST(in.str("target.customerId") == kLower);
    BOOST_TEST(in.has("target.projectId"));
    BOOST_TEST(in.raw("target.projectId")->IsNull());
    BOOST_TEST(!in.opt("target.projectId").has_value());
    BOOST_TEST(in.given() == 5u);
}

BOOST_AUTO_TEST_CASE(absent_fields_read_as_absent) {
    rapidjson::Document doc;
    Input in = input_of(doc, R"({"name":"Ops"})");
    BOOST_TEST(!in.has("description"));
    BOOST_TEST(!in.opt("description").has_value());
    BOOST_TEST(in.str("description", "fallback") == "fallback");
    BOOST_TEST(in.list("userIds").empty());
    BOOST_TEST(!in.flag("enabled").has_value());
    BOOST_TEST(in.raw("target") == nullptr);
    BOOST_TEST(in.given() == 1u);
}

BOOST_AUTO_TEST_CASE(a_failing_check_answers_its_message_on_the_dotted_path) {
    Error e = input_error(R"({"name":"Ops","target":{"customerId":"nope"}})");
    BOOST_TEST(e.message == "Must be a UUID");
    BOOST_TEST(e.field == "target.customerId");
    BOOST_TEST(*e.value == "nope");
}

BOOST_AUTO_TEST_CASE(array_items_are_checked_on_their_index) {
    Error e = input_error(R"({"name":"Ops","userIds":[")" + kLower + R"(","x"]})");
    BOOST_TEST(e.message == "Must be a UUID");
    BOOST_TEST(e.field == "userIds.1");
    BOOST_TEST(*e.value == "x");
}

BOOST_AUTO_TEST_CASE(too_many_array_items_are_rejected_before_any_item_is_checked) {
    Error e = input_error(R"({"name":"Ops","userIds":["a","b","c","d"]})");
    BOOST_TEST(e.message == "At most 3 users");
    BOOST_TEST(e.field == "userIds");
}

BOOST_AUTO_TEST_CASE(checks_run_in_declaration_order) {
    Error e = input_error(R"({"userIds":["x"],"name":""})");
    BOOST_TEST(e.field == "name");
    BOOST_TEST(e.message == "Must be 1 to 128 characters");
}

BOOST_AUTO_TEST_CASE(undeclared_fields_are_rejected_before_any_check) {
    Error e = input_error(R"({"name":"","role":"admin"})");
    BOOST_TEST(e.message == "Unknown field");
    BOOST_TEST(e.field == "role");
}

BOOST_AUTO_TEST_CASE(u0000_in_an_unchecked_string_is_rejected) {
    Error e = input_error(R"({"name":"Ops","description":"a\u0000b"})");
    BOOST_TEST(e.code == "VALIDATION_ERROR");
    BOOST_TEST(e.message == "Must not contain U+0000");
    BOOST_TEST(e.field == "description");
}

BOOST_AUTO_TEST_CASE(u0000_in_a_checked_string_answers_the_checks_own_message) {
    Error e = input_error(R"({"name":"a\u0000b"})");
    BOOST_TEST(e.message == "Must not contain control characters");
    BOOST_TEST(e.field == "name");
}

BOOST_AUTO_TEST_CASE(read_query_checks_declared_parameters_and_ignores_the_others) {
    QueryParams spec = {{"limit", check::limit(1000)}, {"resourceId", check::uuid_or_empty()}, {"search", check::search()}};
    Input in = read_query({{"limit", "20"}, {"resourceId", kUpper}, {"unknown", "x"}, {"limit", "999999"}}, spec);
    BOOST_TEST(in.str("limit") == "20");  // the first value counts
    BOOST_TEST(in.str("resourceId") == kLower);
    BOOST_TEST(!in.has("unknown"));
    BOOST_TEST(in.given() == 2u);
    Input empty = read_query({{"resourceId", ""}, {"search", ""}}, spec);
    BOOST_TEST(!empty.has("resourceId"));
    BOOST_TEST(!empty.has("search"));
}

BOOST_AUTO_TEST_CASE(read_query_rejects_a_bad_parameter_and_u0000) {
    QueryParams spec = {{"limit", check::limit(1000)}, {"search", check::search()}};
    try {
        read_query({{"limit", "0"}}, spec);
        BOOST_ERROR("accepted limit=0");
    } catch (const Error& e) {
        BOOST_TEST(e.message == "Must be an integer from 1 to 1000");
        BOOST_TEST(e.field == "limit");
    }
    try {
        read_query({{"search", std::string("a\0b", 3)}}, spec);
        BOOST_ERROR("accepted a NUL in search");
    } catch (const Error& e) {
        BOOST_TEST(e.message == "Must not contain U+0000");
        BOOST_TEST(e.field == "search");
    }
}

BOOST_AUTO_TEST_CASE(string_arrays_round_trip_through_json_text_with_escapes) {
    std::vector<std::string> items = {"a", "b,c", "q\"uote", "{x}", "back\\slash", ""};
    std::string json = json_string_array(items);
    BOOST_TEST(json == R"(["a","b,c","q\"uote","{x}","back\\slash",""])");
    BOOST_TEST((*parse_string_array(json) == items));
    BOOST_TEST(json_string_array({}) == "[]");
    BOOST_TEST(parse_string_array("[]")->empty());
}

BOOST_AUTO_TEST_CASE(text_other_than_an_array_of_strings_is_no_string_array) {
    for (const char* bad : {"", "{a,b}", "[1]", "{}", "[\"a\",null]", "[\"a\""})
        BOOST_TEST(!parse_string_array(bad).has_value(), bad);
}

BOOST_AUTO_TEST_CASE(an_absent_parameter_with_an_absent_value_is_checked_as_that_value) {
    QueryParams spec = {{"sort", check::sort_key({"name"}), "name"}, {"scope", check::scope(), ""}};
    Input in = read_query({{"scope", "read:groups"}}, spec);
    BOOST_TEST(in.str("sort") == "name");
    try {
        read_query({}, spec);
        BOOST_ERROR("accepted a missing scope");
    } catch (const Error& e) {
        BOOST_TEST(e.message == "Unknown scope");
        BOOST_TEST(e.field == "scope");
        BOOST_TEST(*e.value == "");
    }
}

BOOST_AUTO_TEST_SUITE_END()
