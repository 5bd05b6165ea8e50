#include "keyset.hpp"

#include <map>
#include <mutex>
#include <utility>

namespace cabinet {

std::string keyset_sql(const KeysetList& l, bool before) {
    std::string c = std::to_string(l.cursor), id = std::to_string(l.cursor + 1), n = std::to_string(l.cursor + 2);
    std::string cursor = " ($" + c + "::timestamptz, $" + id + "::uuid)";
    std::string key = "(" + l.created + ", " + l.id + ") ";
    const char* cmp = before ? "<" : ">";
    const char* other = before ? ">=" : "<=";
    const char* dir = before ? " DESC" : "";
    const std::string& exists_from = l.exists_from.empty() ? l.from : l.exists_from;
    return "WITH page AS (SELECT " + l.columns + ", " + l.created + " AS ts FROM " + l.from + " WHERE " + l.where +
           " AND " + key + cmp + cursor + " ORDER BY " + l.created + dir + ", " + l.id + dir + " LIMIT $" + n +
           ") SELECT page.*, EXISTS (SELECT 1 FROM " + exists_from + " WHERE " + l.where + " AND " + key + other +
           cursor + ") AS has_other FROM page ORDER BY ts, " + l.id_out;
}

Stmt cached_stmt(const std::string& name, const std::function<std::string()>& build, bool replan) {
    static std::mutex mu;
    static std::map<std::string, std::string> cache;  // name → SQL; map nodes never move
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache.find(name);
    if (it == cache.end()) it = cache.emplace(name, build()).first;
    return Stmt{it->first.c_str(), it->second.c_str(), replan};
}

Stmt keyset_stmt(const KeysetList& list, bool before, const std::string& variant) {
    std::string name = list.name + (variant.empty() ? "" : "_" + variant) + (before ? "_before" : "_after");
    return cached_stmt(name, [&] { return keyset_sql(list, before); });
}

}  // namespace cabinet
