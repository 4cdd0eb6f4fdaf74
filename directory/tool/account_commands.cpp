// `segel account`: the web page's accounts (directory/admin/accounts.hpp).
#include <sysexits.h>

#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "directory/admin/accounts.hpp"
#include "directory_session.hpp"
#include "output.hpp"
#include "terminal_passphrase.hpp"

namespace segel::tool {
namespace {

using directory::admin::Failure;
using directory::admin::FailureKind;

// The password from the file's first line, or asked twice on the terminal.
directory::admin::OperationResult<std::string> new_password(const config::AccountCommand& command) {
    if (!command.password_file.empty()) {
        std::ifstream in(command.password_file);
        std::string line;
        if (!in || !std::getline(in, line))
            return Failure{FailureKind::input_unreadable, command.password_file + ": no password on its first line"};
        return line;
    }
    auto first = ask_passphrase("New password for " + command.login + ": ");
    if (!first)
        return Failure{FailureKind::invalid_request, "no terminal to ask the password on; give --password-file"};
    auto second = ask_passphrase("The same password again: ");
    if (!second || second->text() != first->text())
        return Failure{FailureKind::invalid_request, "the two passwords differ; nothing changed"};
    return first->text();
}

int list(const config::AccountCommand& command) {
    auto accounts = directory::admin::list_accounts(current_operator(), command.settings.web.accounts);
    if (!accounts)
        return report_failure(accounts.error());
    std::vector<Row> rows;
    for (const auto& account : *accounts)
        rows.push_back({account.login, directory::admin::roles_text(account.roles)});
    std::cout << (rows.empty() ? "no accounts in " + command.settings.web.accounts + "\n"
                               : format_table({"login", "roles"}, rows));
    return EX_OK;
}

} // namespace

int run_account(const config::AccountCommand& command) {
    if (command.action == "list")
        return list(command);
    const auto& file = command.settings.web.accounts;
    // Opened first: a change the audit log cannot take is not made.
    int exit_code = EX_OK;
    auto directory = open_directory_for(command.settings, directory::admin::KeyNeed::none,
                                        directory::admin::Access::write, exit_code);
    if (!directory)
        return exit_code;
    directory::admin::AccountChange change{command.login, {}, {}};
    directory::admin::OperationResult<void> done;
    if (command.action == "remove") {
        done = directory::admin::remove_account(current_operator(), file, command.login);
    } else {
        for (const auto& word : command.roles) {
            auto role = directory::admin::parse_role(word);
            if (!role)
                return report_failure({FailureKind::invalid_request, "--role: unknown role '" + word +
                                                                         "' (ra_operator, auditor, administrator)"});
            change.roles.insert(*role);
        }
        auto password = new_password(command);
        if (!password)
            return report_failure(password.error());
        change.password = *password;
        done = command.action == "add" ? directory::admin::add_account(current_operator(), file, change)
                                       : directory::admin::set_account_password(current_operator(), file, change);
    }
    if (!done)
        return report_failure(done.error());
    const auto action = command.action == "add"        ? directory::admin::AccountAction::add
                        : command.action == "password" ? directory::admin::AccountAction::password
                                                       : directory::admin::AccountAction::remove;
    if (auto audited = directory::admin::audit_account_change(*directory, current_operator(), action, change); !audited)
        return report_failure(audited.error());
    std::cout << (command.action == "add" ? "added account " : command.action == "remove" ? "removed account "
                                                                                           : "set the password of ")
              << command.login << " (" << file << ")\n";
    return EX_OK;
}

} // namespace segel::tool
