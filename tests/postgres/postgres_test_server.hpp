// The tests' PostgreSQL server (postgres-cluster.sh, started by the CTest
// fixture demo_pki_and_postgres; its state folder is the build's, or
// SEGEL_TEST_POSTGRES):
// fresh databases for one test each, statements run behind Segel's back.
#pragma once

#include <string>

namespace segel::test::postgres {

// Whether the state folder names a started server.
bool available();
// The state folder.
std::string state_dir();
// A new empty database; its name.
std::string create_database();
void drop_database(const std::string& name);
// The unix-socket URL of a database, as open_directory() takes it.
std::string url_of(const std::string& database);
// The loopback TCP URL of a database with TLS verified against the
// server's certificate (sslmode=verify-full).
std::string tls_url_of(const std::string& database);
// Runs SQL on a database; fails the test on error.
void execute(const std::string& database, const std::string& sql);

} // namespace segel::test::postgres
