// The audit log: every mutation writes its activity in its own transaction.
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

// Inserts one activity row; call inside the mutation's transaction.
void record_activity(Db& db, const Actor& actor, std::string_view type);
inline void audit(Db& db, const Ctx& c, std::string_view type) { record_activity(db, actor_of(c), type); }

// The activity insert as a statement to send in a pipeline beside the mutation it records.
std::pair<const Stmt*, Params> activity_statement(const Actor& actor, std::string_view type);

}  // namespace cabinet
