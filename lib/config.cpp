#include "config.hpp"

#include "crypto.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>

namespace cabinet {

namespace {

struct FileSettings {
    std::map<std::string, std::string> values;
    std::string error;  // set when CABINET_CONFIG names a file that cannot be read
};

const FileSettings& file_settings() {
    static const FileSettings settings = [] {
        FileSettings out;
        const char* path = std::getenv("CABINET_CONFIG");
        if (!path || !*path) return out;
        std::ifstream in(path);
        if (!in) {
            out.error = std::string("CABINET_CONFIG=") + path + " cannot be read: " + std::strerror(errno);
            return out;
        }
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            auto eq = line.find('=');
            if (eq == std::string::npos) continue;
            std::string value = line.substr(eq + 1);
            if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front())
                value = value.substr(1, value.size() - 2);
            out.values[line.substr(0, eq)] = value;
        }
        return out;
    }();
    return settings;
}

}  // namespace

std::string setting(const char* name, const std::string& fallback) {
    if (const char* v = std::getenv(name); v && *v) return v;
    const auto& f = file_settings().values;
    auto it = f.find(name);
    return it == f.end() || it->second.empty() ? fallback : it->second;
}

Config load_config(std::string* problem) {
    Config c;
    c.database_url = setting("CABINET_DATABASE_URL");
    auto jwt = unhex(setting("CABINET_JWT_SECRET"));
    auto master = unhex(setting("CABINET_MASTER_KEY"));
    c.rate_limits = setting("CABINET_RATE_LIMITS", "on") != "off";
    c.trusted_proxies = setting("CABINET_TRUSTED_PROXIES");
    try {
        c.token_ttl = std::stoll(setting("CABINET_TOKEN_TTL", "3600"));
    } catch (...) {
        c.token_ttl = 0;
    }
    c.threads = std::atoi(setting("CABINET_THREADS", "12").c_str());
    c.connections = std::atoi(setting("CABINET_DB_CONNECTIONS", "4").c_str());
    if (c.rate_limits) {
        c.quota.file = setting("CABINET_QUOTA_FILE");
        c.quota.per_minute = std::atoi(setting("CABINET_RATE_PER_MINUTE", "100").c_str());
        c.quota.per_hour = std::atoi(setting("CABINET_RATE_PER_HOUR", "1000").c_str());
        // The window lengths: 60 and 3600 except in the tests (lib/ratelimit.hpp).
        c.quota.minute_seconds = std::atoi(setting("CABINET_RATE_MINUTE_SECONDS", "60").c_str());
        c.quota.hour_seconds = std::atoi(setting("CABINET_RATE_HOUR_SECONDS", "3600").c_str());
        if (c.quota.per_minute <= 0 || c.quota.per_hour <= 0) *problem = "CABINET_RATE_PER_MINUTE/HOUR must be positive";
        if (c.quota.minute_seconds <= 0 || c.quota.hour_seconds <= 0)
            *problem = "CABINET_RATE_MINUTE_SECONDS/HOUR_SECONDS must be positive";
    }
    if (!file_settings().error.empty()) *problem = file_settings().error;
    else if (c.database_url.empty()) *problem = "CABINET_DATABASE_URL is not set";
    else if (!jwt || jwt->size() < 32) *problem = "CABINET_JWT_SECRET must be at least 64 hex characters";
    else if (!master || master->size() != 32) *problem = "CABINET_MASTER_KEY must be 64 hex characters";
    else if (c.token_ttl <= 0) *problem = "CABINET_TOKEN_TTL must be a positive number of seconds";
    if (c.threads < 1 || c.threads > 256) {
        if (problem->empty()) *problem = "CABINET_THREADS must be 1 to 256";
        c.threads = 1;
    }
    if (c.connections < 1 || c.connections > 256) {
        if (problem->empty()) *problem = "CABINET_DB_CONNECTIONS must be 1 to 256";
        c.connections = 1;
    }
    if (jwt) c.jwt_secret = *jwt;
    if (master) c.master_key = *master;
    return c;
}

}  // namespace cabinet
