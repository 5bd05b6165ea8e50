// Minute and hour request quotas per credential (DESIGN §4), counted exactly
// across every handler process of a node in one shared, file-backed table.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cabinet {

struct QuotaSettings {
    std::string file;  // the shared table; "" = quotas off
    int per_minute = 100;
    int per_hour = 1000;
    // Window lengths in seconds. Only the tests shorten them (the "minute"
    // window becomes e.g. 4 s) so a window can be seen to end without waiting
    // for one; windows are aligned to multiples of their length since the epoch.
    int minute_seconds = 60;
    int hour_seconds = 3600;
};

// The verdict for one request and the headers it carries: the window (minute
// or hour) with the fewest requests left.
struct QuotaVerdict {
    bool allowed = true;
    int limit = 0;
    int remaining = 0;
    int64_t reset = 0;        // UTC epoch seconds when that window ends
    int64_t retry_after = 0;  // seconds, when refused
};

// Counts one request of key at now (epoch seconds) unless either window is
// exhausted; a refused request is not counted. Throws only on I/O failure.
QuotaVerdict take_quota(const QuotaSettings& s, std::string_view key, int64_t now);

// The quota of key as it stands, counting nothing: the headers of a request
// nginx refused for its per-second rate (allowed is false).
QuotaVerdict peek_quota(const QuotaSettings& s, std::string_view key, int64_t now);

}  // namespace cabinet
