#include "metrics.hpp"

#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cabinet::metrics {

namespace {

constexpr uint32_t kMagic = 0x314d4243;  // "CBM1": this layout
constexpr uint32_t kSeries = 4096;       // label sets of every kind together
constexpr uint32_t kProcs = 512;         // handler processes alive at once
constexpr size_t kLabelBytes = 192;      // a label set, rendered, NUL-terminated
constexpr size_t kBucketCount = sizeof(kBuckets) / sizeof(kBuckets[0]) + 1;  // + Inf
constexpr size_t kValues = kBucketCount + 1;  // histogram: buckets, then the sum in microseconds

enum Kind : uint32_t { Requests = 1, Duration, AuthzRetries, QuotaRejections, Starts };

enum SeriesState : uint32_t { Free = 0, Claiming = 1, Ready = 2 };

// One label set of one kind. A counter uses v[0]; the histogram its buckets
// (not cumulative) and v[kBucketCount], the sum in microseconds.
struct Series {
    std::atomic<uint32_t> state;
    uint32_t kind;
    uint64_t hash;
    char labels[kLabelBytes];
    std::atomic<uint64_t> v[kValues];
};

// One live process's gauges; pid 0 = free. ready is 1 once handler is written.
struct Proc {
    std::atomic<int32_t> pid;
    std::atomic<int32_t> ready;
    char handler[32];
    std::atomic<int32_t> busy;
    std::atomic<int32_t> idle;
};

struct Header {
    std::atomic<uint32_t> magic;
    uint32_t series;
    uint32_t procs;
    uint32_t label_bytes;
    std::atomic<uint64_t> dropped;  // updates lost to a full table or an overlong label set
};

struct Layout {
    Header header;
    Series series[kSeries];
    Proc procs[kProcs];
};

static_assert(std::atomic<uint64_t>::is_always_lock_free && std::atomic<uint32_t>::is_always_lock_free &&
                  std::atomic<int32_t>::is_always_lock_free,
              "the shared file needs address-free atomics");

// The mapping of this process (set once by open(); the tests open again).
struct Mapping {
    Layout* layout = nullptr;
    Proc* proc = nullptr;
    std::string handler;
    uint64_t generation = 0;
};

std::mutex g_open_mutex;
Mapping g_map;
std::atomic<Layout*> g_layout{nullptr};
std::atomic<uint64_t> g_generation{0};

uint64_t fnv1a(uint32_t kind, std::string_view s) {
    uint64_t h = 1469598103934665603ull ^ kind;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h;
}

bool alive(int32_t pid) { return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM); }

