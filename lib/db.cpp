#include "db.hpp"

#include "crypto.hpp"
#include "error.hpp"

#include <cstring>

namespace cabinet {

namespace {

bool connection_lost(PGconn* c) { return !c || PQstatus(c) != CONNECTION_OK; }

}  // namespace

int Result::col(const char* name) const {
    int c = PQfnumber(r_.get(), name);
    if (c < 0) throw internal(std::string("result has no column ") + name);
    return c;
}

const char* Result::get(int row, const char* name) const {
    int c = col(name);
    return PQgetisnull(r_.get(), row, c) ? nullptr : PQgetvalue(r_.get(), row, c);
}

std::string Result::str(int row, const char* name) const {
    int c = col(name);
    return std::string(PQgetvalue(r_.get(), row, c), static_cast<size_t>(PQgetlength(r_.get(), row, c)));
}

bool Result::boolean(int row, const char* name) const { return std::strcmp(PQgetvalue(r_.get(), row, col(name)), "t") == 0; }

long long Result::integer(int row, const char* name) const { return std::stoll(PQgetvalue(r_.get(), row, col(name))); }

std::string Result::bytes(int row, const char* name) const {
    const char* v = get(row, name);
    if (!v) return {};
    std::string_view text(v);
    if (text.substr(0, 2) != "\\x") throw internal("bytea column not in hex format");
    auto out = unhex(text.substr(2));
    if (!out) throw internal("bytea column not in hex format");
    return *out;
}

std::string bytea_param(const std::string& bytes) { return "\\x" + hex(bytes); }

void Db::connect() {
    prepared_.clear();
    in_tx_ = false;
    const char* keys[] = {"dbname", "fallback_application_name", nullptr};
    const char* values[] = {conninfo_.c_str(), application_.c_str(), nullptr};
    conn_.reset(PQconnectdbParams(keys, values, 1));
    if (connection_lost(conn_.get())) {
        std::string why = conn_ ? PQerrorMessage(conn_.get()) : "out of memory";
        conn_.reset();
        throw unavailable("connect: " + why);
    }
    // Pinned session settings: a hostile search_path cannot shadow our tables.
    Result r(PQexec(conn_.get(),
                    "SET search_path = public, pg_catalog; SET timezone = 'UTC'; SET statement_timeout = '15s'"));
    if (PQresultStatus(r.raw()) != PGRES_COMMAND_OK) {
        std::string why = PQerrorMessage(conn_.get());
        conn_.reset();
        throw unavailable("session setup: " + why);
    }
}

void Db::ensure_connected() {
    if (connection_lost(conn_.get())) connect();
}

void Db::prepare(const Stmt& s) {
    if (prepared_.count(s.name)) return;
    Result r(PQprepare(conn_.get(), s.name, s.sql, 0, nullptr));
    if (PQresultStatus(r.raw()) != PGRES_COMMAND_OK)
        throw from_sqlstate(PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE),
                            std::string("prepare ") + s.name + ": " + PQerrorMessage(conn_.get()));
    prepared_.insert(s.name);
}

Result Db::run(const Stmt& s, const Params& params, ExecStatusType expected) {
    if (guard_) return std::move(pipeline({{&s, params}}, expected != PGRES_TUPLES_OK).back());
    // Outside a transaction a statement that found the connection dead runs
    // once more on a fresh one (the server restarted); inside, the transaction is lost.
    for (int attempt = 0;; ++attempt) {
        ensure_connected();
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
        try {
            if (!s.replan) prepare(s);
        } catch (const Error&) {
            if (!in_tx_ && attempt == 0 && connection_lost(conn_.get())) continue;
            throw;
        }
        int n = static_cast<int>(values.size());
        Result r(s.replan ? PQexecParams(conn_.get(), s.sql, n, nullptr, values.data(), nullptr, nullptr, 0)
                          : PQexecPrepared(conn_.get(), s.name, n, values.data(), nullptr, nullptr, 0));
        if (PQresultStatus(r.raw()) == expected) return r;
        if (connection_lost(conn_.get())) {
            if (!in_tx_ && attempt == 0) continue;
            in_tx_ = false;
            throw unavailable(std::string("connection lost in ") + s.name);
        }
        const char* state = PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE);
        throw from_sqlstate(state, std::string(s.name) + ": " + PQerrorMessage(conn_.get()),
                            PQresultErrorField(r.raw(), PG_DIAG_CONSTRAINT_NAME));
    }
}

Result Db::query(const Stmt& s, const Params& params) { return run(s, params, PGRES_TUPLES_OK); }

