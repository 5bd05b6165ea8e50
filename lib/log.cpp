#include "log.hpp"

#include "json.hpp"

#include <cstdio>
#include <ctime>

#include <unistd.h>

namespace cabinet {

void log_event(std::string_view level, std::string_view request_id, std::string_view message, std::string_view detail) {
    char ts[32];
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    JsonOut j;
    j.obj().kv("ts", std::string_view(ts)).kv("level", level).kv("pid", static_cast<int64_t>(getpid()));
    j.kv("requestId", request_id).kv("msg", message);
    if (!detail.empty()) j.kv("detail", detail);
    j.end();
    std::string line = j.take() + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace cabinet
