// JSON in (bounded, validated, declared fields only) and out.
#pragma once

#include <cstdint>
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
struct Field {
    const char* name;
    Kind kind;
    bool required = false;
    std::vector<Field> children = {};
};

using Fields = std::vector<Field>;

// Rejects undeclared fields, missing required ones and wrong types with
// VALIDATION_ERROR naming the dotted path (target.customerId). JSON null is
// accepted only for Kind::Any.
void check_fields(const rapidjson::Value& obj, const Fields& spec, const std::string& prefix = "");

// Typed, optional access to a validated object.
const rapidjson::Value* member(const rapidjson::Value& obj, const char* name);
bool has(const rapidjson::Value& obj, const char* name);
std::string str(const rapidjson::Value& obj, const char* name, std::string fallback = {});

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
