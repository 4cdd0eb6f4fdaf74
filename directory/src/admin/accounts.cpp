#include "directory/admin/accounts.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <argon2.h>
#include <openssl/rand.h>

namespace segel::directory::admin {
namespace {

constexpr std::uint32_t k_passes = 2;
constexpr std::uint32_t k_memory_kib = 19456;
constexpr std::uint32_t k_lanes = 1;
constexpr std::size_t k_salt_bytes = 16;
constexpr std::size_t k_hash_bytes = 32;

Failure failure(FailureKind kind, std::string message) { return Failure{kind, std::move(message)}; }

// The file's ROLES field: "ra_operator,auditor".
std::string roles_field(const std::set<Role>& roles) {
    std::string out;
    for (Role role : roles)
        out += (out.empty() ? "" : ",") + std::string(to_string(role));
    return out;
}

OperationResult<Account> parse_line(const std::string& line, const std::string& where) {
    const auto first = line.find(':');
    const auto second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos)
        return failure(FailureKind::invalid_input, where + ": not LOGIN:ROLES:HASH");
    Account account{line.substr(0, first), {}, line.substr(second + 1)};
    if (!valid_login(account.login))
        return failure(FailureKind::invalid_input, where + ": '" + account.login + "' is not a valid login");
    std::stringstream roles(line.substr(first + 1, second - first - 1));
    for (std::string word; std::getline(roles, word, ',');) {
        auto role = parse_role(word);
        if (!role)
            return failure(FailureKind::invalid_input, where + ": unknown role '" + word + "'");
        account.roles.insert(*role);
    }
    if (account.roles.empty())
        return failure(FailureKind::invalid_input, where + ": the account has no role");
    if (account.password_hash.rfind("$argon2id$", 0) != 0)
        return failure(FailureKind::invalid_input, where + ": the password hash is not an Argon2id hash");
    return account;
}

bool readable_by_others(const std::string& file) {
    struct stat st {};
    return ::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0;
}

OperationResult<void> write_all(int fd, const std::string& text, const std::string& path) {
    std::size_t written = 0;
    while (written < text.size()) {
        const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return failure(FailureKind::io_failure, path + ": cannot write: " + std::strerror(errno));
        written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0)
        return failure(FailureKind::io_failure, path + ": cannot write: " + std::strerror(errno));
    return {};
}

std::vector<Account>::iterator find_login(std::vector<Account>& accounts, const std::string& login) {
    return std::find_if(accounts.begin(), accounts.end(), [&](const Account& a) { return a.login == login; });
}

// Loads the file, lets `change` edit the accounts, saves them: for administrators.
template <class Change>
OperationResult<void> edit_accounts(const Operator& person, const std::string& file, Change change) {
    if (auto refused = refusal(person, Permission::administer))
        return *refused;
    auto accounts = load_accounts(file);
    if (!accounts)
        return accounts.error();
    if (auto changed = change(*accounts); !changed)
        return changed.error();
    return save_accounts(file, *accounts);
}

} // namespace

std::string roles_text(const std::set<Role>& roles) {
    std::string out;
    for (Role role : roles)
        out += (out.empty() ? "" : ", ") + std::string(to_string(role));
    return out;
}

bool valid_login(const std::string& login) {
    if (login.empty() || login.size() > 64 || login[0] < 'a' || login[0] > 'z')
        return false;
    return std::all_of(login.begin(), login.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    });
}

std::optional<Role> parse_role(const std::string& word) {
    for (Role role : {Role::ra_operator, Role::auditor, Role::administrator})
        if (word == to_string(role))
            return role;
    return std::nullopt;
}

std::string password_problem(const std::string& password) {
    if (password.size() < 12)
        return "a password needs at least 12 characters";
    if (password.size() > 1024)
        return "a password may have at most 1024 characters";
    if (password.find('\n') != std::string::npos || password.find('\0') != std::string::npos)
        return "a password may not hold a line break or a NUL";
    return "";
}

OperationResult<std::string> hash_password(const std::string& password) {
    unsigned char salt[k_salt_bytes];
    if (RAND_bytes(salt, sizeof salt) != 1)
        return failure(FailureKind::internal, "no random bytes for a password salt");
    std::string encoded(argon2_encodedlen(k_passes, k_memory_kib, k_lanes, k_salt_bytes, k_hash_bytes, Argon2_id), '\0');
    const int rc = argon2id_hash_encoded(k_passes, k_memory_kib, k_lanes, password.data(), password.size(), salt,
                                         sizeof salt, k_hash_bytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK)
        return failure(FailureKind::internal, std::string("cannot hash the password: ") + argon2_error_message(rc));
    encoded.resize(std::strlen(encoded.c_str()));
    return encoded;
}