std::vector<Result> Db::pipeline(const std::vector<std::pair<const Stmt*, Params>>& batch, bool writes) {
    // Reads only: a connection found dead (the server restarted) is rebuilt and the batch sent once more.
    try {
        return pipeline_once(batch);
    } catch (const Error& e) {
        if (writes || in_tx_ || !connection_lost(conn_.get())) throw;
    }
    return pipeline_once(batch);
}

std::vector<Result> Db::pipeline_once(const std::vector<std::pair<const Stmt*, Params>>& given) {
    ensure_connected();
    // The guard leaves pending only if the connection is lost before it ran.
    std::optional<std::pair<const Stmt*, Params>> guard = std::move(guard_);
    guard_.reset();
    std::vector<std::pair<const Stmt*, Params>> with_guard;
    if (guard) {
        with_guard.reserve(given.size() + 1);
        with_guard.push_back(*guard);
        with_guard.insert(with_guard.end(), given.begin(), given.end());
    }
    const auto& batch = guard ? with_guard : given;
    PGconn* c = conn_.get();
    auto lost = [&](const std::string& why) {
        if (guard && connection_lost(c)) guard_ = std::move(guard);
        return unavailable(why);
    };
    for (const auto& item : batch)
        if (!item.first->replan) prepare(*item.first);
    std::vector<Result> out;
    if (PQenterPipelineMode(c) != 1) throw internal("pipeline mode unavailable");
    // Leaves pipeline mode on every path; a dead connection is rebuilt by the next statement.
    struct Leave {
        PGconn* c;
        ~Leave() {
            if (PQstatus(c) == CONNECTION_OK) PQexitPipelineMode(c);
        }
    } leave{c};
    for (const auto& [stmt, params] : batch) {
        std::vector<const char*> values;
        for (const auto& v : params) values.push_back(v ? v->c_str() : nullptr);
        int n = static_cast<int>(values.size());
        int sent = stmt->replan ? PQsendQueryParams(c, stmt->sql, n, nullptr, values.data(), nullptr, nullptr, 0)
                                : PQsendQueryPrepared(c, stmt->name, n, values.data(), nullptr, nullptr, 0);
        if (sent != 1) throw lost(std::string("pipeline send ") + stmt->name + ": " + PQerrorMessage(c));
    }
    if (PQpipelineSync(c) != 1) throw lost(std::string("pipeline sync: ") + PQerrorMessage(c));
    std::unique_ptr<Error> failure;
    for (const auto& [stmt, params] : batch) {
        Result r(PQgetResult(c));
        while (PGresult* extra = PQgetResult(c)) PQclear(extra);  // the NULL that ends each statement
        if (!r.raw() || connection_lost(c)) throw lost(std::string("connection lost in ") + stmt->name);
        ExecStatusType st = PQresultStatus(r.raw());
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && !failure)
            failure = std::make_unique<Error>(from_sqlstate(PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE),
                                                            std::string(stmt->name) + ": " + PQerrorMessage(c),
                                                            PQresultErrorField(r.raw(), PG_DIAG_CONSTRAINT_NAME)));
        out.push_back(std::move(r));
    }
    Result sync(PQgetResult(c));  // PGRES_PIPELINE_SYNC
    if (failure) throw *failure;
    if (guard) out.erase(out.begin());
    return out;
}

void Db::guard_next(const Stmt& check, Params params) { guard_.emplace(&check, std::move(params)); }

void Db::settle_guard() {
    if (guard_) pipeline({}, false);
}

void Db::command(const Stmt& s, const Params& params) { run(s, params, PGRES_COMMAND_OK); }

void Db::simple(const char* sql) {
    if (guard_) {
        // After the guard in its implicit transaction; a BEGIN makes that transaction explicit.
        Stmt s{sql, sql, true};
        pipeline({{&s, {}}}, false);
        return;
    }
    for (int attempt = 0;; ++attempt) {
        ensure_connected();
        Result r(PQexec(conn_.get(), sql));
        if (PQresultStatus(r.raw()) == PGRES_COMMAND_OK) return;
        if (connection_lost(conn_.get())) {
            if (!in_tx_ && attempt == 0) continue;
            in_tx_ = false;
            throw unavailable(std::string("connection lost in ") + sql);
        }
        throw from_sqlstate(PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE),
                            std::string(sql) + ": " + PQerrorMessage(conn_.get()));
    }
}

Tx::Tx(Db& db) : db_(db) {
    db_.simple("BEGIN");
    db_.in_tx_ = true;
}

Tx::~Tx() {
    if (done_ || !db_.in_tx_) return;
    db_.in_tx_ = false;
    if (db_.conn_ && PQstatus(db_.conn_.get()) == CONNECTION_OK) PQclear(PQexec(db_.conn_.get(), "ROLLBACK"));
}

void Tx::commit() {
    db_.simple("COMMIT");
    db_.in_tx_ = false;
    done_ = true;
}

}  // namespace cabinet

