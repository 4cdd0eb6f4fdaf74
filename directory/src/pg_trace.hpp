// The PostgreSQL rows of the message trace (migration 2), for the
// PostgreSQL backend's sessions (postgres_storage.cpp).
#pragma once

#include <cstdint>
#include <vector>

#include "directory/storage.hpp"
#include "pg_connection.hpp"

namespace segel::directory::pg_trace {

Result<void> append(pg::Connection& db, const std::vector<TraceRecord>& records);
Result<std::vector<TraceRecord>> select(pg::Connection& db, const TraceQuery& query);
Result<std::int64_t> prune(pg::Connection& db, TimePoint before);

} // namespace segel::directory::pg_trace
