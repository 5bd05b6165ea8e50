// handlers/health: the admin port's /ready and /metrics (DESIGN §7), behind
// nginx's admin listener (nginx/admin.conf.in), never on the API port.
//
//   GET /ready    200 {"status":"ok","checks":{"postgres":"ok","handlers":{"auth":"ok",…}}}
//                 when Postgres answers a query and every handler answers the
//                 FastCGI probe /_cabinet/ping; else 503, the same shape, each
//                 failed check "down". Every check runs at once with a 1 s
//                 deadline, so the answer comes within about a second.
//   GET /metrics  200 text/plain; version=0.0.4: lib/metrics.hpp's file,
//                 summed over every handler process of the node.
// Other methods answer 405 with Allow: GET, other paths 404 (the JSON envelope).
//
// Settings (CABINET_CONFIG or the environment): CABINET_DATABASE_URL,
// CABINET_FCGI_SOCKET_DIR (the handlers' sockets <dir>/<name>.sock),
// CABINET_HANDLERS (the API handlers to probe, space-separated; default the
// seven), CABINET_METRICS_FILE, CABINET_THREADS.
//
// It has no route table of its own (no API routes) and stays out of the
// request pipeline of lib/server.cpp: neither answer touches a pooled
// connection, and /metrics is not JSON.
#include "config.hpp"
#include "error.hpp"
#include "fcgi_client.hpp"
#include "json.hpp"
#include "log.hpp"
#include "metrics.hpp"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fcgiapp.h>
#include <libpq-fe.h>
#include <poll.h>

using namespace cabinet;

namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kCheckTimeout = std::chrono::milliseconds(1000);
constexpr const char* kDefaultHandlers = "auth groups users organizations permissions account activities";

struct Settings {
    Config cfg;
    std::string problem;  // a configuration problem: Postgres counts as down
    std::string socket_dir;
    std::vector<std::string> handlers;
    std::string metrics_file;
};

struct Answer {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
};

Settings load_settings() {
    Settings s;
    s.cfg = load_config(&s.problem);
    s.socket_dir = setting("CABINET_FCGI_SOCKET_DIR");
    s.metrics_file = setting("CABINET_METRICS_FILE");
    std::istringstream names(setting("CABINET_HANDLERS", kDefaultHandlers));
    for (std::string n; names >> n;) s.handlers.push_back(n);
    return s;
}

// Waits for the libpq socket to be ready for EVENTS; false at the deadline.
bool wait_socket(PGconn* conn, short events, Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || PQsocket(conn) < 0) return false;
    pollfd p{PQsocket(conn), events, 0};
    return poll(&p, 1, static_cast<int>(left)) > 0;
}

// True when Postgres accepts a connection and answers SELECT 1 before the
// deadline (libpq's own connect_timeout cannot go under 2 s: polled here).
bool postgres_answers(const std::string& conninfo, Clock::time_point deadline) {
    const char* keys[] = {"dbname", "application_name", nullptr};
    const char* values[] = {conninfo.c_str(), "cabinet-health", nullptr};
    std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectStartParams(keys, values, 1), &PQfinish);
    if (!conn || PQstatus(conn.get()) == CONNECTION_BAD) return false;
    for (PostgresPollingStatusType st = PGRES_POLLING_WRITING; st != PGRES_POLLING_OK;) {
        if (st == PGRES_POLLING_FAILED) return false;
        if (!wait_socket(conn.get(), st == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline)) return false;
        st = PQconnectPoll(conn.get());
    }
    if (!PQsendQuery(conn.get(), "SELECT 1")) return false;
    bool ok = false;
    for (;;) {
        while (PQisBusy(conn.get())) {
            if (!wait_socket(conn.get(), POLLIN, deadline) || !PQconsumeInput(conn.get())) return false;
        }
        PGresult* r = PQgetResult(conn.get());
        if (!r) return ok;
        ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
    }
}

// True when the handler's responder answers the probe 200 before the deadline.
bool handler_answers(const std::string& socket, const std::string& request_id) {
    auto a = fcgi_request(socket,
                          {{"REQUEST_METHOD", "GET"}, {"DOCUMENT_URI", "/_cabinet/ping"},
                           {"REQUEST_URI", "/_cabinet/ping"}, {"QUERY_STRING", ""}, {"REQUEST_ID", request_id},
                           {"REMOTE_ADDR", "127.0.0.1"}, {"GATEWAY_INTERFACE", "CGI/1.1"}},
                          static_cast<int>(kCheckTimeout.count()));
    return a && a->status == 200;
}

