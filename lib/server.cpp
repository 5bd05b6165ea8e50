#include "server.hpp"

#include "auth.hpp"
#include "crypto.hpp"
#include "log.hpp"
#include "metrics.hpp"  // metrics:

#include <algorithm>
#include <atomic>
#include <chrono>  // metrics:
#include <condition_variable>
#include <csignal>
#include <functional>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <fcgiapp.h>
#include <strings.h>
#include <unistd.h>

extern char** environ;

namespace cabinet {

namespace {

// metrics: the route template of the request this thread answers ("unmatched" until a route takes it).
thread_local const char* t_route = "unmatched";

std::atomic<int> g_busy{0};  // requests being answered by this process's threads
volatile sig_atomic_t g_stop = 0;
static_assert(std::atomic<int>::is_always_lock_free, "g_busy is touched by the signal handler");

// SIGTERM: an idle process exits at once; a busy one finishes its requests
// first (the last to finish exits).
void on_term(int) {
    if (g_busy.load() == 0) _exit(0);
    g_stop = 1;
    FCGX_ShutdownPending();
}

const char* reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 410: return "Gone";
        case 413: return "Payload Too Large";
        case 415: return "Unsupported Media Type";
        case 423: return "Locked";
        case 429: return "Too Many Requests";
        case 503: return "Service Unavailable";
        default: return "Internal Server Error";
    }
}

bool is_json_type(std::string_view ct) {
    while (!ct.empty() && ct.front() == ' ') ct.remove_prefix(1);
    size_t semi = ct.find(';');
    std::string_view base = ct.substr(0, semi);
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    return base.size() == 16 && strncasecmp(base.data(), "application/json", 16) == 0;
}

bool account_family(std::string_view path) { return path.substr(0, 11) == "/v2/account"; }

