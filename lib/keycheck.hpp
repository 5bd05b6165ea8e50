// The master key and the JWT key against the fingerprints the database
// recorded (sql/031_key_fingerprints.sql, DESIGN §7 "Secrets"): a key is
// named by HMAC-SHA256(key, "cabinet key check"), which reveals nothing of it.
#pragma once

#include "config.hpp"
#include "db.hpp"

#include <map>
#include <string>

namespace cabinet {

// The fingerprint of a raw key, in hex.
std::string key_fingerprint(const std::string& key);

// Per key ("master", "jwt"): "matches" the recorded fingerprint, "differs"
// from it, or "recorded" now (none was; this call recorded it).
std::map<std::string, std::string> check_keys(Db& db, const Config& cfg);

// Throws a 409 CONFLICT naming the setting (CABINET_MASTER_KEY or
// CABINET_JWT_SECRET) and where it came from (CABINET_CONFIG's file or the
// environment) when a key differs from the recorded one; records missing ones.
// XXX: the handlers could call this once at start (lib/serve.cpp serve()) and
// answer 503 with the reason logged; today dev-up and cabinet-admin call it.
void require_recorded_keys(Db& db, const Config& cfg);

// Replaces the recorded fingerprint of key NAME (rotate-master-key, inside its transaction).
void record_key(Tx& tx, const std::string& name, const std::string& key);

}  // namespace cabinet
