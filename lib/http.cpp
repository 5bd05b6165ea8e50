#include "http.hpp"

#include <cctype>

namespace cabinet {

std::optional<std::string> Request::param(std::string_view name) const {
    for (const auto& [k, v] : query)
        if (k == name) return v;
    return std::nullopt;
}

namespace {

std::optional<std::string> form_decode(std::string_view s) {
    auto hex = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10); };
    std::string r;
    r.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            r.push_back(' ');
        } else if (s[i] == '%') {
            if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
                !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
                return std::nullopt;
            r.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            r.push_back(s[i]);
        }
    }
    return r;
}

}  // namespace

std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view qs) {
    std::vector<std::pair<std::string, std::string>> out;
    size_t start = 0;
    while (start <= qs.size() && !qs.empty()) {
        size_t amp = qs.find('&', start);
        std::string_view item = qs.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        if (!item.empty()) {
            size_t eq = item.find('=');
            auto k = form_decode(item.substr(0, eq));
            auto v = form_decode(eq == std::string_view::npos ? std::string_view() : item.substr(eq + 1));
            if (!k || !v) return std::nullopt;
            out.emplace_back(std::move(*k), std::move(*v));
        }
        if (amp == std::string_view::npos) break;
        start = amp + 1;
    }
    return out;
}

Response json_response(int status, std::string body) { return Response{status, std::move(body), {}, nullptr, {}}; }
Response no_content() { return Response{204, {}, {}, nullptr, {}}; }

}  // namespace cabinet
