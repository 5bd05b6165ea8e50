// handlers/groups: Cloud.ru groups and membership (/api/v1/groups…) and 2GC
// groups (/api/groups…), over one table.
#include "audit.hpp"
#include "crypto.hpp"
#include "ctx.hpp"
#include "pagination.hpp"
#include "serve.hpp"
#include "text.hpp"

#include <algorithm>
#include <map>
#include <set>

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

const Fields kCreateFields = {{"name", Kind::String, true},
                              {"description", Kind::String},
                              {"target", Kind::Object, false, {{"customerId", Kind::String}, {"projectId", Kind::Any}}}};
const Fields kUpdateFields = {{"name", Kind::String}, {"description", Kind::String}};
const Fields kReplaceFields = {{"userIds", Kind::StringArray, true}};
const Fields kCreate2gcFields = {
    {"name", Kind::String, true}, {"description", Kind::String}, {"permissions", Kind::StringArray}};
const Fields kAdd2gcFields = {{"userId", Kind::String, true}};

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
    "VALUES ($1, $2, $3, $4, $5::text[]) RETURNING " GROUP_COLUMNS};

const Stmt kUpdateGroup = {
    "groups_update",
    "UPDATE groups AS g SET name = coalesce($3, name), description = coalesce($4, description), "
    "updated_at = date_trunc('milliseconds', clock_timestamp()) "
    "WHERE g.id = $1 AND g.organization_id = $2 RETURNING " GROUP_COLUMNS};

const Stmt kDeleteGroup = {"groups_delete", "DELETE FROM groups WHERE id = $1 AND organization_id = $2 RETURNING id"};

// Keyset pages in (created_at, id) order; $3/$4 is the cursor, $5 the row count.
// SCOPE is either every group ($2 is NULL) or the groups of project $2, which
// the partial index groups_org_project_created_idx serves (sql/029).
#define GROUPS_PAGE(SCOPE, CMP, DIR, OTHER)                                                              \
    "WITH page AS (SELECT " GROUP_COLUMNS ", g.created_at AS ts FROM groups g "                        \
    "  WHERE g.organization_id = $1 AND " SCOPE " AND (g.created_at, g.id) " CMP                       \
    " ($3::timestamptz, $4::uuid) ORDER BY g.created_at " DIR ", g.id " DIR " LIMIT $5) "              \
    "SELECT page.*, EXISTS (SELECT 1 FROM groups g WHERE g.organization_id = $1 AND " SCOPE            \
    "    AND (g.created_at, g.id) " OTHER " ($3::timestamptz, $4::uuid)) AS has_other FROM page ORDER BY ts, id"
#define ANY_PROJECT "$2::uuid IS NULL"
#define ONE_PROJECT "g.project_id = $2"

const Stmt kGroupsAfter = {"groups_page_after", GROUPS_PAGE(ANY_PROJECT, ">", "ASC", "<=")};
const Stmt kGroupsBefore = {"groups_page_before", GROUPS_PAGE(ANY_PROJECT, "<", "DESC", ">=")};
const Stmt kProjectGroupsAfter = {"groups_project_page_after", GROUPS_PAGE(ONE_PROJECT, ">", "ASC", "<=")};
const Stmt kProjectGroupsBefore = {"groups_project_page_before", GROUPS_PAGE(ONE_PROJECT, "<", "DESC", ">=")};

#define MEMBER_COLUMNS                                                                                    \
    "m.user_id, rfc3339(m.created_at) AS created_at, m.created_at AS ts, u.email, u.enabled, u.first_name, " \
    "u.last_name, u.middle_name, u.name, u.account_type "

const Stmt kMembersAfter = {
    "groups_members_after",
    "WITH page AS (SELECT " MEMBER_COLUMNS "FROM memberships m JOIN users u ON u.id = m.user_id "
    "  WHERE m.group_id = $1 AND (m.created_at, m.user_id) > ($2::timestamptz, $3::uuid) "
    "  ORDER BY m.created_at, m.user_id LIMIT $4) "
    "SELECT page.*, EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = $1 "
    "    AND (m.created_at, m.user_id) <= ($2::timestamptz, $3::uuid)) AS has_other FROM page ORDER BY ts, user_id"};

