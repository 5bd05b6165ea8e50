#include "offset_page.hpp"

namespace cabinet {

QueryParams offset_page_params(std::vector<std::string> sorts) {
    return {{"limit", check::limit(1000)}, {"offset", check::offset()}, {"sort", check::sort_key(std::move(sorts))},
            {"search", check::search()}};
}

OffsetPage parse_offset_page(const std::vector<std::pair<std::string, std::string>>& query,
                             const std::vector<std::string>& sorts) {
    Input in = read_query(query, offset_page_params(sorts));
    OffsetPage p;
    if (auto v = in.opt("limit")) p.limit = std::stoi(*v);
    if (auto v = in.opt("offset")) p.offset = std::stoll(*v);
    p.sort = in.str("sort", "createdAt");
    p.search = in.opt("search");
    return p;
}

}  // namespace cabinet
