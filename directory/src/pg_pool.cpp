#include "pg_pool.hpp"

namespace segel::directory::pg {

namespace {
// The client's own guard is a little longer than the server's
// statement_timeout, so a live server answers with its own error first.
constexpr std::chrono::milliseconds k_client_margin{2000};
} // namespace

Result<std::unique_ptr<Connection>> Pool::connect() {
    ConnectionPtr conn(PQconnectdb(m_options.conninfo.c_str()));
    if (!conn || PQstatus(conn.get()) != CONNECTION_OK) {
        std::string message = conn ? PQerrorMessage(conn.get()) : "out of memory";
        while (!message.empty() && message.back() == '\n')
            message.pop_back();
        return make_error(ErrorKind::unavailable, "cannot connect to the directory server: " + message);
    }
    auto connection = std::make_unique<Connection>(std::move(conn), m_options.statement_timeout + k_client_margin);
    const std::string settings =
        "SET statement_timeout = " + std::to_string(m_options.statement_timeout.count()) +
        "; SET lock_timeout = " + std::to_string(m_options.wait.count()) +
        "; SET idle_in_transaction_session_timeout = " + std::to_string(60000) + "; SET client_encoding = 'UTF8'";
    if (auto set = connection->run_script(settings); !set)
        return set.error();
    return connection;
}

Result<std::unique_ptr<Connection>> Pool::acquire() {
    {
        std::unique_lock lock(m_mutex);
        const bool free = m_freed.wait_for(lock, m_options.wait,
                                           [this] { return !m_idle.empty() || m_open < m_options.size; });
        if (!free)
            return make_error(ErrorKind::unavailable, "all " + std::to_string(m_options.size) +
                                                          " directory connections stayed busy for " +
                                                          std::to_string(m_options.wait.count()) + " ms");
        while (!m_idle.empty()) {
            auto connection = std::move(m_idle.back());
            m_idle.pop_back();
            if (connection->still_alive())
                return connection;
            --m_open; // closed by the server while idle
        }
        ++m_open; // reserved; connected below without the lock
    }
    auto connection = connect();
    if (!connection) {
        std::lock_guard lock(m_mutex);
        --m_open;
        m_freed.notify_one();
    }
    return connection;
}

void Pool::release(std::unique_ptr<Connection> connection) {
    const bool keep = connection && connection->reusable();
    std::lock_guard lock(m_mutex);
    if (keep)
        m_idle.push_back(std::move(connection));
    else
        --m_open;
    m_freed.notify_one();
}

} // namespace segel::directory::pg
