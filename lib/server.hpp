// The accept loop shared by every handler: FastCGI under spawn-fcgi (or any
// manager handing over a listening socket on fd 0), plain CGI from a shell.
#pragma once

#include "http.hpp"

#include <vector>

namespace cabinet {

struct Service {
    const char* name;
    std::vector<Route> routes;
};

// Serves requests until SIGTERM (finishing the one in progress); returns the exit code.
int serve(const Service& svc);

// One request through the pipeline: route → authenticate → body → handler →
// render. Every failure becomes the one error envelope here.
Response dispatch(const Service& svc, Request& req, Db& db, const Config& cfg);

}  // namespace cabinet
