#include "timestamp.hpp"

namespace cabinet {

namespace {

bool digits(std::string_view s, size_t at, size_t n, int& out) {
    if (at + n > s.size()) return false;
    out = 0;
    for (size_t i = at; i < at + n; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

int days_in_month(int year, int month) {
    static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : kDays[month - 1];
}

}  // namespace

std::optional<std::string> parse_rfc3339(std::string_view s, bool from_query) {
    int year, month, day, hour, minute, second;
    if (s.size() < 20 || s.size() > 40) return std::nullopt;
    if (!digits(s, 0, 4, year) || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' || !digits(s, 8, 2, day))
        return std::nullopt;
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
    if (s[10] != 'T' && s[10] != 't') return std::nullopt;
    if (!digits(s, 11, 2, hour) || s[13] != ':' || !digits(s, 14, 2, minute) || s[16] != ':' || !digits(s, 17, 2, second))
        return std::nullopt;
    if (hour > 23 || minute > 59 || second > 60) return std::nullopt;
    std::string out(s);
    size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        size_t start = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == start || i - start > 9) return std::nullopt;
    }
    if (i >= s.size()) return std::nullopt;
    if (s[i] == 'Z' || s[i] == 'z') {
        if (i + 1 != s.size()) return std::nullopt;
        out[i] = 'Z';
    } else {
        char sign = s[i];
        if (sign == ' ' && from_query) out[i] = '+';
        else if (sign != '+' && sign != '-') return std::nullopt;
        int oh, om;
        if (i + 6 != s.size() || !digits(s, i + 1, 2, oh) || s[i + 3] != ':' || !digits(s, i + 4, 2, om))
            return std::nullopt;
        if (oh > 23 || om > 59) return std::nullopt;
    }
    out[10] = 'T';
    return out;
}

}  // namespace cabinet
