// RAII for SQLite handles and a small prepared-statement helper. Statements
// must be destroyed before their connection (declare them after it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <sqlite3.h>

#include "directory/model.hpp"
#include "stored_time.hpp"

namespace segel::directory::sql {

struct CloseDb {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// One prepared statement; bind by 1-based index, step, read columns. Either
// owned (finalized when destroyed) or borrowed from a StatementCache (reset
// when destroyed, so it never pins a read snapshot).
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    Statement(sqlite3_stmt* borrowed, std::string error);
    Statement(Statement&& other) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    ~Statement();
    bool ok() const noexcept { return m_raw != nullptr; }
    const std::string& prepare_error() const noexcept { return m_error; }

    Statement& bind(int index, std::string_view text);
    Statement& bind_blob(int index, std::string_view bytes);
    Statement& bind(int index, std::int64_t value);
    Statement& bind_null(int index);
    Statement& bind_optional(int index, const std::optional<std::int64_t>& value);

    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step();
    void reset();

    std::string text(int column) const;
    std::string blob(int column) const;
    std::int64_t integer(int column) const;
    bool is_null(int column) const;

private:
    sqlite3_stmt* raw() const noexcept { return m_raw; }
    StatementPtr m_owned;
    sqlite3_stmt* m_raw = nullptr;
    std::string m_error;
};

// Prepared statements kept for the life of a connection: preparing costs
// more than running most of our queries. Declare it after the connection so
// it is destroyed first. Not thread-safe: the connection's mutex guards it.
class StatementCache {
public:
    explicit StatementCache(sqlite3* db) : m_db(db) {}
    sqlite3* db() const noexcept { return m_db; }
    Statement prepare(std::string_view sql);

private:
    sqlite3* m_db;
    std::unordered_map<std::string, StatementPtr> m_prepared;
};

} // namespace segel::directory::sql

namespace segel::directory {

// The connection's last error: `unavailable` when busy, locked, read-only,
// full or unreadable, else `internal`.
Error db_error(sqlite3* db, const std::string& what);

} // namespace segel::directory
