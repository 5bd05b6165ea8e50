#include "router.hpp"

#include <cstring>

namespace cabinet {

bool match_route(std::string_view pattern, std::string_view path, PathParams& out) {
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

const Route& find_route(const Service& svc, std::string_view method, std::string_view path, PathParams& params) {
    std::string allow;
    for (const auto& r : svc.routes) {
        if (!match_route(r.pattern, path, params)) continue;
        if (method == r.method || std::strcmp(r.method, "*") == 0) return r;
        if (allow.find(r.method) == std::string::npos) allow += (allow.empty() ? "" : ", ") + std::string(r.method);
    }
    if (allow.empty()) throw not_found();
    throw method_not_allowed(allow);
}

void print_routes(const Service& svc, std::ostream& out) {
    for (const auto& r : svc.routes) out << r.method << ' ' << r.pattern << '\n';
}

}  // namespace cabinet
