#include "directory.hpp"

#include "crypto.hpp"
#include "error.hpp"
#include "validate.hpp"


namespace cabinet {

namespace {

// created_at and updated_at from one clock reading: a new user's updatedAt equals its createdAt.
const Stmt kInsertUser = {
    "directory_insert_user",
    "INSERT INTO users (organization_id, email, name, role, password_hash, enabled, created_at, updated_at) "
    "SELECT $1, $2, $3, $4, $5, $6, now.ts, now.ts "
    "FROM (SELECT date_trunc('milliseconds', clock_timestamp()) AS ts) AS now RETURNING id"};

const Stmt kEmailTaken = {"directory_email_taken", "SELECT 1 FROM users WHERE lower(email) = lower($1)"};

const Stmt kUpsertStorage = {
    "directory_upsert_storage",
    "INSERT INTO storage_credentials (user_id, organization_id, s3_api_id, s3_secret_enc, swift_api_id, swift_secret_enc) "
    "VALUES ($1, $2, $3, $4::bytea, $5, $6::bytea) ON CONFLICT (user_id) DO UPDATE SET "
    "s3_secret_enc = EXCLUDED.s3_secret_enc, swift_secret_enc = EXCLUDED.swift_secret_enc, "
    "updated_at = date_trunc('milliseconds', clock_timestamp())"};

// An uppercase alphanumeric access id, as S3 clients expect.
std::string access_id(const char* prefix) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out = prefix;
    for (unsigned char b : random_bytes(16)) out.push_back(alphabet[b & 31]);
    return out;
}

}  // namespace

const Stmt kLockUser = {"directory_lock_user",
                        "SELECT u.id, u.email, u.first_name, u.last_name, u.role, u.enabled, "
                        "u.locked_until > now() AS locked FROM users u "
                        "WHERE u.id = $1 AND u.organization_id = $2 FOR UPDATE"};

void check_email(const std::string& email, const char* field) { valid::email(email, field); }

void check_password(const std::string& password, const std::string& email, const char* field) {
    valid::password(password, email, field);
}

std::string secret_binding(const std::string& org_id, const std::string& user_id, const char* purpose) {
    return std::string("cabinet|") + purpose + "|" + org_id + "|" + user_id;
}

void write_storage_credentials(Tx& tx, const Config& cfg, const std::string& org_id, const std::string& user_id) {
    std::string s3_secret = base64url(random_bytes(30)), swift_secret = base64url(random_bytes(30));
    tx.command(kUpsertStorage,
               {user_id, org_id, access_id("CBS3"),
                bytea_param(seal(cfg.master_key, s3_secret, secret_binding(org_id, user_id, "s3"))), access_id("CBSW"),
                bytea_param(seal(cfg.master_key, swift_secret, secret_binding(org_id, user_id, "swift")))});
}

std::string insert_user(Tx& tx, const Config& cfg, const NewUser& u) {
    if (!tx.query(kEmailTaken, {u.email}).empty()) throw conflict("Email already in use", "email");
    Result r = tx.query(kInsertUser, {u.org_id, u.email, u.name, u.role, hash_password(u.password),
                                      u.enabled ? "true" : "false"});
    std::string id = r.str(0, "id");
    write_storage_credentials(tx, cfg, u.org_id, id);
    return id;
}

}  // namespace cabinet
