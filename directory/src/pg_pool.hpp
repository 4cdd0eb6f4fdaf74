// A bounded pool of PostgreSQL connections (pg_connection.hpp) for the
// PostgreSQL backend. At most `size` connections are open; a caller waits
// at most `wait` for one to be free, then gets `unavailable`, so a slow or
// absent server never blocks a milter thread without a limit. Connections
// are opened on demand (with libpq's connect_timeout), broken ones are
// dropped on release, and the next acquire connects afresh: the pool
// recovers by itself when the server comes back.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "pg_connection.hpp"

namespace segel::directory::pg {

struct PoolOptions {
    std::string conninfo;                           // a libpq URI without a password
    std::size_t size = 8;                           // connections at most
    std::chrono::milliseconds wait{5000};           // for a free connection, and for locks
    std::chrono::milliseconds statement_timeout{5000}; // per statement, on the server and here
};

class Pool {
public:
    explicit Pool(PoolOptions options) : m_options(std::move(options)) {}
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    Result<std::unique_ptr<Connection>> acquire();
    void release(std::unique_ptr<Connection> connection);
    const PoolOptions& options() const noexcept { return m_options; }

private:
    Result<std::unique_ptr<Connection>> connect();

    PoolOptions m_options;
    std::mutex m_mutex;
    std::condition_variable m_freed;
    std::vector<std::unique_ptr<Connection>> m_idle;
    std::size_t m_open = 0; // idle and lent
};

} // namespace segel::directory::pg
