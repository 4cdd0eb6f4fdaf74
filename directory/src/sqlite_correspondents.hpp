// The SQLite rows of correspondents' certificates (schema version 2), for
// the SQLite backend's sessions (sqlite_storage.cpp). The caller holds the
// connection's lock.
#pragma once

#include <vector>

#include "directory/storage.hpp"
#include "sqlite_handles.hpp"

namespace segel::directory::sqlite_correspondents {

Result<bool> insert(sql::StatementCache& cache, const CorrespondentRecord& record);
Result<std::vector<CorrespondentRecord>> select(sql::StatementCache& cache, const CorrespondentFilter& filter);
Result<bool> remove(sql::StatementCache& cache, const std::string& fingerprint);
Result<bool> approve(sql::StatementCache& cache, const std::string& fingerprint);

} // namespace segel::directory::sqlite_correspondents
