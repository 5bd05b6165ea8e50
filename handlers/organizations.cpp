// handlers/organizations: the caller's organization, as 2GC shows it
// (/api/organizations/{orgId}) and as ClickHouse does (/v1/organizations…).
// Reading needs read:organization; changing it needs an administrator.
#include "audit.hpp"
#include "crypto.hpp"
#include "ctx.hpp"
#include "serve.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <memory>

using namespace cabinet;

namespace {

Response get_org_2gc(Ctx& c);
Response update_org_2gc(Ctx& c);
Response list_orgs(Ctx& c);
Response get_org(Ctx& c);
Response patch_org(Ctx& c);

const Fields kUpdate2gcFields = {
    {"name", Kind::String}, {"settings", Kind::Object, false, {{"timezone", Kind::String}, {"language", Kind::String}}}};
// add/remove are arrays of endpoint objects, checked item by item (kEndpointFields).
const Fields kPatchFields = {
    {"name", Kind::String}, {"privateEndpoints", Kind::Object, false, {{"add", Kind::Any}, {"remove", Kind::Any}}}};
const Fields kEndpointFields = {{"id", Kind::String, true},
                                {"description", Kind::String},
                                {"cloudProvider", Kind::String, true},
                                {"region", Kind::String, true}};
// Removal matches by id; the other fields may be given (as GET shows them) and are ignored.
const Fields kEndpointRemoveFields = {
    {"id", Kind::String, true}, {"description", Kind::String}, {"cloudProvider", Kind::String}, {"region", Kind::String}};

const Service kService = {"organizations",
                          {
                              {"GET", "/api/organizations/{orgId}", get_org_2gc, Access::Authenticated, nullptr},
                              {"PUT", "/api/organizations/{orgId}", update_org_2gc, Access::Authenticated, &kUpdate2gcFields},
                              {"GET", "/v1/organizations", list_orgs, Access::Authenticated, nullptr},
                              {"GET", "/v1/organizations/{organizationId}", get_org, Access::Authenticated, nullptr},
                              {"PATCH", "/v1/organizations/{organizationId}", patch_org, Access::Authenticated, &kPatchFields},
                          }};

constexpr size_t kMaxEndpoints = 100;  // per organization

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

// The IANA zone database (Debian's tzdata, which PostgreSQL uses too). Asking
// pg_timezone_names instead costs ~50 ms: it loads every zone.
constexpr const char* kZoneinfoDir = "/usr/share/zoneinfo/";

// ---------------------------------------------------------------- validation

bool all_of(const std::string& s, int (*pred)(int)) {
    return std::all_of(s.begin(), s.end(), [pred](unsigned char ch) { return pred(ch) != 0; });
}

// 1..200 characters after trimming, no control characters.
std::string valid_org_name(const std::string& raw) {
    size_t b = raw.find_first_not_of(" \t"), e = raw.find_last_not_of(" \t");
    std::string name = b == std::string::npos ? "" : raw.substr(b, e - b + 1);
    if (name.empty() || name.size() > 200) throw validation("Must be 1 to 200 characters", "name", raw);
    for (unsigned char ch : name)
        if (ch < 0x20 || ch == 0x7f) throw validation("Must not contain control characters", "name", raw);
    return name;
}

// An IANA zone name as the zone database spells it: segments of letters,
// digits, '_', '-', '+' joined by '/'; never absolute, never "." or "..", never
// the database's non-zone trees (posix/, right/) or its special files. Pure:
// the name can then be looked up safely as a path below kZoneinfoDir.
bool timezone_syntax(const std::string& tz) {
    if (tz.empty() || tz.size() > 64 || tz.front() == '/' || tz.back() == '/') return false;
    size_t start = 0;
    while (start <= tz.size()) {
        size_t slash = tz.find('/', start);
        std::string seg = tz.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (seg.empty() || seg == "." || seg == "..") return false;
        for (unsigned char ch : seg)
            if (!(std::isalnum(ch) || ch == '_' || ch == '-' || ch == '+')) return false;
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    return tz.rfind("posix/", 0) != 0 && tz.rfind("right/", 0) != 0 && tz != "localtime" && tz != "posixrules" &&
           tz != "Factory";
}

// A zone exists when its file is a compiled zone (TZif magic): that rejects
// directories (Europe) and the database's tables (zone.tab, leapseconds).
bool zone_exists(const std::string& tz) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen((kZoneinfoDir + tz).c_str(), "rb"), &std::fclose);
    char magic[4] = {};
    return f && std::fread(magic, 1, 4, f.get()) == 4 && std::memcmp(magic, "TZif", 4) == 0;
}

std::string valid_timezone(const std::string& tz) {
    if (!timezone_syntax(tz) || !zone_exists(tz)) throw validation("Unknown IANA time zone", "settings.timezone", tz);
    return tz;
}

