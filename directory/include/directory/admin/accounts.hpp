// Accounts of the web page (segel-admin): a login, its roles and an Argon2id
// hash of its password (RFC 9106; parameters of OWASP's password storage
// advice: 19 MiB, 2 passes, 1 lane). They live in one file that only the
// account owner of segel-admin reads (0600), one account per line:
//
//   LOGIN:ROLE[,ROLE...]:$argon2id$v=19$m=19456,t=2,p=1$SALT$HASH
//
// Lines starting with '#' and empty lines are ignored. Administrators
// create and change accounts with `segel account`; the file is replaced
// atomically (a new file renamed over the old one), so a reader never sees
// half of it. No password is ever stored or logged in clear.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "directory/admin/operation_error.hpp"
#include "directory/admin/operator.hpp"
#include "directory/directory_service.hpp"

namespace segel::directory::admin {

struct Account {
    std::string login;      // valid_login()
    std::set<Role> roles;   // at least one
    std::string password_hash; // an encoded Argon2id hash
};

// 1 to 64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter.
bool valid_login(const std::string& login);
// "ra_operator", "auditor", "administrator"; nothing for another word.
std::optional<Role> parse_role(const std::string& word);
// The roles' names joined by ", ".
std::string roles_text(const std::set<Role>& roles);

// A password must have 12 to 1024 characters; the problem in words, or "".
std::string password_problem(const std::string& password);
// An Argon2id hash with a fresh random salt.
OperationResult<std::string> hash_password(const std::string& password);
// Whether `password` is the one `encoded_hash` was made from (constant time).
bool password_matches(const std::string& encoded_hash, const std::string& password);

// Reads the file; a missing file is no accounts. A line that cannot be read
// fails the whole file, naming the file and the line; so does a file that
// others may read.
OperationResult<std::vector<Account>> load_accounts(const std::string& file);
// Replaces the file with these accounts (mode 0600).
OperationResult<void> save_accounts(const std::string& file, const std::vector<Account>& accounts);

// --- operations (administrators only) -----------------------------------------

struct AccountChange {
    std::string login;
    std::set<Role> roles;  // add: required; password: ignored
    std::string password;  // add and password: required
};
OperationResult<void> add_account(const Operator& person, const std::string& file, const AccountChange& change);
OperationResult<void> set_account_password(const Operator& person, const std::string& file,
                                           const AccountChange& change);
OperationResult<void> remove_account(const Operator& person, const std::string& file, const std::string& login);
OperationResult<std::vector<Account>> list_accounts(const Operator& person, const std::string& file);

// Every account change also goes into the directory's audit log, naming the
// person and the channel: "account_add" (login and roles),
// "account_password" and "account_remove" (login). Front ends call this
// after the change was saved.
enum class AccountAction { add, password, remove };
OperationResult<void> audit_account_change(DirectoryService& directory, const Operator& person, AccountAction action,
                                           const AccountChange& change);

} // namespace segel::directory::admin
