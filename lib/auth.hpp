// Authentication of a request: Bearer JWT or Basic API key (DESIGN §4).
#pragma once

#include "authz.hpp"
#include "config.hpp"
#include "db.hpp"
#include "jwt.hpp"

#include <optional>
#include <string>
#include <unordered_map>

namespace cabinet {

struct Request;

// A handler's first read, sent in the same round trip as the caller's
// identity when the token names the organization (Bearer only).
struct Prefetch {
    const Stmt* stmt = nullptr;  // nullptr = nothing to prefetch
    Params params;
};
using PrefetchFn = Prefetch (*)(const std::unordered_map<std::string, std::string>& path, const Claims& claims);

// Answers 401 (with WWW-Authenticate) unless the Authorization header holds a
// valid token of an enabled user whose token version still matches, or the
// api_key:secret_key of an enabled user's key. Loads the caller's effective
// grants in the same round trip.
// With prefetch, its result lands in *prefetched once the caller is known
// to belong to the token's organization.
Principal authenticate(const Request& req, Db& db, const Config& cfg, const Clock& now = system_clock_now,
                       PrefetchFn prefetch = nullptr, const std::unordered_map<std::string, std::string>* path = nullptr,
                       std::optional<Result>* prefetched = nullptr);

// The grants of one user of the organization (for explanations); nullopt if absent.
std::optional<Principal> load_principal(Db& db, const std::string& user_id);

// Keyed hash under which API key secrets are verified (constant-time).
std::string api_secret_hash(const Config& cfg, std::string_view secret);

}  // namespace cabinet
