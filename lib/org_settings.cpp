#include "org_settings.hpp"

#include "error.hpp"

#include <algorithm>

namespace cabinet {

Fields org_settings_fields() {
    return {{"timezone", Kind::String, false, {}, check::iana_zone()},
            {"language", Kind::String, false, {}, check::language()}};
}

namespace {

const Fields kEndpointFields = {{"id", Kind::String, true, {}, check::token(256)},
                                {"description", Kind::String, false, {}, check::text(1024)},
                                {"cloudProvider", Kind::String, true, {}, check::cloud_provider()},
                                {"region", Kind::String, true, {}, check::region()}};
// Removal matches by id; the other fields may be given (as GET shows them) and are ignored.
const Fields kEndpointRemoveFields = {{"id", Kind::String, true, {}, check::token(256)},
                                      {"description", Kind::String},
                                      {"cloudProvider", Kind::String},
                                      {"region", Kind::String}};

std::string text_of(const rapidjson::Value& v, const char* name) {
    const auto* m = member(v, name);
    return m && m->IsString() ? std::string(m->GetString(), m->GetStringLength()) : std::string();
}

}  // namespace

std::vector<Endpoint> valid_endpoints(const rapidjson::Value& private_endpoints, const char* key) {
    std::vector<Endpoint> out;
    const auto* list = member(private_endpoints, key);
    if (!list || list->IsNull()) return out;
    std::string path = std::string("privateEndpoints.") + key;
    if (!list->IsArray()) throw validation("Must be an array", path);
    if (list->Size() > kMaxEndpoints) throw validation("At most 100 items", path);
    bool removal = std::string_view(key) == "remove";
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
        std::string item = path + "." + std::to_string(i);
        const auto& v = (*list)[i];
        if (!v.IsObject()) throw validation("Must be an object", item);
        Input in = read_fields(v, removal ? kEndpointRemoveFields : kEndpointFields, item + ".");
        out.push_back({in.str(item + ".id"), in.str(item + ".description"), in.str(item + ".cloudProvider"),
                       in.str(item + ".region")});
    }
    return out;
}

std::vector<Endpoint> parse_stored_endpoints(const std::string& json) {
    rapidjson::Document d;
    d.Parse(json.c_str());
    std::vector<Endpoint> out;
    if (!d.IsArray()) return out;
    for (const auto& v : d.GetArray())
        if (v.IsObject())
            out.push_back({text_of(v, "id"), text_of(v, "description"), text_of(v, "cloudProvider"), text_of(v, "region")});
    return out;
}

void write_endpoints(JsonOut& j, const std::vector<Endpoint>& eps) {
    j.arr();
    for (const auto& e : eps)
        j.obj().kv("id", e.id).kv("description", e.description).kv("cloudProvider", e.cloud_provider)
            .kv("region", e.region).end();
    j.end_arr();
}

std::vector<Endpoint> merge_endpoints(std::vector<Endpoint> eps, const std::vector<Endpoint>& remove,
                                      const std::vector<Endpoint>& add) {
    auto same = [](const std::string& id) { return [&id](const Endpoint& e) { return e.id == id; }; };
    for (const auto& r : remove) eps.erase(std::remove_if(eps.begin(), eps.end(), same(r.id)), eps.end());
    for (const auto& a : add)
        if (std::none_of(eps.begin(), eps.end(), same(a.id))) eps.push_back(a);
    if (eps.size() > kMaxEndpoints) throw validation("At most 100 private endpoints", "privateEndpoints.add");
    return eps;
}

}  // namespace cabinet