// Maps FILE read-write (creating and sizing it when needed); checks the layout.
Layout* map_file(const std::string& file, bool create) {
    int fd = ::open(file.c_str(), (create ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("metrics: open " + file + ": " + std::strerror(errno));
    const off_t size = static_cast<off_t>(sizeof(Layout));
    struct stat st {};
    bool ok = fstat(fd, &st) == 0;
    // Two processes sizing a new file at once both write zeros: no harm.
    if (ok && st.st_size == 0 && create) ok = ftruncate(fd, size) == 0 && fstat(fd, &st) == 0;
    if (!ok || st.st_size != size) {
        ::close(fd);
        throw std::runtime_error("metrics: " + file + " is not a metrics file of this version (size " +
                                 std::to_string(st.st_size) + "); remove it");
    }
    void* m = mmap(nullptr, sizeof(Layout), create ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
    ::close(fd);
    if (m == MAP_FAILED) throw std::runtime_error("metrics: mmap " + file + ": " + std::strerror(errno));
    auto* layout = static_cast<Layout*>(m);
    if (create) {
        uint32_t expected = 0;
        if (layout->header.magic.compare_exchange_strong(expected, kMagic)) {
            layout->header.series = kSeries;
            layout->header.procs = kProcs;
            layout->header.label_bytes = kLabelBytes;
        }
    }
    if (layout->header.magic.load() != kMagic) {
        munmap(m, sizeof(Layout));
        throw std::runtime_error("metrics: " + file + " belongs to another layout; remove it");
    }
    return layout;
}

// The series of (kind, labels), claimed when new; nullptr when the table is full.
Series* find_series(Layout* l, uint32_t kind, std::string_view labels) {
    if (labels.size() >= kLabelBytes) return nullptr;
    const uint64_t h = fnv1a(kind, labels);
    for (uint32_t i = 0; i < kSeries; ++i) {
        Series& s = l->series[(h + i) % kSeries];
        uint32_t st = s.state.load(std::memory_order_acquire);
        if (st == Free) {
            if (s.state.compare_exchange_strong(st, Claiming, std::memory_order_acq_rel)) {
                s.kind = kind;
                s.hash = h;
                std::memcpy(s.labels, labels.data(), labels.size());
                s.labels[labels.size()] = '\0';
                s.state.store(Ready, std::memory_order_release);
                return &s;
            }
        }
        // A claim in progress takes nanoseconds; one abandoned by a killed
        // process is skipped after a while.
        for (int spin = 0; st == Claiming && spin < 10000; ++spin) {
            std::this_thread::yield();
            st = s.state.load(std::memory_order_acquire);
        }
        if (st == Ready && s.kind == kind && s.hash == h && labels == s.labels) return &s;
    }
    return nullptr;
}

// The series for this thread, remembered per thread until the next open().
Series* series(uint32_t kind, const std::string& labels) {
    Layout* l = g_layout.load(std::memory_order_acquire);
    if (!l) return nullptr;
    thread_local std::unordered_map<std::string, Series*> cache;
    thread_local uint64_t cache_generation = 0;
    const uint64_t gen = g_generation.load(std::memory_order_acquire);
    if (cache_generation != gen) {
        cache.clear();
        cache_generation = gen;
    }
    std::string key = std::to_string(kind) + ':' + labels;
    auto it = cache.find(key);
    if (it != cache.end()) return it->second;
    Series* s = find_series(l, kind, labels);
    if (!s) {
        l->header.dropped.fetch_add(1, std::memory_order_relaxed);
        return nullptr;
    }
    cache.emplace(std::move(key), s);
    return s;
}

// A label value with \, " and newline escaped (text format 0.0.4).
std::string escape(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

std::string label(std::string_view name, std::string_view value) {
    return std::string(name) + "=\"" + escape(value) + '"';
}

std::string handler_label() { return label("handler", g_map.handler); }

void add(uint32_t kind, const std::string& labels, uint64_t n = 1) {
    if (Series* s = series(kind, labels)) s->v[0].fetch_add(n, std::memory_order_relaxed);
}

std::string_view method_label(std::string_view m) {
    for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
        if (m == known) return known;
    return "other";
}

// Claims a gauge slot for this process: its own from an earlier open, a free
// one, or one whose process is gone.
Proc* claim_proc(Layout* l, std::string_view handler) {
    const int32_t me = static_cast<int32_t>(getpid());
    Proc* slot = nullptr;
    for (Proc& p : l->procs)
        if (p.pid.load() == me) slot = &p;
    for (uint32_t i = 0; !slot && i < kProcs; ++i) {
        Proc& p = l->procs[i];
        int32_t pid = p.pid.load();
        if ((pid == 0 || !alive(pid)) && p.pid.compare_exchange_strong(pid, me)) slot = &p;
    }
    if (!slot) return nullptr;
    slot->ready.store(0);
    std::snprintf(slot->handler, sizeof slot->handler, "%.*s", static_cast<int>(handler.size()), handler.data());
    slot->busy.store(0);
    slot->idle.store(0);
    slot->ready.store(1, std::memory_order_release);
    return slot;
}

std::string seconds(uint64_t micros) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%" PRIu64 ".%06" PRIu64, micros / 1000000, micros % 1000000);
    return buf;
}

std::string bound(double b) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", b);
    return buf;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

void sample(std::string& out, const std::string& name, const std::string& labels, const std::string& value) {
    out += name;
    if (!labels.empty()) out += '{' + labels + '}';
    out += ' ';
    out += value;
    out += '\n';
}

}  // namespace

void open(const std::string& file, std::string_view handler) {
    if (file.empty()) return;
    std::lock_guard<std::mutex> lock(g_open_mutex);
    Layout* l = map_file(file, true);
    g_map.layout = l;
    g_map.handler = std::string(handler);
    g_map.proc = claim_proc(l, handler);
    if (!g_map.proc) l->header.dropped.fetch_add(1);
    g_generation.fetch_add(1, std::memory_order_acq_rel);
    g_layout.store(l, std::memory_order_release);
    add(Starts, handler_label());
}

void request(std::string_view method, std::string_view route, int status, double secs) {
    if (!g_layout.load(std::memory_order_acquire)) return;
    const std::string h = handler_label(), r = label("route", route);
    add(Requests, h + ',' + label("method", method_label(method)) + ',' + r + ',' + label("status", std::to_string(status)));
    Series* s = series(Duration, h + ',' + r);
    if (!s) return;
    size_t b = 0;
    while (b < kBucketCount - 1 && secs > kBuckets[b]) ++b;
    s->v[b].fetch_add(1, std::memory_order_relaxed);
    const uint64_t micros = secs > 0 ? static_cast<uint64_t>(std::llround(secs * 1e6)) : 0;
    s->v[kBucketCount].fetch_add(micros, std::memory_order_relaxed);
}

void authz_retry() {
    if (g_layout.load(std::memory_order_acquire)) add(AuthzRetries, handler_label());
}

void quota_rejected(std::string_view window) {
    if (g_layout.load(std::memory_order_acquire)) add(QuotaRejections, label("window", window));
}

void db_connections(int busy, int idle) {
    if (!g_layout.load(std::memory_order_acquire) || !g_map.proc) return;
    g_map.proc->busy.store(busy, std::memory_order_relaxed);
    g_map.proc->idle.store(idle, std::memory_order_relaxed);
}

std::string render(const std::string& file) {
    Layout* l = map_file(file, false);
    // Label set → values, per kind, summed and in order.
    std::map<std::string, std::vector<uint64_t>> by_kind[Starts + 1];
    for (const Series& s : l->series) {
        if (s.state.load(std::memory_order_acquire) != Ready || s.kind < Requests || s.kind > Starts) continue;
        auto& values = by_kind[s.kind][std::string(s.labels, strnlen(s.labels, kLabelBytes))];
        values.resize(kValues);
        for (size_t i = 0; i < kValues; ++i) values[i] += s.v[i].load(std::memory_order_relaxed);
    }
    std::map<std::string, std::pair<int64_t, int64_t>> gauges;  // handler → busy, idle
    for (const Proc& p : l->procs) {
        if (p.ready.load(std::memory_order_acquire) != 1 || !alive(p.pid.load())) continue;
        auto& g = gauges[std::string(p.handler, strnlen(p.handler, sizeof p.handler))];
        g.first += p.busy.load();
        g.second += p.idle.load();
    }
    const uint64_t dropped = l->header.dropped.load();
    munmap(l, sizeof(Layout));

    std::string out;
    auto counter = [&](Kind kind, const char* name, const char* help) {
        family(out, name, "counter", help);
        for (const auto& [labels, v] : by_kind[kind]) sample(out, name, labels, std::to_string(v[0]));
    };
    counter(Requests, "cabinet_http_requests_total",
            "Requests answered by the handlers, by handler, method, route template and status.");
    family(out, "cabinet_http_request_duration_seconds", "histogram",
           "Time from accepting a request to writing its answer, by handler and route template.");
    for (const auto& [labels, v] : by_kind[Duration]) {
        uint64_t cumulative = 0;
        for (size_t b = 0; b < kBucketCount; ++b) {
            cumulative += v[b];
            std::string le = b + 1 < kBucketCount ? bound(kBuckets[b]) : "+Inf";
            sample(out, "cabinet_http_request_duration_seconds_bucket", labels + ',' + label("le", le),
                   std::to_string(cumulative));
        }
        sample(out, "cabinet_http_request_duration_seconds_sum", labels, seconds(v[kBucketCount]));
        sample(out, "cabinet_http_request_duration_seconds_count", labels, std::to_string(cumulative));
    }
    family(out, "cabinet_db_connections", "gauge",
           "Postgres connections of the live handler processes: lent to a request (busy) or not (idle).");
    for (const auto& [handler, g] : gauges) {
        sample(out, "cabinet_db_connections", label("handler", handler) + ',' + label("state", "busy"),
               std::to_string(g.first));
        sample(out, "cabinet_db_connections", label("handler", handler) + ',' + label("state", "idle"),
               std::to_string(g.second));
    }
    counter(AuthzRetries, "cabinet_authz_retries_total",
            "Operations run again because the principal was stale or the transaction could not be serialized.");
    for (const char* w : {"minute", "hour"}) by_kind[QuotaRejections][label("window", w)].resize(kValues);
    counter(QuotaRejections, "cabinet_quota_rejections_total", "Requests refused for the minute or hour quota.");
    counter(Starts, "cabinet_handler_starts_total", "Handler processes started.");
    family(out, "cabinet_metrics_dropped_total", "counter",
           "Metric updates lost because the metrics file had no room for their label set.");
    sample(out, "cabinet_metrics_dropped_total", "", std::to_string(dropped));
    return out;
}

}  // namespace cabinet::metrics
