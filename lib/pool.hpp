// The Postgres connections of a process (each opened on first use), lent to
// one request at a time: however many threads hold FastCGI connections, at
// most this many requests are worked on at once. Writers commit faster that
// way (README, process model); the most recently returned connection is lent
// first, so the others stay idle.
#pragma once

#include "db.hpp"

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cabinet {

class Pool {
   public:
    Pool(const std::string& conninfo, const std::string& application, int size);

    // A connection for the scope of one request; waits while all are lent.
    class Lease {
       public:
        explicit Lease(Pool& p);
        ~Lease();
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Db& operator*() const { return *db_; }

       private:
        Pool& pool_;
        std::unique_ptr<Db> db_;
    };

    int size() const { return size_; }
    int idle() const;  // connections not lent right now

   private:
    void report() const;  // this process's busy and idle connections to the metrics (under mutex_)

    int size_;
    mutable std::mutex mutex_;
    std::condition_variable returned_;
    std::vector<std::unique_ptr<Db>> free_;
};

}  // namespace cabinet
