#include "db.hpp"

#include "crypto.hpp"
#include "error.hpp"

#include <cstring>
#include <utility>

#include <poll.h>

namespace cabinet {

namespace {

bool connection_lost(PGconn* c) { return !c || PQstatus(c) != CONNECTION_OK; }

const Stmt kBegin = {"tx_begin", "BEGIN"};
const Stmt kBeginReadOnly = {"tx_begin_read_only", "BEGIN READ ONLY"};
const Stmt kCommit = {"tx_commit", "COMMIT"};

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
    const char* keys[] = {"dbname", "fallback_application_name", "connect_timeout", nullptr};
    const char* values[] = {conninfo_.c_str(), application_.c_str(), "2", nullptr};
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

bool Db::lost() const { return connection_lost(conn_.get()); }

void Db::refresh() {
    if (!lost()) {
        // An idle connection has nothing to read unless the server closed it
        // (or said why it is about to): then it is replaced before use.
        pollfd p{PQsocket(conn_.get()), POLLIN, 0};
        if (poll(&p, 1, 0) > 0 && (PQconsumeInput(conn_.get()) == 0 || lost())) conn_.reset();
    }
    if (lost()) connect();
}

void Db::prepare(const Stmt& s) {
    if (s.replan || prepared_.count(s.name)) return;
    Result r(PQprepare(conn_.get(), s.name, s.sql, 0, nullptr));
    if (PQresultStatus(r.raw()) != PGRES_COMMAND_OK) {
        if (lost()) throw unavailable(std::string("connection lost preparing ") + s.name);
        throw from_sqlstate(PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE),
                            std::string("prepare ") + s.name + ": " + PQerrorMessage(conn_.get()));
    }
    prepared_.insert(s.name);
}

Result Db::query(const Stmt& s, const Params& params) {
    refresh();
    try {
        return std::move(pipeline({{&s, params}}).front());
    } catch (const Error&) {
        if (!lost()) throw;
    }
    connect();  // a read: sent once more on a fresh connection
    return std::move(pipeline({{&s, params}}).front());
}

std::vector<Result> Db::pipeline(const Batch& batch) {
    if (lost()) connect();
    PGconn* c = conn_.get();
    for (const auto& item : batch) prepare(*item.first);
    if (PQenterPipelineMode(c) != 1) throw unavailable(std::string("pipeline mode: ") + PQerrorMessage(c));
    // Leaves pipeline mode on every path; a dead connection is rebuilt by the next transaction.
    struct Leave {
        PGconn* c;
        ~Leave() {
            if (PQstatus(c) == CONNECTION_OK) PQexitPipelineMode(c);
        }
    } leave{c};
    for (const auto& [stmt, params] : batch) {
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& v : params) values.push_back(v ? v->c_str() : nullptr);
        int n = static_cast<int>(values.size());
        int sent = stmt->replan ? PQsendQueryParams(c, stmt->sql, n, nullptr, values.data(), nullptr, nullptr, 0)
                                : PQsendQueryPrepared(c, stmt->name, n, values.data(), nullptr, nullptr, 0);
        if (sent != 1) throw unavailable(std::string("pipeline send ") + stmt->name + ": " + PQerrorMessage(c));
    }
    if (PQpipelineSync(c) != 1) throw unavailable(std::string("pipeline sync: ") + PQerrorMessage(c));
    std::vector<Result> out;
    out.reserve(batch.size());
    std::unique_ptr<Error> failure;
    for (const auto& [stmt, params] : batch) {
        Result r(PQgetResult(c));
        while (PGresult* extra = PQgetResult(c)) PQclear(extra);  // the NULL that ends each statement
        if (!r.raw() || connection_lost(c)) throw unavailable(std::string("connection lost in ") + stmt->name);
        ExecStatusType st = PQresultStatus(r.raw());
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK && !failure)
            failure = std::make_unique<Error>(from_sqlstate(PQresultErrorField(r.raw(), PG_DIAG_SQLSTATE),
                                                            std::string(stmt->name) + ": " + PQerrorMessage(c),
                                                            PQresultErrorField(r.raw(), PG_DIAG_CONSTRAINT_NAME)));
        out.push_back(std::move(r));
    }
    Result sync(PQgetResult(c));  // PGRES_PIPELINE_SYNC
    if (!sync.raw() || connection_lost(c)) throw unavailable("connection lost at pipeline sync");
    if (failure) throw *failure;
    return out;
}

std::vector<Result> Tx::send(const Batch& statements, bool last) {
    if (state_ == State::Done) throw internal("transaction already finished");
    if (state_ == State::Open) {
        Batch all = statements;
        if (last) all.push_back({&kCommit, {}});
        std::vector<Result> out = db_.pipeline(all);  // on failure it stays open, to be rolled back
        if (last) {
            out.pop_back();
            state_ = State::Done;
        }
        return out;
    }
    // The first round trip: [BEGIN,] the proof, the statements[, nothing more:
    // the pipeline's implicit transaction commits at its sync].
    Batch all;
    all.reserve(statements.size() + 2);
    if (!last) all.push_back({mode_ == TxMode::ReadOnly ? &kBeginReadOnly : &kBegin, {}});
    Proof proof = proof_ ? std::exchange(*proof_, Proof{}) : Proof{};
    if (proof) all.push_back({proof.check, std::move(proof.params)});
    size_t skip = all.size();
    all.insert(all.end(), statements.begin(), statements.end());
    db_.refresh();
    std::vector<Result> out;
    try {
        out = db_.pipeline(all);
    } catch (const Error&) {
        // Nothing was committed when the connection died in an explicit
        // transaction or a read: it is sent once more on a fresh connection.
        if (!db_.lost() || (last && mode_ != TxMode::ReadOnly)) {
            state_ = last ? State::Done : State::Open;  // an open one is rolled back
            throw;
        }
        db_.connect();
        out = db_.pipeline(all);
    }
    state_ = last ? State::Done : State::Open;
    out.erase(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(skip));
    return out;
}

Result Tx::query(const Stmt& s, const Params& params) { return std::move(send({{&s, params}}, false).front()); }
void Tx::command(const Stmt& s, const Params& params) { send({{&s, params}}, false); }
std::vector<Result> Tx::batch(const Batch& statements) { return send(statements, false); }
std::vector<Result> Tx::commit(const Batch& last) { return send(last, true); }
Result Tx::commit(const Stmt& s, const Params& params) { return std::move(send({{&s, params}}, true).front()); }
void Tx::commit() {
    if (state_ == State::Unsent && !(proof_ && *proof_)) {
        state_ = State::Done;
        return;
    }
    send({}, true);
}

Tx::~Tx() {
    if (state_ != State::Open || db_.lost()) return;
    PQclear(PQexec(db_.conn_.get(), "ROLLBACK"));
}

}  // namespace cabinet
