#include "dispatch.hpp"

#include "auth.hpp"
#include "ctx.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "quota_gate.hpp"
#include "text.hpp"

namespace cabinet {

namespace {

constexpr int kAttempts = 3;

void log_error(const Request& req, const Error& e) {
    if (e.status >= 500) log_event("error", req.request_id, e.message, e.internal);
    else if (!e.internal.empty()) log_event("info", req.request_id, e.message, e.internal);
}

// The checks that need neither caller nor database, in the order a client
// meets them after the route: media type, query string.
void check_request(Request& req) {
    if (!req.body.empty() && !is_json_media_type(req.content_type)) throw unsupported_media_type();
    auto query = parse_query(req.query_string);
    if (!query) throw validation("Malformed query string", "query");
    for (const auto& [k, v] : *query)  // nothing is ever looked up truncated at the libpq boundary
        if (k.find('\0') != std::string::npos || v.find('\0') != std::string::npos)
            throw validation("Must not contain U+0000", k.find('\0') == std::string::npos ? k : "query");
    req.query = std::move(*query);
}

void validate_body(const Route& route, Ctx& c) {
    if (!route.body) return;
    if (c.req.body.empty()) throw invalid_json("A JSON body is required");
    parse_json_object(c.req.body, c.body);
    check_fields(c.body, *route.body);
}

// When the operation answered without a transaction (a 403 from the scopes,
// a 400 for the body) the kept caller's proof is sent alone, so no answer
// rests on a principal that was not current.
void settle_proof(Ctx& c) {
    if (c.proof) Tx(c.db(), TxMode::ReadOnly, &c.proof).commit();
}

// One attempt: authenticate, validate, run the operation, settle the proof.
// A stale kept principal (CB001) or a serialization failure throws a
// retryable error before anything was written.
Response attempt(const Route& route, Ctx& c, QuotaGate& gate, Freshness freshness, std::string& actor) {
    if (route.access == Access::Authenticated) {
        Identity id = authenticate(c.req, c.db(), c.cfg, freshness);
        c.who = std::move(id.principal);
        c.proof = std::move(id.proof);
        actor = c.who->user_id;
        gate.charge(*c.who);
    }
    try {
        validate_body(route, c);
        Response r = route.fn(c);
        settle_proof(c);
        return r;
    } catch (const Error& e) {
        if (e.retryable) throw;
        settle_proof(c);  // a stale principal's answer gives way to one with a fresh principal
        throw;
    }
}

// What the access log and the metrics learn of a request: the route template
// that took it and the caller, once authenticated.
struct Trace {
    const char* route = nullptr;
    std::string actor;
};

Response run(const Service& svc, Request& req, Db* db, const Config& cfg, QuotaGate& gate, Trace& trace) {
    if (req.too_large) throw payload_too_large();
    if (req.bad_length) throw Error(400, "INVALID_JSON", "Invalid Content-Length");
    PathParams params;
    const Route& route = find_route(svc, req.method, req.path, params);
    trace.route = route.pattern;
    Ctx c(req, db, cfg);
    c.path = std::move(params);
    // A public route without a body (the retired v1 API) answers before anything is checked.
    if (route.access == Access::Public && !route.body) return route.fn(c);
    check_request(req);
    for (int n = 1;; ++n) {
        try {
            return attempt(route, c, gate, n == 1 ? Freshness::Kept : Freshness::Reload, trace.actor);
        } catch (const Error& e) {
            if (!e.retryable || n == kAttempts) throw;
            log_event("info", req.request_id, "retrying the request", e.internal);
            metrics::authz_retry();
        }
        c.who.reset();
        c.proof = Proof{};
        c.body = rapidjson::Document();
    }
}

}  // namespace

Response dispatch(const Service& svc, Request& req, Db* db, const Config& cfg) {
    if (req.rate_refused) return rate_refused(req, cfg);
    QuotaGate gate(cfg, req);
    Trace trace;
    Response r;
    try {
        r = run(svc, req, db, cfg, gate, trace);
    } catch (const Error& e) {
        log_error(req, e);
        r = error_response(e, req);
    } catch (const std::exception& e) {
        log_event("error", req.request_id, "unhandled exception", e.what());
        r = error_response(internal(e.what()), req);
    }
    r.route = trace.route;
    r.actor = std::move(trace.actor);
    gate.finish(r);
    return r;
}

}  // namespace cabinet
