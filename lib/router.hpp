// A handler's route table (method × path pattern → operation) and the match
// of a request path against it.
#pragma once

#include "http.hpp"
#include "json.hpp"

#include <ostream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cabinet {

struct Ctx;
using HandlerFn = Response (*)(Ctx&);

enum class Access { Public, Authenticated };

// One row of a handler's route table. A pattern segment {name} captures one
// segment; a trailing * takes the rest; method "*" is any.
struct Route {
    const char* method;
    const char* pattern;
    HandlerFn fn;
    Access access;
    const Fields* body;  // declared body fields; nullptr = the body is ignored
};

// A handler executable: its name (the socket, the log, the metrics label) and its routes.
struct Service {
    const char* name;
    std::vector<Route> routes;
};

using PathParams = std::unordered_map<std::string, std::string>;

// Matches a path against a pattern, filling named segments.
bool match_route(std::string_view pattern, std::string_view path, PathParams& out);

// The route for method and path: NOT_FOUND for an unknown path,
// METHOD_NOT_ALLOWED (with Allow) for a known path and another method.
const Route& find_route(const Service& svc, std::string_view method, std::string_view path, PathParams& params);

// The route table as text, one "METHOD PATTERN" line per route (--routes).
void print_routes(const Service& svc, std::ostream& out);

}  // namespace cabinet
