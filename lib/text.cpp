#include "text.hpp"

#include <algorithm>
#include <cctype>

#include <strings.h>

namespace cabinet {

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

bool is_json_media_type(std::string_view ct) {
    while (!ct.empty() && ct.front() == ' ') ct.remove_prefix(1);
    std::string_view base = ct.substr(0, ct.find(';'));
    while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
    return base.size() == 16 && strncasecmp(base.data(), "application/json", 16) == 0;
}

}  // namespace cabinet
