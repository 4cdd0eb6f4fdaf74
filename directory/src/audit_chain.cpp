#include "audit_chain.hpp"

#include <chrono>

#include "smime/digest.hpp"
#include "sqlite_handles.hpp"

namespace segel::directory::audit {

namespace {
void add_field(std::string& out, const std::string& field) {
    // Length-prefixed, so no choice of field contents can collide.
    out += std::to_string(field.size());
    out += ':';
    out += field;
    out += '\n';
}

Error db_error(sqlite3* db, const std::string& what) {
    return make_error(ErrorKind::unavailable, what + ": " + sqlite3_errmsg(db));
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}
} // namespace

std::string entry_hash(const std::string& previous, std::int64_t seq, std::int64_t at, const std::string& actor,
                       const std::string& action, const std::string& detail) {
    std::string material;
    add_field(material, previous);
    add_field(material, std::to_string(seq));
    add_field(material, std::to_string(at));
    add_field(material, actor);
    add_field(material, action);
    add_field(material, detail);
    return smime::sha256_hex(material);
}

Result<void> append(sql::StatementCache& cache, const Actor& actor, const std::string& action, const std::string& detail) {
    sqlite3* db = cache.db();
    sql::Statement head = cache.prepare("SELECT last_seq, last_hash FROM audit_head WHERE id = 1");
    if (!head.ok())
        return db_error(db, "cannot read the audit head");
    std::int64_t seq = 1;
    std::string previous = k_genesis;
    if (head.step() == SQLITE_ROW) {
        seq = head.integer(0) + 1;
        previous = head.text(1);
    }
    const std::int64_t at = now_seconds();
    const std::string hash = entry_hash(previous, seq, at, actor.name, action, detail);
    sql::Statement insert = cache.prepare("INSERT INTO audit_log(seq, at, actor, action, detail, prev_hash, hash) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    insert.bind(1, seq).bind(2, at).bind(3, actor.name).bind(4, action).bind(5, detail).bind(6, previous).bind(7, hash);
    if (insert.step() != SQLITE_DONE)
        return db_error(db, "cannot append to the audit log");
    sql::Statement update = cache.prepare("INSERT INTO audit_head(id, last_seq, last_hash) VALUES (1, ?1, ?2) "
                              "ON CONFLICT(id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash");
    update.bind(1, seq).bind(2, hash);
    if (update.step() != SQLITE_DONE)
        return db_error(db, "cannot update the audit head");
    return {};
}

Result<std::vector<AuditEntry>> read_all(sql::StatementCache& cache) {
    sqlite3* db = cache.db();
    sql::Statement select = cache.prepare("SELECT seq, at, actor, action, detail, hash FROM audit_log ORDER BY seq");
    if (!select.ok())
        return db_error(db, "cannot read the audit log");
    std::vector<AuditEntry> entries;
    while (select.step() == SQLITE_ROW)
        entries.push_back(AuditEntry{select.integer(0), std::chrono::system_clock::time_point(std::chrono::seconds(select.integer(1))),
                                     select.text(2), select.text(3), select.text(4), select.text(5)});
    return entries;
}

Result<AuditVerification> verify(sql::StatementCache& cache) {
    sqlite3* db = cache.db();
    sql::Statement select = cache.prepare("SELECT seq, at, actor, action, detail, prev_hash, hash FROM audit_log ORDER BY seq");
    if (!select.ok())
        return db_error(db, "cannot read the audit log");
    AuditVerification result;
    std::string previous = k_genesis;
    std::int64_t expected_seq = 1;
    const auto fail = [&](std::int64_t seq, std::string problem) {
        result.intact = false;
        result.first_bad_seq = seq;
        result.problem = std::move(problem);
    };
    while (select.step() == SQLITE_ROW) {
        const std::int64_t seq = select.integer(0);
        ++result.entries;
        if (seq != expected_seq) {
            fail(expected_seq, seq > expected_seq ? "entries " + std::to_string(expected_seq) + " to " +
                                                        std::to_string(seq - 1) + " are missing"
                                                  : "entry " + std::to_string(seq) + " is out of order");
            return result;
        }
        const std::string stored_previous = select.text(5);
        const std::string stored_hash = select.text(6);
        if (stored_previous != previous) {
            fail(seq, "entry " + std::to_string(seq) + " does not follow entry " + std::to_string(seq - 1) +
                          " (reordered, or an entry before it was replaced)");
            return result;
        }
        const std::string hash =
            entry_hash(previous, seq, select.integer(1), select.text(2), select.text(3), select.text(4));
        if (hash != stored_hash) {
            fail(seq, "entry " + std::to_string(seq) + " was altered (its hash does not match its content)");
            return result;
        }
        previous = stored_hash;
        ++expected_seq;
    }
    sql::Statement head = cache.prepare("SELECT last_seq, last_hash FROM audit_head WHERE id = 1");
    std::int64_t head_seq = 0;
    std::string head_hash = k_genesis;
    if (head.ok() && head.step() == SQLITE_ROW) {
        head_seq = head.integer(0);
        head_hash = head.text(1);
    }
    if (head_seq != expected_seq - 1 || head_hash != previous) {
        fail(expected_seq, "the log ends at entry " + std::to_string(expected_seq - 1) + " but the head records entry " +
                               std::to_string(head_seq) + ": entries at the end are missing");
        return result;
    }
    result.head_hash = previous;
    return result;
}

} // namespace segel::directory::audit