// Finds the route for the request; 404 for an unknown path, 405 with Allow for a known path.
const Route& find_route(const Service& svc, const Request& req, std::unordered_map<std::string, std::string>& params) {
    std::string allow;
    for (const auto& r : svc.routes) {
        if (!match_route(r.pattern, req.path, params)) continue;
        if (req.method == r.method || std::strcmp(r.method, "*") == 0) return r;
        if (allow.find(r.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + std::string(r.method);
    }
    if (allow.empty()) throw not_found();
    throw method_not_allowed(allow);
}

std::string serialize(const Response& r, const std::string& request_id) {
    std::string out = "Status: " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
    if (r.status != 204) out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n";
    out += "X-Request-Id: " + request_id + "\r\nCache-Control: no-store\r\n";
    for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
    out += "\r\n";
    if (r.status != 204) out += r.body;
    return out;
}


struct RawRequest {
    Request req;
    bool too_large = false;
    bool bad_length = false;
};

// Reads the CGI variables and at most CONTENT_LENGTH bytes of body, under the cap.
template <typename GetEnv, typename ReadBody>
RawRequest read_request(GetEnv env, ReadBody read) {
    RawRequest raw;
    Request& r = raw.req;
    auto get = [&](const char* n) { const char* v = env(n); return std::string(v ? v : ""); };
    r.method = get("REQUEST_METHOD");
    r.path = get("DOCUMENT_URI");
    if (r.path.empty()) {
        r.path = get("REQUEST_URI");
        r.path = r.path.substr(0, r.path.find('?'));
    }
    r.query_string = get("QUERY_STRING");
    r.content_type = get("CONTENT_TYPE");
    r.authorization = get("HTTP_AUTHORIZATION");
    r.remote_addr = get("REMOTE_ADDR");
    r.forwarded_for = get("HTTP_X_FORWARDED_FOR");
    r.request_id = get("REQUEST_ID");
    r.rate_refused = get("CABINET_RATE_REFUSED") == "1";
    if (r.request_id.empty() || r.request_id.size() > 64) r.request_id = hex(random_bytes(16));
    std::string cl = get("CONTENT_LENGTH");
    if (cl.empty()) return raw;
    if (cl.size() > 12 || cl.find_first_not_of("0123456789") != std::string::npos) {
        raw.bad_length = true;
        return raw;
    }
    long long n = std::stoll(cl);
    if (n > static_cast<long long>(kMaxBody)) {
        raw.too_large = true;
        return raw;
    }
    r.body.resize(static_cast<size_t>(n));
    size_t got = read(r.body.data(), static_cast<size_t>(n));
    r.body.resize(got);
    return raw;
}

// The minute/hour quotas of /api/* (DESIGN §4): charged once per request, to
// the credential once authenticated, else to the client address; every /api/*
// response carries the X-RateLimit-* headers of the tighter window.
class QuotaGate {
   public:
    QuotaGate(const Config& cfg, const Request& req)
        : cfg_(cfg), req_(req), applies_(cfg.rate_limits && !cfg.quota.file.empty() && req.path.rfind("/api/", 0) == 0) {}

    // Throws RATE_LIMITED when key has no request left; a request is charged
    // once, to the first key (charging again only repeats the verdict).
    void charge(const std::string& key) {
        if (!applies_) return;
        if (!verdict_.limit) {
            verdict_ = take_quota(cfg_.quota, key, system_clock_now());
            // metrics: a refusal names the hour when the hour is exhausted (lib/ratelimit.cpp).
            if (!verdict_.allowed)
                metrics::quota_rejected(verdict_.limit == cfg_.quota.per_hour && verdict_.limit != cfg_.quota.per_minute
                                            ? "hour" : "minute");
        }
        if (!verdict_.allowed) throw rate_limited(verdict_.retry_after);
    }
    void charge(const Principal& p) { charge(p.api_key.empty() ? "user:" + p.user_id : "key:" + p.api_key); }

    // Charges an unauthenticated request to its address, then adds the headers.
    void finish(Response& r, const std::function<Response(const Error&)>& render_error_response) {
        if (!applies_) return;
        try {
            charge("addr:" + req_.remote_addr);
        } catch (const Error& e) {
            r = render_error_response(e);
        }
        r.headers.emplace_back("X-RateLimit-Limit", std::to_string(verdict_.limit));
        r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(verdict_.remaining));
        r.headers.emplace_back("X-RateLimit-Reset", std::to_string(verdict_.reset));
    }

   private:
    const Config& cfg_;
    const Request& req_;
    bool applies_;
    QuotaVerdict verdict_;
};

// The quota key of a request nginx refused, without a database query: the
// user of a valid token, the key of a Basic credential, else the address.
std::string refused_quota_key(const Request& req, const Config& cfg) {
    std::string_view h = req.authorization;
    while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
    if (h.size() > 7 && strncasecmp(h.data(), "Bearer ", 7) == 0) {
        if (auto claims = verify_jwt(h.substr(7), cfg.jwt_secret)) return "user:" + claims->sub;
    } else if (h.size() > 6 && strncasecmp(h.data(), "Basic ", 6) == 0) {
        auto decoded = unbase64(h.substr(6));
        if (decoded && decoded->find(':') != std::string::npos) return "key:" + decoded->substr(0, decoded->find(':'));
    }
    return "addr:" + req.remote_addr;
}

// 429 with the quota headers, for a request nginx refused for its per-second rate.
Response rate_refused(const Request& req, const Config& cfg) {
    Response r{429, render_error(rate_limited(1), false), {{"Retry-After", "1"}}};
    if (cfg.rate_limits && !cfg.quota.file.empty()) {
        QuotaVerdict v = peek_quota(cfg.quota, refused_quota_key(req, cfg), system_clock_now());
        r.headers.emplace_back("X-RateLimit-Limit", std::to_string(v.limit));
        r.headers.emplace_back("X-RateLimit-Remaining", std::to_string(v.remaining));
        r.headers.emplace_back("X-RateLimit-Reset", std::to_string(v.reset));
    }
    return r;
}

Response render(const Error& e, const Request& req) {
    Response r{e.status, render_error(e, account_family(req.path)), e.headers};
    return r;
}

Response handle(const Service& svc, RawRequest& raw, Db* db, const Config& cfg, const std::string& config_problem) {
    Request& req = raw.req;
    try {
        if (raw.too_large) throw payload_too_large();
        if (raw.bad_length) throw Error(400, "INVALID_JSON", "Invalid Content-Length");
        if (!config_problem.empty() || !db) throw unavailable("configuration: " + config_problem);
        if (req.rate_refused) return rate_refused(req, cfg);
        return dispatch(svc, req, *db, cfg);
    } catch (const Error& e) {
        if (e.status >= 500) log_event("error", req.request_id, e.message, e.internal);
        return render(e, req);
    }
}

void write_all(FCGX_Stream* out, const std::string& s) { FCGX_PutStr(s.data(), static_cast<int>(s.size()), out); }

}  // namespace

