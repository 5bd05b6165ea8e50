// cabinet-admin: operator commands against the same database as the handlers.
//   create-org --name N --admin-email E --admin-password P
//     prints {"organizationId":"…","userId":"…"}; exit 1 with the error envelope on stderr.
#include "audit.hpp"
#include "config.hpp"
#include "directory.hpp"
#include "error.hpp"
#include "json.hpp"

#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>

using namespace cabinet;

namespace {

const Stmt kInsertOrg = {"admin_insert_org", "INSERT INTO organizations (name) VALUES ($1) RETURNING id"};

std::map<std::string, std::string> flags(int argc, char** argv) {
    std::map<std::string, std::string> out;
    for (int i = 2; i < argc; ++i) {
        std::string k = argv[i];
        if (k.rfind("--", 0) != 0 || i + 1 >= argc) throw validation("Unexpected argument", k);
        out[k.substr(2)] = argv[++i];
    }
    return out;
}

std::string required(const std::map<std::string, std::string>& f, const char* name) {
    auto it = f.find(name);
    if (it == f.end() || it->second.empty()) throw validation("Option is required", std::string("--") + name);
    return it->second;
}

int create_org(const std::map<std::string, std::string>& f, Db& db, const Config& cfg) {
    std::string name = required(f, "name"), email = required(f, "admin-email"), password = required(f, "admin-password");
    if (name.size() > 200) throw validation("Must be at most 200 characters", "--name");
    check_email(email, "--admin-email");
    check_password(password, email, "--admin-password");
    Tx tx(db);
    std::string org = db.query(kInsertOrg, {name}).str(0, "id");
    NewUser u{org, email, "Administrator", "admin", password, true};
    std::string user = insert_user(db, cfg, u);
    record_activity(db, Actor{org, "system", "", "cabinet-admin", ""}, "user.create");
    tx.commit();
    JsonOut j;
    j.obj().kv("organizationId", org).kv("userId", user).end();
    std::printf("%s\n", j.take().c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc < 2 || std::strcmp(argv[1], "create-org") != 0)
            throw validation("Usage: cabinet-admin create-org --name N --admin-email E --admin-password P", "command");
        auto f = flags(argc, argv);
        std::string problem;
        Config cfg = load_config(&problem);
        if (!problem.empty()) throw unavailable(problem);
        Db db(cfg.database_url);
        return create_org(f, db, cfg);
    } catch (const Error& e) {
        std::cerr << render_error(e, false) << "\n";
        if (!e.internal.empty()) std::cerr << "reason: " << e.internal << "\n";
        return 1;
    }
}
