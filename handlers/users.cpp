// handlers/users: 2GC users (/api/users…): list, create, get, update, delete.
//
// Authorization (DESIGN §3): reading needs read:users; write:users manages
// users of role `user` that hold no administrator power through a binding;
// only an administrator sets a role other than the current one, creates
// anything but a `user`, or touches an admin/auditor user, or a user that is
// an administrator through an org-wide admin binding (directly or through a
// group), in any way. Nobody changes its own role unless its own role is
// admin. An administrator through a binding is an administrator while the
// binding lasts: it may create users of any role, admins included (README,
// Authorization). An organization keeps at least one enabled user of role
// admin (409).
#include "audit.hpp"
#include "crypto.hpp"
#include "directory.hpp"
#include "ctx.hpp"
#include "keyset.hpp"
#include "offset_page.hpp"
#include "serve.hpp"
#include "text.hpp"

#include <algorithm>
#include <map>

using namespace cabinet;

namespace {

Response list_users(Ctx& c);
Response create_user(Ctx& c);
Response get_user(Ctx& c);
Response update_user(Ctx& c);
Response delete_user(Ctx& c);

// A user's display name: 1..200 characters after trimming. The password is
// checked against the email by the operation (valid::password).
const Fields kCreateFields = {{"email", Kind::String, true, {}, check::email()},
                              {"name", Kind::String, true, {}, check::name(200)},
                              {"role", Kind::String, true, {}, check::role()},
                              {"password", Kind::String},
                              {"enabled", Kind::Bool}};
const Fields kUpdateFields = {{"name", Kind::String, false, {}, check::name(200)},
                              {"email", Kind::String, false, {}, check::email()},
                              {"role", Kind::String, false, {}, check::role()},
                              {"password", Kind::String},
                              {"enabled", Kind::Bool}};

const Service kService = {"users",
                          {
                              {"GET", "/api/users", list_users, Access::Authenticated, nullptr},
                              {"POST", "/api/users", create_user, Access::Authenticated, &kCreateFields},
                              {"GET", "/api/users/{userId}", get_user, Access::Authenticated, nullptr},
                              {"PUT", "/api/users/{userId}", update_user, Access::Authenticated, &kUpdateFields},
                              {"DELETE", "/api/users/{userId}", delete_user, Access::Authenticated, nullptr},
                          }};

// ---------------------------------------------------------------- SQL

#define USER_COLUMNS                                                                                  \
    "u.id, u.email, u.name, u.role, u.enabled, u.organization_id, rfc3339(u.created_at) AS created_at, " \
    "rfc3339(u.updated_at) AS updated_at "

const Stmt kGetUser = {"users_get", "SELECT " USER_COLUMNS "FROM users u WHERE u.id = $1 AND u.organization_id = $2"};

// Every enabled admin of the organization, locked in id order (one order for
// every transaction, so two of them never deadlock): whoever would remove an
// admin counts the others under this lock.
const Stmt kLockAdmins = {"users_lock_admins",
                          "SELECT u.id FROM users u WHERE u.organization_id = $1 AND u.role = 'admin' AND u.enabled "
                          "ORDER BY u.id FOR UPDATE"};

const Stmt kEmailTakenByOther = {"users_email_taken",
                                 "SELECT 1 FROM users WHERE lower(email) = lower($1) AND id <> $2"};

// $3..$7 are NULL when unchanged; $8 adds to the token version (1 revokes
// every earlier token); $9 clears the login lock.
const Stmt kUpdateUser = {
    "users_update",
    "UPDATE users AS u SET name = coalesce($3, u.name), email = coalesce($4, u.email), role = coalesce($5, u.role), "
    "enabled = coalesce($6::boolean, u.enabled), password_hash = coalesce($7, u.password_hash), "
    "token_version = u.token_version + $8::integer, "
    "locked_until = CASE WHEN $9::boolean THEN NULL ELSE u.locked_until END, "
    "updated_at = date_trunc('milliseconds', clock_timestamp()) "
    "WHERE u.id = $1 AND u.organization_id = $2 RETURNING " USER_COLUMNS};

const Stmt kClearFailures = {"users_clear_failures", "DELETE FROM login_failures WHERE user_id = $1"};

// Memberships, API and SSH keys, storage credentials and login failures go by
// ON DELETE CASCADE; the bindings naming the user by a trigger (sql/020).
const Stmt kDeleteUser = {"users_delete", "DELETE FROM users WHERE id = $1 AND organization_id = $2"};

// users.search_text is the lowercased name and email (sql/026), under the
// trigram index users_search_trgm_idx.
#define USER_SEARCH "u.search_text LIKE lower($2) ESCAPE '\\' "

// The organization's user count, kept by triggers (sql/021_user_counts.sql).
const Stmt kCountUsers = {"users_count",
                          "SELECT coalesce((SELECT users FROM organization_user_counts WHERE organization_id = $1), 0) AS n"};
const Stmt kCountUsersSearch = {"users_count_search",
                                "SELECT count(*) AS n FROM users u WHERE u.organization_id = $1 AND " USER_SEARCH, true};

// The accepted sorts (DESIGN §4) and the sort key of each (a whitelist:
// nothing else reaches SQL), ties broken by id in the same direction; each is
// served by a b-tree of sql/003_users.sql, forwards or backwards.
const std::vector<std::string> kUserSortKeys = {"createdAt", "-createdAt", "updatedAt", "-updatedAt", "name",
                                                "-name",     "email",      "-email",     "role",      "-role"};
const char* const kUserSortColumns[] = {"u.created_at", "u.updated_at", "lower(u.name)", "lower(u.email)", "u.role"};

// One statement per sort key and search presence, built once; $1
// organization, $2 LIKE pattern (or NULL), $3 limit, $4 offset.
// Without a search, the page is chosen on ids alone (an index-only walk where
// the index allows it), then only its rows are read: a deep offset skips
// index entries, not rows. With one, the matches (id and sort key only) are
// collected once from the trigram index, then counted (column total) and
// paged; the statement is planned for its pattern (one too short for
// trigrams is a scan), and the CTE keeps the planner from walking the sort
// order through every user for a page it would still have to count past.
Stmt list_stmt(const std::string& sort, bool search) {
    size_t rank = std::find(kUserSortKeys.begin(), kUserSortKeys.end(), sort) - kUserSortKeys.begin();
    auto build = [&] {
        std::string key = kUserSortColumns[rank / 2], dir = rank % 2 ? " DESC" : "";
        if (search) {
            auto order = [&](const char* t) { return std::string(t) + "k" + dir + ", " + t + "id" + dir; };
            return "WITH m AS MATERIALIZED (SELECT u.id, " + key +
                   " AS k FROM users u WHERE u.organization_id = $1 AND " USER_SEARCH ") "
                   "SELECT " USER_COLUMNS ", (SELECT count(*) FROM m) AS total "
                   "FROM (SELECT id, k FROM m ORDER BY " + order("") + " LIMIT $3 OFFSET $4) page "
                   "JOIN users u ON u.id = page.id ORDER BY " + order("page.");
        }
        std::string order = key + dir + ", u.id" + dir;
        return "SELECT " USER_COLUMNS "FROM (SELECT u.id FROM users u WHERE u.organization_id = $1 AND "
               "$2::text IS NULL ORDER BY " + order + " LIMIT $3 OFFSET $4) page "
               "JOIN users u ON u.id = page.id ORDER BY " + order;
    };
    return cached_stmt("users_list_" + std::to_string(rank) + (search ? "_s" : ""), build, search);
}

// ---------------------------------------------------------------- helpers

void write_user(JsonOut& j, const Result& r, int row) {
    j.obj()
        .kv("id", r.str(row, "id"))
        .kv("email", r.str(row, "email"))
        .kv("name", r.str(row, "name"))
        .kv("role", r.str(row, "role"))
        .kv("enabled", r.boolean(row, "enabled"))
        .kv("organizationId", r.str(row, "organization_id"))
        .kv("createdAt", r.str(row, "created_at"))
        .kv("updatedAt", r.str(row, "updated_at"))
        .end();
}

Response user_response(int status, const Result& r) {
    JsonOut j;
    j.obj().key("user");
    write_user(j, r, 0);
    j.end();
    return json_response(status, j.take());
}

// Whether user $1 is an administrator of organization $2 through an enabled,
// unexpired org-wide admin binding, to itself or to a group it belongs to.
const Stmt kAdminByBinding = {
    "users_admin_by_binding",
    "SELECT EXISTS (SELECT 1 FROM permission_bindings b "
    "  WHERE b.organization_id = $2 AND b.object_type = 'organization' AND b.object_id = $2 AND b.role = 'admin' "
    "    AND b.enabled AND (b.expires_at IS NULL OR b.expires_at > now()) "
    "    AND ((b.subject_type = 'user' AND b.subject_id = $1) "
    "      OR (b.subject_type = 'group' AND b.subject_id IN (SELECT m.group_id FROM memberships m WHERE m.user_id = $1)))"
    ") AS admin"};

// The user being changed or deleted, as its locked row shows it.
struct Target {
    std::string id;
    std::string email;
    std::string role;
    bool enabled = true;
    bool admin_by_binding = false;

