// CGI/FastCGI I/O: a request read from the CGI variables and at most
// CONTENT_LENGTH bytes of body (under kMaxBody), and a response written as
// the CGI header block and body.
#pragma once

#include "http.hpp"

#include <cstddef>
#include <functional>
#include <string>

namespace cabinet {

using GetVar = std::function<const char*(const char*)>;            // nullptr when unset
using ReadBody = std::function<size_t(char* buf, size_t n)>;       // bytes read, < n at the end

// Never reads the body when CONTENT_LENGTH is missing, malformed (bad_length)
// or over the cap (too_large). A request id is made when nginx gave none.
Request read_request(const GetVar& var, const ReadBody& read);

// The CGI response: Status, Content-Type/Length (none for 204), X-Request-Id,
// Cache-Control, the response's headers, X-Cabinet-Route/-Actor for nginx's
// access log (nginx hides them from the client), then the body.
std::string serialize(const Response& r, const std::string& request_id);

}  // namespace cabinet
