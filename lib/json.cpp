#include "json.hpp"

#include "error.hpp"

#include <rapidjson/error/en.h>

#include <algorithm>

namespace cabinet {

namespace {

// Depth of the deepest container, scanning raw text outside strings; stops
// counting once past the limit so a hostile body costs one pass.
bool nesting_within(std::string_view text, int limit) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char ch : text) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (ch == '\\') escaped = true;
            else if (ch == '"') in_string = false;
            continue;
        }
        if (ch == '"') in_string = true;
        else if (ch == '{' || ch == '[') {
            if (++depth > limit) return false;
        } else if (ch == '}' || ch == ']') --depth;
    }
    return true;
}

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::String: return "a string";
        case Kind::Bool: return "a boolean";
        case Kind::Integer: return "an integer";
        case Kind::StringArray: return "an array of strings";
        case Kind::Object: return "an object";
        case Kind::Any: return "a value";
    }
    return "a value";
}

bool kind_matches(const rapidjson::Value& v, Kind k) {
    switch (k) {
        case Kind::String: return v.IsString();
        case Kind::Bool: return v.IsBool();
        case Kind::Integer: return v.IsInt64();
        case Kind::Object: return v.IsObject();
        case Kind::Any: return true;
        case Kind::StringArray:
            if (!v.IsArray()) return false;
            for (const auto& item : v.GetArray())
                if (!item.IsString()) return false;
            return true;
    }
    return false;
}

}  // namespace

void parse_json_object(std::string_view text, rapidjson::Document& doc) {
    if (!nesting_within(text, kMaxJsonDepth)) throw invalid_json("JSON nested deeper than 32 levels");
    // A raw NUL is never valid JSON, and rapidjson would take it for the end of the text.
    if (text.find('\0') != std::string_view::npos) throw invalid_json("Malformed JSON").because("NUL byte");
    constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag;
    doc.Parse<kFlags>(text.data(), text.size());
    if (doc.HasParseError()) {
        throw invalid_json("Malformed JSON").because(rapidjson::GetParseError_En(doc.GetParseError()));
    }
    if (!doc.IsObject()) throw invalid_json("JSON body must be an object");
}

void check_fields(const rapidjson::Value& obj, const Fields& spec, const std::string& prefix) {
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
        std::string name(it->name.GetString(), it->name.GetStringLength());
        const Field* decl = nullptr;
        for (const auto& f : spec)
            if (name == f.name) decl = &f;
        if (!decl) throw validation("Unknown field", prefix + name);
        // A duplicate key is as ambiguous as an unknown one.
        for (auto jt = obj.MemberBegin(); jt != it; ++jt)
            if (jt->name == it->name) throw validation("Duplicate field", prefix + name);
        const auto& v = it->value;
        if (v.IsNull() && decl->kind != Kind::Any) throw validation(std::string("Must be ") + kind_name(decl->kind), prefix + name);
        if (!kind_matches(v, decl->kind))
            throw validation(std::string("Must be ") + kind_name(decl->kind), prefix + name);
        if (decl->kind == Kind::Object) check_fields(v, decl->children, prefix + name + ".");
    }
    for (const auto& f : spec)
        if (f.required && !obj.HasMember(f.name)) throw validation("Field is required", prefix + f.name);
}

const rapidjson::Value* member(const rapidjson::Value& obj, const char* name) {
    auto it = obj.FindMember(name);
    return it == obj.MemberEnd() ? nullptr : &it->value;
}

bool has(const rapidjson::Value& obj, const char* name) { return obj.IsObject() && obj.HasMember(name); }

std::string str(const rapidjson::Value& obj, const char* name, std::string fallback) {
    const auto* v = member(obj, name);
    if (!v || !v->IsString()) return fallback;
    return std::string(v->GetString(), v->GetStringLength());
}

}  // namespace cabinet

