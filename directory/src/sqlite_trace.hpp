// The SQLite rows of the message trace (schema version 5), for the SQLite
// backend's sessions (sqlite_storage.cpp). The caller holds the lock.
#pragma once

#include <cstdint>
#include <vector>

#include "directory/storage.hpp"
#include "sqlite_handles.hpp"

namespace segel::directory::sqlite_trace {

Result<void> append(sql::StatementCache& cache, const std::vector<TraceRecord>& records);
Result<std::vector<TraceRecord>> select(sql::StatementCache& cache, const TraceQuery& query);
Result<std::int64_t> prune(sql::StatementCache& cache, TimePoint before);

} // namespace segel::directory::sqlite_trace
