// The request, the response, the route table and the per-request context.
#pragma once

#include "config.hpp"
#include "db.hpp"
#include "error.hpp"
#include "json.hpp"
#include "auth.hpp"
#include "authz.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cabinet {

constexpr size_t kMaxBody = 65536;

struct Request {
    std::string method;
    std::string path;  // DOCUMENT_URI: decoded, normalised by nginx
    std::string query_string;
    std::string content_type;
    std::string authorization;
    std::string remote_addr;
    std::string forwarded_for;
    std::string request_id;
    bool rate_refused = false;  // nginx refused it for the per-second rate; only the 429 is rendered
    std::string body;
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in order

    std::optional<std::string> param(std::string_view name) const;  // the first value of a query parameter
};

// Parses application/x-www-form-urlencoded; nullopt on a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view qs);

struct Response {
    int status = 200;
    std::string body;
    Headers headers;
};

Response json_response(int status, std::string body);
Response no_content();

struct Ctx;
using HandlerFn = Response (*)(Ctx&);

enum class Access { Public, Authenticated };

// One row of a handler's route table: method × pattern → function. A pattern
// segment {name} captures one segment; a trailing * takes the rest; method "*" is any.
struct Route {
    const char* method;
    const char* pattern;
    HandlerFn fn;
    Access access;
    const Fields* body;  // declared body fields; nullptr = the body is ignored
};

struct Ctx {
    const Request& req;
    Db& db;
    const Config& cfg;
    std::unordered_map<std::string, std::string> path;
    rapidjson::Document body;
    std::optional<Principal> who;

    const Principal& caller() const;
    // A path id: 404 unless it is a well-formed uuid; returned lower-cased.
    std::string id_param(const char* name) const;
    // 403 unless the caller holds scope (org-wide, or on resource when given).
    void require(std::string_view scope, std::string_view resource = {}) const;
    // 403 unless the caller is an administrator (role or org-wide admin binding).
    void require_admin() const;
    std::string client_ip() const;
};

// ASCII lower case (uuids, emails' comparison keys); SQL's lower() handles Unicode.
std::string ascii_lower(std::string s);
// A LIKE pattern (ESCAPE '\\') matching text as a substring: % _ \\ escaped.
std::string like_substring(std::string_view text);

// Matches a path against a pattern, filling named segments.
bool match_route(std::string_view pattern, std::string_view path, std::unordered_map<std::string, std::string>& out);

}  // namespace cabinet
