// cabinet-admin: operator commands against the same database as the handlers.
//   create-org --name N --admin-email E --admin-password P
//     prints {"organizationId":"…","userId":"…"}; exit 1 with the error envelope on stderr.
//   rotate-master-key --new-key-file F
//     re-encrypts every API key secret and S3/Swift secret from the current
//     master key (CABINET_MASTER_KEY) to the one in F (64 hex characters) and
//     recomputes the API secret hashes, in one transaction; prints
//     {"apiKeys":N,"storageCredentials":M}. Stop the handlers first, install F
//     as the master key after, then start them again; the master key's
//     fingerprint (sql/031) is replaced in the same transaction.
//   check-keys
//     compares the master key and the JWT key with the fingerprints the
//     database recorded (sql/031), recording those not yet recorded; prints
//     {"master":S,"jwt":S}, S one of "matches", "recorded", "differs"; exit 0
//     (scripts/lib/keys.sh turns "differs" into a message naming the file).
// Settings come from CABINET_CONFIG or the environment, exactly as the
// handlers read them (lib/config.cpp); every command but check-keys refuses
// to run (exit 1) with a key whose fingerprint differs from the recorded one.
#include "audit.hpp"
#include "auth.hpp"
#include "config.hpp"
#include "crypto.hpp"
#include "directory.hpp"
#include "error.hpp"
#include "json.hpp"
#include "keycheck.hpp"
#include "validate.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

using namespace cabinet;

