// What an operation works with: the request, its path parameters and body,
// the caller, and the one transaction it opens (read_tx / write_tx).
#pragma once

#include "authz.hpp"
#include "config.hpp"
#include "db.hpp"
#include "http.hpp"
#include "router.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace cabinet {

struct Ctx {
    Ctx(const Request& r, Db* database, const Config& c) : req(r), cfg(c), db_(database) {}

    const Request& req;
    const Config& cfg;
    PathParams path;
    rapidjson::Document body;
    std::optional<Principal> who;
    Proof proof;  // pending until the operation's transaction sends it (lib/auth, lib/db)

    const Principal& caller() const;
    // A path id: 404 unless it is a well-formed uuid; returned lower-cased.
    std::string id_param(const char* name) const;
    // 403 unless the caller holds scope (org-wide, or on resource when given).
    void require(std::string_view scope, std::string_view resource = {}) const;
    // 403 unless the caller is an administrator (role or org-wide admin binding).
    void require_admin() const;
    std::string client_ip() const;
    // The request's database connection: 503 when the process has none (its
    // configuration is incomplete).
    Db& db() const;

   private:
    Db* db_;
};

// The operation's one transaction, carrying the caller's proof.
inline Tx read_tx(Ctx& c) { return Tx(c.db(), TxMode::ReadOnly, &c.proof); }
inline Tx write_tx(Ctx& c) { return Tx(c.db(), TxMode::ReadWrite, &c.proof); }

}  // namespace cabinet
