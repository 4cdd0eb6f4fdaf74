// One libpq connection with a deadline on every statement, for the
// PostgreSQL backend (postgres_storage.hpp). Statements are prepared once
// per connection and run with their parameters as text (bytea as binary);
// results come back as text. A statement that has no answer by its
// deadline is cancelled and the connection is marked broken, so a slow or
// unreachable server never holds a caller longer than the deadline; a
// broken connection is never reused (the pool drops it).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <libpq-fe.h>

#include "directory/model.hpp"

namespace segel::directory::pg {

struct FinishConnection {
    void operator()(PGconn* conn) const noexcept { PQfinish(conn); }
};
struct ClearResult {
    void operator()(PGresult* result) const noexcept { PQclear(result); }
};
using ConnectionPtr = std::unique_ptr<PGconn, FinishConnection>;
using ResultPtr = std::unique_ptr<PGresult, ClearResult>;

// Parameters of one statement, $1, $2, ... in order.
class Params {
public:
    Params& text(std::string_view value);
    Params& bytes(std::string_view value); // bytea, sent as binary
    Params& integer(std::int64_t value);
    Params& null();
    Params& optional(const std::optional<std::int64_t>& value);
    std::size_t size() const noexcept { return m_values.size(); }

private:
    friend class Connection;
    std::vector<std::optional<std::string>> m_values;
    std::vector<int> m_formats;
};

// The rows of one statement's answer.
class Rows {
public:
    explicit Rows(ResultPtr result) : m_result(std::move(result)) {}
    int size() const noexcept { return PQntuples(m_result.get()); }
    bool empty() const noexcept { return size() == 0; }
    std::string text(int row, int column) const;
    std::string bytes(int row, int column) const; // a bytea column
    std::int64_t integer(int row, int column) const;
    // A column of values joined by newlines (string_agg), split again.
    std::vector<std::string> lines(int row, int column) const;
    bool is_null(int row, int column) const { return PQgetisnull(m_result.get(), row, column) != 0; }
    // Rows changed by an INSERT, UPDATE or DELETE.
    std::int64_t affected() const;

private:
    ResultPtr m_result;
};

class Connection {
public:
    Connection(ConnectionPtr conn, std::chrono::milliseconds deadline) : m_conn(std::move(conn)), m_deadline(deadline) {}

    // Runs one statement (prepared on first use on this connection); an
    // error's detail starts with `what`.
    Result<Rows> run(const std::string& sql, const Params& params = {},
                     const std::string& what = "the directory server refused a statement");
    // Runs a script of statements without parameters (simple protocol).
    Result<void> run_script(const std::string& script);

    // Whether the connection may go back to the pool: not broken, and no
    // transaction left open (one is rolled back here).
    bool reusable();
    // False when the server closed the connection while it was idle (a
    // restart, an administrator's kill): checked before reuse.
    bool still_alive();
    bool in_failed_transaction() const;

private:
    Result<void> prepare(const std::string& sql, const std::string& name);
    Result<ResultPtr> await_result(const std::string& what);
    Error failure(const std::string& what, const PGresult* result);

    ConnectionPtr m_conn;
    std::chrono::milliseconds m_deadline;
    std::unordered_map<std::string, std::string> m_prepared; // sql -> statement name
    bool m_broken = false;
};

// A directory error for an answer with this SQLSTATE: `unavailable` for
// connection loss, shutdown, cancellation, lock and resource trouble;
// `conflict` for a unique or check violation; `internal` otherwise.
ErrorKind error_kind_of_sqlstate(std::string_view sqlstate);

} // namespace segel::directory::pg
