#include "serve.hpp"

#include "cgi.hpp"
#include "config.hpp"
#include "dispatch.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "pool.hpp"
#include "quota_gate.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include <fcgiapp.h>
#include <unistd.h>

namespace cabinet {

namespace {

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

// /ready's probe (handlers/health.cpp), answered before any route or pooled
// connection: 200 when this process can serve, 503 when its configuration is
// broken. nginx passes no such path (locations.conf).
constexpr const char* kProbePath = "/_cabinet/ping";

Response probe_response(const Request& req, const std::string& problem) {
    if (problem.empty()) return json_response(200, R"({"status":"ok"})");
    return error_response(unavailable("configuration: " + problem), req);
}

// One responder thread: its own FastCGI request, a pooled database connection
// while it answers one. A connection nginx keeps open (fastcgi_keep_conn) stays
// with this thread until nginx closes it, so a process runs more threads than
// nginx keeps connections (README, process model).
void respond(const Service& svc, const Config& cfg, const std::string& problem, Pool* pool) {
    FCGX_Request fcgi;
    FCGX_InitRequest(&fcgi, 0, 0);
    while (!g_stop && FCGX_Accept_r(&fcgi) >= 0) {
        ++g_busy;
        const auto started = std::chrono::steady_clock::now();
        {
            Request req = read_request(
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
            if (req.path == kProbePath) {
                std::string out = serialize(probe_response(req, problem), req.request_id);
                FCGX_PutStr(out.data(), static_cast<int>(out.size()), fcgi.out);
            } else {
                Response r;
                {
                    std::optional<Pool::Lease> db;
                    if (pool) db.emplace(*pool);
                    r = dispatch(svc, req, db ? &**db : nullptr, cfg);
                }
                std::string out = serialize(r, req.request_id);
                FCGX_PutStr(out.data(), static_cast<int>(out.size()), fcgi.out);
                metrics::request(req.method, r.route ? r.route : "unmatched", r.status,
                                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            }
        }
        FCGX_Finish_r(&fcgi);
        --g_busy;
        if (g_stop && g_busy.load() == 0) _exit(0);  // draining, and this was the last request
    }
    if (g_busy.load() == 0) _exit(0);
}

// One request from the CGI environment and stdin, answered on stdout.
int serve_cgi(const Service& svc, const Config& cfg, bool have_db) {
    std::unique_ptr<Db> db = have_db ? std::make_unique<Db>(cfg.database_url, std::string("cabinet-") + svc.name) : nullptr;
    Request req = read_request([](const char* n) { return static_cast<const char*>(std::getenv(n)); },
                               [](char* buf, size_t n) { return std::fread(buf, 1, n, stdin); });
    std::string out = serialize(dispatch(svc, req, db.get(), cfg), req.request_id);
    std::fwrite(out.data(), 1, out.size(), stdout);
    return 0;
}

}  // namespace

int serve(const Service& svc, int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--routes") == 0) {
        print_routes(svc, std::cout);
        return 0;
    }
    std::signal(SIGPIPE, SIG_IGN);
    std::string problem;
    Config cfg = load_config(&problem);
    if (!problem.empty()) log_event("error", "", std::string(svc.name) + ": configuration", problem);
    if (FCGX_IsCGI()) return serve_cgi(svc, cfg, problem.empty());

    struct sigaction sa {};
    sa.sa_handler = on_term;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);

    if (FCGX_Init() != 0) return 1;
    try {  // this process counts into the node's metrics file
        metrics::open(setting("CABINET_METRICS_FILE"), svc.name);
    } catch (const std::exception& e) {
        log_event("error", "", std::string(svc.name) + ": metrics off", e.what());
    }
    std::unique_ptr<Pool> pool;
    if (problem.empty())
        pool = std::make_unique<Pool>(cfg.database_url, std::string("cabinet-") + svc.name,
                                      std::min(cfg.connections, cfg.threads));
    std::vector<std::thread> others;
    for (int i = 1; i < cfg.threads; ++i)
        others.emplace_back(respond, std::cref(svc), std::cref(cfg), std::cref(problem), pool.get());
    respond(svc, cfg, problem, pool.get());
    for (auto& t : others) t.join();
    return 0;
}

}  // namespace cabinet
