// The effective-authorization model (DESIGN §3): role ∪ group permissions ∪
// active bindings, org-wide or on one resource. Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cabinet {

extern const std::vector<std::string_view> kScopes;  // the scope catalogue
extern const std::vector<std::string_view> kRoles;   // admin, user, auditor

bool is_scope(std::string_view s);
bool is_role(std::string_view s);
bool role_has(std::string_view role, std::string_view scope);

struct GroupScope {
    std::string group_id;
    std::string scope;
};

// An enabled, unexpired binding that applies to the subject (directly or through a group).
struct Binding {
    std::string role;
    std::string object_type;  // organization | resource
    std::string object_id;
    std::string subject_type;  // user | group
    std::string subject_id;
    std::string expires_at;  // "" = never
};

struct Grants {
    std::string org_id;
    std::string role;
    std::vector<GroupScope> group_scopes;
    std::vector<Binding> bindings;
};

// One reason a scope is allowed.
struct Via {
    std::string kind;  // role | group | binding
    std::string role;
    std::string group_id;
    const Binding* binding = nullptr;
};

// Every grant that allows scope, org-wide or on resource (a group id) when given.
std::vector<Via> explain(const Grants& g, std::string_view scope, std::string_view resource = {});
bool allows(const Grants& g, std::string_view scope, std::string_view resource = {});
// Role admin or an org-wide admin binding.
bool is_admin(const Grants& g);
// Whether the caller of g holds every scope binding b gives, where b gives it
// (DESIGN §3, no escalation): an administrator holds all; an org-wide admin
// binding makes an administrator, so only an administrator holds what it gives.
bool holds_what_binding_gives(const Grants& g, const Binding& b);

// Parses the principal query's JSON lists: [[group_id, scope], …] and
// [[role, object_type, object_id, subject_type, subject_id, expires_at|null], …];
// malformed items are skipped.
std::vector<GroupScope> parse_group_scopes(std::string_view json);
std::vector<Binding> parse_bindings(std::string_view json);

struct Principal {
    std::string user_id;
    std::string org_id;
    std::string email;
    std::string role;
    std::string api_key;  // set when authenticated by an API key (actorType api)
    Grants grants;
};

}  // namespace cabinet
