// The PostgreSQL rows of correspondents' certificates, encryption policy
// rules, remembered capabilities and decrypted Message-IDs, for the
// PostgreSQL backend's sessions (postgres_storage.cpp).
#pragma once

#include <vector>

#include "directory/storage.hpp"
#include "pg_connection.hpp"

namespace segel::directory::pg_rows {

Result<bool> insert_correspondent(pg::Connection& db, const CorrespondentRecord& record);
Result<std::vector<CorrespondentRecord>> correspondents(pg::Connection& db, const CorrespondentFilter& filter);
Result<bool> delete_correspondent(pg::Connection& db, const std::string& fingerprint);
Result<bool> approve_correspondent(pg::Connection& db, const std::string& fingerprint);

Result<std::vector<PolicyRule>> policy_rules(pg::Connection& db);
Result<void> put_policy_rule(pg::Connection& db, const PolicyRule& rule);
Result<bool> delete_policy_rule(pg::Connection& db, const std::string& scope);

Result<void> put_capabilities(pg::Connection& db, const std::string& email,
                              const smime::AdvertisedAlgorithms& advertised, TimePoint at);
Result<std::optional<smime::AdvertisedAlgorithms>> capabilities(pg::Connection& db, const std::string& email);
Result<std::vector<CapabilitiesRow>> all_capabilities(pg::Connection& db);

Result<void> put_decrypted_message(pg::Connection& db, const std::string& message_id, TimePoint at);
Result<bool> any_decrypted(pg::Connection& db, const std::vector<std::string>& message_ids);
Result<std::vector<DecryptedMessageRow>> decrypted_messages(pg::Connection& db);

} // namespace segel::directory::pg_rows
