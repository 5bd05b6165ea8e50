#include "validate.hpp"

#include "authz.hpp"
#include "crypto.hpp"
#include "timestamp.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace cabinet::valid {

namespace {

const char* const kZones[] = {
#include "zones.inc"
};

std::string lower(std::string s) {
    for (char& ch : s)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return s;
}

bool is_alpha(unsigned char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'); }
bool is_digit(unsigned char ch) { return ch >= '0' && ch <= '9'; }
bool is_alnum(unsigned char ch) { return is_alpha(ch) || is_digit(ch); }

bool all_alpha(std::string_view s) { return std::all_of(s.begin(), s.end(), [](unsigned char c) { return is_alpha(c); }); }
bool all_digit(std::string_view s) { return std::all_of(s.begin(), s.end(), [](unsigned char c) { return is_digit(c); }); }

// Digits only, 1..18 of them (fits a long long).
bool small_number(std::string_view s) { return !s.empty() && s.size() <= 18 && all_digit(s); }

int number(std::string_view s, size_t at, size_t n) {
    int out = 0;
    for (size_t i = at; i < at + n; ++i) out = out * 10 + (s[i] - '0');
    return out;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int& m, int& d) {
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = yoe + era * 400 + (m <= 2);
}

}  // namespace

std::string trim_blanks(const std::string& s) {
    size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
    return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; });
}

void no_nul(const std::string& raw, const std::string& field) {
    if (raw.find('\0') != std::string::npos) throw validation("Must not contain U+0000", field);
}

std::string name(const std::string& raw, const std::string& field, size_t max) {
    std::string out = trim_blanks(raw);
    if (out.empty() || out.size() > max)
        throw validation("Must be 1 to " + std::to_string(max) + " characters", field, raw);
    if (has_control(out)) throw validation("Must not contain control characters", field, raw);
    return out;
}

std::string text(const std::string& raw, const std::string& field, size_t max) {
    if (raw.size() > max) throw validation("Must be at most " + std::to_string(max) + " characters", field);
    return raw;
}

std::string bounded(const std::string& raw, const std::string& field, size_t max, const char* unit) {
    if (raw.empty() || raw.size() > max)
        throw validation("Must be 1 to " + std::to_string(max) + " " + unit, field);
    return raw;
}

std::string uuid(const std::string& raw, const std::string& field) {
    if (!is_uuid(raw)) throw validation("Must be a UUID", field, raw);
    return lower(raw);
}

std::string one_of(const std::string& raw, const std::string& field, std::initializer_list<const char*> allowed,
                   const char* message) {
    for (const char* a : allowed)
        if (raw == a) return raw;
    throw validation(message, field, raw);
}

std::string scope(const std::string& raw, const std::string& field) {
    if (!is_scope(raw)) throw validation("Unknown scope", field, raw);
    return raw;
}

std::string role(const std::string& raw, const std::string& field, const char* message) {
    if (!is_role(raw)) throw validation(message, field, raw);
    return raw;
}

std::string email(const std::string& raw, const std::string& field) {
    auto bad = [&] { return validation("Invalid email format", field, raw); };
    if (raw.size() < 3 || raw.size() > 254) throw bad();
    size_t at = raw.find('@');
    if (at == std::string::npos || at == 0 || raw.find('@', at + 1) != std::string::npos) throw bad();
    std::string_view local = std::string_view(raw).substr(0, at), domain = std::string_view(raw).substr(at + 1);
    if (local.size() > 64) throw bad();
    size_t dot = domain.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size() ||
        domain.find("..") != std::string_view::npos)
        throw bad();
    if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) throw bad();
    for (unsigned char ch : local)
        if (!is_alnum(ch) && std::string_view("!#$%&'*+/=?^_`{|}~.-").find(static_cast<char>(ch)) == std::string_view::npos)
            throw bad();
    for (unsigned char ch : domain)
        if (!(is_alnum(ch) || ch == '-' || ch == '.')) throw bad();
    if (domain.front() == '-' || domain.front() == '.' || domain.back() == '-') throw bad();
    return raw;
}

void password(const std::string& raw, const std::string& email_, const std::string& field) {
    size_t chars = 0;  // UTF-8 characters: every byte but continuation bytes
    for (unsigned char ch : raw) chars += (ch & 0xC0) != 0x80;
    if (chars < 12 || chars > 256) throw validation("Password must be 12 to 256 characters", field);
    if (lower(raw) == lower(email_)) throw validation("Password must not equal the email", field);
}

std::string phone(const std::string& raw, const std::string& field) {
    if (raw.empty()) return raw;
    int digits = 0;
    for (size_t i = 0; i < raw.size(); ++i) {
        char ch = raw[i];
        if (ch >= '0' && ch <= '9') ++digits;
        else if (!(ch == ' ' || ch == '(' || ch == ')' || ch == '-' || (ch == '+' && i == 0)))
            throw validation("Invalid phone number", field, raw);
    }
    if (raw.size() > 32 || digits < 3) throw validation("Invalid phone number", field, raw);
    return raw;
}

