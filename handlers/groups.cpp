// handlers/groups: Cloud.ru groups and membership (/api/v1/groups…) and 2GC
// groups (/api/groups…), over one table.
#include "audit.hpp"
#include "crypto.hpp"
#include "ctx.hpp"
#include "keyset.hpp"
#include "offset_page.hpp"
#include "pagination.hpp"
#include "serve.hpp"
#include "text.hpp"

#include <algorithm>

using namespace cabinet;

namespace {

Response list_groups(Ctx& c);
Response create_group(Ctx& c);
Response get_group(Ctx& c);
Response update_group(Ctx& c);
Response delete_group(Ctx& c);
Response list_members(Ctx& c);
Response replace_members(Ctx& c);
Response check_member(Ctx& c);
Response add_member(Ctx& c);
Response remove_member(Ctx& c);
Response list_groups_2gc(Ctx& c);
Response create_group_2gc(Ctx& c);
Response add_member_2gc(Ctx& c);

// A group's name: 1..128 characters after trimming; its description at most 1024.
const Fields kCreateFields = {
    {"name", Kind::String, true, {}, check::name(128)},
    {"description", Kind::String, false, {}, check::text(1024)},
    {"target", Kind::Object, false, {{"customerId", Kind::String, false, {}, check::uuid()}, {"projectId", Kind::Any}}}};
const Fields kUpdateFields = {{"name", Kind::String, false, {}, check::name(128)},
                              {"description", Kind::String, false, {}, check::text(1024)}};
const Fields kReplaceFields = {{"userIds", Kind::StringArray, true, {}, check::uuid(), 1000, "At most 1000 users"}};
const Fields kCreate2gcFields = {{"name", Kind::String, true, {}, check::name(128)},
                                 {"description", Kind::String, false, {}, check::text(1024)},
                                 {"permissions", Kind::StringArray, false, {}, check::scope()}};
const Fields kAdd2gcFields = {{"userId", Kind::String, true, {}, check::uuid()}};

// The query of GET /api/v1/groups (its cursors are read by parse_page).
const QueryParams kListParams = {{"target.customerId", check::uuid()}, {"target.projectId", check::uuid_or_empty()}};

// The 2GC sort keys (DESIGN §4) and the ORDER BY of each (a whitelist: nothing else reaches SQL).
const std::vector<std::string> kGroupSortKeys = {"createdAt", "-createdAt", "name", "-name", "updatedAt", "-updatedAt"};
const char* const kGroupOrders[] = {"g.created_at, g.id", "g.created_at DESC, g.id DESC", "lower(g.name), g.id",
                                    "lower(g.name) DESC, g.id DESC", "g.updated_at, g.id", "g.updated_at DESC, g.id DESC"};

const Service kService = {
    "groups",
    {
        {"GET", "/api/v1/groups", list_groups, Access::Authenticated, nullptr},
        {"POST", "/api/v1/groups", create_group, Access::Authenticated, &kCreateFields},
        {"GET", "/api/v1/groups/{id}", get_group, Access::Authenticated, nullptr},
        {"PUT", "/api/v1/groups/{id}", update_group, Access::Authenticated, &kUpdateFields},
        {"DELETE", "/api/v1/groups/{id}", delete_group, Access::Authenticated, nullptr},
        {"GET", "/api/v1/groups/{id}/users", list_members, Access::Authenticated, nullptr},
        {"POST", "/api/v1/groups/{id}/users", replace_members, Access::Authenticated, &kReplaceFields},
        {"GET", "/api/v1/groups/{id}/users/{userId}", check_member, Access::Authenticated, nullptr},
        {"POST", "/api/v1/groups/{id}/users/{userId}", add_member, Access::Authenticated, nullptr},
        {"DELETE", "/api/v1/groups/{id}/users/{userId}", remove_member, Access::Authenticated, nullptr},
        {"GET", "/api/groups", list_groups_2gc, Access::Authenticated, nullptr},
        {"POST", "/api/groups", create_group_2gc, Access::Authenticated, &kCreate2gcFields},
        {"POST", "/api/groups/{id}/users", add_member_2gc, Access::Authenticated, &kAdd2gcFields},
    }};

// ---------------------------------------------------------------- SQL

#define GROUP_COLUMNS                                                                                     \
    "g.id, g.organization_id, g.project_id, g.name, g.description, array_to_json(g.permissions)::text " \
    "AS permissions, rfc3339(g.created_at) AS created_at, rfc3339(g.updated_at) AS updated_at "

const Stmt kGetGroup = {"groups_get", "SELECT " GROUP_COLUMNS "FROM groups g WHERE g.id = $1 AND g.organization_id = $2"};

const Stmt kInsertGroup = {
    "groups_insert",
    "INSERT INTO groups AS g (organization_id, project_id, name, description, permissions) "
    "VALUES ($1, $2, $3, $4, ARRAY(SELECT jsonb_array_elements_text($5::jsonb))) RETURNING " GROUP_COLUMNS};

const Stmt kUpdateGroup = {
    "groups_update",
    "UPDATE groups AS g SET name = coalesce($3, name), description = coalesce($4, description), "
    "updated_at = date_trunc('milliseconds', clock_timestamp()) "
    "WHERE g.id = $1 AND g.organization_id = $2 RETURNING " GROUP_COLUMNS};

const Stmt kDeleteGroup = {"groups_delete", "DELETE FROM groups WHERE id = $1 AND organization_id = $2 RETURNING id"};

// Keyset pages in (created_at, id) order; $3/$4 is the cursor, $5 the row count.
// Either every group ($2 is NULL) or the groups of project $2, which the
// partial index groups_org_project_created_idx serves (sql/029).
const KeysetList kGroupsPage = {"groups_page", GROUP_COLUMNS, "groups g", "g.organization_id = $1 AND $2::uuid IS NULL",
                                "g.created_at", "g.id", "id", 3};
const KeysetList kProjectGroupsPage = {"groups_project_page", GROUP_COLUMNS, "groups g",
                                       "g.organization_id = $1 AND g.project_id = $2", "g.created_at", "g.id", "id", 3};

#define MEMBER_COLUMNS                                                                                    \
    "m.user_id, rfc3339(m.created_at) AS created_at, u.email, u.enabled, u.first_name, u.last_name, " \
    "u.middle_name, u.name, u.account_type"

// The members of group $1 with their users, in (joined at, user id) order; $2/$3 the cursor, $4 the row count.
const KeysetList kMembersPage = {"groups_members", MEMBER_COLUMNS, "memberships m JOIN users u ON u.id = m.user_id",
                                 "m.group_id = $1", "m.created_at", "m.user_id", "user_id", 2, "memberships m"};

const Stmt kUserInOrg = {"groups_user_in_org", "SELECT id FROM users WHERE id = $1 AND organization_id = $2"};

const Stmt kUsersInOrg = {"groups_users_in_org",
                          "SELECT count(*) AS n FROM users WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid) "
                          "AND organization_id = $2"};

const Stmt kIsMember = {"groups_is_member", "SELECT 1 FROM memberships WHERE group_id = $1 AND user_id = $2"};

const Stmt kAddMember = {
    "groups_add_member",
    "INSERT INTO memberships (group_id, user_id, organization_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"};

const Stmt kRemoveMember = {"groups_remove_member", "DELETE FROM memberships WHERE group_id = $1 AND user_id = $2"};

const Stmt kReplaceMembers = {
    "groups_replace_members",
    "WITH ids AS (SELECT jsonb_array_elements_text($2::jsonb)::uuid AS u), "
    "gone AS (DELETE FROM memberships WHERE group_id = $1 AND user_id NOT IN (SELECT u FROM ids)), "
    "added AS (INSERT INTO memberships (group_id, user_id, organization_id) "
    "  SELECT $1, u, $3 FROM ids ON CONFLICT DO NOTHING) SELECT 1"};

// The group (locked) with its permissions and the enabled, unexpired bindings
// whose subject it is, as the principal query reads them (lib/auth.cpp).
const Stmt kLockGroup = {
    "groups_lock",
    "SELECT array_to_json(g.permissions)::text AS permissions, "
    "(SELECT coalesce(json_agg(json_build_array(b.role, b.object_type, b.object_id, b.subject_type, b.subject_id, "
    "        rfc3339(b.expires_at))), '[]') FROM permission_bindings b "
    "  WHERE b.subject_type = 'group' AND b.subject_id = g.id AND b.enabled "
    "    AND (b.expires_at IS NULL OR b.expires_at > now()))::text AS bindings "
    "FROM groups g WHERE g.id = $1 AND g.organization_id = $2 FOR UPDATE OF g"};

// ---------------------------------------------------------------- helpers


// A target.customerId other than the caller's organization answers 404 (DESIGN §4).
void check_customer(const Ctx& c, const std::optional<std::string>& customer) {
    if (customer && *customer != c.caller().org_id) throw not_found("Organization not found");
}

void write_group(JsonOut& j, const Result& r, int row) {
    j.obj()
        .kv("id", r.str(row, "id"))
        .kv("name", r.str(row, "name"))
        .kv("description", r.str(row, "description"))
        .key("target")
        .obj()
        .kv("customerId", r.str(row, "organization_id"))
        .kv("projectId", r.get(row, "project_id"))
        .end()
        .kv("createdAt", r.str(row, "created_at"))
        .kv("updatedAt", r.str(row, "updated_at"))
        .end();
}

void write_group_2gc(JsonOut& j, const Result& r, int row) {
    j.obj()
        .kv("id", r.str(row, "id"))
        .kv("name", r.str(row, "name"))
        .kv("description", r.str(row, "description"))
        .key("permissions")
        .raw(r.str(row, "permissions"))
        .kv("createdAt", r.str(row, "created_at"))
        .kv("updatedAt", r.str(row, "updated_at"))
        .end();
}

Response group_response(int status, const Result& r) {
    JsonOut j;
    j.obj().key("group");
    write_group(j, r, 0);
    j.end();
    return json_response(status, j.take());
}

// What the group grants (its permissions, and every binding whose subject it
// is) must all be the caller's own before it may change the group's
// membership: membership must not hand out more than the caller has (DESIGN
// §3, no escalation). Answers 404 for another organization's group, 403.
void require_membership_rights(const Ctx& c, Tx& tx, const std::string& group_id) {
    c.require("write:groups", group_id);
    Result r = tx.query(kLockGroup, {group_id, c.caller().org_id});
    if (r.empty()) throw not_found("Group not found");
    const Grants& mine = c.caller().grants;
    if (is_admin(mine)) return;
    for (const auto& scope : parse_string_array(r.str(0, "permissions")).value_or(std::vector<std::string>{}))
        if (!allows(mine, scope)) throw forbidden("The group grants scopes the caller does not hold");
    for (const auto& b : parse_bindings(r.str(0, "bindings")))
        if (!holds_what_binding_gives(mine, b)) throw forbidden("The group's bindings grant scopes the caller does not hold");
}

void require_user_in_org(const Ctx& c, Tx& tx, const std::string& user_id) {
    if (tx.query(kUserInOrg, {user_id, c.caller().org_id}).empty()) throw not_found("User not found");
}

Response membership_response(const std::string& group_id, const std::string& user_id, bool is_member) {
    JsonOut j;
    j.obj().kv("groupId", group_id).kv("isMember", is_member).kv("userId", user_id).end();
    return json_response(200, j.take());
}

// Adds user_id to the group (idempotent); the activity is written only when the membership is new.
Response add(Ctx& c, const std::string& group_id, const std::string& user_id) {
    Tx tx = write_tx(c);
    require_membership_rights(c, tx, group_id);
    require_user_in_org(c, tx, user_id);
    if (tx.query(kIsMember, {group_id, user_id}).empty()) {
        tx.command(kAddMember, {group_id, user_id, c.caller().org_id});
        audit(tx, c, "group.member.add");
    }
    tx.commit();
    return membership_response(group_id, user_id, true);
}

// ---------------------------------------------------------------- Cloud.ru operations

// 200 {"groups":[G],"cursor":{after?,before?},"limit":L}; 404 for another
// organization's customerId; 400 for a bad limit, projectId or cursor.
Response list_groups(Ctx& c) {
    c.require("read:groups");
    Input q = read_query(c.req.query, kListParams);
    check_customer(c, q.opt("target.customerId"));
    Param project = q.opt("target.projectId");
    std::string context = "groups|" + c.caller().org_id + "|" + project.value_or("");
    Page p = parse_page(c.req, c.cfg, context, "cursor.after", "cursor.before");
    Stmt s = keyset_stmt(project ? kProjectGroupsPage : kGroupsPage, p.dir == Direction::Before);
    Result r = read_tx(c).commit(s, {c.caller().org_id, project, p.created_at, p.id, std::to_string(p.limit + 1)});
    Window w = page_window(p, r.rows(), !r.empty() && r.boolean(0, "has_other"));
    JsonOut j;
    j.obj().key("groups").arr();
    for (int i = w.begin; i < w.end; ++i) write_group(j, r, i);
    j.end_arr();
    write_cursors(j, c.cfg, context, w, r, "created_at", "id", false);
    j.kv("limit", static_cast<int64_t>(p.limit)).end();
    return json_response(200, j.take());
}

// 201 {"group":G}; 409 when the name is taken in the organization.
Response create_group(Ctx& c) {
    c.require("write:groups");
    Input in = read_fields(c.body, kCreateFields);
    check_customer(c, in.opt("target.customerId"));
    Param project;
    if (const auto* proj = in.raw("target.projectId"); proj && !proj->IsNull()) {
        if (!proj->IsString()) throw validation("Must be a UUID", "target.projectId");
        project = check::uuid_or_empty()(*in.opt("target.projectId"), "target.projectId");
    }
    // The insert and its activity in one round trip, one implicit transaction.
    auto r = write_tx(c).commit({{&kInsertGroup, {c.caller().org_id, project, in.str("name"), in.str("description"), "[]"}},
                                 activity_statement(actor_of(c), "group.create")});
    return group_response(201, r[0]);
}

// 200 {"group":G}; 404 unless the group is in the caller's organization.
Response get_group(Ctx& c) {
    std::string id = c.id_param("id");
    c.require("read:groups", id);
    Result r = read_tx(c).commit(kGetGroup, {id, c.caller().org_id});
    if (r.empty()) throw not_found("Group not found");
    return group_response(200, r);
}

// 200 {"group":G} with name and/or description changed; 404, 409 on a taken name.
Response update_group(Ctx& c) {
    std::string id = c.id_param("id");
    c.require("write:groups", id);
    if (c.body.ObjectEmpty()) throw validation("Give name or description", "name");
    Input in = read_fields(c.body, kUpdateFields);
    Tx tx = write_tx(c);
    Result r = tx.query(kUpdateGroup, {id, c.caller().org_id, in.opt("name"), in.opt("description")});
    if (r.empty()) throw not_found("Group not found");
    audit(tx, c, "group.update");
    tx.commit();
    return group_response(200, r);
}

// 204; the group's memberships (cascade) and the bindings naming it (trigger,
// sql/020) go with it; 404.
Response delete_group(Ctx& c) {
    std::string id = c.id_param("id");
    c.require("write:groups");
    Tx tx = write_tx(c);
    Result r = tx.query(kDeleteGroup, {id, c.caller().org_id});
    if (r.empty()) throw not_found("Group not found");
    audit(tx, c, "group.delete");
    tx.commit();
    return no_content();
}

// 200 {"users":[…],"cursor":{…},"limit":L}; 404 for an unknown group.
Response list_members(Ctx& c) {
    std::string id = c.id_param("id");
    c.require("read:groups", id);
    std::string context = "members|" + id;
    Page p = parse_page(c.req, c.cfg, context, "cursor.after", "cursor.before");
    Stmt s = keyset_stmt(kMembersPage, p.dir == Direction::Before);
    auto rs = read_tx(c).commit({{&kGetGroup, {id, c.caller().org_id}}, {&s, {id, p.created_at, p.id, std::to_string(p.limit + 1)}}});
    if (rs[0].empty()) throw not_found("Group not found");
    const Result& r = rs[1];
    Window w = page_window(p, r.rows(), !r.empty() && r.boolean(0, "has_other"));
    JsonOut j;
    j.obj().key("users").arr();
    for (int i = w.begin; i < w.end; ++i) {
        j.obj()
            .kv("accountType", r.str(i, "account_type"))
            .kv("email", r.str(i, "email"))
            .kv("enabled", r.boolean(i, "enabled"))
            .kv("firstName", r.str(i, "first_name"))
            .kv("lastName", r.str(i, "last_name"))
            .kv("middleName", r.str(i, "middle_name"))
            .kv("userId", r.str(i, "user_id"))
            .kv("username", r.str(i, "name"))
            .end();
    }
    j.end_arr();
    write_cursors(j, c.cfg, context, w, r, "created_at", "user_id", false);
    j.kv("limit", static_cast<int64_t>(p.limit)).end();
    return json_response(200, j.take());
}

// 200 {"groupId","userIds":[…]}: the membership becomes exactly userIds;
// 400 for a malformed id, 404 when one is not a user of the organization.
Response replace_members(Ctx& c) {
    std::string id = c.id_param("id");
    std::vector<std::string> ids = valid::distinct(read_fields(c.body, kReplaceFields).list("userIds"));
    std::string ids_json = json_string_array(ids);
    Tx tx = write_tx(c);
    require_membership_rights(c, tx, id);
    Result n = tx.query(kUsersInOrg, {ids_json, c.caller().org_id});
    if (n.integer(0, "n") != static_cast<long long>(ids.size())) throw not_found("User not found");
    tx.query(kReplaceMembers, {id, ids_json, c.caller().org_id});
    audit(tx, c, "group.members.replace");
    tx.commit();
    JsonOut j;
    j.obj().kv("groupId", id).key("userIds").arr();
    for (const auto& u : ids) j.str(u);
    j.end_arr().end();
    return json_response(200, j.take());
}

// 200 {groupId,isMember,userId}; 404 for an unknown group or user.
Response check_member(Ctx& c) {
    std::string id = c.id_param("id"), user = c.id_param("userId");
    c.require("read:groups", id);
    auto rs = read_tx(c).commit({{&kGetGroup, {id, c.caller().org_id}},
                                 {&kUserInOrg, {user, c.caller().org_id}},
                                 {&kIsMember, {id, user}}});
    if (rs[0].empty()) throw not_found("Group not found");
    if (rs[1].empty()) throw not_found("User not found");
    return membership_response(id, user, !rs[2].empty());
}

// 200 {groupId,isMember:true,userId}, idempotent; 404 for an unknown group or user.
Response add_member(Ctx& c) { return add(c, c.id_param("id"), c.id_param("userId")); }

// 204, also when the user was not a member; 404 for an unknown group or user.
Response remove_member(Ctx& c) {
    std::string id = c.id_param("id"), user = c.id_param("userId");
    Tx tx = write_tx(c);
    require_membership_rights(c, tx, id);
    require_user_in_org(c, tx, user);
    if (!tx.query(kIsMember, {id, user}).empty()) {
        tx.command(kRemoveMember, {id, user});
        audit(tx, c, "group.member.remove");
    }
    tx.commit();
    return no_content();
}

// ---------------------------------------------------------------- 2GC operations

// One statement per sort key and search presence, built once; its name says which.
Stmt list_2gc_stmt(const std::string& sort, bool search) {
    size_t rank = std::find(kGroupSortKeys.begin(), kGroupSortKeys.end(), sort) - kGroupSortKeys.begin();
    return cached_stmt("groups_list_2gc_" + std::to_string(rank) + (search ? "_s" : ""), [&] {
        std::string sql = "SELECT " GROUP_COLUMNS ", count(*) OVER () AS total FROM groups g WHERE g.organization_id = $1 ";
        if (search) sql += "AND (lower(g.name) || ' ' || lower(g.description)) LIKE lower($4) ESCAPE '\\' ";
        else sql += "AND $4::text IS NULL ";
        return sql + "ORDER BY " + kGroupOrders[rank] + " LIMIT $2 OFFSET $3";
    });
}

// 200 {"groups":[G2],"total":N,"limit":L,"offset":O}; 400 for a bad limit, offset or sort.
Response list_groups_2gc(Ctx& c) {
    c.require("read:groups");
    OffsetPage pg = parse_offset_page(c.req.query, kGroupSortKeys);
    Param pattern = pg.search ? Param(like_substring(*pg.search)) : Param();
    Stmt s = list_2gc_stmt(pg.sort, pattern.has_value());
    Tx tx = read_tx(c);
    Result r = tx.query(s, {c.caller().org_id, std::to_string(pg.limit), std::to_string(pg.offset), pattern});
    long long total = 0;
    if (!r.empty()) total = r.integer(0, "total");
    else if (pg.offset > 0) {
        Result all = tx.query(s, {c.caller().org_id, "1", "0", pattern});
        total = all.empty() ? 0 : all.integer(0, "total");
    }
    tx.commit();
    JsonOut j;
    j.obj().key("groups").arr();
    for (int i = 0; i < r.rows(); ++i) write_group_2gc(j, r, i);
    j.end_arr().kv("total", static_cast<int64_t>(total)).kv("limit", static_cast<int64_t>(pg.limit));
    j.kv("offset", static_cast<int64_t>(pg.offset)).end();
    return json_response(200, j.take());
}

// 201 {"group":G2}; permissions must be known scopes (400), and only an
// administrator may grant them (403); 409 when the name is taken.
Response create_group_2gc(Ctx& c) {
    c.require("write:groups");
    Input in = read_fields(c.body, kCreate2gcFields);
    std::vector<std::string> perms = valid::distinct(in.list("permissions"));
    if (!perms.empty()) c.require_admin();
    auto r = write_tx(c).commit({{&kInsertGroup, {c.caller().org_id, std::nullopt, in.str("name"), in.str("description"),
                                                  json_string_array(perms)}},
                                 activity_statement(actor_of(c), "group.create")});
    JsonOut j;
    j.obj().key("group");
    write_group_2gc(j, r[0], 0);
    j.end();
    return json_response(201, j.take());
}

// 200 {"groupId","userId","isMember":true}, idempotent; 400 for a malformed userId, 404.
Response add_member_2gc(Ctx& c) {
    std::string group = c.id_param("id");
    std::string user = read_fields(c.body, kAdd2gcFields).str("userId");
    Response r = add(c, group, user);
    JsonOut j;
    j.obj().kv("groupId", group).kv("userId", user).kv("isMember", true).end();
    r.body = j.take();
    return r;
}

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
