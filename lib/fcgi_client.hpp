// A minimal FastCGI client: one responder request over a unix socket, with a
// deadline. The admin port's /ready asks each handler whether it answers
// (handlers/health.cpp).
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cabinet {

struct FcgiAnswer {
    int status = 200;      // the CGI Status: header, 200 when absent
    std::string headers;   // the CGI header lines, CRLF-separated as sent
    std::string body;
};

// Sends one FCGI_RESPONDER request with PARAMS (the CGI variables) and no
// body to the responder on the unix socket SOCKET_PATH, and reads its whole
// answer. nullopt, with *error saying why, when it cannot connect, the answer
// is not FastCGI or not complete within timeout_ms.
std::optional<FcgiAnswer> fcgi_request(const std::string& socket_path,
                                       const std::vector<std::pair<std::string, std::string>>& params,
                                       int timeout_ms, std::string* error = nullptr);

}  // namespace cabinet