// BCP 47, the subset DESIGN §3 names: language (2-3 letters), optional script
// (4 letters), optional region (2 letters or 3 digits), joined by '-'.
// Returned in canonical case: en, zh-Hant-TW, es-419.
std::string valid_language(const std::string& tag) {
    auto bad = [&] { return validation("Must be a BCP 47 language tag such as en or en-US", "settings.language", tag); };
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t dash = tag.find('-', start);
        parts.push_back(tag.substr(start, dash == std::string::npos ? std::string::npos : dash - start));
        if (dash == std::string::npos) break;
        start = dash + 1;
    }
    if (parts.size() > 3 || parts[0].size() < 2 || parts[0].size() > 3 || !all_of(parts[0], isalpha)) throw bad();
    std::string out;
    for (char ch : parts[0]) out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    size_t i = 1;
    if (i < parts.size() && parts[i].size() == 4 && all_of(parts[i], isalpha)) {
        out += "-";
        for (size_t k = 0; k < 4; ++k)
            out.push_back(static_cast<char>(k ? std::tolower(static_cast<unsigned char>(parts[i][k]))
                                              : std::toupper(static_cast<unsigned char>(parts[i][k]))));
        ++i;
    }
    if (i < parts.size()) {
        const std::string& region = parts[i];
        bool alpha2 = region.size() == 2 && all_of(region, isalpha), digit3 = region.size() == 3 && all_of(region, isdigit);
        if (!alpha2 && !digit3) throw bad();
        out += "-";
        for (char ch : region) out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
        ++i;
    }
    if (i != parts.size()) throw bad();
    return out;
}

struct Endpoint {
    std::string id, description, cloud_provider, region;
};

// One item of privateEndpoints.add / .remove (field names the item: privateEndpoints.add.0.region).
Endpoint valid_endpoint(const rapidjson::Value& v, const std::string& path, bool removal) {
    if (!v.IsObject()) throw validation("Must be an object", path);
    check_fields(v, removal ? kEndpointRemoveFields : kEndpointFields, path + ".");
    Endpoint e{str(v, "id"), str(v, "description"), str(v, "cloudProvider"), str(v, "region")};
    if (e.id.empty() || e.id.size() > 256) throw validation("Must be 1 to 256 characters", path + ".id", e.id);
    for (unsigned char ch : e.id)
        if (ch <= 0x20 || ch == 0x7f) throw validation("Must not contain spaces or control characters", path + ".id", e.id);
    if (removal) return e;
    if (e.description.size() > 1024) throw validation("Must be at most 1024 characters", path + ".description");
    if (e.cloud_provider != "aws" && e.cloud_provider != "gcp" && e.cloud_provider != "azure")
        throw validation("Must be one of aws, gcp, azure", path + ".cloudProvider", e.cloud_provider);
    bool region_ok = !e.region.empty() && e.region.size() <= 64 && std::isalnum(static_cast<unsigned char>(e.region[0]));
    for (unsigned char ch : e.region)
        if (!(std::islower(ch) || std::isdigit(ch) || ch == '-')) region_ok = false;
    if (!region_ok) throw validation("Must be a region name such as us-east-1", path + ".region", e.region);
    return e;
}

std::vector<Endpoint> valid_endpoints(const rapidjson::Value& pe, const char* key) {
    std::vector<Endpoint> out;
    const auto* list = member(pe, key);
    if (!list || list->IsNull()) return out;
    std::string path = std::string("privateEndpoints.") + key;
    if (!list->IsArray()) throw validation("Must be an array", path);
    if (list->Size() > kMaxEndpoints) throw validation("At most 100 items", path);
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i)
        out.push_back(valid_endpoint((*list)[i], path + "." + std::to_string(i), std::string(key) == "remove"));
    return out;
}

// ---------------------------------------------------------------- rendering

std::vector<Endpoint> parse_stored_endpoints(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    std::vector<Endpoint> out;
    if (!d.IsArray()) return out;
    for (const auto& v : d.GetArray())
        if (v.IsObject())
            out.push_back({str(v, "id"), str(v, "description"), str(v, "cloudProvider"), str(v, "region")});
    return out;
}

void write_endpoints(JsonOut& j, const std::vector<Endpoint>& eps) {
    j.arr();
    for (const auto& e : eps)
        j.obj().kv("id", e.id).kv("description", e.description).kv("cloudProvider", e.cloud_provider)
            .kv("region", e.region).end();
    j.end_arr();
}

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
    Param name, timezone, language;
    if (has(c.body, "name")) name = valid_org_name(str(c.body, "name"));
    if (const auto* s = member(c.body, "settings")) {
        if (has(*s, "timezone")) timezone = valid_timezone(str(*s, "timezone"));
        if (has(*s, "language")) language = valid_language(str(*s, "language"));
    }
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
    Param name;
    if (has(c.body, "name")) name = valid_org_name(str(c.body, "name"));
    std::vector<Endpoint> add, remove;
    const auto* pe = member(c.body, "privateEndpoints");
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
        std::vector<Endpoint> eps = parse_stored_endpoints(cur.str(0, "private_endpoints"));
        auto has_id = [&](const std::string& eid) {
            return std::any_of(eps.begin(), eps.end(), [&](const Endpoint& e) { return e.id == eid; });
        };
        for (const auto& r : remove)
            eps.erase(std::remove_if(eps.begin(), eps.end(), [&](const Endpoint& e) { return e.id == r.id; }), eps.end());
        for (const auto& a : add)
            if (!has_id(a.id)) eps.push_back(a);
        if (eps.size() > kMaxEndpoints) throw validation("At most 100 private endpoints", "privateEndpoints.add");
        JsonOut j;
        write_endpoints(j, eps);
        endpoints = j.take();
    }
    Result r = tx.query(kUpdateOrg, {id, name, std::nullopt, std::nullopt, endpoints});
    audit(tx, c, "organization.update");
    tx.commit();
    return org_ch_response(r);
}

}  // namespace

int main(int argc, char** argv) { return serve(kService, argc, argv); }
