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

#include <cstring>
#include <memory>

#include <libssh/libssh.h>
#include <openssl/bn.h>

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

const Fields kDataFields = {{"first_name", Kind::String},         {"last_name", Kind::String},
                            {"phone", Kind::String},              {"password", Kind::String},
                            {"notification_email", Kind::String}, {"notification_phone", Kind::String}};
const Fields kApiKeyFields = {{"api_key", Kind::String, true}};
const Fields kSshKeyFields = {{"name", Kind::String, true}, {"method", Kind::String, true}, {"content", Kind::String}};

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

// Serialises every key-count check and write of one user.
const Stmt kLockUser = {"account_lock_user",
                        "SELECT email, first_name, last_name FROM users WHERE id = $1 AND organization_id = $2 "
                        "FOR UPDATE"};

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

std::string trim(const std::string& s, const char* blanks = " \t") {
    size_t b = s.find_first_not_of(blanks), e = s.find_last_not_of(blanks);
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// A name: 1..128 characters after trimming, no control characters.
std::string valid_name(const std::string& raw, const char* field) {
    std::string name = trim(raw);
    if (name.empty() || name.size() > 128) throw validation("Must be 1 to 128 characters", field, raw);
    for (unsigned char ch : name)
        if (ch < 0x20 || ch == 0x7f) throw validation("Must not contain control characters", field, raw);
    return name;
}

// A phone number: empty (clears it), or 3..32 of digits, spaces, ( ) - with an optional leading +.
std::string valid_phone(const std::string& raw, const char* field) {
    if (raw.empty()) return raw;
    int digits = 0;
    for (size_t i = 0; i < raw.size(); ++i) {
        char ch = raw[i];
        if (ch >= '0' && ch <= '9') ++digits;
        else if (!(ch == ' ' || ch == '(' || ch == ')' || ch == '-' || (ch == '+' && i == 0)))
            throw validation("Invalid phone number", field, raw);
    }
    if (raw.size() > 32 || digits < 3) throw validation("Invalid phone number", field, raw);
    return raw;
}

// ---------------------------------------------------------------- SSH keys (libssh)

using SshKey = std::unique_ptr<ssh_key_struct, decltype(&ssh_key_free)>;
using SshText = std::unique_ptr<char, decltype(&ssh_string_free_char)>;

struct PublicKey {
    std::string line;         // "type base64[ comment]"
    std::string fingerprint;  // SHA256:… as ssh-keygen -lf prints it
};

// The accepted types, by their OpenSSH names.
ssh_keytypes_e accepted_type(const std::string& name) {
    if (name == "ssh-ed25519") return SSH_KEYTYPE_ED25519;
    if (name == "ecdsa-sha2-nistp256") return SSH_KEYTYPE_ECDSA_P256;
    if (name == "ecdsa-sha2-nistp384") return SSH_KEYTYPE_ECDSA_P384;
    if (name == "ecdsa-sha2-nistp521") return SSH_KEYTYPE_ECDSA_P521;
    if (name == "ssh-rsa") return SSH_KEYTYPE_RSA;
    if (name == "ssh-dss") throw validation("DSA keys are not accepted", "content");
    throw validation("Unsupported key type; use ssh-ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa", "content");
}

// The idx-th length-prefixed string of an SSH wire-format blob; nullopt past the end.
std::optional<std::string_view> wire_string(std::string_view blob, int idx) {
    for (int i = 0;; ++i) {
        if (blob.size() < 4) return std::nullopt;
        auto u = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(blob[k])); };
        uint32_t len = u(0) << 24 | u(1) << 16 | u(2) << 8 | u(3);
        if (len > blob.size() - 4) return std::nullopt;
        if (i == idx) return blob.substr(4, len);
        blob.remove_prefix(4 + len);
    }
}

int rsa_bits(std::string_view blob) {
    auto n = wire_string(blob, 2);  // "ssh-rsa", e, n
    if (!n) return 0;
    std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(
        BN_bin2bn(reinterpret_cast<const unsigned char*>(n->data()), static_cast<int>(n->size()), nullptr), &BN_free);
    return bn ? BN_num_bits(bn.get()) : 0;
}

std::string fingerprint_of(ssh_key key) {
    unsigned char* hash = nullptr;
    size_t len = 0;
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) != SSH_OK)
        throw internal("account: ssh_get_publickey_hash failed");
    std::string digest(reinterpret_cast<char*>(hash), len);
    ssh_clean_pubkey_hash(&hash);
    std::string b64 = base64(digest);
    while (!b64.empty() && b64.back() == '=') b64.pop_back();
    return "SHA256:" + b64;
}

