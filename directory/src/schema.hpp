// The directory's SQLite schema and its migrations. The version lives in
// PRAGMA user_version; each migration runs in its own transaction.
#pragma once

#include <sqlite3.h>

#include "directory/model.hpp"

namespace segel::directory::schema {

constexpr int k_current_version = 5;

// Brings the database up to k_current_version; refuses a newer one.
Result<void> migrate(sqlite3* db);

} // namespace segel::directory::schema
