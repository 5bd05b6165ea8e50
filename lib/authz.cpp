#include "authz.hpp"

#include <algorithm>

#include <rapidjson/document.h>

namespace cabinet {

const std::vector<std::string_view> kScopes = {
    "read:users",       "write:users",      "read:groups",      "write:groups",    "read:organization",
    "write:organization", "read:permissions", "write:permissions", "read:activities", "read:projects",
    "write:projects"};

const std::vector<std::string_view> kRoles = {"admin", "user", "auditor"};

bool is_scope(std::string_view s) { return std::find(kScopes.begin(), kScopes.end(), s) != kScopes.end(); }
bool is_role(std::string_view s) { return std::find(kRoles.begin(), kRoles.end(), s) != kRoles.end(); }

bool role_has(std::string_view role, std::string_view scope) {
    if (role == "admin") return is_scope(scope);
    if (role == "auditor") return is_scope(scope) && scope.substr(0, 5) == "read:";
    if (role == "user") return scope == "read:users" || scope == "read:groups" || scope == "read:organization";
    return false;
}

namespace {

// What a resource-scoped binding gives on its group.
bool resource_role_has(std::string_view role, std::string_view scope) {
    if (role == "admin") return scope == "read:groups" || scope == "write:groups";
    return scope == "read:groups";
}

// The arrays of strings (or nulls, read as "") of a JSON array, each of n items.
std::vector<std::vector<std::string>> string_rows(std::string_view json, size_t n) {
    std::vector<std::vector<std::string>> out;
    rapidjson::Document doc;
    if (doc.Parse(json.data(), json.size()).HasParseError() || !doc.IsArray()) return out;
    for (const auto& item : doc.GetArray()) {
        if (!item.IsArray() || item.Size() != n) continue;
        std::vector<std::string> row;
        for (const auto& v : item.GetArray()) {
            if (v.IsString()) row.emplace_back(v.GetString(), v.GetStringLength());
            else if (v.IsNull()) row.emplace_back();
            else break;
        }
        if (row.size() == n) out.push_back(std::move(row));
    }
    return out;
}

}  // namespace

std::vector<Via> explain(const Grants& g, std::string_view scope, std::string_view resource) {
    std::vector<Via> out;
    if (role_has(g.role, scope)) out.push_back({"role", g.role, {}, nullptr});
    for (const auto& gs : g.group_scopes)
        if (gs.scope == scope) out.push_back({"group", {}, gs.group_id, nullptr});
    for (const auto& b : g.bindings) {
        bool org_wide = b.object_type == "organization" && b.object_id == g.org_id;
        bool on_resource = b.object_type == "resource" && !resource.empty() && b.object_id == resource;
        if ((org_wide && role_has(b.role, scope)) || (on_resource && resource_role_has(b.role, scope)))
            out.push_back({"binding", b.role, {}, &b});
    }
    return out;
}

bool allows(const Grants& g, std::string_view scope, std::string_view resource) {
    return !explain(g, scope, resource).empty();
}

bool is_admin(const Grants& g) {
    if (g.role == "admin") return true;
    for (const auto& b : g.bindings)
        if (b.role == "admin" && b.object_type == "organization" && b.object_id == g.org_id) return true;
    return false;
}

bool holds_what_binding_gives(const Grants& g, const Binding& b) {
    if (is_admin(g)) return true;
    bool org_wide = b.object_type == "organization";
    if (org_wide && b.role == "admin") return false;
    for (auto scope : kScopes) {
        bool gives = org_wide ? role_has(b.role, scope) : resource_role_has(b.role, scope);
        if (gives && !allows(g, scope, org_wide ? std::string_view() : std::string_view(b.object_id))) return false;
    }
    return true;
}

std::vector<GroupScope> parse_group_scopes(std::string_view json) {
    std::vector<GroupScope> out;
    for (auto& f : string_rows(json, 2)) out.push_back({std::move(f[0]), std::move(f[1])});
    return out;
}

std::vector<Binding> parse_bindings(std::string_view json) {
    std::vector<Binding> out;
    for (auto& f : string_rows(json, 6))
        out.push_back({std::move(f[0]), std::move(f[1]), std::move(f[2]), std::move(f[3]), std::move(f[4]), std::move(f[5])});
    return out;
}

}  // namespace cabinet
