#include "pagination.hpp"

#include "crypto.hpp"
#include "validate.hpp"

namespace cabinet {

namespace {

std::string cursor_key(const Config& cfg) { return hmac_sha256(cfg.jwt_secret, "cabinet cursor"); }

}  // namespace

int parse_limit(const Request& req, const char* name, int fallback, int max) {
    auto v = req.param(name);
    return v ? valid::limit(*v, name, max) : fallback;
}

long long parse_offset(const Request& req) {
    auto v = req.param("offset");
    return v ? valid::offset(*v, "offset") : 0;
}

std::string make_cursor(const Config& cfg, std::string_view context, std::string_view created_at, std::string_view id) {
    std::string payload = std::string(created_at) + "|" + std::string(id);
    std::string mac = hmac_sha256(cursor_key(cfg), std::string(context) + "\n" + payload).substr(0, 16);
    return base64url(payload) + "." + base64url(mac);
}

namespace {

Page decode(const Config& cfg, std::string_view context, const std::string& token, const char* name) {
    auto bad = [&] { return validation("Invalid cursor", name, token); };
    size_t dot = token.find('.');
    if (dot == std::string::npos || token.size() > 512) throw bad();
    auto payload = unbase64url(std::string_view(token).substr(0, dot));
    auto mac = unbase64url(std::string_view(token).substr(dot + 1));
    if (!payload || !mac) throw bad();
    std::string want = hmac_sha256(cursor_key(cfg), std::string(context) + "\n" + *payload).substr(0, 16);
    if (!equal_ct(want, *mac)) throw bad();
    size_t bar = payload->find('|');
    if (bar == std::string::npos || !is_uuid(payload->substr(bar + 1))) throw bad();
    Page p;
    p.created_at = payload->substr(0, bar);
    p.id = payload->substr(bar + 1);
    return p;
}

}  // namespace

Page parse_page(const Request& req, const Config& cfg, std::string_view context, const char* after_name,
                const char* before_name) {
    auto after = req.param(after_name);
    auto before = req.param(before_name);
    int limit = parse_limit(req);
    if (after && before) throw validation("Give either cursor, not both", before_name, *before);
    Page p;
    if (after && !after->empty()) {
        p = decode(cfg, context, *after, after_name);
        p.dir = Direction::After;
    } else if (before && !before->empty()) {
        p = decode(cfg, context, *before, before_name);
        p.dir = Direction::Before;
    }
    p.limit = limit;
    return p;
}

}  // namespace cabinet

namespace cabinet {

Window page_window(const Page& p, int rows, bool has_other) {
    Window w;
    if (p.dir == Direction::Before) {
        w.begin = rows > p.limit ? 1 : 0;
        w.end = rows;
        w.has_before = rows > p.limit;
        w.has_after = has_other;
    } else {
        w.begin = 0;
        w.end = rows < p.limit ? rows : p.limit;
        w.has_after = rows > p.limit;
        w.has_before = has_other;
    }
    return w;
}

void write_cursors(JsonOut& j, const Config& cfg, std::string_view context, const Window& w, const Result& r,
                   const char* created_col, const char* id_col, bool flat) {
    if (!flat) j.key("cursor").obj();
    if (w.end > w.begin) {
        if (w.has_after) j.kv("after", make_cursor(cfg, context, r.str(w.end - 1, created_col), r.str(w.end - 1, id_col)));
        if (w.has_before) j.kv("before", make_cursor(cfg, context, r.str(w.begin, created_col), r.str(w.begin, id_col)));
    }
    if (!flat) j.end();
}

}  // namespace cabinet
