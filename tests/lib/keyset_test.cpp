// lib/keyset.cpp: the statements of keyset pages, one builder, cached.
#include "keyset.hpp"

#include <boost/test/unit_test.hpp>

#include <cstring>

using namespace cabinet;

namespace {

const KeysetList kGroups = {"groups_page", "g.id, g.name", "groups g", "g.organization_id = $1 AND $2::uuid IS NULL",
                            "g.created_at", "g.id", "id", 3};

}  // namespace

BOOST_AUTO_TEST_SUITE(keyset)

BOOST_AUTO_TEST_CASE(after_page_walks_forwards_and_probes_behind_the_cursor) {
    BOOST_TEST(keyset_sql(kGroups, false) ==
               "WITH page AS (SELECT g.id, g.name, g.created_at AS ts FROM groups g WHERE g.organization_id = $1 AND "
               "$2::uuid IS NULL AND (g.created_at, g.id) > ($3::timestamptz, $4::uuid) ORDER BY g.created_at, g.id "
               "LIMIT $5) SELECT page.*, EXISTS (SELECT 1 FROM groups g WHERE g.organization_id = $1 AND $2::uuid IS "
               "NULL AND (g.created_at, g.id) <= ($3::timestamptz, $4::uuid)) AS has_other FROM page ORDER BY ts, id");
}

BOOST_AUTO_TEST_CASE(before_page_walks_backwards_and_is_returned_ascending) {
    std::string sql = keyset_sql(kGroups, true);
    BOOST_TEST(sql.find("(g.created_at, g.id) < ($3::timestamptz, $4::uuid) ORDER BY g.created_at DESC, g.id DESC "
                        "LIMIT $5)") != std::string::npos);
    BOOST_TEST(sql.find("(g.created_at, g.id) >= ($3::timestamptz, $4::uuid)) AS has_other") != std::string::npos);
    BOOST_TEST(sql.substr(sql.size() - 25) == "FROM page ORDER BY ts, id");
}

BOOST_AUTO_TEST_CASE(probe_may_read_another_relation_and_cursor_parameters_follow_the_filters) {
    KeysetList members = {"members", "m.user_id, u.email", "memberships m JOIN users u ON u.id = m.user_id",
                          "m.group_id = $1", "m.created_at", "m.user_id", "user_id", 2, "memberships m"};
    std::string sql = keyset_sql(members, false);
    BOOST_TEST(sql.find("EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = $1 AND") != std::string::npos);
    BOOST_TEST(sql.find("($2::timestamptz, $3::uuid)") != std::string::npos);
    BOOST_TEST(sql.find("LIMIT $4)") != std::string::npos);
    BOOST_TEST(sql.substr(sql.size() - 7) == "user_id");
}

BOOST_AUTO_TEST_CASE(statements_are_named_by_list_variant_and_direction_and_built_once) {
    Stmt a = keyset_stmt(kGroups, false, "any");
    Stmt b = keyset_stmt(kGroups, true, "any");
    Stmt again = keyset_stmt(kGroups, false, "any");
    BOOST_TEST(std::string(a.name) == "groups_page_any_after");
    BOOST_TEST(std::string(b.name) == "groups_page_any_before");
    BOOST_TEST(a.sql == again.sql);  // the same cached text, not a copy
    BOOST_TEST(std::string(a.sql) == keyset_sql(kGroups, false));
    BOOST_TEST(std::string(keyset_stmt(kGroups, false).name) == "groups_page_after");
}

BOOST_AUTO_TEST_CASE(cached_statement_is_built_once_per_name) {
    int builds = 0;
    auto build = [&] { ++builds; return std::string("SELECT 1"); };
    Stmt a = cached_stmt("keyset_test_once", build, true);
    Stmt b = cached_stmt("keyset_test_once", build);
    BOOST_TEST(builds == 1);
    BOOST_TEST(a.sql == b.sql);
    BOOST_TEST(a.replan);
    BOOST_TEST(!b.replan);
}

BOOST_AUTO_TEST_SUITE_END()
