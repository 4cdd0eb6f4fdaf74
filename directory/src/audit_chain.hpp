// The tamper-evident audit log (Tangerang art. 22): each entry's hash covers
// its own fields and the previous entry's hash, and a head records the last
// sequence number and hash, so an edited, reordered, deleted or truncated
// entry breaks the chain. Anchor the head hash outside the database (it is
// printed by `segel audit verify`) to also catch a rewrite of the whole
// tail. Backend-neutral: the storage only keeps the rows and serialises
// appends on the head.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "directory/certificate_directory.hpp"
#include "directory/storage.hpp"

namespace segel::directory::audit {

constexpr const char* k_genesis = "0000000000000000000000000000000000000000000000000000000000000000";

std::string entry_hash(const std::string& previous, std::int64_t seq, std::int64_t at, const std::string& actor,
                       const std::string& action, const std::string& detail);

// Appends one entry; call inside the write transaction of the change it
// records (the head stays locked until that transaction ends).
Result<void> append(StorageSession& session, const Actor& actor, const std::string& action, const std::string& detail);

std::vector<AuditEntry> entries(const std::vector<AuditRow>& rows);
AuditVerification verify(const std::vector<AuditRow>& rows, const AuditHead& head);

} // namespace segel::directory::audit
