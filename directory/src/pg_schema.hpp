// The PostgreSQL backend's schema, versioned with its own migrations (the
// version in table segel_schema). Migrations run under an advisory lock, so
// nodes starting together migrate once; a database newer than this code is
// refused. A role without DDL rights can open a current database.
#pragma once

#include "pg_connection.hpp"

namespace segel::directory::pg::schema {

// Brings the database up to the current version. An empty database is
// refused (`unavailable`, naming `segel directory init`) unless `create`.
Result<void> migrate(Connection& connection, bool create);

} // namespace segel::directory::pg::schema
