// The request pipeline, one way: route → authenticate → validate → operation
// (authorize, one transaction) → render. Every failure becomes the one error
// envelope here, and here only a request is run again.
#pragma once

#include "config.hpp"
#include "db.hpp"
#include "http.hpp"
#include "router.hpp"

namespace cabinet {

// db is nullptr when the process has no database (a configuration problem):
// every request that reaches an operation then answers 503.
Response dispatch(const Service& svc, Request& req, Db* db, const Config& cfg);

}  // namespace cabinet
