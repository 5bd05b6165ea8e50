// handlers/auth: login (LeeCyber POST /v2/user/auth) and the retired v1 API.
#include "audit.hpp"
#include "crypto.hpp"
#include "directory.hpp"
#include "jwt.hpp"
#include "ctx.hpp"
#include "serve.hpp"

using namespace cabinet;

namespace {

Response login(Ctx& c);
Response v1_gone(Ctx& c);

const Fields kLoginFields = {{"username", Kind::String, true, {}, check::bounded(320)},
                             {"password", Kind::String, true, {}, check::bounded(1024, "bytes")}};

const Service kService = {"auth",
                          {
                              {"POST", "/v2/user/auth", login, Access::Public, &kLoginFields},
                              {"*", "/v1/user", v1_gone, Access::Public, nullptr},
                              {"*", "/v1/user/*", v1_gone, Access::Public, nullptr},
                          }};

constexpr int kMaxFailures = 5;  // within kWindow, the 5th locks the account

const Stmt kFindUser = {"auth_find_user",
                        "SELECT id, organization_id, email, enabled, password_hash, token_version, "
                        "locked_until > now() AS locked FROM users WHERE lower(email) = lower($1)"};

const Stmt kRecordFailure = {
    "auth_record_failure",
    "WITH f AS (INSERT INTO login_failures (user_id) VALUES ($1)) "
    "SELECT count(*) + 1 AS failures FROM login_failures "
    "WHERE user_id = $1 AND created_at > now() - interval '15 minutes'"};

const Stmt kSetLocked = {"auth_set_locked",
                         "UPDATE users SET locked_until = now() + interval '15 minutes' WHERE id = $1"};

const Stmt kClearFailures = {"auth_clear_failures", "DELETE FROM login_failures WHERE user_id = $1"};

// A hash to verify against when the user is unknown, so timing says nothing.
const std::string& dummy_hash() {
    static const std::string h = hash_password(hex(random_bytes(16)));
    return h;
}

Actor login_actor(const Ctx& c, const Result& u) {
    return Actor{u.str(0, "organization_id"), "user", u.str(0, "id"), u.str(0, "email"), c.client_ip()};
}

Error account_locked() { return locked("Account is locked after repeated failed logins; try again later"); }

// Locks the user's row; when the account is locked meanwhile, records the
// failed login and answers 423.
void refuse_if_locked(Ctx& c, Tx& tx, const Result& u) {
    if (!tx.query(kLockUser, {u.str(0, "id"), u.str(0, "organization_id")}).boolean(0, "locked")) return;
    record_activity(tx, login_actor(c, u), "auth.login.failed");
    tx.commit();
    throw account_locked();
}

// Records a failed attempt; the 5th within 15 minutes locks the account.
void record_failure(Ctx& c, const Result& u) {
    Tx tx = write_tx(c);
    refuse_if_locked(c, tx, u);
    std::string id = u.str(0, "id");
    Actor actor = login_actor(c, u);
    Result f = tx.query(kRecordFailure, {id});
    record_activity(tx, actor, "auth.login.failed");
    if (f.integer(0, "failures") >= kMaxFailures) {
        tx.command(kSetLocked, {id});
        record_activity(tx, actor, "auth.locked");
    }
    tx.commit();
}

// 200 {"status":"Authorized","token":JWT}; 401 for a wrong password or an
// unknown or disabled user (the same answer); 423 while the account is locked.
// XXX: two transactions, a read and then the write of the outcome: no
// transaction stays open during the password hash (~0.3 s). The write locks
// the user's row and checks the lock again, so a burst of logins cannot
// outrun the lockout.
Response login(Ctx& c) {
    Input in = read_fields(c.body, kLoginFields);
    std::string username = in.str("username"), password = in.str("password");
    Result u = read_tx(c).commit(kFindUser, {username});
    if (u.empty()) {
        verify_password(password, dummy_hash());
        throw unauthorized("Invalid username or password").because("login: unknown user");
    }
    if (u.boolean(0, "locked")) {
        Tx tx = write_tx(c);
        record_activity(tx, login_actor(c, u), "auth.login.failed");
        tx.commit();
        throw account_locked();
    }
    bool ok = verify_password(password, u.str(0, "password_hash"));
    if (!ok || !u.boolean(0, "enabled")) {
        record_failure(c, u);
        throw unauthorized("Invalid username or password").because(ok ? "login: disabled" : "login: bad password");
    }
    Claims claims;
    claims.sub = u.str(0, "id");
    claims.org = u.str(0, "organization_id");
    claims.email = u.str(0, "email");
    claims.iat = system_clock_now();
    claims.exp = claims.iat + c.cfg.token_ttl;
    claims.jti = new_uuid();
    claims.ver = u.integer(0, "token_version");
    Tx tx = write_tx(c);
    refuse_if_locked(c, tx, u);
    tx.command(kClearFailures, {claims.sub});
    record_activity(tx, login_actor(c, u), "auth.login");
    tx.commit();
    JsonOut j;
    j.obj().kv("status", "Authorized").kv("token", sign_jwt(claims, c.cfg.jwt_secret)).end();
    return json_response(200, j.take());
}

// 410 for every method under /v1/user, before any authentication.
Response v1_gone(Ctx&) { throw gone("API v1 is retired; use /v2"); }

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
