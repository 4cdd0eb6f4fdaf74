// The PostgreSQL backend of DirectoryStorage: one database shared by every
// node (libpq). Sessions take a connection from a bounded pool
// (pg_pool.hpp) and hold it while they live; several sessions run at once.
// Write transactions are serialised across nodes by one advisory lock
// taken at begin_write() (as SQLite's single writer), and the audit chain's
// head row is locked FOR UPDATE before each append, so no two nodes ever
// append after the same entry. Reads outside a transaction see committed
// data: a status changed on any node applies to the next lookup on every
// node. Schema versioned by pg_schema.hpp.
#pragma once

#include <memory>
#include <string>

#include "directory/storage.hpp"
#include "pg_pool.hpp"

namespace segel::directory {

struct PostgresStorageOptions {
    pg::PoolOptions pool; // pool.conninfo: the libpq URI
    bool create = false;  // run the migrations of an empty database
};

Result<std::unique_ptr<DirectoryStorage>> open_postgres_storage(PostgresStorageOptions options);

} // namespace segel::directory