std::string rfc3339(const std::string& raw, const std::string& field, bool from_query) {
    auto text_ = parse_rfc3339(raw, from_query);
    if (!text_) throw validation("Must be an RFC 3339 date-time", field, raw);
    return *text_;
}

std::optional<int64_t> rfc3339_epoch_ms(std::string_view raw) {
    auto t = parse_rfc3339(raw);
    if (!t) return std::nullopt;
    std::string_view s = *t;
    int64_t days = days_from_civil(number(s, 0, 4), number(s, 5, 2), number(s, 8, 2));
    int64_t secs = days * 86400 + number(s, 11, 2) * 3600 + number(s, 14, 2) * 60 + number(s, 17, 2);
    // The fraction as Postgres reads it: rounded to microseconds, then truncated to milliseconds.
    int64_t micros = 0;
    size_t i = 19;
    if (s[i] == '.') {
        size_t start = ++i;
        while (i < s.size() && is_digit(static_cast<unsigned char>(s[i]))) ++i;
        std::string digits(s.substr(start, i - start));
        digits.resize(9, '0');
        micros = number(digits, 0, 6) + (digits[6] >= '5' ? 1 : 0);
    }
    if (s[i] != 'Z') {
        int off = number(s, i + 1, 2) * 3600 + number(s, i + 4, 2) * 60;
        secs -= s[i] == '-' ? -off : off;
    }
    int64_t total_micros = secs * 1000000 + micros;
    int64_t ms = total_micros / 1000;
    if (total_micros % 1000 < 0) --ms;  // floor before the epoch
    return ms;
}

std::string rfc3339_utc_ms(int64_t epoch_ms) {
    int64_t days = epoch_ms / 86400000, rest = epoch_ms % 86400000;
    if (rest < 0) rest += 86400000, --days;
    int64_t y;
    int m, d;
    civil_from_days(days, y, m, d);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<long long>(y), m, d,
                  static_cast<int>(rest / 3600000), static_cast<int>(rest / 60000 % 60),
                  static_cast<int>(rest / 1000 % 60), static_cast<int>(rest % 1000));
    return buf;
}

std::string future_rfc3339(const std::string& raw, const std::string& field, int64_t now_ms) {
    auto ms = rfc3339_epoch_ms(raw);
    if (!ms) throw validation("Must be an RFC 3339 date-time", field, raw);
    if (*ms <= now_ms) throw validation("Must be in the future", field, raw);
    return rfc3339_utc_ms(*ms);
}

int64_t system_clock_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

bool iana_zone_syntax(std::string_view tz) {
    if (tz.empty() || tz.size() > 64 || tz.front() == '/' || tz.back() == '/') return false;
    size_t start = 0;
    while (true) {
        size_t slash = tz.find('/', start);
        std::string_view seg = tz.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (seg.empty() || seg == "." || seg == "..") return false;
        for (unsigned char ch : seg)
            if (!(is_alnum(ch) || ch == '_' || ch == '-' || ch == '+')) return false;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return tz.rfind("posix/", 0) != 0 && tz.rfind("right/", 0) != 0 && tz != "localtime" && tz != "posixrules" &&
           tz != "Factory";
}

std::string iana_zone(const std::string& raw, const std::string& field) {
    bool known = iana_zone_syntax(raw) &&
                 std::binary_search(std::begin(kZones), std::end(kZones), raw,
                                    [](std::string_view a, std::string_view b) { return a < b; });
    if (!known) throw validation("Unknown IANA time zone", field, raw);
    return raw;
}

std::string language(const std::string& raw, const std::string& field) {
    auto bad = [&] { return validation("Must be a BCP 47 language tag such as en or en-US", field, raw); };
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t dash = raw.find('-', start);
        parts.push_back(raw.substr(start, dash == std::string::npos ? std::string::npos : dash - start));
        if (dash == std::string::npos) break;
        start = dash + 1;
    }
    if (parts.size() > 3 || parts[0].size() < 2 || parts[0].size() > 3 || !all_alpha(parts[0])) throw bad();
    std::string out = lower(parts[0]);
    size_t i = 1;
    if (i < parts.size() && parts[i].size() == 4 && all_alpha(parts[i])) {
        std::string script = lower(parts[i]);
        script[0] = static_cast<char>(script[0] - 'a' + 'A');
        out += "-" + script;
        ++i;
    }
    if (i < parts.size()) {
        const std::string& r = parts[i];
        bool alpha2 = r.size() == 2 && all_alpha(r), digit3 = r.size() == 3 && all_digit(r);
        if (!alpha2 && !digit3) throw bad();
        out += "-";
        for (char ch : r) out.push_back(ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 'a' + 'A') : ch);
        ++i;
    }
    if (i != parts.size()) throw bad();
    return out;
}

std::string region(const std::string& raw, const std::string& field) {
    bool ok = !raw.empty() && raw.size() <= 64 && is_alnum(static_cast<unsigned char>(raw[0]));
    for (unsigned char ch : raw)
        if (!((ch >= 'a' && ch <= 'z') || is_digit(ch) || ch == '-')) ok = false;
    if (!ok) throw validation("Must be a region name such as us-east-1", field, raw);
    return raw;
}

