// RFC 3339 date-times in requests (expiresAt, from_date, to_date).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cabinet {

// A full RFC 3339 date-time: YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM), with a
// real calendar date (leap years counted), 'T'/'Z' in either case, at most 9
// fraction digits, seconds 00..60. Returns the text to hand to Postgres as a
// timestamptz, or nullopt when malformed. With from_query, a space where the
// offset's sign belongs is read as '+' (an unencoded '+' in a query string).
// Pure: no I/O.
std::optional<std::string> parse_rfc3339(std::string_view s, bool from_query = false);

}  // namespace cabinet
