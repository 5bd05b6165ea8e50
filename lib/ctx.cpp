#include "ctx.hpp"

#include "crypto.hpp"
#include "text.hpp"

namespace cabinet {

const Principal& Ctx::caller() const {
    if (!who) throw internal("route needs an authenticated caller");
    return *who;
}

std::string Ctx::id_param(const char* name) const {
    auto it = path.find(name);
    if (it == path.end() || !is_uuid(it->second)) throw not_found();
    return ascii_lower(it->second);
}

void Ctx::require(std::string_view scope, std::string_view resource) const {
    if (!allows(caller().grants, scope, resource)) throw forbidden("Missing scope " + std::string(scope));
}

void Ctx::require_admin() const {
    if (!is_admin(caller().grants)) throw forbidden("Administrator role required");
}

Db& Ctx::db() const {
    if (!db_) throw unavailable("no database: the configuration is incomplete");
    return *db_;
}

std::string Ctx::client_ip() const {
    // X-Forwarded-For is believed only from a configured trusted proxy; the
    // nearest hop it names is the client.
    if (!req.forwarded_for.empty() && !cfg.trusted_proxies.empty()) {
        std::string proxies = " " + cfg.trusted_proxies + " ";
        if (proxies.find(" " + req.remote_addr + " ") != std::string::npos) {
            std::string_view xff = req.forwarded_for;
            size_t comma = xff.rfind(',');
            std::string_view last = comma == std::string_view::npos ? xff : xff.substr(comma + 1);
            while (!last.empty() && last.front() == ' ') last.remove_prefix(1);
            while (!last.empty() && last.back() == ' ') last.remove_suffix(1);
            if (!last.empty()) return std::string(last);
        }
    }
    return req.remote_addr;
}

}  // namespace cabinet
