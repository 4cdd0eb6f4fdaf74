#include "pg_connection.hpp"

#include <algorithm>
#include <cstdlib>

#include <poll.h>

namespace segel::directory::pg {

namespace {

using Clock = std::chrono::steady_clock;

std::string trimmed(const char* message) {
    std::string text = message != nullptr ? message : "";
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

// Waits until the socket is ready for `events` or the deadline passes.
bool wait_socket(PGconn* conn, short events, Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0)
        return false;
    pollfd fd{PQsocket(conn), events, 0};
    return ::poll(&fd, 1, static_cast<int>(left)) > 0;
}

} // namespace

Params& Params::text(std::string_view value) {
    m_values.emplace_back(std::string(value));
    m_formats.push_back(0);
    return *this;
}

Params& Params::bytes(std::string_view value) {
    m_values.emplace_back(std::string(value));
    m_formats.push_back(1);
    return *this;
}

Params& Params::integer(std::int64_t value) { return text(std::to_string(value)); }

Params& Params::null() {
    m_values.emplace_back(std::nullopt);
    m_formats.push_back(0);
    return *this;
}

Params& Params::optional(const std::optional<std::int64_t>& value) { return value ? integer(*value) : null(); }

std::string Rows::text(int row, int column) const { return PQgetvalue(m_result.get(), row, column); }

std::string Rows::bytes(int row, int column) const {
    std::size_t length = 0;
    unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(PQgetvalue(m_result.get(), row, column)),
                                         &length);
    if (raw == nullptr)
        return {};
    std::string out(reinterpret_cast<const char*>(raw), length);
    PQfreemem(raw);
    return out;
}

std::int64_t Rows::integer(int row, int column) const {
    return std::strtoll(PQgetvalue(m_result.get(), row, column), nullptr, 10);
}

std::vector<std::string> Rows::lines(int row, int column) const {
    const std::string joined = text(row, column);
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < joined.size()) {
        const auto end = std::min(joined.find('\n', start), joined.size());
        if (end > start)
            out.push_back(joined.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::int64_t Rows::affected() const { return std::strtoll(PQcmdTuples(m_result.get()), nullptr, 10); }

ErrorKind error_kind_of_sqlstate(std::string_view sqlstate) {
    const std::string_view cls = sqlstate.substr(0, 2);
    if (cls == "08" || cls == "53" || cls == "57" || cls == "58" || cls == "40" || sqlstate == "55P03" ||
        sqlstate == "55006" || sqlstate.empty())
        return ErrorKind::unavailable;
    if (sqlstate == "23505" || sqlstate == "23514")
        return ErrorKind::conflict;
    return ErrorKind::internal;
}

Error Connection::failure(const std::string& what, const PGresult* result) {
    const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const ErrorKind kind = error_kind_of_sqlstate(state != nullptr ? state : "");
    if (kind == ErrorKind::unavailable && PQstatus(m_conn.get()) != CONNECTION_OK)
        m_broken = true;
    const std::string message = trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(m_conn.get()));
    return make_error(kind, what + ": " + (message.empty() ? trimmed(PQerrorMessage(m_conn.get())) : message));
}

// Collects the answer of the statement just sent, within the deadline.
Result<ResultPtr> Connection::await_result(const std::string& what) {
    const auto deadline = Clock::now() + m_deadline;
    PGconn* conn = m_conn.get();
    int flushed = 0;
    while ((flushed = PQflush(conn)) == 1)
        if (!wait_socket(conn, POLLOUT, deadline))
            break;
    ResultPtr last, error;
    for (;;) {
        while (flushed == 0 && PQisBusy(conn) != 0)
            if (!wait_socket(conn, POLLIN, deadline) || PQconsumeInput(conn) == 0)
                flushed = -1;
        if (flushed != 0) {
            m_broken = true;
            return make_error(ErrorKind::unavailable, what + ": the directory server did not answer within " +
                                                          std::to_string(m_deadline.count()) + " ms (" +
                                                          trimmed(PQerrorMessage(conn)) + ")");
        }
        ResultPtr next(PQgetResult(conn));
        if (!next)
            break;
        const auto status = PQresultStatus(next.get());
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
            if (!error)
                error = std::move(next);
        } else {
            last = std::move(next);
        }
    }
    if (error || !last)
        return failure(what, error.get());
    return last;
}

Result<void> Connection::prepare(const std::string& sql, const std::string& name) {
    if (PQsendPrepare(m_conn.get(), name.c_str(), sql.c_str(), 0, nullptr) == 0) {
        m_broken = true;
        return failure("cannot send a statement to the directory server", nullptr);
    }
    auto prepared = await_result("cannot prepare a statement");
    if (!prepared)
        return prepared.error();
    m_prepared.emplace(sql, name);
    return {};
}

Result<Rows> Connection::run(const std::string& sql, const Params& params, const std::string& what) {
    if (m_broken)
        return make_error(ErrorKind::unavailable, "the connection to the directory server was lost");
    auto found = m_prepared.find(sql);
    if (found == m_prepared.end()) {
        if (auto prepared = prepare(sql, "s" + std::to_string(m_prepared.size() + 1)); !prepared)
            return prepared.error();
        found = m_prepared.find(sql);
    }
    std::vector<const char*> values;
    std::vector<int> lengths;
    for (const auto& value : params.m_values) {
        values.push_back(value ? value->data() : nullptr);
        lengths.push_back(value ? static_cast<int>(value->size()) : 0);
    }
    if (PQsendQueryPrepared(m_conn.get(), found->second.c_str(), static_cast<int>(values.size()), values.data(),
                            lengths.data(), params.m_formats.data(), 0) == 0) {
        m_broken = true;
        return failure(what, nullptr);
    }
    auto result = await_result(what);
    if (!result)
        return result.error();
    return Rows(std::move(result).value());
}

Result<void> Connection::run_script(const std::string& script) {
    if (m_broken)
        return make_error(ErrorKind::unavailable, "the connection to the directory server was lost");
    if (PQsendQuery(m_conn.get(), script.c_str()) == 0) {
        m_broken = true;
        return failure("cannot send a statement to the directory server", nullptr);
    }
    auto result = await_result("the directory server refused a statement");
    if (!result)
        return result.error();
    return {};
}

bool Connection::in_failed_transaction() const { return PQtransactionStatus(m_conn.get()) == PQTRANS_INERROR; }

bool Connection::still_alive() {
    PGconn* conn = m_conn.get();
    pollfd fd{PQsocket(conn), POLLIN, 0};
    if (!m_broken && ::poll(&fd, 1, 0) > 0 && PQconsumeInput(conn) == 0)
        m_broken = true;
    return !m_broken && PQstatus(conn) == CONNECTION_OK;
}

bool Connection::reusable() {
    if (m_broken || PQstatus(m_conn.get()) != CONNECTION_OK)
        return false;
    if (PQtransactionStatus(m_conn.get()) == PQTRANS_IDLE)
        return true;
    return run_script("ROLLBACK").has_value() && PQtransactionStatus(m_conn.get()) == PQTRANS_IDLE;
}

} // namespace segel::directory::pg
