// The node's metrics (DESIGN §7, GET /metrics on the admin port): counters,
// a latency histogram and the database gauges of every handler process,
// kept in one memory-mapped file (CABINET_METRICS_FILE) shared by all the
// processes of the node, the way the quota table is (lib/ratelimit.cpp).
//
// Counters live in the file, so they survive a handler's restart and keep
// what a dead process counted; gauges live in per-process slots keyed by pid,
// and a slot whose process is gone is neither rendered nor kept (the next
// process to start takes it). Updates are lock-free atomics; the file has a
// fixed size (4096 label sets, 512 processes): a label set beyond that is not
// counted (cabinet_metrics_dropped_total says how many updates were lost).
#pragma once

#include <string>
#include <string_view>

namespace cabinet::metrics {

// The upper bounds (seconds) of the latency histogram's buckets, +Inf aside.
inline constexpr double kBuckets[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

// Maps the file (creating it, zero-filled, when missing) for this process as
// handler NAME and counts one start of it. Until then, and when file is "",
// every update below does nothing. Throws std::runtime_error when the file
// cannot be opened or belongs to another layout.
void open(const std::string& file, std::string_view handler);

// One answered request: method, route template ("unmatched" when no route
// took it), status and the seconds it took.
void request(std::string_view method, std::string_view route, int status, double seconds);

// One more run of an operation because its principal was found stale or its
// transaction could not be serialized.
void authz_retry();

// One request refused for its quota; window is "minute" or "hour".
void quota_rejected(std::string_view window);

// This process's database connections: lent to a request (busy) and not (idle).
void db_connections(int busy, int idle);

// The file's contents in the Prometheus text format 0.0.4, summed over every
// process; gauges only of processes alive now. Throws std::runtime_error when
// the file cannot be read.
std::string render(const std::string& file);

}  // namespace cabinet::metrics
