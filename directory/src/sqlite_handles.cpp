#include "sqlite_handles.hpp"

#include <utility>

namespace segel::directory::sql {

Statement::Statement(sqlite3* db, std::string_view sql) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &statement, nullptr) == SQLITE_OK) {
        m_owned.reset(statement);
        m_raw = statement;
    } else {
        m_error = sqlite3_errmsg(db);
    }
}

Statement::Statement(sqlite3_stmt* borrowed, std::string error) : m_raw(borrowed), m_error(std::move(error)) {}

Statement::Statement(Statement&& other) noexcept
    : m_owned(std::move(other.m_owned)), m_raw(std::exchange(other.m_raw, nullptr)), m_error(std::move(other.m_error)) {}

Statement::~Statement() {
    if (m_raw != nullptr && !m_owned) {
        sqlite3_reset(m_raw);
        sqlite3_clear_bindings(m_raw);
    }
}

Statement StatementCache::prepare(std::string_view sql) {
    const std::string key(sql);
    auto found = m_prepared.find(key);
    if (found == m_prepared.end()) {
        sqlite3_stmt* statement = nullptr;
        if (sqlite3_prepare_v3(m_db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &statement,
                               nullptr) != SQLITE_OK)
            return Statement(static_cast<sqlite3_stmt*>(nullptr), sqlite3_errmsg(m_db));
        found = m_prepared.emplace(key, StatementPtr(statement)).first;
    }
    return Statement(found->second.get(), {});
}

Statement& Statement::bind(int index, std::string_view text) {
    sqlite3_bind_text(raw(), index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
    sqlite3_bind_blob(raw(), index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(raw(), index, value);
    return *this;
}

Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(raw(), index);
    return *this;
}

Statement& Statement::bind_optional(int index, const std::optional<std::int64_t>& value) {
    return value ? bind(index, *value) : bind_null(index);
}

int Statement::step() { return raw() == nullptr ? SQLITE_MISUSE : sqlite3_step(raw()); }

void Statement::reset() {
    sqlite3_reset(raw());
    sqlite3_clear_bindings(raw());
}

std::string Statement::text(int column) const {
    const auto* data = sqlite3_column_text(raw(), column);
    return data == nullptr ? std::string()
                           : std::string(reinterpret_cast<const char*>(data),
                                         static_cast<std::size_t>(sqlite3_column_bytes(raw(), column)));
}

std::string Statement::blob(int column) const {
    const void* data = sqlite3_column_blob(raw(), column);
    return data == nullptr ? std::string()
                           : std::string(static_cast<const char*>(data),
                                         static_cast<std::size_t>(sqlite3_column_bytes(raw(), column)));
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(raw(), column); }

bool Statement::is_null(int column) const { return sqlite3_column_type(raw(), column) == SQLITE_NULL; }

} // namespace segel::directory::sql

namespace segel::directory {

Error db_error(sqlite3* db, const std::string& what) {
    const int code = sqlite3_errcode(db);
    const ErrorKind kind = (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_IOERR ||
                            code == SQLITE_READONLY || code == SQLITE_CANTOPEN || code == SQLITE_FULL)
                               ? ErrorKind::unavailable
                               : ErrorKind::internal;
    return make_error(kind, what + ": " + sqlite3_errmsg(db));
}

} // namespace segel::directory