namespace {

// One run of the operation. A principal the responder kept is proven current
// by the guard of the first round trip, or, when the operation answers without
// one, by a round trip of its own before the answer: either way no answer and
// no change rests on a principal that was not current (lib/auth.cpp).
Response once(const Route& route, Ctx& c, QuotaGate& gate, Proof proof) {
    c.db.drop_guard();
    try {
        if (route.access == Access::Authenticated) {
            c.who = authenticate(c.req, c.db, c.cfg, proof);
            gate.charge(*c.who);
        }
        if (route.body) {
            if (c.req.body.empty()) throw invalid_json("A JSON body is required");
            parse_json_object(c.req.body, c.body);
            check_fields(c.body, *route.body);
        }
        Response r = route.fn(c);
        c.db.settle_guard();
        return r;
    } catch (const Error&) {
        c.db.settle_guard();  // a stale principal's error gives way to a run with a fresh one
        throw;
    }
}

Response run(const Service& svc, Request& req, Db& db, const Config& cfg, QuotaGate& gate) {
    try {
        std::unordered_map<std::string, std::string> params;
        const Route& route = find_route(svc, req, params);
        t_route = route.pattern;  // metrics:
        // A public route without a body (the retired v1 API) answers before anything is checked.
        if (route.access == Access::Public && !route.body) {
            Ctx bare{req, db, cfg, std::move(params), rapidjson::Document(), std::nullopt};
            return route.fn(bare);
        }
        if (!req.body.empty() && !is_json_type(req.content_type)) throw unsupported_media_type();
        auto query = parse_query(req.query_string);
        if (!query) throw validation("Malformed query string", "query");
        req.query = std::move(*query);

        Ctx c{req, db, cfg, std::move(params), rapidjson::Document(), std::nullopt};
        // A retryable error (a serialization failure, a principal found stale)
        // runs the operation again, with the principal read anew.
        for (int attempt = 0;; ++attempt) {
            try {
                return once(route, c, gate, attempt == 0 ? Proof::FirstRoundTrip : Proof::Now);
            } catch (const Error& e) {
                if (!e.retryable || attempt == 2) throw;
            }
            metrics::authz_retry();  // metrics:
            c.who.reset();
            c.body = rapidjson::Document();
        }
    } catch (const Error& e) {
        if (e.status >= 500) log_event("error", req.request_id, e.message, e.internal);
        else if (!e.internal.empty()) log_event("info", req.request_id, e.message, e.internal);
        return render(e, req);
    } catch (const std::exception& e) {
        log_event("error", req.request_id, "unhandled exception", e.what());
        return render(internal(e.what()), req);
    }
}

}  // namespace

Response dispatch(const Service& svc, Request& req, Db& db, const Config& cfg) {
    QuotaGate gate(cfg, req);
    Response r = run(svc, req, db, cfg, gate);
    gate.finish(r, [&](const Error& e) { return render(e, req); });
    return r;
}

namespace {

// The Postgres connections of a process (each opened on first use), lent to
// one request at a time: however many threads hold FastCGI connections, at
// most this many requests are worked on at once. Writers commit faster that
// way (README, process model); the most recently returned connection is lent
// first, so the others stay idle.
class Pool {
   public:
    Pool(const std::string& conninfo, const std::string& application, int size) : size_(size) {
        for (int i = 0; i < size; ++i) free_.push_back(std::make_unique<Db>(conninfo, application));
        metrics::db_connections(0, size);  // metrics:
    }

    // A connection for the scope of one request.
    class Lease {
       public:
        explicit Lease(Pool& p) : pool_(p) {
            std::unique_lock<std::mutex> lock(pool_.mutex_);
            pool_.returned_.wait(lock, [&] { return !pool_.free_.empty(); });
            db_ = std::move(pool_.free_.back());
            pool_.free_.pop_back();
            pool_.gauge();  // metrics:
        }
        ~Lease() {
            {
                std::lock_guard<std::mutex> lock(pool_.mutex_);
                pool_.free_.push_back(std::move(db_));
                pool_.gauge();  // metrics:
            }
            pool_.returned_.notify_one();
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Db* get() const { return db_.get(); }

       private:
        Pool& pool_;
        std::unique_ptr<Db> db_;
    };