namespace {

const Stmt kInsertOrg = {"admin_insert_org", "INSERT INTO organizations (name) VALUES ($1) RETURNING id"};

const Stmt kLockSecrets = {"admin_lock_secrets", "LOCK TABLE api_keys, storage_credentials IN EXCLUSIVE MODE"};
const Stmt kApiSecrets = {"admin_api_secrets",
                          "SELECT id, user_id, organization_id, secret_enc FROM api_keys ORDER BY id"};
const Stmt kResealApiSecret = {"admin_reseal_api_secret",
                               "UPDATE api_keys SET secret_enc = $2::bytea, secret_hash = $3::bytea WHERE id = $1"};
const Stmt kStorageSecrets = {"admin_storage_secrets",
                              "SELECT user_id, organization_id, s3_secret_enc, swift_secret_enc "
                              "FROM storage_credentials ORDER BY user_id"};
const Stmt kResealStorage = {"admin_reseal_storage",
                             "UPDATE storage_credentials SET s3_secret_enc = $2::bytea, swift_secret_enc = $3::bytea "
                             "WHERE user_id = $1"};

std::map<std::string, std::string> flags(int argc, char** argv) {
    std::map<std::string, std::string> out;
    for (int i = 2; i < argc; ++i) {
        std::string k = argv[i];
        if (k.rfind("--", 0) != 0 || i + 1 >= argc) throw validation("Unexpected argument", k);
        out[k.substr(2)] = argv[++i];
    }
    return out;
}

std::string required(const std::map<std::string, std::string>& f, const char* name) {
    auto it = f.find(name);
    if (it == f.end() || it->second.empty()) throw validation("Option is required", std::string("--") + name);
    return it->second;
}

int create_org(const std::map<std::string, std::string>& f, Db& db, const Config& cfg) {
    // The API's own validators (lib/validate.hpp): an organization's name as PUT /api/organizations takes it.
    std::string name = valid::name(required(f, "name"), "--name", 200);
    std::string email = valid::email(required(f, "admin-email"), "--admin-email");
    std::string password = required(f, "admin-password");
    valid::password(password, email, "--admin-password");
    Tx tx(db, TxMode::ReadWrite);
    std::string org = tx.query(kInsertOrg, {name}).str(0, "id");
    NewUser u{org, email, "Administrator", "admin", password, true};
    std::string user = insert_user(tx, cfg, u);
    record_activity(tx, Actor{org, "system", "", "cabinet-admin", ""}, "user.create");
    tx.commit();
    JsonOut j;
    j.obj().kv("organizationId", org).kv("userId", user).end();
    std::printf("%s\n", j.take().c_str());
    return 0;
}

// The 32-byte key in a file of 64 hex characters (surrounding blanks allowed).
std::string read_key_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw validation("Cannot read the file", "--new-key-file", path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    size_t b = text.find_first_not_of(" \t\r\n"), e = text.find_last_not_of(" \t\r\n");
    auto key = b == std::string::npos ? std::nullopt : unhex(text.substr(b, e - b + 1));
    if (!key || key->size() != 32) throw validation("Must hold 64 hex characters", "--new-key-file", path);
    return *key;
}

// Opens a secret sealed under the old key and seals it under the new one; 500 (nothing committed) if it does not open.
std::string reseal(const Config& from, const Config& to, const std::string& sealed, const std::string& binding,
                   std::string* plain_out = nullptr) {
    auto plain = open_sealed(from.master_key, sealed, binding);
    if (!plain) throw internal("cannot decrypt " + binding + " with the current master key");
    if (plain_out) *plain_out = *plain;
    return bytea_param(seal(to.master_key, *plain, binding));
}

int rotate_master_key(const std::map<std::string, std::string>& f, Db& db, const Config& cfg) {
    Config next = cfg;
    next.master_key = read_key_file(required(f, "new-key-file"));
    if (next.master_key == cfg.master_key) throw validation("The new key equals the current one", "--new-key-file");
    Tx tx(db, TxMode::ReadWrite);
    tx.command(kLockSecrets);
    Result keys = tx.query(kApiSecrets);
    for (int i = 0; i < keys.rows(); ++i) {
        std::string plain;
        std::string binding = secret_binding(keys.str(i, "organization_id"), keys.str(i, "user_id"), "api");
        std::string sealed = reseal(cfg, next, keys.bytes(i, "secret_enc"), binding, &plain);
        tx.command(kResealApiSecret, {keys.str(i, "id"), sealed, bytea_param(api_secret_hash(next, plain))});
    }
    Result st = tx.query(kStorageSecrets);
    for (int i = 0; i < st.rows(); ++i) {
        std::string org = st.str(i, "organization_id"), user = st.str(i, "user_id");
        tx.command(kResealStorage,
                   {user, reseal(cfg, next, st.bytes(i, "s3_secret_enc"), secret_binding(org, user, "s3")),
                    reseal(cfg, next, st.bytes(i, "swift_secret_enc"), secret_binding(org, user, "swift"))});
    }
    record_key(tx, "master", next.master_key);
    tx.commit();
    JsonOut j;
    j.obj().kv("apiKeys", static_cast<int64_t>(keys.rows())).kv("storageCredentials", static_cast<int64_t>(st.rows()));
    j.end();
    std::printf("%s\n", j.take().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const char* usage =
            "Usage: cabinet-admin create-org --name N --admin-email E --admin-password P | "
            "cabinet-admin rotate-master-key --new-key-file F | cabinet-admin check-keys";
        std::string command = argc < 2 ? "" : argv[1];
        if (command != "create-org" && command != "rotate-master-key" && command != "check-keys")
            throw validation(usage, "command");
        auto f = flags(argc, argv);
        std::string problem;
        Config cfg = load_config(&problem);
        if (!problem.empty()) throw unavailable(problem);
        Db db(cfg.database_url);
        if (command == "check-keys") {
            auto states = check_keys(db, cfg);
            JsonOut j;
            j.obj().kv("master", states["master"]).kv("jwt", states["jwt"]).end();
            std::printf("%s\n", j.take().c_str());
            return 0;
        }
        require_recorded_keys(db, cfg);
        if (command == "rotate-master-key") return rotate_master_key(f, db, cfg);
        return create_org(f, db, cfg);
    } catch (const Error& e) {
        std::cerr << render_error(e, false) << "\n";
        if (!e.internal.empty()) std::cerr << "reason: " << e.internal << "\n";
        return 1;
    }
}
