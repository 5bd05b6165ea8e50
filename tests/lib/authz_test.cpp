// lib/authz.cpp: effective scopes = role ∪ group permissions ∪ active bindings (DESIGN §3).
#include "authz.hpp"

#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

using namespace cabinet;

namespace {

const std::string kOrg = "0a1b2c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d";
const std::string kOtherOrg = "11111111-2222-4333-8444-555555555555";
const std::string kGroup = "aaaaaaaa-0000-4000-8000-000000000001";
const std::string kOtherGroup = "aaaaaaaa-0000-4000-8000-000000000002";
const std::string kForeignGroup = "bbbbbbbb-0000-4000-8000-000000000009";  // a group of kOtherOrg
const std::string kUser = "cccccccc-0000-4000-8000-000000000001";

const std::vector<std::string> kReads = {"read:users", "read:groups", "read:organization", "read:permissions",
                                         "read:activities", "read:projects"};
const std::vector<std::string> kWrites = {"write:users", "write:groups", "write:organization", "write:permissions",
                                          "write:projects"};

Grants grants(std::string role, std::vector<GroupScope> groups = {}, std::vector<Binding> bindings = {}) {
    return Grants{kOrg, std::move(role), std::move(groups), std::move(bindings)};
}

Binding org_binding(std::string role, std::string org = kOrg) {
    return Binding{std::move(role), "organization", std::move(org), "user", kUser, ""};
}

Binding resource_binding(std::string role, std::string group) {
    return Binding{std::move(role), "resource", std::move(group), "user", kUser, ""};
}

struct Case {
    const char* name;
    Grants g;
    std::string scope;
    std::string resource;  // "" = org-wide
    bool allowed;
};

}  // namespace

BOOST_AUTO_TEST_SUITE(authz)

BOOST_AUTO_TEST_CASE(scope_catalogue_and_roles_are_as_documented) {
    BOOST_CHECK_EQUAL(kScopes.size(), kReads.size() + kWrites.size());
    for (const auto& s : kReads) BOOST_TEST(is_scope(s), s);
    for (const auto& s : kWrites) BOOST_TEST(is_scope(s), s);
    BOOST_TEST(!is_scope("read:secrets"));
    BOOST_TEST(!is_scope(""));
    for (const char* r : {"admin", "user", "auditor"}) BOOST_TEST(is_role(r), r);
    BOOST_TEST(!is_role("owner"));
    BOOST_TEST(!is_role("Admin"));
}

BOOST_AUTO_TEST_CASE(role_scopes) {
    for (const auto& s : kReads) {
        BOOST_TEST_CONTEXT(s) {
            BOOST_TEST(allows(grants("admin"), s));
            BOOST_TEST(allows(grants("auditor"), s));
            BOOST_CHECK_EQUAL(allows(grants("user"), s), s == "read:users" || s == "read:groups" || s == "read:organization");
        }
    }
    for (const auto& s : kWrites) {
        BOOST_TEST_CONTEXT(s) {
            BOOST_TEST(allows(grants("admin"), s));
            BOOST_TEST(!allows(grants("auditor"), s));
            BOOST_TEST(!allows(grants("user"), s));
        }
    }
    BOOST_TEST(!allows(grants("admin"), "read:secrets"));  // not a scope: nobody holds it
    BOOST_TEST(!allows(grants("owner"), "read:users"));    // not a role: grants nothing
    BOOST_TEST(is_admin(grants("admin")));
    BOOST_TEST(!is_admin(grants("auditor")));
    BOOST_TEST(!is_admin(grants("user")));
}