const Stmt kMembersBefore = {
    "groups_members_before",
    "WITH page AS (SELECT " MEMBER_COLUMNS "FROM memberships m JOIN users u ON u.id = m.user_id "
    "  WHERE m.group_id = $1 AND (m.created_at, m.user_id) < ($2::timestamptz, $3::uuid) "
    "  ORDER BY m.created_at DESC, m.user_id DESC LIMIT $4) "
    "SELECT page.*, EXISTS (SELECT 1 FROM memberships m WHERE m.group_id = $1 "
    "    AND (m.created_at, m.user_id) >= ($2::timestamptz, $3::uuid)) AS has_other FROM page ORDER BY ts, user_id"};

const Stmt kUserInOrg = {"groups_user_in_org", "SELECT id FROM users WHERE id = $1 AND organization_id = $2"};

const Stmt kUsersInOrg = {"groups_users_in_org",
                          "SELECT count(*) AS n FROM users WHERE id = ANY($1::uuid[]) AND organization_id = $2"};

const Stmt kIsMember = {"groups_is_member", "SELECT 1 FROM memberships WHERE group_id = $1 AND user_id = $2"};

const Stmt kAddMember = {
    "groups_add_member",
    "INSERT INTO memberships (group_id, user_id, organization_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"};

const Stmt kRemoveMember = {"groups_remove_member", "DELETE FROM memberships WHERE group_id = $1 AND user_id = $2"};

const Stmt kReplaceMembers = {
    "groups_replace_members",
    "WITH gone AS (DELETE FROM memberships WHERE group_id = $1 AND user_id <> ALL($2::uuid[])), "
    "added AS (INSERT INTO memberships (group_id, user_id, organization_id) "
    "  SELECT $1, u, $3 FROM unnest($2::uuid[]) AS u ON CONFLICT DO NOTHING) SELECT 1"};

const Stmt kLockGroup = {"groups_lock", "SELECT permissions::text AS permissions FROM groups "
                                        "WHERE id = $1 AND organization_id = $2 FOR UPDATE"};

// ---------------------------------------------------------------- helpers


// A name: 1..128 characters after trimming, no control characters.
std::string valid_name(const std::string& raw, const char* field) {
    size_t b = raw.find_first_not_of(" \t"), e = raw.find_last_not_of(" \t");
    std::string name = b == std::string::npos ? "" : raw.substr(b, e - b + 1);
    if (name.empty() || name.size() > 128) throw validation("Must be 1 to 128 characters", field, raw);
    for (unsigned char ch : name)
        if (ch < 0x20 || ch == 0x7f) throw validation("Must not contain control characters", field, raw);
    return name;
}

std::string valid_description(const std::string& d) {
    if (d.size() > 1024) throw validation("Must be at most 1024 characters", "description");
    return d;
}

// An optional uuid in a body or query: 400 when present and malformed.
Param optional_uuid(const std::optional<std::string>& v, const char* field) {
    if (!v || v->empty()) return std::nullopt;
    if (!is_uuid(*v)) throw validation("Must be a UUID", field, *v);
    return ascii_lower(*v);
}

// A target.customerId other than the caller's organization answers 404 (DESIGN §4).
void check_customer(const Ctx& c, const std::optional<std::string>& customer, const char* field) {
    if (!customer) return;
    if (!is_uuid(*customer)) throw validation("Must be a UUID", field, *customer);
    if (ascii_lower(*customer) != c.caller().org_id) throw not_found("Organization not found");
}

std::string pg_text_array(const std::vector<std::string>& items) {
    std::string out = "{";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ",\"" : "\"") + items[i] + "\"";
    return out + "}";
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

