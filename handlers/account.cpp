// handlers/account: e24cloud account self-service (/v2/account…): the caller's
// own details, API keys, SSH keys and S3/Swift credentials. Every answer is 200
// with "success":true; lib adds "success":false to every error under /v2/account.
#include "audit.hpp"
#include "auth.hpp"
#include "crypto.hpp"
#include "directory.hpp"
#include "ctx.hpp"
#include "log.hpp"
#include "serve.hpp"
#include "sshkey.hpp"


using namespace cabinet;

namespace {

Response get_account(Ctx& c);
Response update_data(Ctx& c);
Response create_api_key(Ctx& c);
Response rotate_api_secret(Ctx& c);
Response delete_api_key(Ctx& c);
Response add_ssh_key(Ctx& c);
Response delete_ssh_key(Ctx& c);
Response rotate_files_secrets(Ctx& c);

// Names: 1..128 characters after trimming; an empty phone or notification
// address clears it; the password is checked against the email by the operation.
const Fields kDataFields = {{"first_name", Kind::String, false, {}, check::name(128)},
                            {"last_name", Kind::String, false, {}, check::name(128)},
                            {"phone", Kind::String, false, {}, check::phone()},
                            {"notification_phone", Kind::String, false, {}, check::phone()},
                            {"notification_email", Kind::String, false, {}, check::email_or_empty()},
                            {"password", Kind::String}};
const Fields kApiKeyFields = {{"api_key", Kind::String, true, {}, check::bounded(128)}};
// content is an OpenSSH public key line when method is upload (lib/sshkey).
const Fields kSshKeyFields = {{"name", Kind::String, true, {}, check::name(128)},
                              {"method", Kind::String, true, {}, check::one_of({"generate", "upload"}, "Must be generate or upload")},
                              {"content", Kind::String}};

const Service kService = {
    "account",
    {
        {"GET", "/v2/account", get_account, Access::Authenticated, nullptr},
        {"POST", "/v2/account/data", update_data, Access::Authenticated, &kDataFields},
        {"PUT", "/v2/account/api", create_api_key, Access::Authenticated, nullptr},
        {"DELETE", "/v2/account/api", delete_api_key, Access::Authenticated, &kApiKeyFields},
        {"POST", "/v2/account/api-new-secret-key", rotate_api_secret, Access::Authenticated, &kApiKeyFields},
        {"PUT", "/v2/account/sshkey", add_ssh_key, Access::Authenticated, &kSshKeyFields},
        {"DELETE", "/v2/account/{id}/sshkey", delete_ssh_key, Access::Authenticated, nullptr},
        {"POST", "/v2/account/files-new-secret-key", rotate_files_secrets, Access::Authenticated, &kApiKeyFields},
    }};

constexpr long long kMaxApiKeys = 10;  // per user
constexpr long long kMaxSshKeys = 50;  // per user

// ---------------------------------------------------------------- SQL

const Stmt kGetUser = {"account_get_user",
                       "SELECT id, name, email, phone, notification_email, notification_phone FROM users "
                       "WHERE id = $1 AND organization_id = $2"};

const Stmt kUpdateData = {
    "account_update_data",
    "UPDATE users SET first_name = coalesce($3, first_name), last_name = coalesce($4, last_name), "
    "name = coalesce($5, name), phone = coalesce($6, phone), "
    "notification_email = coalesce($7, notification_email), notification_phone = coalesce($8, notification_phone), "
    "password_hash = coalesce($9, password_hash), "
    "token_version = token_version + CASE WHEN $9::text IS NULL THEN 0 ELSE 1 END, "
    "locked_until = CASE WHEN $9::text IS NULL THEN locked_until END, "
    "updated_at = date_trunc('milliseconds', clock_timestamp()) WHERE id = $1 AND organization_id = $2"};

const Stmt kGetStorage = {"account_get_storage",
                          "SELECT s3_api_id, s3_secret_enc, swift_api_id, swift_secret_enc FROM storage_credentials "
                          "WHERE user_id = $1 AND organization_id = $2"};

const Stmt kListApiKeys = {"account_list_api_keys",
                           "SELECT id, api_key, secret_enc FROM api_keys WHERE user_id = $1 AND organization_id = $2 "
                           "ORDER BY id"};

const Stmt kCountApiKeys = {"account_count_api_keys", "SELECT count(*) AS n FROM api_keys WHERE user_id = $1"};

const Stmt kInsertApiKey = {"account_insert_api_key",
                            "INSERT INTO api_keys (user_id, organization_id, api_key, secret_enc, secret_hash) "
                            "VALUES ($1, $2, $3, $4::bytea, $5::bytea)"};

const Stmt kRotateApiKey = {"account_rotate_api_key",
                            "UPDATE api_keys SET secret_enc = $4::bytea, secret_hash = $5::bytea, "
                            "updated_at = date_trunc('milliseconds', clock_timestamp()) "
                            "WHERE user_id = $1 AND organization_id = $2 AND api_key = $3 RETURNING id"};

const Stmt kDeleteApiKey = {"account_delete_api_key",
                            "DELETE FROM api_keys WHERE user_id = $1 AND organization_id = $2 AND api_key = $3 "
                            "RETURNING id"};

const Stmt kOwnsApiKey = {"account_owns_api_key",
                          "SELECT id FROM api_keys WHERE user_id = $1 AND organization_id = $2 AND api_key = $3"};

const Stmt kListSshKeys = {"account_list_ssh_keys",
                           "SELECT id, name, fingerprint FROM ssh_keys WHERE user_id = $1 AND organization_id = $2 "
                           "ORDER BY id"};

const Stmt kCountSshKeys = {"account_count_ssh_keys", "SELECT count(*) AS n FROM ssh_keys WHERE user_id = $1"};

const Stmt kSshKeyTaken = {"account_ssh_key_taken",
                           "SELECT id FROM ssh_keys WHERE user_id = $1 AND fingerprint = $2"};

const Stmt kInsertSshKey = {"account_insert_ssh_key",
                            "INSERT INTO ssh_keys (user_id, organization_id, name, public_key, fingerprint) "
                            "VALUES ($1, $2, $3, $4, $5) RETURNING id"};

const Stmt kDeleteSshKey = {"account_delete_ssh_key",
                            "DELETE FROM ssh_keys WHERE id = $3 AND user_id = $1 AND organization_id = $2 "
                            "RETURNING id"};

const Stmt kListGroups = {"account_list_groups",
                          "SELECT g.id, g.name FROM memberships m JOIN groups g ON g.id = m.group_id "
                          "WHERE m.user_id = $1 AND g.organization_id = $2 ORDER BY lower(g.name), g.id"};

// ---------------------------------------------------------------- helpers

Params owner(const Ctx& c) { return {c.caller().user_id, c.caller().org_id}; }

Params owner_and(const Ctx& c, Param p) { return {c.caller().user_id, c.caller().org_id, std::move(p)}; }

Response success() { return json_response(200, "{\"success\":true}"); }

// `n` characters of [0-9A-Za-z], uniformly (rejection sampling): log2(62) ≈ 5.95 bits each.
std::string random_base62(size_t n) {
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string out;
    while (out.size() < n)
        for (unsigned char b : random_bytes(n))
            if (b < 248 && out.size() < n) out.push_back(alphabet[b % 62]);
    return out;
}

// "cab_" + 24 base62 (≈143 bits): recognisable, as GitHub's token format is.
std::string new_api_key() { return "cab_" + random_base62(24); }
// "cabs_" + 40 base62 (≈238 bits).
std::string new_api_secret() { return "cabs_" + random_base62(40); }

std::string unseal(const Ctx& c, const std::string& sealed, const char* purpose, const std::string& what) {
    auto plain = open_sealed(c.cfg.master_key, sealed, secret_binding(c.caller().org_id, c.caller().user_id, purpose));
    if (!plain) throw internal("account: cannot decrypt " + what + " of user " + c.caller().user_id);
    return *plain;
}

std::string seal_api_secret(const Ctx& c, const std::string& secret) {
    return bytea_param(seal(c.cfg.master_key, secret, secret_binding(c.caller().org_id, c.caller().user_id, "api")));
}

Response api_key_response(const std::string& key, const std::string& secret) {
    JsonOut j;
    j.obj().kv("success", true).key("api").obj().kv("api_key", key).kv("secret_key", secret).end().end();
    return json_response(200, j.take());
}

void lock_user(const Ctx& c, Tx& tx) {
    if (tx.query(kLockUser, owner(c)).empty()) throw not_found("Account not found");
}

// The caller's S3/Swift credentials (s: a kGetStorage result). They are made
// with the user; a user without them (made by hand in SQL) shows empty ones
// until files-new-secret-key makes them: a read never writes.
void write_e24files(JsonOut& j, const Ctx& c, const Result& s) {
    if (s.empty()) {
        log_event("warning", c.req.request_id, "account: storage credentials missing", c.caller().user_id);
        j.key("e24files").obj();
        j.key("s3").obj().kv("api_id", "").kv("secret_key", "").end();
        j.key("swift").obj().kv("api_id", "").kv("secret_key", "").end();
        j.end();
        return;
    }
    j.key("e24files").obj();
    j.key("s3").obj().kv("api_id", s.str(0, "s3_api_id"));
    j.kv("secret_key", unseal(c, s.bytes(0, "s3_secret_enc"), "s3", "s3 secret")).end();
    j.key("swift").obj().kv("api_id", s.str(0, "swift_api_id"));
    j.kv("secret_key", unseal(c, s.bytes(0, "swift_secret_enc"), "swift", "swift secret")).end();
    j.end();
}

// ---------------------------------------------------------------- operations

// 200 {"success":true,"account":{id,name,email,phone,notification{email,phone},
// e24files{s3{api_id,secret_key},swift{…}},api[{api_key,secret_key}],
// sshkeys[{id,name,fingerprint}],groups[{id,name}]}}; 500 if a secret cannot be decrypted.
Response get_account(Ctx& c) {
    auto rs = read_tx(c).commit({{&kGetUser, owner(c)},
                                 {&kGetStorage, owner(c)},
                                 {&kListApiKeys, owner(c)},
                                 {&kListSshKeys, owner(c)},
                                 {&kListGroups, owner(c)}});
    const Result &u = rs[0], &storage = rs[1], &keys = rs[2], &ssh = rs[3], &groups = rs[4];
    if (u.empty()) throw not_found("Account not found");
    JsonOut j;
    j.obj().kv("success", true).key("account").obj();
    j.kv("id", u.str(0, "id")).kv("name", u.str(0, "name")).kv("email", u.str(0, "email"));
    j.kv("phone", u.str(0, "phone"));
    j.key("notification").obj().kv("email", u.str(0, "notification_email"));
    j.kv("phone", u.str(0, "notification_phone")).end();
    write_e24files(j, c, storage);
    j.key("api").arr();
    for (int i = 0; i < keys.rows(); ++i) {
        std::string key = keys.str(i, "api_key");
        j.obj().kv("api_key", key).kv("secret_key", unseal(c, keys.bytes(i, "secret_enc"), "api", "api secret " + key));
        j.end();
    }
    j.end_arr().key("sshkeys").arr();
    for (int i = 0; i < ssh.rows(); ++i)
        j.obj().kv("id", static_cast<int64_t>(ssh.integer(i, "id"))).kv("name", ssh.str(i, "name"))
            .kv("fingerprint", ssh.str(i, "fingerprint")).end();
    j.end_arr().key("groups").arr();
    for (int i = 0; i < groups.rows(); ++i) j.obj().kv("id", groups.str(i, "id")).kv("name", groups.str(i, "name")).end();
    j.end_arr().end().end();
    return json_response(200, j.take());
}

// 200 {"success":true}; 400 when no field is given or one is invalid. Names set
// the display name "first last"; a new password (policy of valid::password)
// revokes every token issued to the caller so far.
Response update_data(Ctx& c) {
    if (c.body.MemberCount() == 0) throw validation("At least one field is required");
    Input in = read_fields(c.body, kDataFields);
    Param first = in.opt("first_name"), last = in.opt("last_name"), phone = in.opt("phone"), password = in.opt("password");
    Param notify_email = in.opt("notification_email"), notify_phone = in.opt("notification_phone");
    Tx tx = write_tx(c);
    Result u = tx.query(kLockUser, owner(c));
    if (u.empty()) throw not_found("Account not found");
    Param display;
    if (first || last)
        display = valid::trim_blanks(first.value_or(u.str(0, "first_name")) + " " + last.value_or(u.str(0, "last_name")));
    Param hash;
    if (password) {
        valid::password(*password, u.str(0, "email"));
        hash = hash_password(*password);
    }
    tx.command(kUpdateData, {c.caller().user_id, c.caller().org_id, first, last, display, phone, notify_email,
                             notify_phone, hash});
    if (first || last || phone || notify_email || notify_phone) audit(tx, c, "account.update");
    if (password) audit(tx, c, "account.password.change");
    tx.commit();
    return success();
}

// 200 {"success":true,"api":{api_key,secret_key}}: a new key of the caller;
// 409 when it already has 10.
Response create_api_key(Ctx& c) {
    std::string key = new_api_key(), secret = new_api_secret();
    Tx tx = write_tx(c);
    lock_user(c, tx);
    if (tx.query(kCountApiKeys, {c.caller().user_id}).integer(0, "n") >= kMaxApiKeys)
        throw conflict("At most 10 API keys per user", "api_key");
    tx.command(kInsertApiKey, {c.caller().user_id, c.caller().org_id, key, seal_api_secret(c, secret),
                               bytea_param(api_secret_hash(c.cfg, secret))});
    audit(tx, c, "account.apikey.create");
    tx.commit();
    return api_key_response(key, secret);
}

std::string api_key_field(const Ctx& c) { return read_fields(c.body, kApiKeyFields).str("api_key"); }

// 200 {"success":true,"api":{api_key,secret_key}} with a new secret; the old
// one stops working at once; 404 unless the key is the caller's.
Response rotate_api_secret(Ctx& c) {
    std::string key = api_key_field(c), secret = new_api_secret();
    Tx tx = write_tx(c);
    Result r = tx.query(kRotateApiKey, {c.caller().user_id, c.caller().org_id, key, seal_api_secret(c, secret),
                                        bytea_param(api_secret_hash(c.cfg, secret))});
    if (r.empty()) throw not_found("API key not found");
    audit(tx, c, "account.apikey.rotate");
    tx.commit();
    return api_key_response(key, secret);
}

// 200 {"success":true}; the key stops working at once; 404 unless it is the caller's.
Response delete_api_key(Ctx& c) {
    std::string key = api_key_field(c);
    Tx tx = write_tx(c);
    if (tx.query(kDeleteApiKey, owner_and(c, key)).empty()) throw not_found("API key not found");
    audit(tx, c, "account.apikey.delete");
    tx.commit();
    return success();
}

// 200 {"success":true,"sshkeys":{id,name,fingerprint}} (generate adds
// public_key and the private_key, shown once); 400 for a bad name, method or
// key; 409 for a key the caller already has, or beyond 50 keys.
Response add_ssh_key(Ctx& c) {
    Input in = read_fields(c.body, kSshKeyFields);
    std::string name = in.str("name"), method = in.str("method"), content = in.str("content");
    std::optional<GeneratedKey> generated;
    PublicKey pub;
    if (method == "generate") {
        if (!content.empty()) throw validation("Must be omitted when method is generate", "content");
        generated = generate_ed25519();
        pub = generated->pub;
    } else {
        if (!in.has("content")) throw validation("Required when method is upload", "content");
        pub = parse_public_key(content);
    }
    Tx tx = write_tx(c);
    lock_user(c, tx);
    if (tx.query(kCountSshKeys, {c.caller().user_id}).integer(0, "n") >= kMaxSshKeys)
        throw conflict("At most 50 SSH keys per user", "content");
    if (!tx.query(kSshKeyTaken, {c.caller().user_id, pub.fingerprint}).empty())
        throw conflict("This SSH key is already on the account", "content");
    Result r = tx.query(kInsertSshKey, {c.caller().user_id, c.caller().org_id, name, pub.line, pub.fingerprint});
    audit(tx, c, "account.sshkey.create");
    tx.commit();
    JsonOut j;
    j.obj().kv("success", true).key("sshkeys").obj().kv("id", static_cast<int64_t>(r.integer(0, "id")));
    j.kv("name", name).kv("fingerprint", pub.fingerprint);
    if (generated) j.kv("public_key", pub.line).kv("private_key", generated->private_key);
    j.end().end();
    return json_response(200, j.take());
}

// 200 {"success":true}; 404 for an id that is not an integer or not one of the caller's keys.
Response delete_ssh_key(Ctx& c) {
    const std::string& id = c.path.at("id");
    if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
        throw not_found("SSH key not found");
    Tx tx = write_tx(c);
    if (tx.query(kDeleteSshKey, owner_and(c, id)).empty()) throw not_found("SSH key not found");
    audit(tx, c, "account.sshkey.delete");
    tx.commit();
    return success();
}

// 200 {"success":true,"e24files":{s3{api_id,secret_key},swift{…}}}: new S3 and
// Swift secrets, the same api_ids; 404 unless api_key is one of the caller's keys.
Response rotate_files_secrets(Ctx& c) {
    std::string key = api_key_field(c);
    Tx tx = write_tx(c);
    if (tx.query(kOwnsApiKey, owner_and(c, key)).empty()) throw not_found("API key not found");
    write_storage_credentials(tx, c.cfg, c.caller().org_id, c.caller().user_id);
    audit(tx, c, "account.files.rotate");
    Result s = tx.query(kGetStorage, owner(c));
    JsonOut j;
    j.obj().kv("success", true);
    write_e24files(j, c, s);
    j.end();
    tx.commit();
    return json_response(200, j.take());
}

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