BOOST_AUTO_TEST_CASE(effective_authorization_table) {
    const std::vector<GroupScope> writers = {{kGroup, "write:groups"}, {kGroup, "read:activities"}};
    const std::vector<Case> cases = {
        // Group permissions add scopes organization-wide.
        {"group scope grants its scope", grants("user", writers), "write:groups", "", true},
        {"group scope grants it on any group", grants("user", writers), "write:groups", kOtherGroup, true},
        {"group scope grants a read it lists", grants("user", writers), "read:activities", "", true},
        {"group scope grants nothing else", grants("user", writers), "write:users", "", false},
        // An org-wide binding adds its role's scopes.
        {"org-wide auditor binding grants reads", grants("user", {}, {org_binding("auditor")}), "read:activities", "", true},
        {"org-wide auditor binding grants permission reads", grants("user", {}, {org_binding("auditor")}), "read:permissions", "", true},
        {"org-wide auditor binding grants no writes", grants("user", {}, {org_binding("auditor")}), "write:users", "", false},
        {"org-wide admin binding grants writes", grants("user", {}, {org_binding("admin")}), "write:organization", "", true},
        {"org-wide user binding adds nothing to user", grants("user", {}, {org_binding("user")}), "read:activities", "", false},
        // A resource binding acts only on its group.
        {"resource admin binding reads its group", grants("user", {}, {resource_binding("admin", kGroup)}), "read:groups", kGroup, true},
        {"resource admin binding writes its group", grants("user", {}, {resource_binding("admin", kGroup)}), "write:groups", kGroup, true},
        {"resource admin binding does not write another group", grants("user", {}, {resource_binding("admin", kGroup)}), "write:groups", kOtherGroup, false},
        {"resource admin binding does not write org-wide", grants("user", {}, {resource_binding("admin", kGroup)}), "write:groups", "", false},
        {"resource admin binding gives no user writes", grants("user", {}, {resource_binding("admin", kGroup)}), "write:users", kGroup, false},
        {"resource admin binding gives no org writes", grants("user", {}, {resource_binding("admin", kGroup)}), "write:organization", kGroup, false},
        {"resource user binding reads its group", grants("", {}, {resource_binding("user", kGroup)}), "read:groups", kGroup, true},
        {"resource user binding does not read another group", grants("", {}, {resource_binding("user", kGroup)}), "read:groups", kOtherGroup, false},
        {"resource user binding does not write its group", grants("user", {}, {resource_binding("user", kGroup)}), "write:groups", kGroup, false},
        {"resource auditor binding reads its group", grants("", {}, {resource_binding("auditor", kGroup)}), "read:groups", kGroup, true},
        {"resource auditor binding does not write its group", grants("", {}, {resource_binding("auditor", kGroup)}), "write:groups", kGroup, false},
        // Another organization's objects grant nothing.
        {"admin binding on another org grants nothing", grants("user", {}, {org_binding("admin", kOtherOrg)}), "write:users", "", false},
        {"auditor binding on another org grants nothing", grants("", {}, {org_binding("auditor", kOtherOrg)}), "read:users", "", false},
        {"binding on another org's group grants nothing org-wide", grants("user", {}, {resource_binding("admin", kForeignGroup)}), "write:groups", "", false},
        {"binding on another org's group grants nothing on ours", grants("user", {}, {resource_binding("admin", kForeignGroup)}), "write:groups", kGroup, false},
        // An organization-typed binding naming a group is not a resource binding.
        {"organization binding on a group id grants nothing", grants("user", {}, {Binding{"admin", "organization", kGroup, "user", kUser, ""}}), "write:groups", kGroup, false},
        // A resource-typed binding naming the organization is not org-wide.
        {"resource binding on the org id is not org-wide", grants("user", {}, {resource_binding("admin", kOrg)}), "write:groups", "", false},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            BOOST_CHECK_EQUAL(allows(c.g, c.scope, c.resource), c.allowed);
            BOOST_CHECK_EQUAL(explain(c.g, c.scope, c.resource).empty(), !c.allowed);
        }
    }
}

BOOST_AUTO_TEST_CASE(is_admin_follows_role_or_org_wide_admin_binding) {
    BOOST_TEST(is_admin(grants("user", {}, {org_binding("admin")})));
    BOOST_TEST(!is_admin(grants("user", {}, {org_binding("admin", kOtherOrg)})));
    BOOST_TEST(!is_admin(grants("user", {}, {resource_binding("admin", kGroup)})));
    BOOST_TEST(!is_admin(grants("user", {}, {org_binding("auditor")})));
    BOOST_TEST(!is_admin(grants("user", {{kGroup, "write:users"}, {kGroup, "write:organization"}})));
}

BOOST_AUTO_TEST_CASE(explain_names_every_reason) {
    Grants g = grants("auditor", {{kGroup, "read:groups"}}, {org_binding("admin"), resource_binding("user", kGroup)});
    auto via = explain(g, "read:groups", kGroup);
    BOOST_REQUIRE_EQUAL(via.size(), 4u);
    BOOST_CHECK_EQUAL(via[0].kind, "role");
    BOOST_CHECK_EQUAL(via[0].role, "auditor");
    BOOST_CHECK_EQUAL(via[1].kind, "group");
    BOOST_CHECK_EQUAL(via[1].group_id, kGroup);
    BOOST_CHECK_EQUAL(via[2].kind, "binding");
    BOOST_CHECK_EQUAL(via[2].role, "admin");
    BOOST_TEST(via[2].binding == &g.bindings[0]);
    BOOST_CHECK_EQUAL(via[3].kind, "binding");
    BOOST_TEST(via[3].binding == &g.bindings[1]);
    BOOST_TEST(explain(g, "write:users").size() == 1u);  // the org-wide admin binding only
}

BOOST_AUTO_TEST_CASE(an_administrator_holds_what_every_binding_gives) {
    BOOST_TEST(holds_what_binding_gives(grants("admin"), org_binding("admin")));
    BOOST_TEST(holds_what_binding_gives(grants("user", {}, {org_binding("admin")}), org_binding("auditor")));
}

BOOST_AUTO_TEST_CASE(only_an_administrator_holds_what_an_org_admin_binding_gives) {
    std::vector<GroupScope> every;
    for (auto scope : kScopes) every.push_back({kGroup, std::string(scope)});
    BOOST_TEST(!holds_what_binding_gives(grants("user", every), org_binding("admin")));  // every scope, not an admin
}

