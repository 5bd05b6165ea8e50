// Rules and writes shared by everything that creates users (the users
// handler, cabinet-admin): email and password policy, storage credentials.
#pragma once

#include "config.hpp"
#include "db.hpp"

#include <string>

namespace cabinet {

// The user $1 of organization $2, locked FOR UPDATE until the transaction
// ends: every change of a user, of its keys and of its login failures is
// serialised on this row. Columns id, email, first_name, last_name, role,
// enabled, locked (a login lock in force); no row: not in the organization.
extern const Stmt kLockUser;

// The validators of lib/validate.hpp under their historical names.
// A syntactically valid address (local@domain.tld, at most 254 characters); 400 otherwise.
void check_email(const std::string& email, const char* field = "email");
// 12..256 (UTF-8) characters, not equal to the email (case-insensitive); 400 otherwise.
void check_password(const std::string& password, const std::string& email, const char* field = "password");

struct NewUser {
    std::string org_id;
    std::string email;
    std::string name;
    std::string role = "user";
    std::string password;
    bool enabled = true;
};

// Inserts the user and its S3/Swift credentials (secrets sealed under the
// master key); 409 when the email is taken. Returns the new user's id.
std::string insert_user(Tx& tx, const Config& cfg, const NewUser& u);

// Fresh storage credentials for a user (insert or replace both secrets, keeping the api ids).
void write_storage_credentials(Tx& tx, const Config& cfg, const std::string& org_id, const std::string& user_id);

// The associated data that binds a sealed secret to its owner.
std::string secret_binding(const std::string& org_id, const std::string& user_id, const char* purpose);

}  // namespace cabinet
