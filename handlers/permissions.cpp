// handlers/permissions: Cloud.ru permission bindings (/api/v1/permissions) and
// the cabinet extension GET /api/v1/permissions/check (explained decisions).
#include "audit.hpp"
#include "auth.hpp"
#include "crypto.hpp"
#include "keyset.hpp"
#include "pagination.hpp"
#include "ctx.hpp"
#include "serve.hpp"
#include "text.hpp"


using namespace cabinet;

namespace {

Response list_permissions(Ctx& c);
Response create_permission(Ctx& c);
Response delete_permission(Ctx& c);
Response check_permission(Ctx& c);

// The identity of a binding: (objectId, objectType, role, subjectId, subjectType).
Fields tuple_fields() {
    return {{"objectId", Kind::String, true, {}, check::uuid()},
            {"objectType", Kind::String, true, {}, check::one_of({"organization", "resource"}, "Unknown value")},
            {"role", Kind::String, true, {}, check::role("Unknown value")},
            {"subjectId", Kind::String, true, {}, check::uuid()},
            {"subjectType", Kind::String, true, {}, check::one_of({"user", "group", "service_account"}, "Unknown value")}};
}
// expiresAt: absent or null = never; otherwise an RFC 3339 date-time in the future (read_expiry).
const Fields kCreateFields = [] {
    Fields f = tuple_fields();
    f.push_back({"expiresAt", Kind::Any});
    return f;
}();
const Fields kDeleteFields = {{"id", Kind::Object, true, tuple_fields()}};

const QueryParams kListCustomer = {{"customerId", check::uuid_or_empty()}};
const QueryParams kListFilters = {{"resourceId", check::uuid_or_empty()},
                                  {"role", check::role_or_empty("Unknown value")},
                                  {"subjectId", check::uuid_or_empty()},
                                  {"subjectType", check::one_of({"user", "group", "service_account"}, "Unknown value", true)}};
const QueryParams kCheckParams = {
    {"subjectId", check::uuid_or_empty()}, {"scope", check::scope(), ""}, {"resourceId", check::uuid_or_empty()}};

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
    {"b.object_id = $2", "$2::uuid IS NULL"},
    {"b.role = $3", "$3::text IS NULL"},
    {"b.subject_id = $4", "$4::uuid IS NULL"},
    {"b.subject_type = $5", "$5::text IS NULL"},
};

// The page statement of one direction and set of filters (bit i: filter i given), built once.
Stmt page_stmt(bool before, unsigned filters) {
    std::string where = "b.organization_id = $1";
    for (unsigned i = 0; i < 4; ++i) where += std::string(" AND ") + kFilterSql[i][(filters >> i) & 1u ? 0 : 1];
    KeysetList list = {"permissions_page", BINDING_COLUMNS, "permission_bindings b", where, "b.created_at", "b.id", "id", 6};
    return keyset_stmt(list, before, std::to_string(filters));
}

// The referenced user or group, locked against deletion until the binding commits.
const Stmt kKeyShareUser = {"permissions_key_share_user",
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

// The identity of a binding: (objectId, objectType, role, subjectId, subjectType).
struct Tuple {
    std::string object_id, object_type, role, subject_id, subject_type;
};

// The 5-tuple of a checked body object; fields are named under prefix.
Tuple read_tuple(const Input& in, const std::string& prefix) {
    return Tuple{in.str(prefix + "objectId"), in.str(prefix + "objectType"), in.str(prefix + "role"),
                 in.str(prefix + "subjectId"), in.str(prefix + "subjectType")};
}

// expiresAt: absent or null = never; an RFC 3339 date-time later than the
// clock's reading, at millisecond precision (400 otherwise).
Param read_expiry(const Input& in) {
    const auto* v = in.raw("expiresAt");
    if (!v || v->IsNull()) return std::nullopt;
    if (!v->IsString()) throw validation("Must be an RFC 3339 date-time", "expiresAt");
    return valid::future_rfc3339(*in.opt("expiresAt"), "expiresAt", valid::system_clock_ms());
}

// Only an administrator grants or revokes the admin role. Anyone else may
// grant or revoke only what it holds itself: every scope the binding gives,
// where it gives it.
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
    if (t.subject_type == "user" && tx.query(kKeyShareUser, {t.subject_id, org}).empty())
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
    if (Param customer = read_query(c.req.query, kListCustomer).opt("customerId"); customer && *customer != org)
        throw not_found("Organization not found");
    Input q = read_query(c.req.query, kListFilters);
    Param object = q.opt("resourceId"), role = q.opt("role"), subject = q.opt("subjectId");
    Param subject_type = q.opt("subjectType");
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
    Input in = read_fields(c.body, kCreateFields);
    Tuple t = read_tuple(in, "");
    Param expires = read_expiry(in);
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
// write:permissions, for an admin binding by a non-admin, or for a binding
// that gives scopes the caller does not hold (revoking is bounded like granting).
Response delete_permission(Ctx& c) {
    c.require("write:permissions");
    Tuple t = read_tuple(read_fields(c.body, kDeleteFields), "id.");
    authorize_grant(c, t);  // revoking is bounded like granting
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
    if (c.req.param("subjectId").value_or("").empty()) throw validation("Field is required", "subjectId");
    Input q = read_query(c.req.query, kCheckParams);
    std::string subject = q.str("subjectId"), scope = q.str("scope"), resource = q.str("resourceId");
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
