// The tamper-evident audit log (Tangerang art. 22): each entry's hash covers
// its own fields and the previous entry's hash, and a head row records the
// last sequence number and hash, so an edited, reordered, deleted or
// truncated entry breaks the chain. Anchor the head hash outside the
// database (it is printed by `segel audit verify`) to also catch a rewrite of
// the whole tail.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "directory/certificate_directory.hpp"
#include "sqlite_handles.hpp"

namespace segel::directory::audit {

constexpr const char* k_genesis = "0000000000000000000000000000000000000000000000000000000000000000";

std::string entry_hash(const std::string& previous, std::int64_t seq, std::int64_t at, const std::string& actor,
                       const std::string& action, const std::string& detail);

// Appends one entry; call inside the transaction of the change it records.
Result<void> append(sql::StatementCache& cache, const Actor& actor, const std::string& action, const std::string& detail);

Result<std::vector<AuditEntry>> read_all(sql::StatementCache& cache);
Result<AuditVerification> verify(sql::StatementCache& cache);

} // namespace segel::directory::audit
