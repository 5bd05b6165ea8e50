#include "http.hpp"

#include "crypto.hpp"

#include <algorithm>
#include <cctype>

namespace cabinet {

std::optional<std::string> Request::param(std::string_view name) const {
    for (const auto& [k, v] : query)
        if (k == name) return v;
    return std::nullopt;
}

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view qs) {
    std::vector<std::pair<std::string, std::string>> out;
    auto decode = [](std::string_view s) -> std::optional<std::string> {
        std::string r;
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '+') {
                r.push_back(' ');
            } else if (s[i] == '%') {
                if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
                    !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
                    return std::nullopt;
                r.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
                i += 2;
            } else {
                r.push_back(s[i]);
            }
        }
        return r;
    };
    size_t start = 0;
    while (start <= qs.size() && !qs.empty()) {
        size_t amp = qs.find('&', start);
        std::string_view item = qs.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        if (!item.empty()) {
            size_t eq = item.find('=');
            auto k = decode(item.substr(0, eq));
            auto v = decode(eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1));
            if (!k || !v) return std::nullopt;
            out.emplace_back(std::move(*k), std::move(*v));
        }
        if (amp == std::string_view::npos) break;
        start = amp + 1;
    }
    return out;
}

Response json_response(int status, std::string body) { return Response{status, std::move(body), {}}; }
Response no_content() { return Response{204, {}, {}}; }

const Principal& Ctx::caller() const {
    if (!who) throw internal("route needs an authenticated caller");
    return *who;
}

std::string Ctx::id_param(const char* name) const {
    auto it = path.find(name);
    if (it == path.end() || !is_uuid(it->second)) throw not_found();
    std::string id = it->second;
    std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
    return id;
}

void Ctx::require(std::string_view scope, std::string_view resource) const {
    if (!allows(caller().grants, scope, resource))
        throw forbidden("Missing scope " + std::string(scope));
}

void Ctx::require_admin() const {
    if (!is_admin(caller().grants)) throw forbidden("Administrator role required");
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

std::string ascii_lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string like_substring(std::string_view text) {
    std::string out = "%";
    for (char ch : text) {
        if (ch == '%' || ch == '_' || ch == '\\') out.push_back('\\');
        out.push_back(ch);
    }
    return out + "%";
}

bool match_route(std::string_view pattern, std::string_view path, std::unordered_map<std::string, std::string>& out) {
    out.clear();
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    size_t pi = 0, si = 0;
    while (pi < pattern.size() && si <= path.size()) {
        if (pattern[pi] == '*') return true;  // a trailing wildcard takes the rest
        if (si == path.size()) break;
        if (pattern[pi] == '{') {
            size_t close = pattern.find('}', pi);
            std::string name(pattern.substr(pi + 1, close - pi - 1));
            size_t end = path.find('/', si);
            if (end == std::string_view::npos) end = path.size();
            if (end == si) return false;
            out[name] = std::string(path.substr(si, end - si));
            pi = close + 1;
            si = end;
        } else {
            if (pattern[pi] != path[si]) return false;
            ++pi;
            ++si;
        }
    }
    return pi == pattern.size() && si == path.size();
}

}  // namespace cabinet
