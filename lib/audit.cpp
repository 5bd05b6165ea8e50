#include "audit.hpp"

#include "ctx.hpp"

namespace cabinet {

namespace {

const Stmt kInsertActivity = {
    "audit_insert",
    "INSERT INTO activities (organization_id, type, actor_type, actor_id, actor_details, actor_ip_address) "
    "VALUES ($1, $2, $3, $4, $5, $6)"};

}  // namespace

Actor actor_of(const Ctx& c) {
    const Principal& p = c.caller();
    Actor a{p.org_id, p.api_key.empty() ? "user" : "api", p.user_id, p.email, c.client_ip()};
    if (!p.api_key.empty()) a.details += " api_key=" + p.api_key;
    return a;
}

Call activity_statement(const Actor& a, std::string_view type) {
    return {&kInsertActivity, {a.org_id, std::string(type), a.type, a.id.empty() ? Param() : Param(a.id), a.details,
                               a.ip.empty() ? Param() : Param(a.ip)}};
}

void record_activity(Tx& tx, const Actor& a, std::string_view type) {
    auto [stmt, params] = activity_statement(a, type);
    tx.command(*stmt, params);
}

}  // namespace cabinet
