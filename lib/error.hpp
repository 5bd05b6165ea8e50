// The one error type of cabinet and its renderer (DESIGN §4).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cabinet {

using Headers = std::vector<std::pair<std::string, std::string>>;

// An error carries the HTTP status, the stable code, the public message, the
// offending field (dotted path) and value when it concerns one, and the
// internal reason that only the log sees.
struct Error : std::exception {
    int status = 500;
    std::string code = "INTERNAL_ERROR";
    std::string message = "Internal error";
    std::string field;
    std::optional<std::string> value;
    std::string internal;
    Headers headers;
    bool retryable = false;  // a serialization failure: the transaction may run again

    Error() = default;
    Error(int s, std::string c, std::string m) : status(s), code(std::move(c)), message(std::move(m)) {}
    const char* what() const noexcept override { return message.c_str(); }
    Error& on(std::string f) { field = std::move(f); return *this; }
    Error& with_value(std::string v) { value = std::move(v); return *this; }
    Error& because(std::string why) { internal = std::move(why); return *this; }
    Error& header(std::string k, std::string v) { headers.emplace_back(std::move(k), std::move(v)); return *this; }
};

Error invalid_json(std::string message);
Error validation(std::string message, std::string field = {});
Error validation(std::string message, std::string field, std::string value);
Error unauthorized(std::string message = "Authentication required", bool invalid_token = false);
Error forbidden(std::string message = "Insufficient permissions");
Error not_found(std::string message = "Resource not found");
Error method_not_allowed(std::string allow);
Error conflict(std::string message, std::string field = {});
Error gone(std::string message);
Error payload_too_large();
Error unsupported_media_type();
Error locked(std::string message);
Error rate_limited(long long retry_after_seconds);
Error internal(std::string reason);
Error unavailable(std::string reason);

// The JSON envelope {"error":{code,message[,details]}}; with_success adds "success":false (/v2/account).
std::string render_error(const Error& e, bool with_success);

// Maps a SQLSTATE to the error a client sees (one table, lib/error.cpp).
// A violated unique constraint known by name gets its own message and field.
Error from_sqlstate(const char* sqlstate, std::string reason, const char* constraint = nullptr);

}  // namespace cabinet
