// lib/pagination.cpp: limits and HMAC-signed keyset cursors (DESIGN §4, Cloud.ru lists).
#include "crypto.hpp"
#include "error.hpp"
#include "pagination.hpp"

#include <boost/test/unit_test.hpp>

#include <libpq-fe.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

using namespace cabinet;

namespace {

const char kContext[] = "groups|0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d|";
const char kCreated[] = "2026-11-23T10:15:30.123Z";
const char kId[] = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";

Config config(std::string secret = "pagination-test-secret") {
    Config cfg;
    cfg.jwt_secret = std::move(secret);
    return cfg;
}

Request request(std::vector<std::pair<std::string, std::string>> query) {
    Request r;
    r.method = "GET";
    r.path = "/api/v1/groups";
    r.query = std::move(query);
    return r;
}

Page page(const Request& req, const Config& cfg = config(), const std::string& context = kContext) {
    return parse_page(req, cfg, context, "cursor.after", "cursor.before");
}

// The error parse_page throws (fails the test when it accepts).
Error page_error(const Request& req, const Config& cfg = config(), const std::string& context = kContext) {
    try {
        page(req, cfg, context);
    } catch (const Error& e) {
        return e;
    }
    BOOST_ERROR("page accepted");
    return Error();
}

std::string flip(std::string s, size_t at) {
    s[at] = s[at] == 'A' ? 'B' : 'A';
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pagination)

BOOST_AUTO_TEST_CASE(no_cursor_is_the_first_page_of_50) {
    Page p = page(request({}));
    BOOST_TEST((p.dir == Direction::First));
    BOOST_CHECK_EQUAL(p.limit, 50);
    BOOST_CHECK_EQUAL(p.created_at, "-infinity");
    BOOST_CHECK_EQUAL(p.id, "00000000-0000-0000-0000-000000000000");
    BOOST_CHECK_EQUAL(parse_limit(request({})), 50);
}

BOOST_AUTO_TEST_CASE(after_cursor_round_trips) {
    std::string cursor = make_cursor(config(), kContext, kCreated, kId);
    Page p = page(request({{"cursor.after", cursor}, {"limit", "10"}}));
    BOOST_TEST((p.dir == Direction::After));
    BOOST_CHECK_EQUAL(p.created_at, kCreated);
    BOOST_CHECK_EQUAL(p.id, kId);
    BOOST_CHECK_EQUAL(p.limit, 10);
}

BOOST_AUTO_TEST_CASE(before_cursor_round_trips) {
    std::string cursor = make_cursor(config(), kContext, kCreated, kId);
    Page p = page(request({{"cursor.before", cursor}}));
    BOOST_TEST((p.dir == Direction::Before));
    BOOST_CHECK_EQUAL(p.created_at, kCreated);
    BOOST_CHECK_EQUAL(p.id, kId);
    BOOST_CHECK_EQUAL(p.limit, 50);
}

BOOST_AUTO_TEST_CASE(cursor_is_opaque_url_safe_text) {
    std::string cursor = make_cursor(config(), kContext, kCreated, kId);
    BOOST_TEST(cursor.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") ==
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(tampered_cursor_is_rejected) {
    std::string cursor = make_cursor(config(), kContext, kCreated, kId);
    size_t dot = cursor.find('.');
    std::vector<std::string> tampered = {
        flip(cursor, 0),             // payload
        flip(cursor, dot - 2),       // payload
        flip(cursor, dot + 1),       // mac
        cursor.substr(0, dot),       // no mac
        cursor.substr(0, cursor.size() - 1),  // truncated mac
        cursor + "A",                // extended mac
        base64url(std::string(kCreated) + "|" + "ffffffff-ffff-4fff-bfff-ffffffffffff") + cursor.substr(dot),
    };
    for (const auto& t : tampered) {
        BOOST_TEST_CONTEXT(t) {
            Error e = page_error(request({{"cursor.after", t}}));
            BOOST_CHECK_EQUAL(e.status, 400);
            BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
            BOOST_CHECK_EQUAL(e.field, "cursor.after");
            BOOST_CHECK_EQUAL(e.value.value_or(""), t);
        }
    }
    Error e = page_error(request({{"cursor.before", flip(cursor, 0)}}));
    BOOST_CHECK_EQUAL(e.field, "cursor.before");
}

BOOST_AUTO_TEST_CASE(malformed_cursor_is_rejected) {
    for (const std::string& t : {std::string("garbage"), std::string("a.b.c"), std::string("!!.??"), std::string("."),
                                 std::string(600, 'A') + ".AAAA"}) {
        BOOST_TEST_CONTEXT(t) {
            Error e = page_error(request({{"cursor.after", t}}));
            BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
            BOOST_CHECK_EQUAL(e.field, "cursor.after");
        }
    }
}

BOOST_AUTO_TEST_CASE(signed_cursor_without_a_uuid_is_rejected) {
    for (const char* id : {"not-a-uuid", "", "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b|x"}) {
        std::string cursor = make_cursor(config(), kContext, kCreated, id);
        BOOST_CHECK_EQUAL(page_error(request({{"cursor.after", cursor}})).field, "cursor.after");
    }
}

BOOST_AUTO_TEST_CASE(cursor_from_another_context_is_rejected) {
    std::string cursor = make_cursor(config(), "groups|0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d|", kCreated, kId);
    for (const char* other : {"groups|11111111-2222-4333-8444-555555555555|",   // another organization
                              "groups|0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d|p",  // another filter
                              "members|0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d|"}) {  // another list
        BOOST_TEST_CONTEXT(other) {
            Error e = page_error(request({{"cursor.after", cursor}}), config(), other);
            BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
            BOOST_CHECK_EQUAL(e.field, "cursor.after");
        }
    }
}

BOOST_AUTO_TEST_CASE(cursor_under_another_secret_is_rejected) {
    std::string cursor = make_cursor(config("another installation"), kContext, kCreated, kId);
    BOOST_CHECK_EQUAL(page_error(request({{"cursor.after", cursor}})).code, "VALIDATION_ERROR");
}

BOOST_AUTO_TEST_CASE(after_and_before_together_are_rejected) {
    std::string cursor = make_cursor(config(), kContext, kCreated, kId);
    Error e = page_error(request({{"cursor.after", cursor}, {"cursor.before", cursor}}));
    BOOST_CHECK_EQUAL(e.status, 400);
    BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
    BOOST_TEST((e.field == "cursor.after" || e.field == "cursor.before"), e.field);
}

BOOST_AUTO_TEST_CASE(limit_out_of_range_or_not_a_number_is_rejected) {
    for (const char* bad : {"0", "1001", "abc", "-1", "", " 5", "+5", "5.0", "1e2", "99999999999999999999999"}) {
        BOOST_TEST_CONTEXT("limit=" << bad) {
            Error e = page_error(request({{"limit", bad}}));
            BOOST_CHECK_EQUAL(e.status, 400);
            BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
            BOOST_CHECK_EQUAL(e.field, "limit");
            BOOST_CHECK_EQUAL(e.value.value_or("<none>"), bad);
        }
    }
}

BOOST_AUTO_TEST_CASE(limit_from_1_to_1000_is_accepted) {
    BOOST_CHECK_EQUAL(page(request({{"limit", "1"}})).limit, 1);
    BOOST_CHECK_EQUAL(page(request({{"limit", "1000"}})).limit, 1000);
    BOOST_CHECK_EQUAL(page(request({{"limit", "007"}})).limit, 7);
}

BOOST_AUTO_TEST_CASE(offset_is_a_non_negative_integer) {
    BOOST_CHECK_EQUAL(parse_offset(request({})), 0);
    BOOST_CHECK_EQUAL(parse_offset(request({{"offset", "0"}})), 0);
    BOOST_CHECK_EQUAL(parse_offset(request({{"offset", "250"}})), 250);
    for (const char* bad : {"-1", "x", "", "1.5"}) {
        BOOST_TEST_CONTEXT("offset=" << bad) {
            try {
                parse_offset(request({{"offset", bad}}));
                BOOST_ERROR("accepted");
            } catch (const Error& e) {
                BOOST_CHECK_EQUAL(e.code, "VALIDATION_ERROR");
                BOOST_CHECK_EQUAL(e.field, "offset");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(first_page_window) {
    Page p;
    p.limit = 3;
    Window full = page_window(p, 4, false);  // limit + 1 rows: another page follows
    BOOST_CHECK_EQUAL(full.begin, 0);
    BOOST_CHECK_EQUAL(full.end, 3);
    BOOST_TEST(full.has_after);
    BOOST_TEST(!full.has_before);
    Window last = page_window(p, 3, false);
    BOOST_CHECK_EQUAL(last.end, 3);
    BOOST_TEST(!last.has_after);
    Window empty = page_window(p, 0, false);
    BOOST_CHECK_EQUAL(empty.begin, 0);
    BOOST_CHECK_EQUAL(empty.end, 0);
    BOOST_TEST(!empty.has_after);
    BOOST_TEST(!empty.has_before);
}

BOOST_AUTO_TEST_CASE(after_page_window) {
    Page p;
    p.limit = 3;
    p.dir = Direction::After;
    Window middle = page_window(p, 4, true);
    BOOST_CHECK_EQUAL(middle.begin, 0);
    BOOST_CHECK_EQUAL(middle.end, 3);
    BOOST_TEST(middle.has_after);
    BOOST_TEST(middle.has_before);
    Window last = page_window(p, 2, true);
    BOOST_CHECK_EQUAL(last.begin, 0);
    BOOST_CHECK_EQUAL(last.end, 2);
    BOOST_TEST(!last.has_after);
    BOOST_TEST(last.has_before);
}

BOOST_AUTO_TEST_CASE(before_page_window) {
    Page p;
    p.limit = 3;
    p.dir = Direction::Before;
    // Rows come ascending; the extra row is the oldest, so it is dropped from the front.
    Window middle = page_window(p, 4, true);
    BOOST_CHECK_EQUAL(middle.begin, 1);
    BOOST_CHECK_EQUAL(middle.end, 4);
    BOOST_TEST(middle.has_before);
    BOOST_TEST(middle.has_after);
    Window first = page_window(p, 3, true);
    BOOST_CHECK_EQUAL(first.begin, 0);
    BOOST_CHECK_EQUAL(first.end, 3);
    BOOST_TEST(!first.has_before);
    BOOST_TEST(first.has_after);
}

BOOST_AUTO_TEST_CASE(written_cursors_point_at_the_page_edges) {
    // A result set like the keyset query's, built without a server.
    PGresult* raw = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
    BOOST_REQUIRE(raw);
    PGresAttDesc cols[2] = {};
    cols[0].name = const_cast<char*>("created_at");
    cols[0].format = 0;
    cols[0].typlen = -1;
    cols[0].atttypmod = -1;
    cols[1] = cols[0];
    cols[1].name = const_cast<char*>("id");
    BOOST_REQUIRE(PQsetResultAttrs(raw, 2, cols));
    const char* rows[4][2] = {{"2026-01-01T00:00:00.001Z", "00000000-0000-4000-8000-000000000001"},
                              {"2026-01-01T00:00:00.002Z", "00000000-0000-4000-8000-000000000002"},
                              {"2026-01-01T00:00:00.003Z", "00000000-0000-4000-8000-000000000003"},
                              {"2026-01-01T00:00:00.004Z", "00000000-0000-4000-8000-000000000004"}};
    for (int r = 0; r < 4; ++r)
        for (int c = 0; c < 2; ++c)
            BOOST_REQUIRE(PQsetvalue(raw, r, c, const_cast<char*>(rows[r][c]), static_cast<int>(strlen(rows[r][c]))));
    Result result(raw);

    Page p;
    p.limit = 3;
    p.dir = Direction::After;
    Window w = page_window(p, result.rows(), true);
    JsonOut j;
    j.obj();
    write_cursors(j, config(), kContext, w, result, "created_at", "id", false);
    j.end();
    rapidjson::Document doc;
    parse_json_object(j.take(), doc);
    BOOST_REQUIRE(doc.HasMember("cursor"));
    std::string after = str(doc["cursor"], "after"), before = str(doc["cursor"], "before");
    Page next = page(request({{"cursor.after", after}}));
    BOOST_CHECK_EQUAL(next.id, rows[2][1]);  // the last row shown
    BOOST_CHECK_EQUAL(next.created_at, rows[2][0]);
    Page prev = page(request({{"cursor.before", before}}));
    BOOST_CHECK_EQUAL(prev.id, rows[0][1]);  // the first row shown
    BOOST_CHECK_EQUAL(prev.created_at, rows[0][0]);

    // The last page of a first list: an empty cursor object; flat puts keys at the top.
    Page first;
    first.limit = 5;
    JsonOut none;
    none.obj();
    write_cursors(none, config(), kContext, page_window(first, 4, false), result, "created_at", "id", false);
    none.end();
    BOOST_CHECK_EQUAL(none.take(), R"({"cursor":{}})");
    JsonOut flat;
    flat.obj();
    write_cursors(flat, config(), kContext, w, result, "created_at", "id", true);
    flat.end();
    rapidjson::Document fd;
    parse_json_object(flat.take(), fd);
    BOOST_TEST(fd.HasMember("after"));
    BOOST_TEST(fd.HasMember("before"));
    BOOST_TEST(!fd.HasMember("cursor"));
}

BOOST_AUTO_TEST_SUITE_END()
