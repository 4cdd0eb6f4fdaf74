// segel: the operator's tool. One catch site; exit codes follow sysexits(3).
#include <csignal>
#include <exception>
#include <iostream>
#include <variant>

#include <sysexits.h>

#include "commands.hpp"
#include "config/command_line.hpp"

namespace {

template <class... Handlers>
struct Overloaded : Handlers... {
    using Handlers::operator()...;
};
template <class... Handlers>
Overloaded(Handlers...) -> Overloaded<Handlers...>;

int dispatch(const segel::config::Command& command) {
    using namespace segel;
    return std::visit(
        Overloaded{
            [](const config::HelpRequest& c) {
                std::cout << c.text;
                return EX_OK;
            },
            [](const config::MsgSignCommand& c) { return tool::run_msg_sign(c); },
            [](const config::MsgVerifyCommand& c) { return tool::run_msg_verify(c); },
            [](const config::MsgEncryptCommand& c) { return tool::run_msg_encrypt(c); },
            [](const config::MsgDecryptCommand& c) { return tool::run_msg_decrypt(c); },
            [](const config::DirectoryInit& c) { return tool::run_directory_init(c); },
            [](const config::DirectoryImport& c) { return tool::run_directory_import(c); },
            [](const config::DirectoryList& c) { return tool::run_directory_list(c); },
            [](const config::DirectoryShow& c) { return tool::run_directory_show(c); },
            [](const config::DirectoryAuthorise& c) { return tool::run_directory_authorise(c); },
            [](const config::DirectoryRevoke& c) { return tool::run_directory_revoke(c); },
            [](const config::DirectoryExpiring& c) { return tool::run_directory_expiring(c); },
            [](const config::DirectoryRotateKey& c) { return tool::run_directory_rotate_key(c); },
            [](const config::DirectoryMigrate& c) { return tool::run_directory_migrate(c); },
            [](const config::SyncRa& c) { return tool::run_sync_ra(c); },
            [](const config::SyncCrl& c) { return tool::run_sync_crl(c); },
            [](const config::AuditVerify& c) { return tool::run_audit_verify(c); },
            [](const config::AuditList& c) { return tool::run_audit_list(c); },
            [](const config::ReportCommand& c) { return tool::run_report(c); },
            [](const config::RemindCommand& c) { return tool::run_remind(c); },
            [](const config::ConfigShow& c) { return tool::run_config_show(c); },
            [](const config::CorrespondentImportCommand& c) { return tool::run_correspondent_import(c); },
            [](const config::CorrespondentListCommand& c) { return tool::run_correspondent_list(c); },
            [](const config::CorrespondentRemoveCommand& c) { return tool::run_correspondent_remove(c); },
            [](const config::CorrespondentApproveCommand& c) { return tool::run_correspondent_approve(c); },
            [](const config::PolicySetCommand& c) { return tool::run_policy_set(c); },
            [](const config::PolicyUnsetCommand& c) { return tool::run_policy_unset(c); },
            [](const config::PolicyListCommand& c) { return tool::run_policy_list(c); },
            [](const config::PolicyShowCommand& c) { return tool::run_policy_show(c); },
            [](const config::AccountCommand& c) { return tool::run_account(c); },
        },
        command);
}

} // namespace

int main(int argc, char** argv) {
    // A sendmail that exits early must not kill us mid-write (EPIPE instead).
    std::signal(SIGPIPE, SIG_IGN);
    try {
        const auto parsed = segel::config::parse_command_line(argc, argv);
        if (!parsed.command) {
            if (!parsed.config_problems.empty()) {
                for (const auto& problem : parsed.config_problems)
                    std::cerr << "segel: " << problem << "\n";
                return EX_CONFIG;
            }
            if (parsed.unsafe_credentials) {
                std::cerr << "segel: " << parsed.error << "\n";
                return EX_NOPERM;
            }
            std::cerr << "segel: " << parsed.error << "\n\n" << parsed.usage;
            return EX_USAGE;
        }
        return dispatch(*parsed.command);
    } catch (const std::exception& e) {
        std::cerr << "segel: internal error: " << e.what() << "\n";
        return EX_SOFTWARE;
    }
}
