// 2GC lists (/api/users, /api/groups): limit/offset pages, sorted by a
// whitelisted key, optionally narrowed by a search text (DESIGN §4). Pure.
#pragma once

#include "json.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cabinet {

struct OffsetPage {
    int limit = 50;                     // 1..1000
    long long offset = 0;               // ≥ 0
    std::string sort = "createdAt";     // one of the list's keys
    std::optional<std::string> search;  // nullopt when absent or empty; at most 200 bytes
};

// The query parameters of a 2GC list whose accepted sort keys are sorts, in
// the order they are checked: limit ("Must be an integer from 1 to 1000"),
// offset ("Must be a non-negative integer"), sort ("Unknown sort field"),
// search ("Must be at most 200 characters").
QueryParams offset_page_params(std::vector<std::string> sorts);

// The page a list's query asks for; VALIDATION_ERROR on the first bad parameter.
OffsetPage parse_offset_page(const std::vector<std::pair<std::string, std::string>>& query,
                             const std::vector<std::string>& sorts);

}  // namespace cabinet
