// Postgres access: a connection with named prepared statements (Db) and the
// one transaction an operation runs in (Tx); RAII for results, connections and
// transactions. A process holds several Db, lent one per request (lib/pool).
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
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
using Call = std::pair<const Stmt*, Params>;
using Batch = std::vector<Call>;

class Result {
   public:
    explicit Result(PGresult* r) : r_(r, &PQclear) {}
    int rows() const { return PQntuples(r_.get()); }
    bool empty() const { return rows() == 0; }
    int col(const char* name) const;  // throws when the statement has no such column
    const char* get(int row, const char* name) const;  // nullptr for NULL
    std::string str(int row, const char* name) const;  // "" for NULL
    bool boolean(int row, const char* name) const;
    long long integer(int row, const char* name) const;
    std::string bytes(int row, const char* name) const;  // a bytea column
    PGresult* raw() const { return r_.get(); }

   private:
    std::unique_ptr<PGresult, void (*)(PGresult*)> r_;
};

// A check sent ahead of a transaction's first statements, in their round
// trip: when it fails none of them runs and its error is thrown. A kept
// principal is proven current this way (lib/auth.cpp). Empty: nothing to prove.
struct Proof {
    const Stmt* check = nullptr;
    Params params;
    explicit operator bool() const { return check != nullptr; }
};

class Db {
   public:
    // application: what pg_stat_activity shows unless conninfo names one.
    explicit Db(std::string conninfo, std::string application = "cabinet")
        : conninfo_(std::move(conninfo)), application_(std::move(application)) {}
    Db(const Db&) = delete;
    Db& operator=(const Db&) = delete;

    // One read outside any transaction (authentication); sent once more on a
    // fresh connection when the connection was found dead.
    Result query(const Stmt& s, const Params& params = {});

   private:
    friend class Tx;
    // Statements in one round trip (pipeline mode, one sync), results in
    // order; throws the first failure, SERVICE_UNAVAILABLE when the connection is lost.
    std::vector<Result> pipeline(const Batch& batch);
    // Before a transaction starts: a connection the server closed meanwhile
    // (a restart) is replaced, so the first statement does not find it dead.
    void refresh();
    void connect();
    void prepare(const Stmt& s);
    bool lost() const;

    std::string conninfo_;
    std::string application_;
    std::unique_ptr<PGconn, void (*)(PGconn*)> conn_{nullptr, &PQfinish};
    std::unordered_set<std::string> prepared_;
};

enum class TxMode { ReadOnly, ReadWrite };

// The one transaction of an operation. Nothing is sent until its first
// statements: they travel in one round trip with the BEGIN and the proof. A
// transaction whose statements all go in one round trip (commit(batch) as the
// first call) is the implicit transaction of that pipeline: no BEGIN, no
// COMMIT. Rolls back on destruction unless committed. The proof (when given)
// is taken by the first round trip: until then it stays pending with its owner.
class Tx {
   public:
    Tx(Db& db, TxMode mode, Proof* proof = nullptr) : db_(db), mode_(mode), proof_(proof) {}
    ~Tx();
    Tx(const Tx&) = delete;
    Tx& operator=(const Tx&) = delete;

    Result query(const Stmt& s, const Params& params = {});  // rows expected
    void command(const Stmt& s, const Params& params = {});  // no rows expected
    std::vector<Result> batch(const Batch& statements);      // several in one round trip

    // The last statements and the commit, in one round trip.
    std::vector<Result> commit(const Batch& last);
    Result commit(const Stmt& s, const Params& params = {});
    void commit();

   private:
    std::vector<Result> send(const Batch& statements, bool last);

    enum class State { Unsent, Open, Done };
    Db& db_;
    TxMode mode_;
    Proof* proof_;
    State state_ = State::Unsent;
};

// Encodes a bytea parameter in the text format libpq expects (\x…).
std::string bytea_param(const std::string& bytes);

}  // namespace cabinet
