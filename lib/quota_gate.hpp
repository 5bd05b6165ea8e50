// The minute/hour quotas of /api/* (DESIGN §4) at the edge of the pipeline,
// and the 429 of a request nginx refused for its per-second rate.
#pragma once

#include "authz.hpp"
#include "config.hpp"
#include "http.hpp"
#include "ratelimit.hpp"

#include <string>

namespace cabinet {

// Charged once per request: to the credential once authenticated, else (in
// finish) to the client address. Every /api/* response carries the
// X-RateLimit-* headers of the tighter window.
class QuotaGate {
   public:
    QuotaGate(const Config& cfg, const Request& req);

    // Throws RATE_LIMITED when the caller has no request left; a request is
    // charged once, to the first key (charging again repeats the verdict).
    void charge(const Principal& p);

    // Charges a request that was never authenticated to its address (its
    // response becomes the 429 when over quota), then adds the headers.
    void finish(Response& r);

   private:
    void charge(const std::string& key);

    const Config& cfg_;
    const Request& req_;
    bool applies_;
    QuotaVerdict verdict_;
};

// 429 RATE_LIMITED with Retry-After and the caller's X-RateLimit-* headers,
// for a request nginx refused for its per-second rate: the quota is read,
// nothing is counted, Postgres is not asked.
Response rate_refused(const Request& req, const Config& cfg);

// The error envelope of e for req (with "success":false under /v2/account).
Response error_response(const Error& e, const Request& req);

}  // namespace cabinet
