// The request as the CGI/FastCGI variables give it, and the response a
// handler gives back. Nothing here knows about callers or the database.
#pragma once

#include "error.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
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
    bool too_large = false;     // CONTENT_LENGTH over kMaxBody: the body was not read
    bool bad_length = false;    // CONTENT_LENGTH not a number
    std::string body;
    std::vector<std::pair<std::string, std::string>> query;  // decoded, in order

    std::optional<std::string> param(std::string_view name) const;  // the first value of a query parameter
};

// Parses application/x-www-form-urlencoded; nullopt on a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> parse_query(std::string_view qs);

// A response is an error until an operation says otherwise.
struct Response {
    int status = 500;
    std::string body;
    Headers headers;
    const char* route = nullptr;  // the route template that answered (access log, metrics)
    std::string actor;            // the caller's user id, when authenticated (access log)
    const char* content_type = "application/json";
};

Response json_response(int status, std::string body);
Response no_content();

}  // namespace cabinet
