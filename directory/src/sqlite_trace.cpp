#include "sqlite_trace.hpp"

#include "stored_time.hpp"
#include "trace_text.hpp"

namespace segel::directory::sqlite_trace {
namespace {

using trace_text::k_columns;
using trace_text::seconds;

constexpr const char* k_match =
    " WHERE (?1 = '' OR instr(lower(message_id), lower(?1)) > 0 OR instr(lower(queue_id), lower(?1)) > 0"
    " OR instr(lower(sender), lower(?1)) > 0 OR instr(lower(recipients), lower(?1)) > 0)"
    " AND (?2 IS NULL OR at >= ?2) AND (?3 IS NULL OR at < ?3)";

} // namespace

Result<void> append(sql::StatementCache& cache, const std::vector<TraceRecord>& records) {
    for (const auto& r : records) {
        sql::Statement insert = cache.prepare(std::string("INSERT INTO message_trace(") + k_columns +
                                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
        insert.bind(1, to_seconds(r.at)).bind(2, r.queue_id).bind(3, r.message_id).bind(4, r.direction);
        insert.bind(5, r.decision).bind(6, r.action).bind(7, r.login).bind(8, r.sender);
        insert.bind(9, trace_text::join(r.recipients)).bind(10, r.serial).bind(11, r.reason);
        if (insert.step() != SQLITE_DONE)
            return db_error(cache.db(), "cannot record the message trace");
    }
    return {};
}

Result<std::vector<TraceRecord>> select(sql::StatementCache& cache, const TraceQuery& query) {
    const std::string order = query.limit > 0 ? " ORDER BY at DESC, id DESC LIMIT ?4" : " ORDER BY id";
    sql::Statement statement = cache.prepare(std::string("SELECT ") + k_columns + " FROM message_trace" + k_match + order);
    statement.bind(1, query.text).bind_optional(2, seconds(query.since)).bind_optional(3, seconds(query.until));
    if (query.limit > 0)
        statement.bind(4, static_cast<std::int64_t>(query.limit));
    std::vector<TraceRecord> out;
    int rc = 0;
    while ((rc = statement.step()) == SQLITE_ROW)
        out.push_back(TraceRecord{from_seconds(statement.integer(0)), statement.text(1), statement.text(2),
                                  statement.text(3), statement.text(4), statement.text(5), statement.text(6),
                                  statement.text(7), trace_text::split(statement.text(8)), statement.text(9),
                                  statement.text(10)});
    if (rc != SQLITE_DONE)
        return db_error(cache.db(), "cannot read the message trace");
    return out;
}

Result<std::int64_t> prune(sql::StatementCache& cache, TimePoint before) {
    sql::Statement remove = cache.prepare("DELETE FROM message_trace WHERE at < ?1");
    remove.bind(1, to_seconds(before));
    if (remove.step() != SQLITE_DONE)
        return db_error(cache.db(), "cannot prune the message trace");
    return static_cast<std::int64_t>(sqlite3_changes(cache.db()));
}

} // namespace segel::directory::sqlite_trace
