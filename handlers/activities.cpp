// handlers/activities: the ClickHouse activity log of an organization
// (/v1/organizations/{organizationId}/activities…), read-only.
#include "ctx.hpp"
#include "serve.hpp"

using namespace cabinet;

namespace {

Response list_activities(Ctx& c);
Response get_activity(Ctx& c);

// from_date and to_date bound the creation time (inclusive); limit defaults to 1000.
const QueryParams kListParams = {
    {"from_date", check::rfc3339(true)}, {"to_date", check::rfc3339(true)}, {"limit", check::limit(10000)}};

const Service kService = {
    "activities",
    {
        {"GET", "/v1/organizations/{organizationId}/activities", list_activities, Access::Authenticated, nullptr},
        {"GET", "/v1/organizations/{organizationId}/activities/{activityId}", get_activity, Access::Authenticated,
         nullptr},
    }};

// ---------------------------------------------------------------- SQL

#define ACTIVITY_COLUMNS                                                                              \
    "a.id, rfc3339(a.created_at) AS created_at, a.type, a.actor_type, a.actor_id, a.actor_details, " \
    "a.actor_ip_address, a.organization_id, a.service_id "

// Newest first over activities_org_created_idx; $2/$3 the inclusive bounds (NULL = open).
const Stmt kListActivities = {
    "activities_list",
    "SELECT " ACTIVITY_COLUMNS "FROM activities a WHERE a.organization_id = $1 "
    "AND a.created_at >= coalesce($2::timestamptz, '-infinity') "
    "AND a.created_at <= coalesce($3::timestamptz, 'infinity') "
    "ORDER BY a.created_at DESC, a.id DESC LIMIT $4"};

const Stmt kGetActivity = {"activities_get",
                           "SELECT " ACTIVITY_COLUMNS "FROM activities a WHERE a.id = $1 AND a.organization_id = $2"};

// ---------------------------------------------------------------- helpers

// The path's organization: 404 when malformed, 403 without read:activities,
// 404 unless it is the caller's.
void require_own_org(const Ctx& c) {
    std::string org = c.id_param("organizationId");
    c.require("read:activities");
    if (org != c.caller().org_id) throw not_found("Organization not found");
}

void write_activity(JsonOut& j, const Result& r, int row) {
    j.obj()
        .kv("id", r.str(row, "id"))
        .kv("createdAt", r.str(row, "created_at"))
        .kv("type", r.str(row, "type"))
        .kv("actorType", r.str(row, "actor_type"))
        .kv("actorId", r.get(row, "actor_id"))
        .kv("actorDetails", r.str(row, "actor_details"))
        .kv("actorIpAddress", r.get(row, "actor_ip_address"))
        .kv("organizationId", r.str(row, "organization_id"))
        .kv("serviceId", r.get(row, "service_id"))
        .end();
}

// ---------------------------------------------------------------- operations

// 200 [Activity], newest first, at most limit (default 1000, max 10000),
// created within [from_date, to_date] when given; 400 for a malformed date
// or limit; 403 without read:activities; 404 for another organization.
Response list_activities(Ctx& c) {
    require_own_org(c);
    Input q = read_query(c.req.query, kListParams);
    Param from = q.opt("from_date"), to = q.opt("to_date");
    std::string limit = q.str("limit", "1000");
    Result r = read_tx(c).commit(kListActivities, {c.caller().org_id, from, to, limit});
    JsonOut j;
    j.arr();
    for (int i = 0; i < r.rows(); ++i) write_activity(j, r, i);
    j.end_arr();
    return json_response(200, j.take());
}

// 200 Activity; 404 for an unknown or malformed id or another organization's.
Response get_activity(Ctx& c) {
    require_own_org(c);
    Result r = read_tx(c).commit(kGetActivity, {c.id_param("activityId"), c.caller().org_id});
    if (r.empty()) throw not_found("Activity not found");
    JsonOut j;
    write_activity(j, r, 0);
    return json_response(200, j.take());
}

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
