#include "keycheck.hpp"

#include "crypto.hpp"
#include "error.hpp"

#include <cstdlib>

namespace cabinet {

namespace {

const Stmt kFingerprints = {"keycheck_fingerprints",
                            "SELECT name, encode(fingerprint, 'hex') AS fingerprint FROM key_fingerprints"};
const Stmt kRecordFingerprint = {"keycheck_record",
                                 "INSERT INTO key_fingerprints (name, fingerprint) VALUES ($1, decode($2, 'hex')) "
                                 "ON CONFLICT (name) DO NOTHING"};
const Stmt kReplaceFingerprint = {"keycheck_replace",
                                  "INSERT INTO key_fingerprints (name, fingerprint) VALUES ($1, decode($2, 'hex')) "
                                  "ON CONFLICT (name) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, recorded_at = now()"};

}  // namespace

std::string key_fingerprint(const std::string& key) { return hex(hmac_sha256(key, "cabinet key check")); }

std::map<std::string, std::string> check_keys(Db& db, const Config& cfg) {
    const std::map<std::string, std::string> mine = {{"master", key_fingerprint(cfg.master_key)},
                                                     {"jwt", key_fingerprint(cfg.jwt_secret)}};
    std::map<std::string, std::string> out;
    Tx tx(db, TxMode::ReadWrite);
    Result r = tx.query(kFingerprints);
    for (int i = 0; i < r.rows(); ++i) {
        auto it = mine.find(r.str(i, "name"));
        if (it != mine.end()) out[it->first] = equal_ct(r.str(i, "fingerprint"), it->second) ? "matches" : "differs";
    }
    for (const auto& [name, fingerprint] : mine) {
        if (out.count(name)) continue;
        tx.command(kRecordFingerprint, {name, fingerprint});
        out[name] = "recorded";
    }
    tx.commit();
    return out;
}

void require_recorded_keys(Db& db, const Config& cfg) {
    for (const auto& [name, state] : check_keys(db, cfg)) {
        if (state != "differs") continue;
        const char* setting = name == "master" ? "CABINET_MASTER_KEY" : "CABINET_JWT_SECRET";
        const char* file = std::getenv("CABINET_CONFIG");
        const char* env = std::getenv(setting);  // the environment wins over the file (lib/config.cpp)
        std::string where = env && *env ? " of the environment" : file && *file ? std::string(" of ") + file : "";
        throw Error(409, "CONFLICT",
                    setting + where + " is not the key this database's secrets belong to: restore the right key");
    }
}

void record_key(Tx& tx, const std::string& name, const std::string& key) {
    tx.command(kReplaceFingerprint, {name, key_fingerprint(key)});
}

}  // namespace cabinet
