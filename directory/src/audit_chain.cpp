#include "audit_chain.hpp"

#include <chrono>

#include "smime/digest.hpp"

namespace segel::directory::audit {

namespace {
void add_field(std::string& out, const std::string& field) {
    // Length-prefixed, so no choice of field contents can collide.
    out += std::to_string(field.size());
    out += ':';
    out += field;
    out += '\n';
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

Result<void> append(StorageSession& session, const Actor& actor, const std::string& action, const std::string& detail) {
    auto head = session.lock_audit_head();
    if (!head)
        return head.error();
    AuditRow row;
    row.seq = head->last_seq + 1;
    row.prev_hash = head->last_seq == 0 ? std::string(k_genesis) : head->last_hash;
    row.at = now_seconds();
    row.actor = actor.name;
    row.action = action;
    row.detail = detail;
    row.hash = entry_hash(row.prev_hash, row.seq, row.at, row.actor, row.action, row.detail);
    return session.append_audit(row);
}

std::vector<AuditEntry> entries(const std::vector<AuditRow>& rows) {
    std::vector<AuditEntry> out;
    out.reserve(rows.size());
    for (const auto& row : rows)
        out.push_back(AuditEntry{row.seq, TimePoint(std::chrono::seconds(row.at)), row.actor, row.action, row.detail,
                                 row.hash});
    return out;
}

AuditVerification verify(const std::vector<AuditRow>& rows, const AuditHead& head) {
    AuditVerification result;
    std::string previous = k_genesis;
    std::int64_t expected_seq = 1;
    const auto fail = [&](std::int64_t seq, std::string problem) {
        result.intact = false;
        result.first_bad_seq = seq;
        result.problem = std::move(problem);
        return result;
    };
    for (const auto& row : rows) {
        ++result.entries;
        if (row.seq != expected_seq)
            return fail(expected_seq, row.seq > expected_seq ? "entries " + std::to_string(expected_seq) + " to " +
                                                                   std::to_string(row.seq - 1) + " are missing"
                                                             : "entry " + std::to_string(row.seq) + " is out of order");
        if (row.prev_hash != previous)
            return fail(row.seq, "entry " + std::to_string(row.seq) + " does not follow entry " +
                                     std::to_string(row.seq - 1) + " (reordered, or an entry before it was replaced)");
        if (entry_hash(previous, row.seq, row.at, row.actor, row.action, row.detail) != row.hash)
            return fail(row.seq,
                        "entry " + std::to_string(row.seq) + " was altered (its hash does not match its content)");
        previous = row.hash;
        ++expected_seq;
    }
    const std::string head_hash = head.last_seq == 0 ? std::string(k_genesis) : head.last_hash;
    if (head.last_seq != expected_seq - 1 || head_hash != previous)
        return fail(expected_seq, "the log ends at entry " + std::to_string(expected_seq - 1) +
                                      " but the head records entry " + std::to_string(head.last_seq) +
                                      ": entries at the end are missing");
    result.head_hash = previous;
    return result;
}

} // namespace segel::directory::audit
