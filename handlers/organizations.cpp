// handlers/organizations: the caller's organization, as 2GC shows it
// (/api/organizations/{orgId}) and as ClickHouse does (/v1/organizations…).
// Reading needs read:organization; changing it needs an administrator.
#include "audit.hpp"
#include "crypto.hpp"
#include "ctx.hpp"
#include "org_settings.hpp"
#include "serve.hpp"

using namespace cabinet;

namespace {

Response get_org_2gc(Ctx& c);
Response update_org_2gc(Ctx& c);
Response list_orgs(Ctx& c);
Response get_org(Ctx& c);
Response patch_org(Ctx& c);

// An organization's name: 1..200 characters after trimming; settings per lib/org_settings.
const Fields kUpdate2gcFields = {{"name", Kind::String, false, {}, check::name(200)},
                                 {"settings", Kind::Object, false, org_settings_fields()}};
// add/remove are arrays of endpoint objects, checked item by item (valid_endpoints).
const Fields kPatchFields = {{"name", Kind::String, false, {}, check::name(200)},
                             {"privateEndpoints", Kind::Object, false, {{"add", Kind::Any}, {"remove", Kind::Any}}}};

const Service kService = {"organizations",
                          {
                              {"GET", "/api/organizations/{orgId}", get_org_2gc, Access::Authenticated, nullptr},
                              {"PUT", "/api/organizations/{orgId}", update_org_2gc, Access::Authenticated, &kUpdate2gcFields},
                              {"GET", "/v1/organizations", list_orgs, Access::Authenticated, nullptr},
                              {"GET", "/v1/organizations/{organizationId}", get_org, Access::Authenticated, nullptr},
                              {"PATCH", "/v1/organizations/{organizationId}", patch_org, Access::Authenticated, &kPatchFields},
                          }};

// ---------------------------------------------------------------- SQL

#define ORG_COLUMNS                                                                                          \
    "o.id, o.name, o.timezone, o.language, o.private_endpoints::text AS private_endpoints, "                 \
    "o.byoc_config::text AS byoc_config, rfc3339(o.created_at) AS created_at, rfc3339(o.updated_at) AS updated_at "

const Stmt kGetOrg = {"orgs_get", "SELECT " ORG_COLUMNS "FROM organizations o WHERE o.id = $1"};

const Stmt kLockOrg = {"orgs_lock", "SELECT " ORG_COLUMNS "FROM organizations o WHERE o.id = $1 FOR UPDATE"};

// $2..$5 are NULL when unchanged.
const Stmt kUpdateOrg = {
    "orgs_update",
    "UPDATE organizations AS o SET name = coalesce($2, o.name), timezone = coalesce($3, o.timezone), "
    "language = coalesce($4, o.language), private_endpoints = coalesce($5::jsonb, o.private_endpoints), "
    "updated_at = date_trunc('milliseconds', clock_timestamp()) WHERE o.id = $1 RETURNING " ORG_COLUMNS};

// ---------------------------------------------------------------- rendering

// The ClickHouse organization object (bare).
void write_org_ch(JsonOut& j, const Result& r) {
    j.obj().kv("id", r.str(0, "id")).kv("createdAt", r.str(0, "created_at")).kv("name", r.str(0, "name"));
    j.key("privateEndpoints");
    write_endpoints(j, parse_stored_endpoints(r.str(0, "private_endpoints")));
    j.key("byocConfig").raw(r.str(0, "byoc_config")).end();
}

Response org_2gc_response(const Result& r) {
    JsonOut j;
    j.obj().key("organization").obj().kv("id", r.str(0, "id")).kv("name", r.str(0, "name"));
    j.key("settings").obj().kv("timezone", r.str(0, "timezone")).kv("language", r.str(0, "language")).end();
    j.kv("createdAt", r.str(0, "created_at")).kv("updatedAt", r.str(0, "updated_at")).end().end();
    return json_response(200, j.take());
}

Response org_ch_response(const Result& r) {
    JsonOut j;
    write_org_ch(j, r);
    return json_response(200, j.take());
}

// The caller's organization when the path names it; 404 otherwise (another
// organization, an unknown or malformed id: the same answer).
std::string own_org(const Ctx& c, const char* param) {
    std::string id = c.id_param(param);
    if (id != c.caller().org_id) throw not_found("Organization not found");
    return id;
}

Result read_org(Ctx& c, const std::string& id) {
    Result r = read_tx(c).commit(kGetOrg, {id});
    if (r.empty()) throw not_found("Organization not found");
    return r;
}

// ---------------------------------------------------------------- 2GC operations

// 200 {"organization":{id,name,settings:{timezone,language},createdAt,updatedAt}}; 404.
Response get_org_2gc(Ctx& c) {
    std::string id = own_org(c, "orgId");
    c.require("read:organization");
    return org_2gc_response(read_org(c, id));
}

// 200 as GET with any of name, settings.timezone (an IANA zone),
// settings.language (BCP 47) changed; 400 for a bad value or nothing to
// change; 403 unless the caller is an administrator; 404.
Response update_org_2gc(Ctx& c) {
    std::string id = own_org(c, "orgId");
    c.require_admin();
    Input in = read_fields(c.body, kUpdate2gcFields);
    Param name = in.opt("name"), timezone = in.opt("settings.timezone"), language = in.opt("settings.language");
    if (!name && !timezone && !language) throw validation("Give name, settings.timezone or settings.language", "name");
    Tx tx = write_tx(c);
    Result r = tx.query(kUpdateOrg, {id, name, timezone, language, std::nullopt});
    if (r.empty()) throw not_found("Organization not found");
    audit(tx, c, "organization.update");
    tx.commit();
    return org_2gc_response(r);
}

// ---------------------------------------------------------------- ClickHouse operations

// 200 [Org]: the caller's one organization.
Response list_orgs(Ctx& c) {
    c.require("read:organization");
    Result r = read_org(c, c.caller().org_id);
    JsonOut j;
    j.arr();
    write_org_ch(j, r);
    j.end_arr();
    return json_response(200, j.take());
}

// 200 {id,createdAt,name,privateEndpoints,byocConfig}; 404.
Response get_org(Ctx& c) {
    std::string id = own_org(c, "organizationId");
    c.require("read:organization");
    return org_ch_response(read_org(c, id));
}

// 200 the organization with name and/or privateEndpoints changed: removals
// (by id; an absent id is a no-op) apply first, then additions (a present id
// is a no-op); 400 for a bad value or nothing to change, or more than 100
// endpoints; 403 unless the caller is an administrator; 404.
Response patch_org(Ctx& c) {
    std::string id = own_org(c, "organizationId");
    c.require_admin();
    Input in = read_fields(c.body, kPatchFields);
    Param name = in.opt("name");
    std::vector<Endpoint> add, remove;
    const auto* pe = in.raw("privateEndpoints");
    if (pe) {
        add = valid_endpoints(*pe, "add");
        remove = valid_endpoints(*pe, "remove");
    }
    if (!name && !pe) throw validation("Give name or privateEndpoints", "name");
    Tx tx = write_tx(c);
    Result cur = tx.query(kLockOrg, {id});
    if (cur.empty()) throw not_found("Organization not found");
    Param endpoints;
    if (pe) {
        JsonOut j;
        write_endpoints(j, merge_endpoints(parse_stored_endpoints(cur.str(0, "private_endpoints")), remove, add));
        endpoints = j.take();
    }
    Result r = tx.query(kUpdateOrg, {id, name, std::nullopt, std::nullopt, endpoints});
    audit(tx, c, "organization.update");
    tx.commit();
    return org_ch_response(r);
}

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