    // Only an administrator touches an admin or auditor, or an administrator by binding.
    bool needs_admin() const { return role != "user" || admin_by_binding; }
};

Target target_of(const std::string& id, const Result& user, const Result& admin) {
    return Target{id, user.str(0, "email"), user.str(0, "role"), user.boolean(0, "enabled"), admin.boolean(0, "admin")};
}

// Locks the organization's enabled admins (when the change may remove one),
// then the target row; 404 unless the target is in the caller's organization.
Target lock_target(const Ctx& c, Tx& tx, const std::string& id, bool may_remove_admin) {
    if (may_remove_admin) tx.query(kLockAdmins, {c.caller().org_id});
    auto rs = tx.batch({{&kLockUser, {id, c.caller().org_id}}, {&kAdminByBinding, {id, c.caller().org_id}}});
    if (rs[0].empty()) throw not_found("User not found");
    return target_of(id, rs[0], rs[1]);
}

// 409 when the target is the organization's last enabled admin. The caller
// holds the admins' row locks (lock_target), so the count cannot go stale.
void keep_an_admin(const Ctx& c, Tx& tx, const Target& t) {
    if (t.role != "admin" || !t.enabled) return;
    if (tx.query(kLockAdmins, {c.caller().org_id}).rows() <= 1)
        throw conflict("The organization must keep at least one enabled admin", "role");
}

// What a PUT asks for; absent fields stay as they are.
struct Changes {
    Param name, email, role, password;
    std::optional<bool> enabled;
};

Changes parse_changes(const rapidjson::Value& body) {
    if (body.ObjectEmpty()) throw validation("Give at least one of name, role, email, password, enabled", "name");
    Input in = read_fields(body, kUpdateFields);
    return Changes{in.opt("name"), in.opt("email"), in.opt("role"), in.opt("password"), in.flag("enabled")};
}

// 403 unless the caller may make these changes to t (see the file comment).
void authorize_change(const Ctx& c, const Target& t, const Changes& ch) {
    if (t.needs_admin()) c.require_admin();
    if (ch.role && *ch.role != t.role) {
        c.require_admin();
        if (t.id == c.caller().user_id && c.caller().role != "admin")
            throw forbidden("Cannot change your own role");
    }
}

// ---------------------------------------------------------------- operations

// 200 {"users":[U],"total":N,"limit":L,"offset":O}; 400 for a bad limit,
// offset, sort or search. Without search, total is the organization's
// trigger-kept user count (one row). With one, the page's statement also
// counts the matches, from the trigram index rechecked on the heap: it costs
// in proportion to the number of matching users, never to the offset. A
// search holding a control character matches nothing (no name or email has one).
Response list_users(Ctx& c) {
    c.require("read:users");
    OffsetPage pg = parse_offset_page(c.req.query, kUserSortKeys);
    int limit = pg.limit;
    long long offset = pg.offset;
    bool impossible = pg.search && valid::has_control(*pg.search);
    Param pattern = pg.search ? Param(like_substring(*pg.search)) : Param();
    JsonOut j;
    j.obj().key("users").arr();
    long long total = 0;
    if (!impossible) {
        const std::string& org = c.caller().org_id;
        Stmt page = list_stmt(pg.sort, pattern.has_value());
        Params params = {org, pattern, std::to_string(limit), std::to_string(offset)};
        Tx tx = read_tx(c);
        auto rs = pattern ? tx.batch({{&page, params}}) : tx.commit({{&page, params}, {&kCountUsers, {org}}});
        const Result& r = rs[0];
        if (!pattern) {
            total = rs[1].integer(0, "n");
        } else {
            if (!r.empty()) total = r.integer(0, "total");
            else if (offset > 0) total = tx.query(kCountUsersSearch, {org, pattern}).integer(0, "n");  // past the last match
            tx.commit();
        }
        for (int i = 0; i < r.rows(); ++i) write_user(j, r, i);
    }
    j.end_arr().kv("total", static_cast<int64_t>(total)).kv("limit", static_cast<int64_t>(limit));
    j.kv("offset", static_cast<int64_t>(offset)).end();
    return json_response(200, j.take());
}

// 201 {"user":U}; 400 for a malformed email, unknown role, bad name or weak
// password; 403 unless the caller is an admin when role is not `user`; 409
// when the email is taken (case-insensitively). Without a password the user
// gets a random one nobody knows: it cannot log in until an administrator
// (or a holder of write:users) sets one with PUT.
Response create_user(Ctx& c) {
    c.require("write:users");
    NewUser u;
    u.org_id = c.caller().org_id;
    Input in = read_fields(c.body, kCreateFields);
    u.email = in.str("email");
    u.name = in.str("name");
    u.role = in.str("role");
    u.enabled = in.flag("enabled").value_or(true);
    if (in.has("password")) {
        u.password = in.str("password");
        valid::password(u.password, u.email);
    } else {
        u.password = base64url(random_bytes(32));
    }
    if (u.role != "user") c.require_admin();
    Tx tx = write_tx(c);
    std::string id = insert_user(tx, c.cfg, u);
    audit(tx, c, "user.create");
    Result r = tx.query(kGetUser, {id, u.org_id});
    tx.commit();
    return user_response(201, r);
}

// 200 {"user":U}; 404 unless the user is in the caller's organization.
Response get_user(Ctx& c) {
    std::string id = c.id_param("userId");
    c.require("read:users");
    Result r = read_tx(c).commit(kGetUser, {id, c.caller().org_id});
    if (r.empty()) throw not_found("User not found");
    return user_response(200, r);
}

// 200 {"user":U} with the given fields changed; 400 for a bad value or an
// empty body; 403 (see the file comment); 404; 409 for a taken email or when
// it would demote or disable the last enabled admin. A new password (a reset)
// or disabling revokes every token of the user, and a reset also lifts a
// login lock.
Response update_user(Ctx& c) {
    std::string id = c.id_param("userId");
    c.require("write:users");
    Changes ch = parse_changes(c.body);
    Param hash;
    if (ch.password) {
        // Checked and hashed (slow by design) before any row is locked.
        // XXX: a read transaction of its own, so none is open during the hash.
        auto cur = read_tx(c).commit({{&kGetUser, {id, c.caller().org_id}}, {&kAdminByBinding, {id, c.caller().org_id}}});
        if (cur[0].empty()) throw not_found("User not found");
        Target before = target_of(id, cur[0], cur[1]);
        authorize_change(c, before, ch);
        valid::password(*ch.password, ch.email.value_or(before.email));
        hash = hash_password(*ch.password);
    }
    Tx tx = write_tx(c);
    Target t = lock_target(c, tx, id, ch.role || ch.enabled);
    authorize_change(c, t, ch);
    if (ch.email && !tx.query(kEmailTakenByOther, {*ch.email, id}).empty())
        throw conflict("Email already in use", "email");
    bool disabling = ch.enabled && !*ch.enabled && t.enabled;
    if ((ch.role && *ch.role != "admin") || disabling) keep_an_admin(c, tx, t);
    bool reset = hash.has_value();
    Param enabled = ch.enabled ? Param(*ch.enabled ? "true" : "false") : Param();
    Result r = tx.query(kUpdateUser, {id, c.caller().org_id, ch.name, ch.email, ch.role, enabled, hash,
                                      reset || disabling ? "1" : "0", reset ? "true" : "false"});
    if (reset) tx.command(kClearFailures, {id});
    audit(tx, c, "user.update");
    tx.commit();
    return user_response(200, r);
}

// 204; the user's memberships, bindings, keys and credentials go with it, its
// activities stay; 403 for an admin/auditor or an administrator by binding
// unless the caller is an admin; 404; 409 for the last enabled admin.
Response delete_user(Ctx& c) {
    std::string id = c.id_param("userId");
    c.require("write:users");
    Tx tx = write_tx(c);
    Target t = lock_target(c, tx, id, true);
    if (t.needs_admin()) c.require_admin();
    keep_an_admin(c, tx, t);
    tx.command(kDeleteUser, {id, c.caller().org_id});
    audit(tx, c, "user.delete");
    tx.commit();
    return no_content();
}

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
