// RAII for SQLite handles and a small prepared-statement helper. Statements
// must be destroyed before their connection (declare them after it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

namespace segel::directory::sql {

struct CloseDb {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct FinalizeStatement {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using DbPtr = std::unique_ptr<sqlite3, CloseDb>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, FinalizeStatement>;

// One prepared statement; bind by 1-based index, step, read columns.
class Statement {
public:
    Statement(sqlite3* db, std::string_view sql);
    bool ok() const noexcept { return m_statement != nullptr; }
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
    sqlite3_stmt* raw() const noexcept { return m_statement.get(); }
    StatementPtr m_statement;
    std::string m_error;
};

} // namespace segel::directory::sql
