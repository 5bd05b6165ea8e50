// The audit log: every mutation writes its activity in the transaction of the mutation.
#pragma once

#include "db.hpp"

#include <string>
#include <utility>
#include <string_view>

namespace cabinet {

struct Ctx;

struct Actor {
    std::string org_id;
    std::string type;  // user | api | system | support
    std::string id;    // "" = none
    std::string details;
    std::string ip;
};

Actor actor_of(const Ctx& c);  // the authenticated caller of the request

// Inserts one activity row in the mutation's transaction.
void record_activity(Tx& tx, const Actor& actor, std::string_view type);
inline void audit(Tx& tx, const Ctx& c, std::string_view type) { record_activity(tx, actor_of(c), type); }

// The activity insert as a statement to send in a pipeline beside the mutation it records.
Call activity_statement(const Actor& actor, std::string_view type);

}  // namespace cabinet
