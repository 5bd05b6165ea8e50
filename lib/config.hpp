// Settings from the environment or from the file named by CABINET_CONFIG
// (KEY=VALUE lines; the environment wins), for hosts that cannot set env.
#pragma once

#include "ratelimit.hpp"

#include <cstdint>
#include <string>

namespace cabinet {

struct Config {
    std::string database_url;  // libpq conninfo or URI
    std::string jwt_secret;    // raw bytes (hex in the setting)
    std::string master_key;    // 32 raw bytes (hex in the setting)
    int64_t token_ttl = 3600;
    bool rate_limits = true;
    QuotaSettings quota;  // minute/hour quotas of /api/*; file "" when rate limits are off
    std::string trusted_proxies;  // space-separated addresses whose X-Forwarded-For is believed
    int threads = 12;             // responder threads per handler process (CABINET_THREADS, 1..256)
    int connections = 4;          // Postgres connections per process, lent to one request at a time
                                  // (CABINET_DB_CONNECTIONS, 1..256; more than threads are never used)
};

// Loads the settings; problem is set (and the rest left default) when a
// required one is missing or malformed.
Config load_config(std::string* problem);

// One setting by name, from the environment or the config file.
std::string setting(const char* name, const std::string& fallback = {});

}  // namespace cabinet
