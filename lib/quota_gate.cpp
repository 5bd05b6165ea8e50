#include "quota_gate.hpp"

#include "auth.hpp"
#include "crypto.hpp"
#include "jwt.hpp"
#include "metrics.hpp"

#include <strings.h>

namespace cabinet {

namespace {

void add_quota_headers(Response& r, const QuotaVerdict& v) {
    r.headers.emplace_back("X-RateLimit-Limit", std::to_string(v.limit));
    r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(v.remaining));
    r.headers.emplace_back("X-RateLimit-Reset", std::to_string(v.reset));
}

// The quota key of a request nginx refused, without a database query: the
// user of a valid token, the key of a Basic credential, else the address.
std::string refused_quota_key(const Request& req, const Config& cfg) {
    std::string_view h = req.authorization;
    while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
    if (h.size() > 7 && strncasecmp(h.data(), "Bearer ", 7) == 0) {
        if (auto claims = verify_jwt(h.substr(7), cfg.jwt_secret)) return "user:" + claims->sub;
    } else if (h.size() > 6 && strncasecmp(h.data(), "Basic ", 6) == 0) {
        auto decoded = unbase64(h.substr(6));
        std::string key = decoded ? decoded->substr(0, decoded->find(':')) : "";
        if (decoded && decoded->find(':') != std::string::npos && is_api_key_spelling(key)) return "key:" + key;
    }
    return "addr:" + req.remote_addr;
}

}  // namespace

QuotaGate::QuotaGate(const Config& cfg, const Request& req)
    : cfg_(cfg), req_(req), applies_(cfg.rate_limits && !cfg.quota.file.empty() && req.path.rfind("/api/", 0) == 0) {}

void QuotaGate::charge(const std::string& key) {
    if (!applies_) return;
    if (!verdict_.limit) {
        verdict_ = take_quota(cfg_.quota, key, system_clock_now());
        // A refusal names the hour when the hour is the window exhausted (lib/ratelimit.cpp).
        if (!verdict_.allowed)
            metrics::quota_rejected(verdict_.limit == cfg_.quota.per_hour && verdict_.limit != cfg_.quota.per_minute
                                        ? "hour"
                                        : "minute");
    }
    if (!verdict_.allowed) throw rate_limited(verdict_.retry_after);
}

void QuotaGate::charge(const Principal& p) { charge(p.api_key.empty() ? "user:" + p.user_id : "key:" + p.api_key); }

void QuotaGate::finish(Response& r) {
    if (!applies_) return;
    try {
        charge("addr:" + req_.remote_addr);
    } catch (const Error& e) {
        Response refused = error_response(e, req_);
        refused.route = r.route;
        refused.actor = std::move(r.actor);
        r = std::move(refused);
    }
    add_quota_headers(r, verdict_);
}

Response rate_refused(const Request& req, const Config& cfg) {
    Response r = error_response(rate_limited(1), req);
    if (cfg.rate_limits && !cfg.quota.file.empty())
        add_quota_headers(r, peek_quota(cfg.quota, refused_quota_key(req, cfg), system_clock_now()));
    return r;
}

Response error_response(const Error& e, const Request& req) {
    bool account_family = req.path.rfind("/v2/account", 0) == 0;
    return Response{e.status, render_error(e, account_family), e.headers, nullptr, {}};
}

}  // namespace cabinet
