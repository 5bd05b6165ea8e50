// The validators of request values (bodies, query parameters, cabinet-admin
// options): pure functions in the manner of kcgi's kvalid. Each takes the raw
// text and the field it came from (the dotted path a client sees in
// details.field), returns the value normalized as it is stored, or throws
// VALIDATION_ERROR with the route's stable message. No I/O, no database, no
// clock: "in the future" compares with the reading the caller passes.
#pragma once

#include "error.hpp"

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cabinet::valid {

// A display name: blanks (space, tab) trimmed, then 1..max bytes, no control
// character. "Must be 1 to <max> characters" / "Must not contain control
// characters", both with the raw value. Groups, SSH keys and account names
// take 128; users and organizations 200.
std::string name(const std::string& raw, const std::string& field, size_t max);

// Free text of at most max bytes: "Must be at most <max> characters" (no value).
std::string text(const std::string& raw, const std::string& field, size_t max);

// 1..max bytes, kept as given: "Must be 1 to <max> <unit>" (no value).
std::string bounded(const std::string& raw, const std::string& field, size_t max, const char* unit = "characters");

// A UUID in its 8-4-4-4-12 hex form, returned lower-cased: "Must be a UUID".
std::string uuid(const std::string& raw, const std::string& field);

// One of the allowed values, kept as given; message is the route's text.
std::string one_of(const std::string& raw, const std::string& field, std::initializer_list<const char*> allowed,
                   const char* message);

// A scope of the catalogue (lib/authz.hpp): "Unknown scope".
std::string scope(const std::string& raw, const std::string& field);

// A role (admin, user, auditor); message is the route's text ("Must be one of
// admin, user, auditor" for users, "Unknown value" for bindings).
std::string role(const std::string& raw, const std::string& field,
                 const char* message = "Must be one of admin, user, auditor");

// local@domain.tld, at most 254 bytes, local part at most 64: "Invalid email format".
std::string email(const std::string& raw, const std::string& field = "email");

// 12..256 UTF-8 characters, not the email (ASCII case-insensitive):
// "Password must be 12 to 256 characters" / "Password must not equal the email".
void password(const std::string& raw, const std::string& email, const std::string& field = "password");

// Empty (clears it), or 3..32 bytes of digits, spaces, ( ) - with an optional
// leading + and at least 3 digits: "Invalid phone number".
std::string phone(const std::string& raw, const std::string& field);

// An RFC 3339 date-time (lib/timestamp.hpp), the text Postgres reads as a
// timestamptz: "Must be an RFC 3339 date-time". from_query reads a space
// before the offset as '+' (an unencoded '+' of a query string).
std::string rfc3339(const std::string& raw, const std::string& field, bool from_query = false);

// Milliseconds since the Unix epoch of an RFC 3339 date-time (truncated to
// the millisecond as Postgres stores it); nullopt when malformed.
std::optional<int64_t> rfc3339_epoch_ms(std::string_view raw);
// The UTC text of an epoch in milliseconds: 2026-11-23T10:15:30.123Z.
std::string rfc3339_utc_ms(int64_t epoch_ms);

// An RFC 3339 date-time later than now_ms (the caller's clock reading, ms
// since the epoch), normalized to UTC with milliseconds: "Must be an RFC 3339
// date-time" / "Must be in the future".
std::string future_rfc3339(const std::string& raw, const std::string& field, int64_t now_ms);

// The milliseconds since the epoch of the system clock: the reading the
// handlers pass to future_rfc3339.
int64_t system_clock_ms();

// An IANA zone name of the compiled-in list (lib/zones.inc, generated from
// tzdata by scripts/gen-zones): "Unknown IANA time zone".
std::string iana_zone(const std::string& raw, const std::string& field);
// The syntax an IANA name must have before it is looked up (letters, digits,
// '_', '-', '+' segments joined by '/'; never ".", "..", posix/, right/,
// localtime, posixrules, Factory).
bool iana_zone_syntax(std::string_view tz);

// BCP 47, the subset DESIGN §3 names: language (2-3 letters), optional script
// (4 letters), optional region (2 letters or 3 digits), joined by '-';
// returned in canonical case (en, zh-Hant-TW, es-419): "Must be a BCP 47
// language tag such as en or en-US".
std::string language(const std::string& raw, const std::string& field);

// A cloud region name such as us-east-1: 1..64 of [a-z0-9-], starting with a
// letter or digit: "Must be a region name such as us-east-1".
std::string region(const std::string& raw, const std::string& field);

// aws, gcp or azure: "Must be one of aws, gcp, azure".
std::string cloud_provider(const std::string& raw, const std::string& field);

// An identifier without spaces: 1..max bytes, no byte ≤ 0x20 or 0x7f:
// "Must be 1 to <max> characters" / "Must not contain spaces or control characters".
std::string token(const std::string& raw, const std::string& field, size_t max);

// An integer 1..max: "Must be an integer from 1 to <max>" with the value.
int limit(const std::string& raw, const std::string& field, int max);
// An integer ≥ 0: "Must be a non-negative integer" with the value.
long long offset(const std::string& raw, const std::string& field);

// One of the sort keys of a list (a whitelist: nothing else reaches SQL): "Unknown sort field".
std::string sort_key(const std::string& raw, const std::string& field, const std::vector<std::string>& keys);

// A search text of at most 200 bytes: "Must be at most 200 characters" (no value).
std::string search(const std::string& raw, const std::string& field);

// s without leading and trailing blanks (space, tab): what name() trims.
std::string trim_blanks(const std::string& s);

// Whether s holds a control character (< 0x20 or 0x7f).
bool has_control(std::string_view s);

// U+0000 anywhere in a request string is VALIDATION_ERROR (DESIGN §4):
// "Must not contain U+0000" on the field; nothing is stored or looked up truncated.
void no_nul(const std::string& raw, const std::string& field);

// The items in their first order, each once.
std::vector<std::string> distinct(const std::vector<std::string>& items);

}  // namespace cabinet::valid

namespace cabinet {

// A declared value's validator: raw text and field in, normalized value out;
// nullopt reads the value as absent (an empty query filter). Throws Error.
using Check = std::function<std::optional<std::string>(const std::string& raw, const std::string& field)>;

// The validators as declarations (route tables name these).
namespace check {
Check name(size_t max);
Check text(size_t max);
Check bounded(size_t max, const char* unit = "characters");
Check uuid();
Check uuid_or_empty();  // an empty value is absent
Check scope();
Check role(const char* message = "Must be one of admin, user, auditor");
Check role_or_empty(const char* message);  // an empty value is absent
Check one_of(std::vector<std::string> allowed, const char* message, bool empty_is_absent = false);
Check email();
Check email_or_empty();  // an empty value is kept as "" (it clears the address)
Check phone();
Check rfc3339(bool from_query = false);
Check iana_zone();
Check language();
Check region();
Check cloud_provider();
Check token(size_t max);
Check limit(int max);
Check offset();
Check sort_key(std::vector<std::string> keys);
Check search();  // an empty search is absent
}  // namespace check

}  // namespace cabinet
