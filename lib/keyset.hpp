// The statements of keyset pages (Cloud.ru lists: groups, members,
// permissions): one builder for every list, each statement built once per
// process and named after its list and variant.
#pragma once

#include "db.hpp"

#include <functional>
#include <string>

namespace cabinet {

// One keyset list. The page rows are `columns` of `from` matching `where`,
// ordered by (created, id); `exists_from` (default: from) is what the
// has_other probe reads. Parameters $cursor and $cursor+1 are the cursor
// (timestamptz, uuid), $cursor+2 the row count (limit + 1).
struct KeysetList {
    std::string name;     // statement name prefix: groups_page
    std::string columns;  // select list of the page rows
    std::string from;     // "groups g"
    std::string where;    // "g.organization_id = $1 AND …" (no cursor condition)
    std::string created;  // "g.created_at"
    std::string id;       // "g.id"
    std::string id_out;   // the id's column name in the output: "id"
    int cursor = 3;
    std::string exists_from = {};
};

// The SQL of one page: rows after (or, before, before) the cursor, at most
// $cursor+2 of them, returned in (created, id) ascending order with the column
// ts (the raw created) and has_other: whether any row lies on the far side of
// the cursor (the cursor's own row included).
std::string keyset_sql(const KeysetList& list, bool before);

// The statement named name, its SQL built by build on the first call, then
// cached for the process (the text never moves; safe from any thread). For
// statements chosen at run time among a fixed set (a sort key, filters).
Stmt cached_stmt(const std::string& name, const std::function<std::string()>& build, bool replan = false);

// The prepared statement of keyset_sql(list, before), named
// "<name>_<variant>_after|before"; built on first use, then cached for the
// process (the text never moves; safe from any thread).
Stmt keyset_stmt(const KeysetList& list, bool before, const std::string& variant = "");

}  // namespace cabinet
