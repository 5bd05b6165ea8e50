// Postgres access: one persistent connection per process, named prepared
// statements, RAII for results and transactions.
#pragma once

#include <libpq-fe.h>

#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace cabinet {

// A named SQL statement, prepared once per connection on first use; or, with
// replan, planned for its parameter values on every execution (an unnamed
// statement): for the few whose best plan depends on a value (a search pattern).
struct Stmt {
    const char* name;
    const char* sql;
    bool replan = false;
};

using Param = std::optional<std::string>;  // nullopt = SQL NULL
using Params = std::vector<Param>;

class Result {
   public:
    explicit Result(PGresult* r) : r_(r, &PQclear) {}
    int rows() const { return PQntuples(r_.get()); }
    bool empty() const { return rows() == 0; }
    int col(const char* name) const;  // throws when the statement has no such column
    bool null(int row, const char* name) const { return PQgetisnull(r_.get(), row, col(name)); }
    const char* get(int row, const char* name) const;  // nullptr for NULL
    std::string str(int row, const char* name) const;  // "" for NULL
    bool boolean(int row, const char* name) const;
    long long integer(int row, const char* name) const;
    std::string bytes(int row, const char* name) const;  // a bytea column
    PGresult* raw() const { return r_.get(); }

   private:
    std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

class Db {
   public:
    // application: what pg_stat_activity shows unless conninfo names one.
    explicit Db(std::string conninfo, std::string application = "cabinet")
        : conninfo_(std::move(conninfo)), application_(std::move(application)) {}
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    Result query(const Stmt& s, const Params& params = {});  // rows expected
    // Several statements in one round trip (libpq pipeline mode, one sync):
    // they run as one implicit transaction, all or nothing; results in order
    // (a pending guard's not among them).
    // Throws on the first failure. Only a batch that changes nothing (reads)
    // is sent again when the connection was found dead.
    std::vector<Result> pipeline(const std::vector<std::pair<const Stmt*, Params>>& batch, bool writes = false);
    void command(const Stmt& s, const Params& params = {});  // no rows expected
    void simple(const char* sql);                            // a statement without parameters

    // A check that rides ahead of the next round trip: it is sent first, in the
    // same pipeline, and when it fails nothing sent with it runs and its error
    // is thrown. settle_guard() sends it alone when no round trip took it.
    // A request starts with none (drop_guard).
    void guard_next(const Stmt& check, Params params);
    void settle_guard();
    void drop_guard() { guard_.reset(); }

    bool in_transaction() const { return in_tx_; }
    void ensure_connected();

   private:
    friend class Tx;
    Result run(const Stmt& s, const Params& params, ExecStatusType expected);
    std::vector<Result> pipeline_once(const std::vector<std::pair<const Stmt*, Params>>& batch);
    void connect();
    void prepare(const Stmt& s);

    std::string conninfo_;
    std::string application_;
    std::unique_ptr<PGconn, void (*)(PGconn*)> conn_{nullptr, &PQfinish};
    std::unordered_set<std::string> prepared_;
    bool in_tx_ = false;
    std::optional<std::pair<const Stmt*, Params>> guard_;
};

// BEGIN on construction; ROLLBACK on destruction unless commit() ran.
class Tx {
   public:
    explicit Tx(Db& db);
    ~Tx();
    Tx(const Tx&) = delete;
    Tx& operator=(const Tx&) = delete;
    void commit();

   private:
    Db& db_;
    bool done_ = false;
};

// Encodes a bytea parameter in the text format libpq expects (\x…).
std::string bytea_param(const std::string& bytes);

}  // namespace cabinet
