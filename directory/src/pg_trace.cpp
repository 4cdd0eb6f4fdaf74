#include "pg_trace.hpp"

#include "stored_time.hpp"
#include "trace_text.hpp"

namespace segel::directory::pg_trace {
namespace {

using trace_text::k_columns;
using trace_text::seconds;

constexpr const char* k_match =
    " WHERE ($1::text = '' OR strpos(lower(message_id), lower($1::text)) > 0 OR strpos(lower(queue_id), "
    "lower($1::text)) > 0 OR strpos(lower(sender), lower($1::text)) > 0 OR strpos(lower(recipients), "
    "lower($1::text)) > 0) AND ($2::bigint IS NULL OR at >= $2::bigint) AND ($3::bigint IS NULL OR at < $3::bigint)";

} // namespace

Result<void> append(pg::Connection& db, const std::vector<TraceRecord>& records) {
    for (const auto& r : records) {
        pg::Params params;
        params.integer(to_seconds(r.at)).text(r.queue_id).text(r.message_id).text(r.direction).text(r.decision);
        params.text(r.action).text(r.login).text(r.sender).text(trace_text::join(r.recipients)).text(r.serial);
        params.text(r.reason);
        auto inserted = db.run(std::string("INSERT INTO message_trace(") + k_columns +
                                   ") VALUES ($1::bigint, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, "
                                   "$8::text, $9::text, $10::text, $11::text)",
                               params, "cannot record the message trace");
        if (!inserted)
            return inserted.error();
    }
    return {};
}

Result<std::vector<TraceRecord>> select(pg::Connection& db, const TraceQuery& query) {
    pg::Params params;
    params.text(query.text).optional(seconds(query.since)).optional(seconds(query.until));
    std::string sql = std::string("SELECT ") + k_columns + " FROM message_trace" + k_match;
    if (query.limit > 0) {
        sql += " ORDER BY at DESC, id DESC LIMIT $4::bigint";
        params.integer(query.limit);
    } else {
        sql += " ORDER BY id";
    }
    auto rows = db.run(sql, params, "cannot read the message trace");
    if (!rows)
        return rows.error();
    std::vector<TraceRecord> out;
    for (int i = 0; i < rows->size(); ++i)
        out.push_back(TraceRecord{from_seconds(rows->integer(i, 0)), rows->text(i, 1), rows->text(i, 2),
                                  rows->text(i, 3), rows->text(i, 4), rows->text(i, 5), rows->text(i, 6),
                                  rows->text(i, 7), trace_text::split(rows->text(i, 8)), rows->text(i, 9),
                                  rows->text(i, 10)});
    return out;
}

Result<std::int64_t> prune(pg::Connection& db, TimePoint before) {
    auto removed = db.run("DELETE FROM message_trace WHERE at < $1::bigint", pg::Params().integer(to_seconds(before)),
                          "cannot prune the message trace");
    if (!removed)
        return removed.error();
    return static_cast<std::int64_t>(removed->affected());
}

} // namespace segel::directory::pg_trace