// Parses one OpenSSH public key line "type base64 [comment]"; 400 for anything
// else: garbage, private keys, several lines, unsupported types (DSA, certificates,
// security keys), RSA under 2048 bits, a blob whose type differs from the line's
// or that carries trailing bytes.
PublicKey parse_public_key(std::string content) {
    auto bad = [](const char* msg) { return validation(msg, "content"); };
    if (content.size() > 16384) throw bad("Key is too long");
    if (content.find("PRIVATE KEY") != std::string::npos) throw bad("Private keys are not accepted; upload the public key");
    content = trim(content, " \t\r\n");
    if (content.empty()) throw bad("An OpenSSH public key is required");
    for (unsigned char ch : content)
        if ((ch < 0x20 && ch != ' ' && ch != '\t') || ch == 0x7f) throw bad("Must be one OpenSSH public key line");
    size_t sp = content.find_first_of(" \t");
    if (sp == std::string::npos) throw bad("Expected \"type base64 [comment]\"");
    std::string type = content.substr(0, sp);
    size_t b64_start = content.find_first_not_of(" \t", sp);
    size_t b64_end = content.find_first_of(" \t", b64_start);
    std::string b64 = content.substr(b64_start, b64_end == std::string::npos ? std::string::npos : b64_end - b64_start);
    std::string comment = b64_end == std::string::npos ? "" : content.substr(content.find_first_not_of(" \t", b64_end));
    ssh_keytypes_e kt = accepted_type(type);
    auto blob = unbase64(b64);
    if (!blob) throw bad("Malformed key data");
    auto inner = wire_string(*blob, 0);
    if (!inner || *inner != type) throw bad("Key type does not match the key data");

    ssh_key raw = nullptr;
    if (ssh_pki_import_pubkey_base64(b64.c_str(), kt, &raw) != SSH_OK) throw bad("Malformed key data");
    SshKey key(raw, &ssh_key_free);
    if (ssh_key_type(key.get()) != kt) throw bad("Key type does not match the key data");
    char* out = nullptr;
    if (ssh_pki_export_pubkey_base64(key.get(), &out) != SSH_OK) throw bad("Malformed key data");
    SshText canonical(out, &ssh_string_free_char);
    if (unbase64(canonical.get()) != blob) throw bad("Malformed key data");  // trailing or non-canonical bytes
    if (kt == SSH_KEYTYPE_RSA && rsa_bits(*blob) < 2048) throw bad("RSA keys must be at least 2048 bits");
    if (kt == SSH_KEYTYPE_RSA && rsa_bits(*blob) > 16384) throw bad("RSA keys must be at most 16384 bits");
    return PublicKey{type + " " + b64 + (comment.empty() ? "" : " " + comment), fingerprint_of(key.get())};
}

// The PEM body wrapped at 70 columns, as ssh-keygen writes it.
std::string wrap_pem(const std::string& pem) {
    const std::string begin = "-----BEGIN OPENSSH PRIVATE KEY-----", end = "-----END OPENSSH PRIVATE KEY-----";
    size_t b = pem.find(begin), e = pem.find(end);
    if (b == std::string::npos || e == std::string::npos) throw internal("account: unexpected private key format");
    std::string body;
    for (size_t i = b + begin.size(); i < e; ++i)
        if (pem[i] != '\n' && pem[i] != '\r') body.push_back(pem[i]);
    std::string out = begin + "\n";
    for (size_t i = 0; i < body.size(); i += 70) out += body.substr(i, 70) + "\n";
    return out + end + "\n";
}

struct GeneratedKey {
    PublicKey pub;
    std::string private_key;  // OpenSSH format, unencrypted
};

GeneratedKey generate_ed25519() {
    ssh_key raw = nullptr;
    if (ssh_pki_generate(SSH_KEYTYPE_ED25519, 0, &raw) != SSH_OK) throw internal("account: ssh_pki_generate failed");
    SshKey key(raw, &ssh_key_free);
    char* priv = nullptr;
    if (ssh_pki_export_privkey_base64(key.get(), nullptr, nullptr, nullptr, &priv) != SSH_OK)
        throw internal("account: ssh_pki_export_privkey_base64 failed");
    std::string pem(priv);
    explicit_bzero(priv, pem.size());
    ssh_string_free_char(priv);
    char* pub = nullptr;
    if (ssh_pki_export_pubkey_base64(key.get(), &pub) != SSH_OK)
        throw internal("account: ssh_pki_export_pubkey_base64 failed");
    SshText pub_b64(pub, &ssh_string_free_char);
    return GeneratedKey{{std::string("ssh-ed25519 ") + pub_b64.get(), fingerprint_of(key.get())}, wrap_pem(pem)};
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
// the display name "first last"; a new password (policy of check_password)
// revokes every token issued to the caller so far.
Response update_data(Ctx& c) {
    if (c.body.MemberCount() == 0) throw validation("At least one field is required");
    auto opt = [&](const char* f) { return has(c.body, f) ? Param(str(c.body, f)) : Param(); };
    Param first = opt("first_name"), last = opt("last_name"), phone = opt("phone"), password = opt("password");
    Param notify_email = opt("notification_email"), notify_phone = opt("notification_phone");
    if (first) first = valid_name(*first, "first_name");
    if (last) last = valid_name(*last, "last_name");
    if (phone) valid_phone(*phone, "phone");
    if (notify_phone) valid_phone(*notify_phone, "notification_phone");
    if (notify_email && !notify_email->empty()) check_email(*notify_email, "notification_email");
    Tx tx = write_tx(c);
    Result u = tx.query(kLockUser, owner(c));
    if (u.empty()) throw not_found("Account not found");
    Param display;
    if (first || last) display = trim(first.value_or(u.str(0, "first_name")) + " " + last.value_or(u.str(0, "last_name")));
    Param hash;
    if (password) {
        check_password(*password, u.str(0, "email"));
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

std::string api_key_field(const Ctx& c) {
    std::string key = str(c.body, "api_key");
    if (key.empty() || key.size() > 128) throw validation("Must be 1 to 128 characters", "api_key");
    return key;
}

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
    std::string name = valid_name(str(c.body, "name"), "name");
    std::string method = str(c.body, "method"), content = str(c.body, "content");
    std::optional<GeneratedKey> generated;
    PublicKey pub;
    if (method == "generate") {
        if (!content.empty()) throw validation("Must be omitted when method is generate", "content");
        generated = generate_ed25519();
        pub = generated->pub;
    } else if (method == "upload") {
        if (!has(c.body, "content")) throw validation("Required when method is upload", "content");
        pub = parse_public_key(content);
    } else {
        throw validation("Must be generate or upload", "method", method);
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
