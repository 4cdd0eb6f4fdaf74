#include "postgres_test_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>

#include <libpq-fe.h>
#include <unistd.h>

namespace segel::test::postgres {

namespace {

std::string read_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

struct Finish {
    void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};

} // namespace

std::string state_dir() {
    const char* dir = std::getenv("SEGEL_TEST_POSTGRES");
    return dir != nullptr ? dir : SEGEL_TEST_POSTGRES_STATE;
}

bool available() { return !state_dir().empty() && !read_line(state_dir() + "/port").empty(); }

std::string url_of(const std::string& database) {
    return "postgresql:///" + database + "?host=" + read_line(state_dir() + "/host") +
           "&port=" + read_line(state_dir() + "/port") + "&user=segel_test";
}

std::string tls_url_of(const std::string& database) {
    return "postgresql://segel_test@127.0.0.1:" + read_line(state_dir() + "/port") + "/" + database +
           "?sslmode=verify-full&sslrootcert=" + state_dir() + "/ca.pem";
}

void execute(const std::string& database, const std::string& sql) {
    std::unique_ptr<PGconn, Finish> conn(PQconnectdb(url_of(database).c_str()));
    INFO(PQerrorMessage(conn.get()));
    REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
    PGresult* result = PQexec(conn.get(), sql.c_str());
    const auto status = PQresultStatus(result);
    INFO(sql << ": " << PQresultErrorMessage(result));
    PQclear(result);
    REQUIRE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK));
}

std::string create_database() {
    static std::atomic<int> counter{0};
    const std::string name = "segel_t" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    execute("postgres", "CREATE DATABASE " + name);
    return name;
}

void drop_database(const std::string& name) { execute("postgres", "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)"); }

} // namespace segel::test::postgres
