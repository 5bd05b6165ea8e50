// lib/cgi.cpp: the request read from CGI variables, the response written.
#include "cgi.hpp"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <map>
#include <string>

using namespace cabinet;

namespace {

struct Source {
    std::map<std::string, std::string> vars;
    std::string body;
    size_t read_calls = 0;

    Request read() {
        return read_request(
            [this](const char* n) -> const char* {
                auto it = vars.find(n);
                return it == vars.end() ? nullptr : it->second.c_str();
            },
            [this](char* buf, size_t n) {
                ++read_calls;
                size_t k = std::min(n, body.size());
                std::memcpy(buf, body.data(), k);
                return k;
            });
    }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cgi)

BOOST_AUTO_TEST_CASE(variables_become_the_request) {
    Source s{{{"REQUEST_METHOD", "POST"},
              {"DOCUMENT_URI", "/api/groups"},
              {"QUERY_STRING", "a=1"},
              {"CONTENT_TYPE", "application/json"},
              {"CONTENT_LENGTH", "2"},
              {"HTTP_AUTHORIZATION", "Bearer t"},
              {"REMOTE_ADDR", "127.0.0.1"},
              {"REQUEST_ID", "abc"}},
             "{}"};
    Request r = s.read();
    BOOST_CHECK_EQUAL(r.method, "POST");
    BOOST_CHECK_EQUAL(r.path, "/api/groups");
    BOOST_CHECK_EQUAL(r.query_string, "a=1");
    BOOST_CHECK_EQUAL(r.authorization, "Bearer t");
    BOOST_CHECK_EQUAL(r.request_id, "abc");
    BOOST_CHECK_EQUAL(r.body, "{}");
}

BOOST_AUTO_TEST_CASE(without_document_uri_the_path_is_the_request_uri_without_query) {
    Source s{{{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", "/v2/account?x=1"}}, ""};
    BOOST_CHECK_EQUAL(s.read().path, "/v2/account");
}

BOOST_AUTO_TEST_CASE(a_request_id_is_made_when_none_is_given) {
    Source s{{{"REQUEST_METHOD", "GET"}}, ""};
    Request r = s.read();
    BOOST_CHECK_EQUAL(r.request_id.size(), 32u);
}

BOOST_AUTO_TEST_CASE(the_body_is_never_read_without_content_length) {
    Source s{{{"REQUEST_METHOD", "POST"}}, "{\"a\":1}"};
    Request r = s.read();
    BOOST_TEST(r.body.empty());
    BOOST_CHECK_EQUAL(s.read_calls, 0u);
}

BOOST_AUTO_TEST_CASE(a_body_over_the_cap_is_not_read) {
    Source s{{{"REQUEST_METHOD", "POST"}, {"CONTENT_LENGTH", "65537"}}, "x"};
    Request r = s.read();
    BOOST_TEST(r.too_large);
    BOOST_CHECK_EQUAL(s.read_calls, 0u);
}

BOOST_AUTO_TEST_CASE(a_malformed_content_length_is_flagged) {
    for (const char* cl : {"-1", "1e3", "12a", "99999999999999"}) {
        BOOST_TEST_CONTEXT(cl) {
            Source s{{{"REQUEST_METHOD", "POST"}, {"CONTENT_LENGTH", cl}}, "x"};
            Request r = s.read();
            BOOST_TEST(r.bad_length);
            BOOST_CHECK_EQUAL(s.read_calls, 0u);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_short_body_is_kept_as_read) {
    Source s{{{"REQUEST_METHOD", "POST"}, {"CONTENT_LENGTH", "10"}}, "abc"};
    BOOST_CHECK_EQUAL(s.read().body, "abc");
}

BOOST_AUTO_TEST_CASE(responses_are_written_as_cgi_headers_and_body) {
    Response r = json_response(201, R"({"a":1})");
    r.headers.emplace_back("Location", "/x");
    r.route = "/api/x";
    r.actor = "u1";
    BOOST_CHECK_EQUAL(serialize(r, "rid"),
                      "Status: 201 Created\r\nContent-Type: application/json\r\nContent-Length: 7\r\n"
                      "X-Request-Id: rid\r\nCache-Control: no-store\r\nLocation: /x\r\n"
                      "X-Cabinet-Route: /api/x\r\nX-Cabinet-Actor: u1\r\n\r\n{\"a\":1}");
}

BOOST_AUTO_TEST_CASE(no_content_has_no_body_and_no_type) {
    BOOST_CHECK_EQUAL(serialize(no_content(), "rid"),
                      "Status: 204 No Content\r\nX-Request-Id: rid\r\nCache-Control: no-store\r\n\r\n");
}

BOOST_AUTO_TEST_SUITE_END()
