// The SQLite rows of encryption policy rules and remembered capabilities
// (schema version 3), for the
// SQLite backend's sessions (sqlite_storage.cpp). The caller holds the
// connection's lock.
#pragma once

#include <vector>

#include "directory/storage.hpp"
#include "sqlite_handles.hpp"

namespace segel::directory::sqlite_policies {

Result<std::vector<PolicyRule>> select(sql::StatementCache& cache);
Result<void> put(sql::StatementCache& cache, const PolicyRule& rule);
Result<bool> remove(sql::StatementCache& cache, const std::string& scope);

// advertised_capabilities rows.
Result<void> put_capabilities(sql::StatementCache& cache, const std::string& email,
                              const smime::AdvertisedAlgorithms& advertised, TimePoint at);
Result<std::optional<smime::AdvertisedAlgorithms>> capabilities(sql::StatementCache& cache, const std::string& email);
Result<std::vector<CapabilitiesRow>> all_capabilities(sql::StatementCache& cache);

// DEC-09: the Message-IDs of mail the gateway decrypted.
Result<void> put_decrypted_message(sql::StatementCache& cache, const std::string& message_id, TimePoint at);
Result<bool> any_decrypted(sql::StatementCache& cache, const std::vector<std::string>& message_ids);
Result<std::vector<DecryptedMessageRow>> decrypted_messages(sql::StatementCache& cache);

} // namespace segel::directory::sqlite_policies