// 200 when every check passes, else 503; the checks run in parallel.
Answer ready(const Settings& s, const std::string& request_id) {
    const auto deadline = Clock::now() + kCheckTimeout;
    bool pg_ok = false;
    std::vector<char> handler_ok(s.handlers.size(), 0);
    std::vector<std::thread> checks;
    if (s.problem.empty())
        checks.emplace_back([&] { pg_ok = postgres_answers(s.cfg.database_url, deadline); });
    for (size_t i = 0; i < s.handlers.size(); ++i) {
        if (s.socket_dir.empty()) break;
        checks.emplace_back([&, i] {
            handler_ok[i] = handler_answers(s.socket_dir + "/" + s.handlers[i] + ".sock", request_id);
        });
    }
    for (auto& t : checks) t.join();

    bool all = pg_ok;
    JsonOut checks_json;
    checks_json.obj().kv("postgres", pg_ok ? "ok" : "down").key("handlers").obj();
    for (size_t i = 0; i < s.handlers.size(); ++i) {
        checks_json.kv(s.handlers[i], handler_ok[i] ? "ok" : "down");
        all = all && handler_ok[i];
    }
    checks_json.end().end();
    JsonOut body;
    body.obj().kv("status", all ? "ok" : "down").key("checks").raw(checks_json.take()).end();
    if (!all) log_event("warn", request_id, "not ready", checks_json.take());
    return Answer{all ? 200 : 503, "application/json", body.take(), {}};
}

Answer error_answer(const Error& e) {
    return Answer{e.status, "application/json", render_error(e, false), e.headers};
}

Answer answer(const Settings& s, const std::string& method, const std::string& path, const std::string& request_id) {
    if (path == "/_cabinet/ping") return Answer{200, "application/json", R"({"status":"ok"})", {}};
    if (path != "/ready" && path != "/metrics") return error_answer(not_found("Not found"));
    if (method != "GET") return error_answer(method_not_allowed("GET"));
    if (path == "/ready") return ready(s, request_id);
    try {
        if (s.metrics_file.empty()) throw std::runtime_error("CABINET_METRICS_FILE is not set");
        return Answer{200, "text/plain; version=0.0.4", metrics::render(s.metrics_file), {}};
    } catch (const std::exception& e) {
        log_event("error", request_id, "metrics unavailable", e.what());
        return error_answer(unavailable(e.what()));
    }
}

const char* reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        default: return "Service Unavailable";
    }
}

std::string serialize(const Answer& a, const std::string& request_id) {
    std::string out = "Status: " + std::to_string(a.status) + " " + reason_phrase(a.status) + "\r\nContent-Type: " + a.content_type +
                      "\r\nContent-Length: " + std::to_string(a.body.size()) + "\r\nX-Request-Id: " + request_id +
                      "\r\nCache-Control: no-store\r\n";
    for (const auto& [k, v] : a.headers) out += k + ": " + v + "\r\n";
    return out + "\r\n" + a.body;
}

std::string param(const char* value) { return value ? value : ""; }

// One responder thread: accepts, answers, repeats.
void respond(const Settings& s) {
    FCGX_Request req;
    FCGX_InitRequest(&req, 0, 0);
    while (FCGX_Accept_r(&req) >= 0) {
        std::string id = param(FCGX_GetParam("REQUEST_ID", req.envp));
        if (id.empty() || id.size() > 64) id = "health";
        std::string out = serialize(answer(s, param(FCGX_GetParam("REQUEST_METHOD", req.envp)),
                                           param(FCGX_GetParam("DOCUMENT_URI", req.envp)), id),
                                    id);
        FCGX_PutStr(out.data(), static_cast<int>(out.size()), req.out);
        FCGX_Finish_r(&req);
    }
}

}  // namespace

int main() {
    std::signal(SIGPIPE, SIG_IGN);
    const Settings s = load_settings();
    if (!s.problem.empty()) log_event("error", "", "health: configuration", s.problem);
    if (FCGX_IsCGI()) {
        std::string out = serialize(answer(s, param(std::getenv("REQUEST_METHOD")), param(std::getenv("DOCUMENT_URI")),
                                           "health"),
                                    "health");
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 0;
    }
    if (FCGX_Init() != 0) return 1;
    std::vector<std::thread> others;
    for (int i = 1; i < s.cfg.threads; ++i) others.emplace_back(respond, std::cref(s));
    respond(s);
    for (auto& t : others) t.join();
    return 0;
}
