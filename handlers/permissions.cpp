// handlers/permissions: Cloud.ru permission bindings (/api/v1/permissions) and
// the cabinet extension GET /api/v1/permissions/check (explained decisions).
#include "audit.hpp"
#include "auth.hpp"
#include "crypto.hpp"
#include "pagination.hpp"
#include "ctx.hpp"
#include "serve.hpp"
#include "text.hpp"
#include "timestamp.hpp"

#include <algorithm>
#include <map>

using namespace cabinet;

namespace {

Response list_permissions(Ctx& c);
Response create_permission(Ctx& c);
Response delete_permission(Ctx& c);
Response check_permission(Ctx& c);

const Fields kCreateFields = {{"objectId", Kind::String, true},    {"objectType", Kind::String, true},
                              {"role", Kind::String, true},        {"subjectId", Kind::String, true},
                              {"subjectType", Kind::String, true}, {"expiresAt", Kind::Any}};
const Fields kDeleteFields = {{"id",
                               Kind::Object,
                               true,
                               {{"objectId", Kind::String, true},
                                {"objectType", Kind::String, true},
                                {"role", Kind::String, true},
                                {"subjectId", Kind::String, true},
                                {"subjectType", Kind::String, true}}}};

const Service kService = {
    "permissions",
    {
        {"GET", "/api/v1/permissions", list_permissions, Access::Authenticated, nullptr},
        {"POST", "/api/v1/permissions", create_permission, Access::Authenticated, &kCreateFields},
        {"DELETE", "/api/v1/permissions", delete_permission, Access::Authenticated, &kDeleteFields},
        {"GET", "/api/v1/permissions/check", check_permission, Access::Authenticated, nullptr},
    }};

// ---------------------------------------------------------------- SQL

#define BINDING_COLUMNS                                                                                   \
    "b.id, b.object_id, b.object_type, b.role, b.subject_id, b.subject_type, b.enabled, "                \
    "rfc3339(b.expires_at) AS expires_at, rfc3339(b.created_at) AS created_at, "                         \
    "rfc3339(b.updated_at) AS updated_at "

// Keyset pages in (created_at, id) order. $1 organization, $2 objectId, $3
// role, $4 subjectId, $5 subjectType, $6/$7 the cursor, $8 the row count.
// Only the filters given reach the SQL (an absent one is the constant
// "$n IS NULL"), so every plan reads one index range: a page costs the same
// at any depth and for any filter (sql/022_permission_bindings_filter_indexes.sql).
const char* const kFilterSql[4][2] = {
    {"AND b.object_id = $2 ", "AND $2::uuid IS NULL "},
    {"AND b.role = $3 ", "AND $3::text IS NULL "},
    {"AND b.subject_id = $4 ", "AND $4::uuid IS NULL "},
    {"AND b.subject_type = $5 ", "AND $5::text IS NULL "},
};

// The page statement of one direction and set of filters (bit i: filter i given), built once.
Stmt page_stmt(bool before, unsigned filters) {
    thread_local std::map<unsigned, std::pair<std::string, std::string>> stmts;
    unsigned key = filters | (before ? 16u : 0u);
    auto it = stmts.find(key);
    if (it == stmts.end()) {
        std::string where = "b.organization_id = $1 ";
        for (unsigned i = 0; i < 4; ++i) where += kFilterSql[i][(filters >> i) & 1u ? 0 : 1];
        const char* cmp = before ? "<" : ">";
        const char* other = before ? ">=" : "<=";
        const char* order = before ? "b.created_at DESC, b.id DESC" : "b.created_at, b.id";
        std::string sql = "WITH page AS (SELECT " BINDING_COLUMNS ", b.created_at AS ts FROM permission_bindings b WHERE " +
                          where + "AND (b.created_at, b.id) " + cmp + " ($6::timestamptz, $7::uuid) ORDER BY " + order +
                          " LIMIT $8) SELECT page.*, EXISTS (SELECT 1 FROM permission_bindings b WHERE " + where +
                          "AND (b.created_at, b.id) " + other +
                          " ($6::timestamptz, $7::uuid)) AS has_other FROM page ORDER BY ts, id";
        it = stmts.emplace(key, std::make_pair("permissions_page_" + std::to_string(key), sql)).first;
    }
    return Stmt{it->second.first.c_str(), it->second.second.c_str()};  // map nodes never move
}

// $1: an RFC 3339 text already checked for syntax; stored at millisecond precision.
const Stmt kExpiry = {"permissions_expiry",
                      "SELECT date_trunc('milliseconds', $1::timestamptz) > now() AS future, "
                      "rfc3339(date_trunc('milliseconds', $1::timestamptz)) AS expires_at"};

// The referenced user or group, locked against deletion until the binding commits.
const Stmt kLockUser = {"permissions_lock_user",
                        "SELECT id FROM users WHERE id = $1 AND organization_id = $2 FOR KEY SHARE"};
const Stmt kLockGroup = {"permissions_lock_group",
                         "SELECT id FROM groups WHERE id = $1 AND organization_id = $2 FOR KEY SHARE"};
const Stmt kGroupInOrg = {"permissions_group_in_org", "SELECT id FROM groups WHERE id = $1 AND organization_id = $2"};
const Stmt kUserEnabled = {"permissions_user_enabled",
                           "SELECT enabled FROM users WHERE id = $1 AND organization_id = $2"};

const Stmt kInsertBinding = {
    "permissions_insert",
    "INSERT INTO permission_bindings AS b "
    "  (organization_id, object_id, object_type, role, subject_id, subject_type, expires_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz) ON CONFLICT DO NOTHING RETURNING " BINDING_COLUMNS};

const Stmt kDeleteBinding = {
    "permissions_delete",
    "DELETE FROM permission_bindings WHERE organization_id = $1 AND object_id = $2 AND object_type = $3 "
    "AND role = $4 AND subject_id = $5 AND subject_type = $6 RETURNING id"};

// ---------------------------------------------------------------- helpers

const char* const kObjectTypes[] = {"organization", "resource"};
const char* const kSubjectTypes[] = {"user", "group", "service_account"};

template <size_t N>
bool one_of(const std::string& v, const char* const (&set)[N]) {
    return std::any_of(std::begin(set), std::end(set), [&](const char* s) { return v == s; });
}


std::string uuid_field(const std::string& v, const std::string& field) {
    if (!is_uuid(v)) throw validation("Must be a UUID", field, v);
    return ascii_lower(v);
}

// A query filter: nullopt when absent or empty; 400 when present and malformed.
Param uuid_filter(const Ctx& c, const char* name) {
    auto v = c.req.param(name);
    if (!v || v->empty()) return std::nullopt;
    return uuid_field(*v, name);
}

Param enum_filter(const Ctx& c, const char* name, bool (*ok)(const std::string&)) {
    auto v = c.req.param(name);
    if (!v || v->empty()) return std::nullopt;
    if (!ok(*v)) throw validation("Unknown value", name, *v);
    return *v;
}

bool known_role(const std::string& v) { return is_role(v); }
bool known_subject_type(const std::string& v) { return one_of(v, kSubjectTypes); }

// The identity of a binding: (objectId, objectType, role, subjectId, subjectType).
struct Tuple {
    std::string object_id, object_type, role, subject_id, subject_type;
};

// Reads and checks the 5-tuple of a body object; fields are named under prefix (400).
Tuple read_tuple(const rapidjson::Value& v, const std::string& prefix) {
    Tuple t;
    t.object_id = uuid_field(str(v, "objectId"), prefix + "objectId");
    t.object_type = str(v, "objectType");
    if (!one_of(t.object_type, kObjectTypes)) throw validation("Unknown value", prefix + "objectType", t.object_type);
    t.role = str(v, "role");
    if (!is_role(t.role)) throw validation("Unknown value", prefix + "role", t.role);
    t.subject_id = uuid_field(str(v, "subjectId"), prefix + "subjectId");
    t.subject_type = str(v, "subjectType");
    if (!known_subject_type(t.subject_type)) throw validation("Unknown value", prefix + "subjectType", t.subject_type);
    return t;
}

// expiresAt: absent or null = never; an RFC 3339 date-time in the future (400 otherwise).
// XXX: asks Postgres's clock (a read outside the operation's transaction)
// until the validators of lib/ compare against an injected clock.
Param read_expiry(Ctx& c) {
    const auto* v = member(c.body, "expiresAt");
    if (!v || v->IsNull()) return std::nullopt;
    if (!v->IsString()) throw validation("Must be an RFC 3339 date-time", "expiresAt");
    std::string raw(v->GetString(), v->GetStringLength());
    auto text = parse_rfc3339(raw);
    if (!text) throw validation("Must be an RFC 3339 date-time", "expiresAt", raw);
    Result r = c.db().query(kExpiry, {*text});
    if (!r.boolean(0, "future")) throw validation("Must be in the future", "expiresAt", raw);
    return r.str(0, "expires_at");
}

// Only an administrator grants the admin role. Anyone else may grant only
// what it holds itself: every scope the binding would give, where it gives it.
void authorize_grant(const Ctx& c, const Tuple& t) {
    if (t.role == "admin") {
        c.require_admin();
        return;
    }
    if (is_admin(c.caller().grants)) return;
    for (auto scope : kScopes) {
        bool gives = t.object_type == "organization" ? role_has(t.role, scope) : scope == "read:groups";
        if (gives && !allows(c.caller().grants, scope, t.object_type == "resource" ? t.object_id : ""))
            throw forbidden("The binding grants scopes the caller does not hold");
    }
}

// Subject and object must be entities of the caller's organization (404 otherwise);
// a service account is stored as given. Rows are locked until commit.
void require_references(const Ctx& c, Tx& tx, const Tuple& t) {
    const std::string& org = c.caller().org_id;
    if (t.object_type == "organization" && t.object_id != org) throw not_found("Organization not found");
    if (t.object_type == "resource" && tx.query(kLockGroup, {t.object_id, org}).empty())
        throw not_found("Resource not found");
    if (t.subject_type == "user" && tx.query(kLockUser, {t.subject_id, org}).empty())
        throw not_found("User not found");
    if (t.subject_type == "group" && tx.query(kLockGroup, {t.subject_id, org}).empty())
        throw not_found("Group not found");
}

void write_binding(JsonOut& j, const Result& r, int row) {
    j.obj()
        .kv("objectId", r.str(row, "object_id"))
        .kv("objectType", r.str(row, "object_type"))
        .kv("role", r.str(row, "role"))
        .kv("subjectId", r.str(row, "subject_id"))
        .kv("subjectType", r.str(row, "subject_type"))
        .kv("enabled", r.boolean(row, "enabled"))
        .kv("expiresAt", r.get(row, "expires_at"))
        .kv("createdAt", r.str(row, "created_at"))
        .kv("updatedAt", r.str(row, "updated_at"))
        .end();
}

void write_via(JsonOut& j, const Via& v, std::string_view scope) {
    j.obj().kv("type", v.kind);
    if (v.kind == "role") j.kv("role", v.role);
    if (v.kind == "group") j.kv("groupId", v.group_id).kv("scope", scope);
    if (v.kind == "binding" && v.binding) {
        const Binding& b = *v.binding;
        j.kv("role", b.role).kv("objectType", b.object_type).kv("objectId", b.object_id);
        j.kv("subjectType", b.subject_type).kv("subjectId", b.subject_id);
        j.key("expiresAt");
        if (b.expires_at.empty()) j.null();
        else j.str(b.expires_at);
    }
    j.end();
}

// ---------------------------------------------------------------- operations

// 200 {"permissions":[P],"limit":L,"after"?,"before"?}; filters resourceId,
// customerId (404 unless the caller's organization), role, subjectId,
// subjectType; 400 for a malformed filter, limit or cursor.
Response list_permissions(Ctx& c) {
    c.require("read:permissions");
    const std::string& org = c.caller().org_id;
    if (Param customer = uuid_filter(c, "customerId"); customer && *customer != org)
        throw not_found("Organization not found");
    Param object = uuid_filter(c, "resourceId");
    Param role = enum_filter(c, "role", known_role);
    Param subject = uuid_filter(c, "subjectId");
    Param subject_type = enum_filter(c, "subjectType", known_subject_type);
    std::string context = "permissions|" + org + "|" + object.value_or("") + "|" + role.value_or("") + "|" +
                          subject.value_or("") + "|" + subject_type.value_or("");
    Page p = parse_page(c.req, c.cfg, context, "after", "before");
    unsigned filters = (object ? 1u : 0u) | (role ? 2u : 0u) | (subject ? 4u : 0u) | (subject_type ? 8u : 0u);
    Stmt s = page_stmt(p.dir == Direction::Before, filters);
    Result r = read_tx(c).commit(s, {org, object, role, subject, subject_type, p.created_at, p.id, std::to_string(p.limit + 1)});
    Window w = page_window(p, r.rows(), !r.empty() && r.boolean(0, "has_other"));
    JsonOut j;
    j.obj().key("permissions").arr();
    for (int i = w.begin; i < w.end; ++i) write_binding(j, r, i);
    j.end_arr().kv("limit", static_cast<int64_t>(p.limit));
    write_cursors(j, c.cfg, context, w, r, "created_at", "id", true);
    j.end();
    return json_response(200, j.take());
}

// 201 {"permission":P}; 400 for a bad field or a past expiresAt; 403 without
// write:permissions, for an admin binding by a non-admin, or a grant beyond
// the caller's own; 404 for a subject or object outside the organization;
// 409 when the 5-tuple exists.
Response create_permission(Ctx& c) {
    c.require("write:permissions");
    Tuple t = read_tuple(c.body, "");
    Param expires = read_expiry(c);
    authorize_grant(c, t);
    Tx tx = write_tx(c);
    require_references(c, tx, t);
    Result r = tx.query(kInsertBinding, {c.caller().org_id, t.object_id, t.object_type, t.role, t.subject_id,
                                         t.subject_type, expires});
    if (r.empty()) throw conflict("Permission already exists", "id");
    audit(tx, c, "permission.create");
    tx.commit();
    JsonOut j;
    j.obj().key("permission");
    write_binding(j, r, 0);
    j.end();
    return json_response(201, j.take());
}

// 204; 404 when the organization has no such binding; 403 without
// write:permissions, or for an admin binding by a non-admin.
Response delete_permission(Ctx& c) {
    c.require("write:permissions");
    Tuple t = read_tuple(*member(c.body, "id"), "id.");
    if (t.role == "admin") c.require_admin();
    Tx tx = write_tx(c);
    Result r = tx.query(kDeleteBinding, {c.caller().org_id, t.object_id, t.object_type, t.role, t.subject_id,
                                         t.subject_type});
    if (r.empty()) throw not_found("Permission not found");
    audit(tx, c, "permission.delete");
    tx.commit();
    return no_content();
}

// 200 {"allowed":bool,"via":[…]}: every grant through which user subjectId
// holds scope (org-wide, or on group resourceId when given), evaluated now; a
// disabled user is allowed nothing. 400 for a missing or malformed subjectId,
// an unknown scope, a malformed resourceId; 404 for a user or group outside
// the organization.
Response check_permission(Ctx& c) {
    c.require("read:permissions");
    auto subject_raw = c.req.param("subjectId");
    if (!subject_raw || subject_raw->empty()) throw validation("Field is required", "subjectId");
    std::string subject = uuid_field(*subject_raw, "subjectId");
    std::string scope = c.req.param("scope").value_or("");
    if (!is_scope(scope)) throw validation("Unknown scope", "scope", scope);
    std::string resource = uuid_filter(c, "resourceId").value_or("");
    const std::string& org = c.caller().org_id;
    auto rs = read_tx(c).commit({{&kUserEnabled, {subject, org}},
                                 {&kGroupInOrg, {resource.empty() ? Param() : Param(resource), org}},
                                 principal_query(subject)});
    const Result& u = rs[0];
    if (u.empty()) throw not_found("User not found");
    if (!resource.empty() && rs[1].empty()) throw not_found("Resource not found");
    auto principal = principal_of(rs[2]);
    if (!principal || principal->org_id != org) throw not_found("User not found");
    std::vector<Via> via;
    if (u.boolean(0, "enabled")) via = explain(principal->grants, scope, resource);
    JsonOut j;
    j.obj().kv("allowed", !via.empty()).key("via").arr();
    for (const auto& v : via) write_via(j, v, scope);
    j.end_arr().end();
    return json_response(200, j.take());
}

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