std::string cloud_provider(const std::string& raw, const std::string& field) {
    return one_of(raw, field, {"aws", "gcp", "azure"}, "Must be one of aws, gcp, azure");
}

std::string token(const std::string& raw, const std::string& field, size_t max) {
    if (raw.empty() || raw.size() > max)
        throw validation("Must be 1 to " + std::to_string(max) + " characters", field, raw);
    for (unsigned char ch : raw)
        if (ch <= 0x20 || ch == 0x7f) throw validation("Must not contain spaces or control characters", field, raw);
    return raw;
}

int limit(const std::string& raw, const std::string& field, int max) {
    if (!small_number(raw) || std::stoll(raw) < 1 || std::stoll(raw) > max)
        throw validation("Must be an integer from 1 to " + std::to_string(max), field, raw);
    return static_cast<int>(std::stoll(raw));
}

long long offset(const std::string& raw, const std::string& field) {
    if (!small_number(raw)) throw validation("Must be a non-negative integer", field, raw);
    return std::stoll(raw);
}

std::string sort_key(const std::string& raw, const std::string& field, const std::vector<std::string>& keys) {
    if (std::find(keys.begin(), keys.end(), raw) == keys.end()) throw validation("Unknown sort field", field, raw);
    return raw;
}

std::string search(const std::string& raw, const std::string& field) {
    if (raw.size() > 200) throw validation("Must be at most 200 characters", field);
    return raw;
}

std::vector<std::string> distinct(const std::vector<std::string>& items) {
    std::vector<std::string> out;
    for (const auto& s : items)
        if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    return out;
}

}  // namespace cabinet::valid

namespace cabinet::check {

Check name(size_t max) {
    return [max](const std::string& raw, const std::string& field) { return valid::name(raw, field, max); };
}
Check text(size_t max) {
    return [max](const std::string& raw, const std::string& field) { return valid::text(raw, field, max); };
}
Check bounded(size_t max, const char* unit) {
    return [max, unit](const std::string& raw, const std::string& field) { return valid::bounded(raw, field, max, unit); };
}
Check uuid() { return [](const std::string& raw, const std::string& field) { return valid::uuid(raw, field); }; }
Check uuid_or_empty() {
    return [](const std::string& raw, const std::string& field) -> std::optional<std::string> {
        if (raw.empty()) return std::nullopt;
        return valid::uuid(raw, field);
    };
}
Check scope() { return [](const std::string& raw, const std::string& field) { return valid::scope(raw, field); }; }
Check role(const char* message) {
    return [message](const std::string& raw, const std::string& field) { return valid::role(raw, field, message); };
}
Check role_or_empty(const char* message) {
    return [message](const std::string& raw, const std::string& field) -> std::optional<std::string> {
        if (raw.empty()) return std::nullopt;
        return valid::role(raw, field, message);
    };
}
Check one_of(std::vector<std::string> allowed, const char* message, bool empty_is_absent) {
    return [allowed, message, empty_is_absent](const std::string& raw,
                                               const std::string& field) -> std::optional<std::string> {
        if (empty_is_absent && raw.empty()) return std::nullopt;
        if (std::find(allowed.begin(), allowed.end(), raw) == allowed.end()) throw validation(message, field, raw);
        return raw;
    };
}
Check email() { return [](const std::string& raw, const std::string& field) { return valid::email(raw, field); }; }
Check email_or_empty() {
    return [](const std::string& raw, const std::string& field) {
        return raw.empty() ? raw : valid::email(raw, field);
    };
}
Check phone() { return [](const std::string& raw, const std::string& field) { return valid::phone(raw, field); }; }
Check rfc3339(bool from_query) {
    return [from_query](const std::string& raw, const std::string& field) {
        return valid::rfc3339(raw, field, from_query);
    };
}
Check iana_zone() {
    return [](const std::string& raw, const std::string& field) { return valid::iana_zone(raw, field); };
}
Check language() {
    return [](const std::string& raw, const std::string& field) { return valid::language(raw, field); };
}
Check region() { return [](const std::string& raw, const std::string& field) { return valid::region(raw, field); }; }
Check cloud_provider() {
    return [](const std::string& raw, const std::string& field) { return valid::cloud_provider(raw, field); };
}
Check token(size_t max) {
    return [max](const std::string& raw, const std::string& field) { return valid::token(raw, field, max); };
}
Check limit(int max) {
    return [max](const std::string& raw, const std::string& field) {
        return std::to_string(valid::limit(raw, field, max));
    };
}
Check offset() {
    return [](const std::string& raw, const std::string& field) { return std::to_string(valid::offset(raw, field)); };
}
Check sort_key(std::vector<std::string> keys) {
    return [keys](const std::string& raw, const std::string& field) { return valid::sort_key(raw, field, keys); };
}
Check search() {
    return [](const std::string& raw, const std::string& field) -> std::optional<std::string> {
        if (raw.empty()) return std::nullopt;
        return valid::search(raw, field);
    };
}

}  // namespace cabinet::check
