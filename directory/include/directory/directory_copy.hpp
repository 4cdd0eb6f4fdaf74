// Moving a site from one store to another (`segel directory migrate`):
// copies a whole directory, row for row: people, certificates with their
// statuses, reasons and times, addresses and logins, sealed private keys as
// they are (never opened: the master key is not needed), issuing CA
// certificates, correspondents' certificates, policy rules, remembered
// capabilities, decrypted Message-IDs, reminders sent, the message trace, and the audit chain
// with its hashes, so it verifies in the target. One transaction on the
// target: a failure leaves it as empty as before, and the copy can simply
// be run again. A target that holds anything is refused (`conflict`), and
// so is a source whose audit chain does not verify. The target's chain
// ends with one `directory_migrate` entry naming the source.
#pragma once

#include <cstddef>
#include <string>

#include "directory/directory_service.hpp"

namespace segel::directory {

struct CopySummary {
    std::size_t people = 0, certificates = 0, private_keys = 0, ca_certificates = 0, correspondents = 0,
                policy_rules = 0, capabilities = 0, decrypted_messages = 0, reminders = 0, audit_entries = 0,
                trace_records = 0;
};

// `options` give the timeouts (and create the target's schema: the target
// is created when missing).
Result<CopySummary> copy_directory(const std::string& from_url, const std::string& to_url,
                                   const DirectoryOptions& options, const Actor& actor);

} // namespace segel::directory
