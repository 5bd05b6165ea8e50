// Small text utilities shared by the stages and the handlers.
#pragma once

#include <string>
#include <string_view>

namespace cabinet {

// ASCII lower case (uuids, emails' comparison keys); SQL's lower() handles Unicode.
std::string ascii_lower(std::string s);
// A LIKE pattern (ESCAPE '\\') matching text as a substring: % _ \\ escaped.
std::string like_substring(std::string_view text);
// True when a Content-Type names application/json (any case, parameters allowed).
bool is_json_media_type(std::string_view content_type);

}  // namespace cabinet