// The group's permissions must all be the caller's own before it may change
// the group's membership: membership must not hand out more than the caller has.
void require_membership_rights(const Ctx& c, Tx& tx, const std::string& group_id) {
    c.require("write:groups", group_id);
    Result r = tx.query(kLockGroup, {group_id, c.caller().org_id});
    if (r.empty()) throw not_found("Group not found");
    std::string perms = r.str(0, "permissions");  // {a,b}
    if (is_admin(c.caller().grants) || perms == "{}") return;
    std::string_view body(perms);
    body = body.substr(1, body.size() - 2);
    size_t start = 0;
    while (start <= body.size()) {
        size_t comma = body.find(',', start);
        std::string_view scope = body.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        if (!allows(c.caller().grants, scope)) throw forbidden("The group grants scopes the caller does not hold");
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
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
    check_customer(c, c.req.param("target.customerId"), "target.customerId");
    Param project = optional_uuid(c.req.param("target.projectId"), "target.projectId");
    std::string context = "groups|" + c.caller().org_id + "|" + project.value_or("");
    Page p = parse_page(c.req, c.cfg, context, "cursor.after", "cursor.before");
    bool before = p.dir == Direction::Before;
    const Stmt& s = project ? (before ? kProjectGroupsBefore : kProjectGroupsAfter) : (before ? kGroupsBefore : kGroupsAfter);
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
    std::string name = valid_name(str(c.body, "name"), "name");
    std::string description = valid_description(str(c.body, "description"));
    Param project;
    if (const auto* t = member(c.body, "target")) {
        if (const auto* cust = member(*t, "customerId")) check_customer(c, std::string(cust->GetString()), "target.customerId");
        if (const auto* proj = member(*t, "projectId"); proj && !proj->IsNull()) {
            if (!proj->IsString()) throw validation("Must be a UUID", "target.projectId");
            project = optional_uuid(std::string(proj->GetString()), "target.projectId");
        }
    }
    // The insert and its activity in one round trip, one implicit transaction.
    auto r = write_tx(c).commit({{&kInsertGroup, {c.caller().org_id, project, name, description, "{}"}},
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
    Param name, description;
    if (has(c.body, "name")) name = valid_name(str(c.body, "name"), "name");
    if (has(c.body, "description")) description = valid_description(str(c.body, "description"));
    Tx tx = write_tx(c);
    Result r = tx.query(kUpdateGroup, {id, c.caller().org_id, name, description});
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
    const Stmt& s = p.dir == Direction::Before ? kMembersBefore : kMembersAfter;
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
    std::vector<std::string> ids;
    std::set<std::string> seen;
    const auto& arr = *member(c.body, "userIds");
    if (arr.Size() > 1000) throw validation("At most 1000 users", "userIds");
    for (rapidjson::SizeType i = 0; i < arr.Size(); ++i) {
        std::string v(arr[i].GetString(), arr[i].GetStringLength());
        if (!is_uuid(v)) throw validation("Must be a UUID", "userIds." + std::to_string(i), v);
        if (seen.insert(ascii_lower(v)).second) ids.push_back(ascii_lower(v));
    }
    Tx tx = write_tx(c);
    require_membership_rights(c, tx, id);
    Result n = tx.query(kUsersInOrg, {pg_text_array(ids), c.caller().org_id});
    if (n.integer(0, "n") != static_cast<long long>(ids.size())) throw not_found("User not found");
    tx.query(kReplaceMembers, {id, pg_text_array(ids), c.caller().org_id});
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

// The ORDER BY of each accepted sort key (a whitelist: nothing else reaches SQL).
const std::map<std::string, std::string> kGroupSorts = {
    {"createdAt", "g.created_at, g.id"},        {"-createdAt", "g.created_at DESC, g.id DESC"},
    {"name", "lower(g.name), g.id"},            {"-name", "lower(g.name) DESC, g.id DESC"},
    {"updatedAt", "g.updated_at, g.id"},        {"-updatedAt", "g.updated_at DESC, g.id DESC"}};

// One prepared statement per sort key and search presence, built once per
// thread; its name says which (connections are shared between threads).
Stmt list_2gc_stmt(const std::string& sort, bool search) {
    thread_local std::map<std::string, std::pair<std::string, std::string>> stmts;
    std::string key = sort + (search ? "|s" : "|");
    auto it = stmts.find(key);
    if (it == stmts.end()) {
        auto rank = std::distance(kGroupSorts.begin(), kGroupSorts.find(sort));
        std::string name = "groups_list_2gc_" + std::to_string(rank) + (search ? "_s" : "");
        std::string sql = "SELECT " GROUP_COLUMNS ", count(*) OVER () AS total FROM groups g WHERE g.organization_id = $1 ";
        if (search) sql += "AND (lower(g.name) || ' ' || lower(g.description)) LIKE lower($4) ESCAPE '\\' ";
        else sql += "AND $4::text IS NULL ";
        sql += "ORDER BY " + kGroupSorts.at(sort) + " LIMIT $2 OFFSET $3";
        it = stmts.emplace(key, std::make_pair(name, sql)).first;
    }
    return Stmt{it->second.first.c_str(), it->second.second.c_str()};  // map nodes never move
}


// 200 {"groups":[G2],"total":N,"limit":L,"offset":O}; 400 for a bad limit, offset or sort.
Response list_groups_2gc(Ctx& c) {
    c.require("read:groups");
    int limit = parse_limit(c.req);
    long long offset = parse_offset(c.req);
    std::string sort = c.req.param("sort").value_or("createdAt");
    if (!kGroupSorts.count(sort)) throw validation("Unknown sort field", "sort", sort);
    std::string search = c.req.param("search").value_or("");
    if (search.size() > 200) throw validation("Must be at most 200 characters", "search");
    Param pattern = search.empty() ? Param() : Param(like_substring(search));
    Tx tx = read_tx(c);
    Result r = tx.query(list_2gc_stmt(sort, !search.empty()),
                        {c.caller().org_id, std::to_string(limit), std::to_string(offset), pattern});
    long long total = 0;
    if (!r.empty()) total = r.integer(0, "total");
    else if (offset > 0) {
        Result all = tx.query(list_2gc_stmt(sort, !search.empty()), {c.caller().org_id, "1", "0", pattern});
        total = all.empty() ? 0 : all.integer(0, "total");
    }
    tx.commit();
    JsonOut j;
    j.obj().key("groups").arr();
    for (int i = 0; i < r.rows(); ++i) write_group_2gc(j, r, i);
    j.end_arr().kv("total", static_cast<int64_t>(total)).kv("limit", static_cast<int64_t>(limit));
    j.kv("offset", static_cast<int64_t>(offset)).end();
    return json_response(200, j.take());
}

// 201 {"group":G2}; permissions must be known scopes (400), and only an
// administrator may grant them (403); 409 when the name is taken.
Response create_group_2gc(Ctx& c) {
    c.require("write:groups");
    std::string name = valid_name(str(c.body, "name"), "name");
    std::string description = valid_description(str(c.body, "description"));
    std::vector<std::string> perms;
    if (const auto* p = member(c.body, "permissions")) {
        for (rapidjson::SizeType i = 0; i < p->Size(); ++i) {
            std::string s((*p)[i].GetString(), (*p)[i].GetStringLength());
            if (!is_scope(s)) throw validation("Unknown scope", "permissions." + std::to_string(i), s);
            if (std::find(perms.begin(), perms.end(), s) == perms.end()) perms.push_back(s);
        }
    }
    if (!perms.empty()) c.require_admin();
    auto r = write_tx(c).commit({{&kInsertGroup, {c.caller().org_id, std::nullopt, name, description, pg_text_array(perms)}},
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
    std::string user = str(c.body, "userId");
    if (!is_uuid(user)) throw validation("Must be a UUID", "userId", user);
    Response r = add(c, group, ascii_lower(user));
    JsonOut j;
    j.obj().kv("groupId", group).kv("userId", ascii_lower(user)).kv("isMember", true).end();
    r.body = j.take();
    return r;
}

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
