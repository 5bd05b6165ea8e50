// JSON in (bounded, validated, declared fields only) and out.
#pragma once

#include "validate.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace cabinet {

constexpr int kMaxJsonDepth = 32;

// Parses a request body: UTF-8 validated, iterative, nested at most 32 deep,
// an object at the top. Throws INVALID_JSON otherwise.
void parse_json_object(std::string_view text, rapidjson::Document& doc);

enum class Kind { String, Bool, Integer, StringArray, Object, Any };

// A declared field of a request body; children describe an Object's fields.
// check validates a String, or each item of a StringArray (named
// field.<index>); a StringArray of more than max_items answers
// max_items_message on the field before any item is checked. A Kind::Any
// value is handed to the operation as it is.
struct Field {
    const char* name;
    Kind kind;
    bool required = false;
    std::vector<Field> children = {};
    Check check = {};
    size_t max_items = 0;  // 0: any number
    const char* max_items_message = nullptr;
};

using Fields = std::vector<Field>;

// Rejects undeclared fields, missing required ones and wrong types with
// VALIDATION_ERROR naming the dotted path (target.customerId). JSON null is
// accepted only for Kind::Any. Runs no value check.
void check_fields(const rapidjson::Value& obj, const Fields& spec, const std::string& prefix = "");

// A declared query parameter of a route: its first value goes through check
// (a check returning nullopt reads it as absent); when absent, absent_value
// (if given) goes through check in its place. Undeclared parameters are ignored.
struct QueryParam {
    const char* name;
    Check check = {};
    const char* absent_value = nullptr;
};
using QueryParams = std::vector<QueryParam>;

// The typed, normalized input of an operation: each given field (body) or
// parameter (query) by its dotted path, as its check returned it.
class Input {
   public:
    // Given: present in the body (null included), or a query parameter its check kept.
    bool has(std::string_view path) const;
    // The normalized string; fallback when absent.
    std::string str(std::string_view path, std::string fallback = {}) const;
    // The normalized string; nullopt when absent or null.
    std::optional<std::string> opt(std::string_view path) const;
    // A StringArray's normalized items; empty when absent.
    const std::vector<std::string>& list(std::string_view path) const;
    std::optional<bool> flag(std::string_view path) const;
    std::optional<int64_t> integer(std::string_view path) const;
    // The JSON value itself (Kind::Any, Object); nullptr when absent.
    const rapidjson::Value* raw(std::string_view path) const;
    // How many top-level fields or parameters were given.
    size_t given() const { return top_level_; }

   private:
    struct Entry {
        std::optional<std::string> text;
        std::vector<std::string> items;
        std::optional<bool> flag;
        std::optional<int64_t> integer;
        const rapidjson::Value* raw = nullptr;
    };
    const Entry* find(std::string_view path) const;
    void collect(const rapidjson::Value& obj, const Fields& spec, const std::string& prefix);
    std::map<std::string, Entry, std::less<>> entries_;
    size_t top_level_ = 0;
    friend Input read_fields(const rapidjson::Value&, const Fields&, const std::string&);
    friend Input read_query(const std::vector<std::pair<std::string, std::string>>&, const QueryParams&);
};

// check_fields, then each declared field's check in declaration order
// (nested objects at their place); a string holding U+0000 that its check
// let through answers "Must not contain U+0000" (DESIGN §4). The Input
// points into obj: it lives no longer than obj.
Input read_fields(const rapidjson::Value& obj, const Fields& spec, const std::string& prefix = "");

// Each declared parameter in declaration order; U+0000 answers as in read_fields.
Input read_query(const std::vector<std::pair<std::string, std::string>>& query, const QueryParams& spec);

// Typed, optional access to a validated object.
const rapidjson::Value* member(const rapidjson::Value& obj, const char* name);
bool has(const rapidjson::Value& obj, const char* name);
std::string str(const rapidjson::Value& obj, const char* name, std::string fallback = {});

// Arrays of strings travel to and from Postgres one way: as JSON text
// ($n::jsonb in, array_to_json(…)::text out).
std::string json_string_array(const std::vector<std::string>& items);
// The strings of a JSON array text; nullopt unless it is an array of strings.
std::optional<std::vector<std::string>> parse_string_array(std::string_view json);

// A small façade over rapidjson::Writer for response bodies.
class JsonOut {
   public:
    JsonOut() : w_(sb_) {}
    JsonOut& obj() { w_.StartObject(); return *this; }
    JsonOut& end() { w_.EndObject(); return *this; }
    JsonOut& arr() { w_.StartArray(); return *this; }
    JsonOut& end_arr() { w_.EndArray(); return *this; }
    JsonOut& key(std::string_view k) { w_.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); return *this; }
    JsonOut& str(std::string_view v) { w_.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); return *this; }
    JsonOut& str_or_null(const char* v) { if (v) str(v); else null(); return *this; }
    JsonOut& boolean(bool v) { w_.Bool(v); return *this; }
    JsonOut& integer(int64_t v) { w_.Int64(v); return *this; }
    JsonOut& null() { w_.Null(); return *this; }
    JsonOut& raw(std::string_view json) {
        w_.RawValue(json.data(), json.size(), rapidjson::kObjectType);
        return *this;
    }
    JsonOut& kv(std::string_view k, std::string_view v) { return key(k).str(v); }
    JsonOut& kv(std::string_view k, const char* v) { return key(k).str_or_null(v); }
    JsonOut& kv(std::string_view k, bool v) { return key(k).boolean(v); }
    JsonOut& kv(std::string_view k, int64_t v) { return key(k).integer(v); }
    std::string take() const { return std::string(sb_.GetString(), sb_.GetSize()); }

   private:
    rapidjson::StringBuffer sb_;
    rapidjson::Writer<rapidjson::StringBuffer> w_;
};

}  // namespace cabinet
