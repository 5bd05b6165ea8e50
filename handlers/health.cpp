// handlers/health: the admin port's /ready and /metrics (DESIGN §7), behind
// nginx's admin listener (nginx/admin.conf.in), never on the API port.
//
// Settings (CABINET_CONFIG or the environment), besides the usual:
// CABINET_FCGI_SOCKET_DIR (the handlers' sockets <dir>/<name>.sock),
// CABINET_HANDLERS (the API handlers to probe, space-separated; default the
// seven), CABINET_METRICS_FILE. Neither answer uses the request's pooled
// connection: /ready opens its own, with a deadline.
#include "ctx.hpp"
#include "fcgi_client.hpp"
#include "log.hpp"
#include "metrics.hpp"
#include "serve.hpp"

#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <libpq-fe.h>
#include <poll.h>

using namespace cabinet;

namespace {

Response ready(Ctx& c);
Response metrics_text(Ctx& c);

const Service kService = {"health",
                          {
                              {"GET", "/ready", ready, Access::Public, nullptr},
                              {"GET", "/metrics", metrics_text, Access::Public, nullptr},
                          }};

using Clock = std::chrono::steady_clock;
constexpr auto kCheckTimeout = std::chrono::milliseconds(1000);
constexpr const char* kDefaultHandlers = "auth groups users organizations permissions account activities";

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

// 200 {"status":"ok","checks":{"postgres":"ok","handlers":{"auth":"ok",…}}}
// when Postgres answers a query and every handler answers the FastCGI probe
// (lib/serve.cpp); else 503, the same shape, each failed check "down". The
// checks run at once with a 1 s deadline, so the answer comes within about a second.
Response ready(Ctx& c) {
    std::vector<std::string> handlers;
    std::istringstream names(setting("CABINET_HANDLERS", kDefaultHandlers));
    for (std::string n; names >> n;) handlers.push_back(n);
    const std::string socket_dir = setting("CABINET_FCGI_SOCKET_DIR");
    const auto deadline = Clock::now() + kCheckTimeout;
    bool pg_ok = false;
    std::vector<char> handler_ok(handlers.size(), 0);
    std::vector<std::thread> checks;
    if (!c.cfg.database_url.empty())
        checks.emplace_back([&] { pg_ok = postgres_answers(c.cfg.database_url, deadline); });
    for (size_t i = 0; i < handlers.size() && !socket_dir.empty(); ++i)
        checks.emplace_back([&, i] { handler_ok[i] = handler_answers(socket_dir + "/" + handlers[i] + ".sock", c.req.request_id); });
    for (auto& t : checks) t.join();

    bool all = pg_ok;
    JsonOut checks_json;
    checks_json.obj().kv("postgres", pg_ok ? "ok" : "down").key("handlers").obj();
    for (size_t i = 0; i < handlers.size(); ++i) {
        checks_json.kv(handlers[i], handler_ok[i] ? "ok" : "down");
        all = all && handler_ok[i];
    }
    checks_json.end().end();
    JsonOut body;
    body.obj().kv("status", all ? "ok" : "down").key("checks").raw(checks_json.take()).end();
    if (!all) log_event("warn", c.req.request_id, "not ready", checks_json.take());
    return json_response(all ? 200 : 503, body.take());
}

// 200 text/plain; version=0.0.4: lib/metrics.hpp's file, summed over every
// handler process of the node; 503 when there is none.
Response metrics_text(Ctx&) {
    std::string file = setting("CABINET_METRICS_FILE");
    if (file.empty()) throw unavailable("CABINET_METRICS_FILE is not set");
    std::string text;
    try {
        text = metrics::render(file);
    } catch (const std::exception& e) {
        throw unavailable(std::string("metrics: ") + e.what());
    }
    Response r = json_response(200, std::move(text));
    r.content_type = "text/plain; version=0.0.4";
    return r;
}

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
