#include "cgi.hpp"

#include "crypto.hpp"

namespace cabinet {

namespace {

const char* reason_phrase(int status) {
    switch (status) {
        case 200: return "OK";
        case 201: return "Created";
        case 204: return "No Content";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 409: return "Conflict";
        case 410: return "Gone";
        case 413: return "Payload Too Large";
        case 415: return "Unsupported Media Type";
        case 423: return "Locked";
        case 429: return "Too Many Requests";
        case 503: return "Service Unavailable";
        default: return "Internal Server Error";
    }
}

}  // namespace

Request read_request(const GetVar& var, const ReadBody& read) {
    Request r;
    auto get = [&](const char* n) {
        const char* v = var(n);
        return std::string(v ? v : "");
    };
    r.method = get("REQUEST_METHOD");
    r.path = get("DOCUMENT_URI");
    if (r.path.empty()) {
        r.path = get("REQUEST_URI");
        r.path = r.path.substr(0, r.path.find('?'));
    }
    r.query_string = get("QUERY_STRING");
    r.content_type = get("CONTENT_TYPE");
    r.authorization = get("HTTP_AUTHORIZATION");
    r.remote_addr = get("REMOTE_ADDR");
    r.forwarded_for = get("HTTP_X_FORWARDED_FOR");
    r.request_id = get("REQUEST_ID");
    r.rate_refused = get("CABINET_RATE_REFUSED") == "1";
    if (r.request_id.empty() || r.request_id.size() > 64) r.request_id = hex(random_bytes(16));
    std::string cl = get("CONTENT_LENGTH");
    if (cl.empty()) return r;
    if (cl.size() > 12 || cl.find_first_not_of("0123456789") != std::string::npos) {
        r.bad_length = true;
        return r;
    }
    long long n = std::stoll(cl);
    if (n > static_cast<long long>(kMaxBody)) {
        r.too_large = true;
        return r;
    }
    r.body.resize(static_cast<size_t>(n));
    r.body.resize(read(r.body.data(), static_cast<size_t>(n)));
    return r;
}

std::string serialize(const Response& r, const std::string& request_id) {
    std::string out = "Status: " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
    if (r.status != 204)
        out += std::string("Content-Type: ") + r.content_type + "\r\nContent-Length: " + std::to_string(r.body.size()) + "\r\n";
    out += "X-Request-Id: " + request_id + "\r\nCache-Control: no-store\r\n";
    for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
    if (r.route) out += std::string("X-Cabinet-Route: ") + r.route + "\r\n";
    if (!r.actor.empty()) out += "X-Cabinet-Actor: " + r.actor + "\r\n";
    out += "\r\n";
    if (r.status != 204) out += r.body;
    return out;
}

}  // namespace cabinet