   private:
    // metrics: this process's busy and idle connections (called under mutex_).
    void gauge() const { metrics::db_connections(size_ - static_cast<int>(free_.size()), static_cast<int>(free_.size())); }

    std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<Db>> free_;
    int size_;  // metrics:
};

// One responder thread: its own FastCGI request, a pooled database connection
// while it answers one. A connection nginx keeps open (fastcgi_keep_conn) stays
// with this thread until nginx closes it, so a process runs more threads than
// nginx keeps connections (README, process model).
void respond(const Service& svc, const Config& cfg, const std::string& problem, Pool* pool) {
    FCGX_Request fcgi;
    FCGX_InitRequest(&fcgi, 0, 0);
    while (!g_stop && FCGX_Accept_r(&fcgi) >= 0) {
        ++g_busy;
        const auto started = std::chrono::steady_clock::now();  // metrics:
        t_route = "unmatched";                                   // metrics:
        {
            RawRequest raw = read_request(
                [&](const char* n) { return static_cast<const char*>(FCGX_GetParam(n, fcgi.envp)); },
                [&](char* buf, size_t n) {
                    size_t got = 0;
                    while (got < n) {
                        int k = FCGX_GetStr(buf + got, static_cast<int>(n - got), fcgi.in);
                        if (k <= 0) break;
                        got += static_cast<size_t>(k);
                    }
                    return got;
                });
            std::string out;
            int status = 200;  // metrics:
            // metrics: /ready's probe (handlers/health.cpp) is answered before any
            // route or pooled connection: 200 when this process can serve, 503 when
            // its configuration is broken. nginx passes no such path (locations.conf).
            const bool probe = raw.req.path == "/_cabinet/ping";
            if (probe) {
                out = serialize(problem.empty() ? json_response(200, R"({"status":"ok"})")
                                                : render(unavailable("configuration: " + problem), raw.req),
                                raw.req.request_id);
            } else {
                std::optional<Pool::Lease> db;
                if (pool) db.emplace(*pool);
                Response r = handle(svc, raw, db ? db->get() : nullptr, cfg, problem);
                status = r.status;  // metrics:
                out = serialize(r, raw.req.request_id);
            }
            write_all(fcgi.out, out);
            // metrics: the request is answered.
            if (!probe)
                metrics::request(raw.req.method, t_route, status,
                                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        }
        FCGX_Finish_r(&fcgi);
        --g_busy;
        if (g_stop && g_busy.load() == 0) _exit(0);  // draining, and this was the last request
    }
    if (g_busy.load() == 0) _exit(0);
}

}  // namespace

int serve(const Service& svc) {
    std::signal(SIGPIPE, SIG_IGN);
    std::string problem;
    Config cfg = load_config(&problem);
    if (!problem.empty()) log_event("error", "", std::string(svc.name) + ": configuration", problem);

    if (FCGX_IsCGI()) {
        std::unique_ptr<Db> db = problem.empty() ? std::make_unique<Db>(cfg.database_url, std::string("cabinet-") + svc.name) : nullptr;
        RawRequest raw = read_request([](const char* n) { return static_cast<const char*>(std::getenv(n)); },
                                      [](char* buf, size_t n) { return std::fread(buf, 1, n, stdin); });
        Response r = handle(svc, raw, db.get(), cfg, problem);
        std::string out = serialize(r, raw.req.request_id);
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    }

    struct sigaction sa {};
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);

    if (FCGX_Init() != 0) return 1;
    // metrics: this process starts counting into the node's metrics file.
    try {
        metrics::open(setting("CABINET_METRICS_FILE"), svc.name);
    } catch (const std::exception& e) {
        log_event("error", "", std::string(svc.name) + ": metrics off", e.what());
    }
    std::unique_ptr<Pool> pool;
    if (problem.empty()) pool = std::make_unique<Pool>(cfg.database_url, std::string("cabinet-") + svc.name,
                                      std::min(cfg.connections, cfg.threads));
    std::vector<std::thread> others;
    for (int i = 1; i < cfg.threads; ++i)
        others.emplace_back(respond, std::cref(svc), std::cref(cfg), std::cref(problem), pool.get());
    respond(svc, cfg, problem, pool.get());
    for (auto& t : others) t.join();
    return 0;
}

}  // namespace cabinet
