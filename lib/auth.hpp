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

// How a principal this responder kept is shown to be current: by a query
// now, or by the guard of the request's first round trip (Db::guard_next),
// whose failure throws a retryable error before anything sent with it ran.
enum class Proof { Now, FirstRoundTrip };

// Answers 401 (with WWW-Authenticate) unless the Authorization header holds a
// valid token of an enabled user whose token version still matches, or the
// api_key:secret_key of an enabled user's key. Loads the caller's effective
// grants, or reuses them when they are proven current (proof).
Principal authenticate(const Request& req, Db& db, const Config& cfg, Proof proof = Proof::Now,
                       const Clock& now = system_clock_now);

// The grants of one user of the organization (for explanations); nullopt if absent.
std::optional<Principal> load_principal(Db& db, const std::string& user_id);

// Keyed hash under which API key secrets are verified (constant-time).
std::string api_secret_hash(const Config& cfg, std::string_view secret);

}  // namespace cabinet
