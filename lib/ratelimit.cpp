#include "ratelimit.hpp"

#include "error.hpp"

#include <algorithm>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cabinet {

namespace {

constexpr uint32_t kSlots = 1u << 16;  // credentials tracked per node
constexpr uint32_t kProbe = 32;        // slots searched before evicting the stalest

struct Slot {
    uint64_t key;  // FNV-1a of the credential key; 0 = empty
    uint32_t minute;
    uint32_t minute_count;
    uint32_t hour;
    uint32_t hour_count;
};

uint64_t fnv1a(std::string_view s) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

// The table, opened and mapped once per responder thread: each thread's own
// open file is what makes flock() exclude the other threads too. The file
// outlives handler restarts.
struct Table {
    int fd = -1;
    Slot* slots = nullptr;
    std::string path;

    void open_file(const std::string& p) {
        if (slots && p == path) return;
        int f = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0660);
        if (f < 0) throw internal("quota table: open " + p + ": " + std::strerror(errno));
        const off_t size = static_cast<off_t>(sizeof(Slot)) * kSlots;
        struct stat st {};
        if (fstat(f, &st) != 0 || (st.st_size != size && ftruncate(f, size) != 0)) {
            ::close(f);
            throw internal("quota table: size " + p);
        }
        void* m = mmap(nullptr, static_cast<size_t>(size), PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
        if (m == MAP_FAILED) {
            ::close(f);
            throw internal("quota table: mmap " + p);
        }
        fd = f;
        slots = static_cast<Slot*>(m);
        path = p;
    }
};

Table& table() {
    thread_local Table t;
    return t;
}

// flock() serialises every thread of every process of the node on the table; held for a few hundred nanoseconds.
struct FileLock {
    int fd;
    explicit FileLock(int f) : fd(f) { while (flock(fd, LOCK_EX) != 0 && errno == EINTR) {} }
    ~FileLock() { flock(fd, LOCK_UN); }
};

Slot& find_slot(Slot* slots, uint64_t key, uint32_t minute, uint32_t hour) {
    uint32_t start = static_cast<uint32_t>(key % kSlots);
    Slot* stalest = &slots[start];
    for (uint32_t i = 0; i < kProbe; ++i) {
        Slot& s = slots[(start + i) % kSlots];
        if (s.key == key) return s;
        if (s.key == 0 || (s.minute < minute && s.hour < hour)) {  // empty, or both windows over: reuse
            s = Slot{key, 0, 0, 0, 0};
            return s;
        }
        if (s.minute < stalest->minute) stalest = &s;
    }
    *stalest = Slot{key, 0, 0, 0, 0};
    return *stalest;
}

}  // namespace

namespace {

QuotaVerdict settle(const QuotaSettings& s, std::string_view key, int64_t now, bool count) {
    QuotaVerdict v;
    Table& t = table();
    t.open_file(s.file);
    const int64_t minute_len = s.minute_seconds, hour_len = s.hour_seconds;
    const uint32_t minute = static_cast<uint32_t>(now / minute_len), hour = static_cast<uint32_t>(now / hour_len);
    FileLock lock(t.fd);
    Slot& slot = find_slot(t.slots, fnv1a(key), minute, hour);
    if (slot.minute != minute) slot.minute = minute, slot.minute_count = 0;
    if (slot.hour != hour) slot.hour = hour, slot.hour_count = 0;
    const int minute_left = s.per_minute - static_cast<int>(slot.minute_count);
    const int hour_left = s.per_hour - static_cast<int>(slot.hour_count);
    v.allowed = minute_left > 0 && hour_left > 0;
    if (v.allowed && count) {
        ++slot.minute_count;
        ++slot.hour_count;
    }
    const int used = v.allowed && count ? 1 : 0;
    const int64_t minute_reset = (static_cast<int64_t>(minute) + 1) * minute_len;
    const int64_t hour_reset = (static_cast<int64_t>(hour) + 1) * hour_len;
    // The window with the fewest requests left names the headers (an exhausted
    // hour wins, since it ends last); a tie goes to the minute.
    if (hour_left <= 0 || hour_left < minute_left) {
        v.limit = s.per_hour, v.remaining = hour_left - used, v.reset = hour_reset;
    } else {
        v.limit = s.per_minute, v.remaining = minute_left - used, v.reset = minute_reset;
    }
    if (v.remaining < 0) v.remaining = 0;
    if (!v.allowed) v.retry_after = std::max<int64_t>(1, (hour_left <= 0 ? hour_reset : minute_reset) - now);
    return v;
}

}  // namespace

QuotaVerdict take_quota(const QuotaSettings& s, std::string_view key, int64_t now) { return settle(s, key, now, true); }

QuotaVerdict peek_quota(const QuotaSettings& s, std::string_view key, int64_t now) {
    QuotaVerdict v = settle(s, key, now, false);
    v.allowed = false;
    return v;
}

}  // namespace cabinet