namespace cabinet {

namespace {

// The checked, normalized text of one string value.
std::string checked(const Check& check, std::string raw, const std::string& field) {
    if (check) {
        auto out = check(raw, field);
        raw = out ? std::move(*out) : std::string();
    }
    valid::no_nul(raw, field);
    return raw;
}

}  // namespace

const Input::Entry* Input::find(std::string_view path) const {
    auto it = entries_.find(path);
    return it == entries_.end() ? nullptr : &it->second;
}

bool Input::has(std::string_view path) const { return find(path) != nullptr; }

std::string Input::str(std::string_view path, std::string fallback) const {
    const Entry* e = find(path);
    return e && e->text ? *e->text : fallback;
}

std::optional<std::string> Input::opt(std::string_view path) const {
    const Entry* e = find(path);
    return e ? e->text : std::nullopt;
}

const std::vector<std::string>& Input::list(std::string_view path) const {
    static const std::vector<std::string> kNone;
    const Entry* e = find(path);
    return e ? e->items : kNone;
}

std::optional<bool> Input::flag(std::string_view path) const {
    const Entry* e = find(path);
    return e ? e->flag : std::nullopt;
}

std::optional<int64_t> Input::integer(std::string_view path) const {
    const Entry* e = find(path);
    return e ? e->integer : std::nullopt;
}

const rapidjson::Value* Input::raw(std::string_view path) const {
    const Entry* e = find(path);
    return e ? e->raw : nullptr;
}

void Input::collect(const rapidjson::Value& obj, const Fields& spec, const std::string& prefix) {
    for (const auto& f : spec) {
        const rapidjson::Value* v = member(obj, f.name);
        if (!v) continue;
        std::string path = prefix + f.name;
        Entry e;
        e.raw = v;
        switch (f.kind) {
            case Kind::String: e.text = checked(f.check, std::string(v->GetString(), v->GetStringLength()), path); break;
            case Kind::Bool: e.flag = v->GetBool(); break;
            case Kind::Integer: e.integer = v->GetInt64(); break;
            case Kind::StringArray:
                if (f.max_items && v->Size() > f.max_items) throw validation(f.max_items_message, path);
                for (rapidjson::SizeType i = 0; i < v->Size(); ++i)
                    e.items.push_back(checked(f.check, std::string((*v)[i].GetString(), (*v)[i].GetStringLength()),
                                              path + "." + std::to_string(i)));
                break;
            case Kind::Object: break;
            case Kind::Any:
                if (v->IsString()) e.text = std::string(v->GetString(), v->GetStringLength());
                break;
        }
        entries_.emplace(path, std::move(e));
        if (f.kind == Kind::Object) collect(*v, f.children, path + ".");
    }
}

Input read_fields(const rapidjson::Value& obj, const Fields& spec, const std::string& prefix) {
    check_fields(obj, spec, prefix);
    Input in;
    in.collect(obj, spec, prefix);
    in.top_level_ = obj.MemberCount();
    return in;
}

Input read_query(const std::vector<std::pair<std::string, std::string>>& query, const QueryParams& spec) {
    Input in;
    for (const auto& p : spec) {
        auto it = std::find_if(query.begin(), query.end(), [&](const auto& kv) { return kv.first == p.name; });
        if (it == query.end() && !p.absent_value) continue;
        std::string raw = it == query.end() ? p.absent_value : it->second;
        std::optional<std::string> v = raw;
        if (p.check) v = p.check(raw, p.name);
        if (!v) continue;
        valid::no_nul(*v, p.name);
        Input::Entry e;
        e.text = std::move(v);
        in.entries_.emplace(p.name, std::move(e));
        ++in.top_level_;
    }
    return in;
}

std::string json_string_array(const std::vector<std::string>& items) {
    JsonOut j;
    j.arr();
    for (const auto& s : items) j.str(s);
    j.end_arr();
    return j.take();
}

std::optional<std::vector<std::string>> parse_string_array(std::string_view json) {
    rapidjson::Document d;
    d.Parse(json.data(), json.size());
    if (d.HasParseError() || !d.IsArray()) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& v : d.GetArray()) {
        if (!v.IsString()) return std::nullopt;
        out.emplace_back(v.GetString(), v.GetStringLength());
    }
    return out;
}

}  // namespace cabinet
