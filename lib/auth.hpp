// Authentication of a request: Bearer JWT or Basic API key (DESIGN §4).
#pragma once

#include "authz.hpp"
#include "config.hpp"
#include "db.hpp"
#include "jwt.hpp"

#include <optional>
#include <string>

namespace cabinet {

struct Request;

// Whether a principal this responder kept may be used (proven current by the
// operation's transaction), or must be read anew (the kept one was found stale).
enum class Freshness { Kept, Reload };

// The authenticated caller, and what the operation's transaction must prove
// for it (empty when it was read just now).
struct Identity {
    Principal principal;
    Proof proof;
};

// Answers 401 (with WWW-Authenticate) unless the Authorization header holds a
// valid token of an enabled user whose token version still matches, or the
// api_key:secret_key of an enabled user's key. Loads the caller's effective
// grants, or reuses kept ones (Freshness::Kept) with the proof they need.
Identity authenticate(const Request& req, Db& db, const Config& cfg, Freshness freshness = Freshness::Reload,
                      const Clock& now = system_clock_now);

// The statement that reads one user's principal (for explanations), and the
// principal it read (nullopt when the user does not exist).
Call principal_query(const std::string& user_id);
std::optional<Principal> principal_of(const Result& r);

// An api_key as cabinet spells them (letters, digits, '_'; 1..128): one key,
// one spelling, so a lookup, nginx's bucket and the quota see the same key.
bool is_api_key_spelling(std::string_view key);

// Keyed hash under which API key secrets are verified (constant-time).
std::string api_secret_hash(const Config& cfg, std::string_view secret);

}  // namespace cabinet