bool password_matches(const std::string& encoded_hash, const std::string& password) {
    return argon2id_verify(encoded_hash.c_str(), password.data(), password.size()) == ARGON2_OK;
}

OperationResult<std::vector<Account>> load_accounts(const std::string& file) {
    if (::access(file.c_str(), F_OK) != 0 && errno == ENOENT)
        return std::vector<Account>{};
    std::ifstream in(file);
    if (!in) {
        return failure(FailureKind::input_unreadable, file + ": cannot be read: " + std::strerror(errno));
    }
    if (readable_by_others(file))
        return failure(FailureKind::not_permitted, file + " holds password hashes and others may read it; chmod 600 it");
    std::vector<Account> accounts;
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        if (line.empty() || line[0] == '#')
            continue;
        auto account = parse_line(line, file + ":" + std::to_string(number));
        if (!account)
            return account.error();
        if (find_login(accounts, account->login) != accounts.end())
            return failure(FailureKind::invalid_input, file + ":" + std::to_string(number) + ": '" + account->login +
                                                           "' is there twice");
        accounts.push_back(std::move(*account));
    }
    return accounts;
}

OperationResult<void> save_accounts(const std::string& file, const std::vector<Account>& accounts) {
    std::string text = "# segel-admin accounts: LOGIN:ROLES:ARGON2ID-HASH (change with `segel account`)\n";
    for (const auto& a : accounts)
        text += a.login + ":" + roles_field(a.roles) + ":" + a.password_hash + "\n";
    const std::string temporary = file + ".new";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return failure(FailureKind::cannot_create, temporary + ": cannot be created: " + std::strerror(errno));
    auto written = ::fchmod(fd, 0600) == 0 ? write_all(fd, text, temporary)
                                            : failure(FailureKind::io_failure, temporary + ": cannot chmod 600");
    ::close(fd);
    if (written && ::rename(temporary.c_str(), file.c_str()) != 0)
        written = failure(FailureKind::io_failure, file + ": cannot be replaced: " + std::strerror(errno));
    if (!written)
        ::unlink(temporary.c_str());
    return written;
}

OperationResult<void> add_account(const Operator& person, const std::string& file, const AccountChange& change) {
    if (!valid_login(change.login))
        return failure(FailureKind::invalid_request, "'" + change.login + "' is not a valid login (a-z, 0-9, . _ -)");
    if (change.roles.empty())
        return failure(FailureKind::invalid_request, "an account needs at least one role");
    if (auto problem = password_problem(change.password); !problem.empty())
        return failure(FailureKind::invalid_request, problem);
    return edit_accounts(person, file, [&](std::vector<Account>& accounts) -> OperationResult<void> {
        if (find_login(accounts, change.login) != accounts.end())
            return failure(FailureKind::invalid_input, "the account " + change.login + " exists already");
        auto hash = hash_password(change.password);
        if (!hash)
            return hash.error();
        accounts.push_back(Account{change.login, change.roles, *hash});
        return {};
    });
}

OperationResult<void> set_account_password(const Operator& person, const std::string& file,
                                           const AccountChange& change) {
    if (auto problem = password_problem(change.password); !problem.empty())
        return failure(FailureKind::invalid_request, problem);
    return edit_accounts(person, file, [&](std::vector<Account>& accounts) -> OperationResult<void> {
        auto account = find_login(accounts, change.login);
        if (account == accounts.end())
            return failure(FailureKind::invalid_input, "there is no account " + change.login);
        auto hash = hash_password(change.password);
        if (!hash)
            return hash.error();
        account->password_hash = *hash;
        return {};
    });
}

OperationResult<void> remove_account(const Operator& person, const std::string& file, const std::string& login) {
    return edit_accounts(person, file, [&](std::vector<Account>& accounts) -> OperationResult<void> {
        auto account = find_login(accounts, login);
        if (account == accounts.end())
            return failure(FailureKind::invalid_input, "there is no account " + login);
        accounts.erase(account);
        return {};
    });
}

OperationResult<std::vector<Account>> list_accounts(const Operator& person, const std::string& file) {
    if (auto refused = refusal(person, Permission::administer))
        return *refused;
    return load_accounts(file);
}

} // namespace segel::directory::admin

namespace segel::directory::admin {

OperationResult<void> audit_account_change(DirectoryService& directory, const Operator& person, AccountAction action,
                                           const AccountChange& change) {
    const char* name = action == AccountAction::add        ? "account_add"
                       : action == AccountAction::password ? "account_password"
                                                           : "account_remove";
    std::string detail = "login=" + change.login;
    if (action == AccountAction::add)
        detail += "; roles=" + roles_field(change.roles);
    if (auto logged = directory.record_event(name, detail, audit_actor(person)); !logged)
        return directory_failure(logged.error(), "the account was changed, but the audit entry could not be written");
    return {};
}

} // namespace segel::directory::admin
