// Keyset pages with opaque HMAC-signed cursors (Cloud.ru lists) and
// limit/offset pages (2GC lists).
#pragma once

#include "config.hpp"
#include "db.hpp"
#include "http.hpp"
#include "json.hpp"

#include <string>
#include <string_view>

namespace cabinet {

// limit: 1..1000, default 50; VALIDATION_ERROR otherwise.
int parse_limit(const Request& req, const char* name = "limit", int fallback = 50, int max = 1000);
// offset: ≥ 0, default 0.
long long parse_offset(const Request& req);

enum class Direction { First, After, Before };

// Where a keyset page starts. Items are ordered by (createdAt, id) ascending.
struct Page {
    int limit = 50;
    Direction dir = Direction::First;
    std::string created_at = "-infinity";                   // the cursor's position
    std::string id = "00000000-0000-0000-0000-000000000000";
};

// A cursor binds the list it came from (context: the list name, the caller's
// organization and its filters): one from another list, tampered or
// malformed answers VALIDATION_ERROR on its parameter.
std::string make_cursor(const Config& cfg, std::string_view context, std::string_view created_at, std::string_view id);
Page parse_page(const Request& req, const Config& cfg, std::string_view context, const char* after_name,
                const char* before_name);

}  // namespace cabinet

namespace cabinet {

// Which rows of a keyset query (limit + 1 rows fetched, returned ascending)
// form the page, and which neighbouring pages exist. has_other is the query's
// answer to "is there anything on the far side of the cursor".
struct Window {
    int begin = 0;
    int end = 0;
    bool has_before = false;
    bool has_after = false;
};
Window page_window(const Page& p, int rows, bool has_other);

// Writes "cursor":{after?,before?} (or top-level after/before when flat) for the window.
void write_cursors(JsonOut& j, const Config& cfg, std::string_view context, const Window& w, const Result& r,
                   const char* created_col, const char* id_col, bool flat);

}  // namespace cabinet
