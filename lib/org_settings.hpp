// Organization settings (DESIGN §3): the 2GC settings (timezone, language)
// and ClickHouse private endpoints: their declared fields, validation, the
// stored JSON form and the add/remove merge. Pure: no I/O.
#pragma once

#include "json.hpp"

#include <string>
#include <vector>

namespace cabinet {

constexpr size_t kMaxEndpoints = 100;  // per organization, and per add/remove list

// The fields of settings in PUT /api/organizations/{orgId}: timezone (an
// IANA zone), language (BCP 47, normalized case). A function, so that route
// tables of other files may copy it during static initialization.
Fields org_settings_fields();

struct Endpoint {
    std::string id, description, cloud_provider, region;
};

// One list of privateEndpoints (key "add" or "remove"): absent or null is
// empty; otherwise an array of at most 100 objects, each checked on its
// dotted path (privateEndpoints.add.0.region). An addition needs id (1..256
// bytes, no space or control character), cloudProvider (aws, gcp, azure),
// region (us-east-1) and may have description (≤ 1024); a removal matches by
// id alone and ignores the other fields (they are still type-checked).
std::vector<Endpoint> valid_endpoints(const rapidjson::Value& private_endpoints, const char* key);

// The stored JSON array (organizations.private_endpoints); anything else is empty.
std::vector<Endpoint> parse_stored_endpoints(const std::string& json);
// The endpoints as a JSON array, as GET shows them and as they are stored.
void write_endpoints(JsonOut& j, const std::vector<Endpoint>& eps);

// current with removals applied (by id; an absent id is a no-op), then
// additions (a present id is a no-op); VALIDATION_ERROR "At most 100 private
// endpoints" on privateEndpoints.add when the result holds more.
std::vector<Endpoint> merge_endpoints(std::vector<Endpoint> current, const std::vector<Endpoint>& remove,
                                      const std::vector<Endpoint>& add);

}  // namespace cabinet
