#include "auth.hpp"

#include "crypto.hpp"
#include "error.hpp"
#include "http.hpp"

#include <strings.h>

#include <cctype>

#include <unordered_map>
#include <vector>

namespace cabinet {

namespace {

// The caller's identity and effective grants, in one statement. Bindings are
// filtered by now() inside the query; authz_epoch says which version of them
// this is (see by_token).
// Bindings are reached from the caller's subjects (itself and its groups)
// through the index on subject_id: the cost does not grow with the
// organization's bindings (an OR over the subjects made it scan them all).
#define PRINCIPAL_COLUMNS                                                                                            \
    "u.id, u.organization_id, u.email, u.role, u.enabled, u.token_version, "                                         \
    "(SELECT coalesce(json_agg(json_build_array(m.group_id, p.scope)), '[]') "                                       \
    "   FROM memberships m JOIN groups g ON g.id = m.group_id CROSS JOIN LATERAL unnest(g.permissions) AS p(scope) " \
    "  WHERE m.user_id = u.id)::text AS group_scopes, "                                                              \
    "(SELECT coalesce(json_agg(json_build_array(b.role, b.object_type, b.object_id, b.subject_type, b.subject_id, "  \
    "        rfc3339(b.expires_at))), '[]') "                                                                        \
    "   FROM (SELECT 'user'::text AS kind, u.id AS sid "                                                            \
    "         UNION ALL SELECT 'group', m2.group_id FROM memberships m2 WHERE m2.user_id = u.id) s "                 \
    "   JOIN permission_bindings b ON b.subject_id = s.sid AND b.subject_type = s.kind "                            \
    "  WHERE b.organization_id = u.organization_id AND b.enabled "                                                   \
    "    AND (b.expires_at IS NULL OR b.expires_at > now()))::text AS bindings, "                                  \
    "coalesce((SELECT e.epoch FROM authz_epochs e WHERE e.organization_id = u.organization_id), 0) AS authz_epoch "

const Stmt kPrincipalByUser = {"auth_principal_by_user",
                               "SELECT " PRINCIPAL_COLUMNS "FROM users u WHERE u.id = $1"};

const Stmt kPrincipalByApiKey = {"auth_principal_by_api_key",
                                 "SELECT " PRINCIPAL_COLUMNS ", k.secret_hash "
                                 "FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.api_key = $1"};

Principal principal_from(const Result& r) {
    Principal p;
    p.user_id = r.str(0, "id");
    p.org_id = r.str(0, "organization_id");
    p.email = r.str(0, "email");
    p.role = r.str(0, "role");
    p.grants.org_id = p.org_id;
    p.grants.role = p.role;
    p.grants.group_scopes = parse_group_scopes(r.str(0, "group_scopes"));
    p.grants.bindings = parse_bindings(r.str(0, "bindings"));
    return p;
}

// Principals this process has read, by user id. One is reused only when the
// operation's own transaction proves its organization's authz epoch unchanged
// (sql/025: bumped in the same transaction as every change that can alter a
// principal) and no binding it holds expired since (now() < horizon): the
// proof (kAuthProof, sql/030) travels in the transaction's first round trip,
// and when it fails nothing sent with it ran and the request runs again with
// the principal read anew (Freshness::Reload). A refusal (401) is never based
// on a kept principal: it is read anew first.
struct Cached {
    Principal principal;
    long long token_version = 0;
    bool enabled = false;
    long long epoch = 0;
    std::string horizon;  // earliest expiry among its bindings, or "infinity"
};
constexpr size_t kCacheCap = 10000;
thread_local std::unordered_map<std::string, Cached> g_principals;  // per responder thread

const Stmt kAuthProof = {"auth_prove", "SELECT authz_prove($1, $2, $3)"};

// Keeps the principal row of kPrincipalByUser; nullptr when the user is gone.
const Cached* remember(const std::string& user_id, const Result& r) {
    if (r.empty()) {
        g_principals.erase(user_id);
        return nullptr;
    }
    if (g_principals.size() >= kCacheCap) g_principals.clear();
    Cached c;
    c.principal = principal_from(r);
    c.token_version = r.integer(0, "token_version");
    c.enabled = r.boolean(0, "enabled");
    c.epoch = r.integer(0, "authz_epoch");
    c.horizon = "infinity";
    for (const auto& b : c.principal.grants.bindings)  // RFC 3339 UTC of one width: text order is time order
        if (!b.expires_at.empty() && (c.horizon == "infinity" || b.expires_at < c.horizon)) c.horizon = b.expires_at;
    return &(g_principals[user_id] = std::move(c));
}

// The kept principal of the token's user, when it would let the token in.
const Cached* kept_principal(const Claims& claims) {
    auto it = g_principals.find(claims.sub);
    if (it == g_principals.end()) return nullptr;
    const Cached& c = it->second;
    bool admits = c.principal.org_id == claims.org && c.enabled && c.token_version == claims.ver;
    return admits ? &c : nullptr;
}

Identity by_token(std::string_view token, Db& db, const Config& cfg, const Clock& now, Freshness freshness) {
    std::string reason;
    auto claims = verify_jwt(token, cfg.jwt_secret, now, &reason);
    if (!claims) throw unauthorized("Invalid or expired token", true).because("jwt: " + reason);
    if (freshness == Freshness::Kept) {
        if (const Cached* known = kept_principal(*claims))
            return {known->principal, Proof{&kAuthProof, {claims->org, std::to_string(known->epoch), known->horizon}}};
    }
    const Cached* known = remember(claims->sub, db.query(kPrincipalByUser, {claims->sub}));
    auto refuse = [](const char* why) { return unauthorized("Invalid or expired token", true).because(why); };
    if (!known) throw refuse("jwt: unknown user");
    if (!known->enabled) throw refuse("jwt: user disabled");
    if (known->token_version != claims->ver || known->principal.org_id != claims->org) throw refuse("jwt: revoked");
    return {known->principal, Proof{}};
}

Identity by_api_key(std::string_view b64, Db& db, const Config& cfg) {
    auto decoded = unbase64(b64);
    auto colon = decoded ? decoded->find(':') : std::string::npos;
    if (colon == std::string::npos) throw unauthorized("Invalid API key").because("basic: malformed");
    std::string key = decoded->substr(0, colon), secret = decoded->substr(colon + 1);
    if (!is_api_key_spelling(key)) throw unauthorized("Invalid API key").because("basic: malformed key");
    Result r = db.query(kPrincipalByApiKey, {key});
    // The hash is compared even for an unknown key, so timing says nothing.
    std::string want = r.empty() ? std::string(32, '\0') : r.bytes(0, "secret_hash");
    bool match = equal_ct(api_secret_hash(cfg, secret), want);
    if (r.empty() || !match) throw unauthorized("Invalid API key").because("basic: no such key or bad secret");
    if (!r.boolean(0, "enabled")) throw unauthorized("Invalid API key").because("basic: user disabled");
    Identity id{principal_from(r), Proof{}};
    id.principal.api_key = key;
    return id;
}

}  // namespace

bool is_api_key_spelling(std::string_view key) {
    if (key.empty() || key.size() > 128) return false;
    for (unsigned char ch : key)
        if (!std::isalnum(ch) && ch != '_') return false;
    return true;
}

std::string api_secret_hash(const Config& cfg, std::string_view secret) {
    return hmac_sha256(hmac_sha256(cfg.master_key, "cabinet api secret"), secret);
}

Identity authenticate(const Request& req, Db& db, const Config& cfg, Freshness freshness, const Clock& now) {
    std::string_view h = req.authorization;
    while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
    if (h.empty()) throw unauthorized();
    if (h.size() > 7 && strncasecmp(h.data(), "Bearer ", 7) == 0) return by_token(h.substr(7), db, cfg, now, freshness);
    if (h.size() > 6 && strncasecmp(h.data(), "Basic ", 6) == 0) return by_api_key(h.substr(6), db, cfg);
    throw unauthorized("Unsupported authorization scheme", true);
}

Call principal_query(const std::string& user_id) { return {&kPrincipalByUser, {user_id}}; }

std::optional<Principal> principal_of(const Result& r) {
    if (r.empty()) return std::nullopt;
    return principal_from(r);
}

}  // namespace cabinet
