#include "error.hpp"

#include <cstring>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace cabinet {

Error invalid_json(std::string message) { return Error(400, "INVALID_JSON", std::move(message)); }

Error validation(std::string message, std::string field) {
    return Error(400, "VALIDATION_ERROR", std::move(message)).on(std::move(field));
}

Error validation(std::string message, std::string field, std::string value) {
    return validation(std::move(message), std::move(field)).with_value(std::move(value));
}

Error unauthorized(std::string message, bool invalid_token) {
    return Error(401, "UNAUTHORIZED", std::move(message))
        .header("WWW-Authenticate", invalid_token ? "Bearer realm=\"cabinet\", error=\"invalid_token\""
                                                  : "Bearer realm=\"cabinet\"");
}

Error forbidden(std::string message) { return Error(403, "FORBIDDEN", std::move(message)); }
Error not_found(std::string message) { return Error(404, "NOT_FOUND", std::move(message)); }

Error method_not_allowed(std::string allow) {
    return Error(405, "METHOD_NOT_ALLOWED", "Method not allowed").header("Allow", std::move(allow));
}

Error conflict(std::string message, std::string field) {
    return Error(409, "CONFLICT", std::move(message)).on(std::move(field));
}

Error gone(std::string message) { return Error(410, "GONE", std::move(message)); }
Error payload_too_large() { return Error(413, "PAYLOAD_TOO_LARGE", "Request body exceeds 65536 bytes"); }

Error unsupported_media_type() {
    return Error(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type must be application/json");
}

Error locked(std::string message) { return Error(423, "LOCKED", std::move(message)); }

Error rate_limited(long long retry_after_seconds) {
    return Error(429, "RATE_LIMITED", "Rate limit exceeded").header("Retry-After", std::to_string(retry_after_seconds));
}
Error internal(std::string reason) { return Error(500, "INTERNAL_ERROR", "Internal error").because(std::move(reason)); }

Error unavailable(std::string reason) {
    return Error(503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable")
        .because(std::move(reason))
        .header("Retry-After", "1");
}

std::string render_error(const Error& e, bool with_success) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    w.StartObject();
    if (with_success) {
        w.Key("success");
        w.Bool(false);
    }
    w.Key("error");
    w.StartObject();
    w.Key("code");
    w.String(e.code.c_str(), static_cast<rapidjson::SizeType>(e.code.size()));
    w.Key("message");
    w.String(e.message.c_str(), static_cast<rapidjson::SizeType>(e.message.size()));
    if (!e.field.empty()) {
        w.Key("details");
        w.StartObject();
        w.Key("field");
        w.String(e.field.c_str(), static_cast<rapidjson::SizeType>(e.field.size()));
        if (e.value) {
            w.Key("value");
            w.String(e.value->c_str(), static_cast<rapidjson::SizeType>(e.value->size()));
        }
        w.EndObject();
    }
    w.EndObject();
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

namespace {

struct SqlMapping {
    const char* prefix;  // a full SQLSTATE or a class (two characters)
    int status;
    const char* code;
    const char* message;
    bool retryable;
};

// SQLSTATE → HTTP. First match wins; full codes precede their class.
const SqlMapping kSqlMap[] = {
    {"23505", 409, "CONFLICT", "Resource already exists", false},           // unique_violation
    {"23503", 409, "CONFLICT", "Referenced resource conflict", false},      // foreign_key_violation
    {"23514", 400, "VALIDATION_ERROR", "Value out of range", false},        // check_violation
    {"23502", 400, "VALIDATION_ERROR", "Missing value", false},             // not_null_violation
    {"40001", 503, "SERVICE_UNAVAILABLE", "Please retry", true},           // serialization_failure: retried
    {"40P01", 503, "SERVICE_UNAVAILABLE", "Please retry", true},           // deadlock_detected: retried
    {"CB001", 503, "SERVICE_UNAVAILABLE", "Please retry", true},           // authz_prove: principal stale, retried
    {"57014", 503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable", false},  // query_canceled (timeout)
    {"57P01", 503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable", false},  // admin_shutdown
    {"57P02", 503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable", false},  // crash_shutdown
    {"57P03", 503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable", false},  // cannot_connect_now
    {"08", 503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable", false},     // connection exceptions
    {"53", 503, "SERVICE_UNAVAILABLE", "Service temporarily unavailable", false},     // insufficient resources
    {"22", 400, "VALIDATION_ERROR", "Invalid value", false},                // data exceptions (bad cast, range)
};

struct ConstraintMessage {
    const char* constraint;
    const char* message;
    const char* field;
};

const ConstraintMessage kConstraints[] = {
    {"groups_org_name_key", "A group with this name already exists", "name"},
    {"users_email_key", "Email already in use", "email"},
    {"permission_bindings_object_id_object_type_role_subject_id_s_key", "Permission already exists", "id"},
    {"ssh_keys_user_id_fingerprint_key", "SSH key already exists", "content"},
};

}  // namespace

Error from_sqlstate(const char* sqlstate, std::string reason, const char* constraint) {
    const char* st = sqlstate ? sqlstate : "";
    if (constraint && std::strcmp(st, "23505") == 0) {
        for (const auto& c : kConstraints)
            if (std::strcmp(constraint, c.constraint) == 0) return conflict(c.message, c.field).because(std::move(reason));
    }
    for (const auto& m : kSqlMap) {
        if (std::strncmp(st, m.prefix, std::strlen(m.prefix)) == 0) {
            Error e(m.status, m.code, m.message);
            e.internal = std::move(reason);
            e.retryable = m.retryable;
            if (m.status == 503) e.header("Retry-After", "1");
            return e;
        }
    }
    return internal(std::move(reason));  // unknown: 500, reason logged only
}

}  // namespace cabinet