BOOST_AUTO_TEST_CASE(a_binding_is_held_when_each_scope_it_gives_is_held_where_it_gives_it) {
    BOOST_TEST(holds_what_binding_gives(grants("user"), org_binding("user")));
    BOOST_TEST(!holds_what_binding_gives(grants("user"), org_binding("auditor")));     // read:activities
    BOOST_TEST(holds_what_binding_gives(grants("auditor"), org_binding("auditor")));
    BOOST_TEST(holds_what_binding_gives(grants("user"), resource_binding("user", kGroup)));    // read:groups
    BOOST_TEST(!holds_what_binding_gives(grants("user"), resource_binding("admin", kGroup)));  // write:groups on it
    Grants on_group = grants("user", {}, {resource_binding("admin", kGroup)});
    BOOST_TEST(holds_what_binding_gives(on_group, resource_binding("admin", kGroup)));
    BOOST_TEST(!holds_what_binding_gives(on_group, resource_binding("admin", kOtherGroup)));  // held elsewhere only
}

BOOST_AUTO_TEST_CASE(group_scopes_are_read_from_the_principal_json) {
    auto gs = parse_group_scopes("[[\"" + kGroup + "\",\"read:users\"],[\"" + kOtherGroup + "\",\"write:groups\"]]");
    BOOST_REQUIRE_EQUAL(gs.size(), 2u);
    BOOST_CHECK_EQUAL(gs[0].group_id, kGroup);
    BOOST_CHECK_EQUAL(gs[0].scope, "read:users");
    BOOST_CHECK_EQUAL(gs[1].group_id, kOtherGroup);
    BOOST_CHECK_EQUAL(gs[1].scope, "write:groups");
}

BOOST_AUTO_TEST_CASE(malformed_group_scope_items_are_skipped) {
    BOOST_TEST(parse_group_scopes("[]").empty());
    BOOST_TEST(parse_group_scopes("").empty());
    BOOST_TEST(parse_group_scopes("{\"a\":1}").empty());
    BOOST_TEST(parse_group_scopes("[[\"a\",\"b\",\"c\"],[\"a\"],\"x\",[1,\"b\"]]").empty());
    BOOST_CHECK_EQUAL(parse_group_scopes("[\"x\",[\"g\",\"read:users\"]]").size(), 1u);
}

BOOST_AUTO_TEST_CASE(scopes_holding_separators_survive_the_round_trip) {
    auto gs = parse_group_scopes(R"([["g|1","read,users"]])");
    BOOST_REQUIRE_EQUAL(gs.size(), 1u);
    BOOST_CHECK_EQUAL(gs[0].group_id, "g|1");
    BOOST_CHECK_EQUAL(gs[0].scope, "read,users");
}

BOOST_AUTO_TEST_CASE(bindings_are_read_from_the_principal_json) {
    auto bs = parse_bindings("[[\"admin\",\"resource\",\"" + kGroup + "\",\"user\",\"" + kUser + "\",null]," +
                             "[\"auditor\",\"organization\",\"" + kOrg + "\",\"group\",\"" + kOtherGroup +
                             "\",\"2030-01-01T00:00:00.000Z\"]]");
    BOOST_REQUIRE_EQUAL(bs.size(), 2u);
    BOOST_CHECK_EQUAL(bs[0].role, "admin");
    BOOST_CHECK_EQUAL(bs[0].object_type, "resource");
    BOOST_CHECK_EQUAL(bs[0].object_id, kGroup);
    BOOST_CHECK_EQUAL(bs[0].subject_type, "user");
    BOOST_CHECK_EQUAL(bs[0].subject_id, kUser);
    BOOST_CHECK_EQUAL(bs[0].expires_at, "");
    BOOST_CHECK_EQUAL(bs[1].role, "auditor");
    BOOST_CHECK_EQUAL(bs[1].object_type, "organization");
    BOOST_CHECK_EQUAL(bs[1].object_id, kOrg);
    BOOST_CHECK_EQUAL(bs[1].subject_type, "group");
    BOOST_CHECK_EQUAL(bs[1].subject_id, kOtherGroup);
    BOOST_CHECK_EQUAL(bs[1].expires_at, "2030-01-01T00:00:00.000Z");

    // Parsed bindings feed the model directly.
    Grants g = grants("user", parse_group_scopes("[]"), bs);
    BOOST_TEST(allows(g, "write:groups", kGroup));
    BOOST_TEST(allows(g, "read:activities"));
    BOOST_TEST(!allows(g, "write:groups"));
}

BOOST_AUTO_TEST_CASE(bindings_of_the_wrong_width_are_skipped) {
    BOOST_TEST(parse_bindings("[]").empty());
    BOOST_TEST(parse_bindings(R"([["admin","resource","g","user","u"]])").empty());
    BOOST_TEST(parse_bindings(R"([["admin","resource","g","user","u",null,"x"]])").empty());
}

BOOST_AUTO_TEST_SUITE_END()
