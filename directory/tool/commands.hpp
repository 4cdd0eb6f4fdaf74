// Entry points of the segel tool's subcommands. Each returns a sysexits code
// and prints at most one line on standard error when it fails.
#pragma once

#include "config/command_line.hpp"

namespace segel::tool {

int run_msg_sign(const config::MsgSignCommand& command);
int run_msg_verify(const config::MsgVerifyCommand& command);
int run_msg_encrypt(const config::MsgEncryptCommand& command);
int run_msg_decrypt(const config::MsgDecryptCommand& command);
int run_directory_init(const config::DirectoryInit& command);
int run_directory_import(const config::DirectoryImport& command);
int run_directory_list(const config::DirectoryList& command);
int run_directory_show(const config::DirectoryShow& command);
int run_directory_authorise(const config::DirectoryAuthorise& command);
int run_directory_revoke(const config::DirectoryRevoke& command);
int run_directory_expiring(const config::DirectoryExpiring& command);
int run_directory_rotate_key(const config::DirectoryRotateKey& command);
int run_directory_migrate(const config::DirectoryMigrate& command);
int run_sync_ra(const config::SyncRa& command);
int run_sync_crl(const config::SyncCrl& command);
int run_audit_verify(const config::AuditVerify& command);
int run_audit_list(const config::AuditList& command);
int run_report(const config::ReportCommand& command);
int run_remind(const config::RemindCommand& command);
int run_config_show(const config::ConfigShow& command);
int run_correspondent_import(const config::CorrespondentImportCommand& command);
int run_correspondent_list(const config::CorrespondentListCommand& command);
int run_correspondent_remove(const config::CorrespondentRemoveCommand& command);
int run_correspondent_approve(const config::CorrespondentApproveCommand& command);
int run_policy_set(const config::PolicySetCommand& command);
int run_policy_unset(const config::PolicyUnsetCommand& command);
int run_policy_list(const config::PolicyListCommand& command);
int run_policy_show(const config::PolicyShowCommand& command);
int run_account(const config::AccountCommand& command);

} // namespace segel::tool
