#include "pool.hpp"

#include "metrics.hpp"

namespace cabinet {

Pool::Pool(const std::string& conninfo, const std::string& application, int size) : size_(size) {
    for (int i = 0; i < size; ++i) free_.push_back(std::make_unique<Db>(conninfo, application));
    metrics::db_connections(0, size);
}

void Pool::report() const {
    int idle = static_cast<int>(free_.size());
    metrics::db_connections(size_ - idle, idle);
}

int Pool::idle() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<int>(free_.size());
}

Pool::Lease::Lease(Pool& p) : pool_(p) {
    std::unique_lock<std::mutex> lock(pool_.mutex_);
    pool_.returned_.wait(lock, [&] { return !pool_.free_.empty(); });
    db_ = std::move(pool_.free_.back());
    pool_.free_.pop_back();
    pool_.report();
}

Pool::Lease::~Lease() {
    {
        std::lock_guard<std::mutex> lock(pool_.mutex_);
        pool_.free_.push_back(std::move(db_));
        pool_.report();
    }
    pool_.returned_.notify_one();
}

}  // namespace cabinet
