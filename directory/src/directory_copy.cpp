#include "directory/directory_copy.hpp"

#include "audit_chain.hpp"
#include "open_storage.hpp"
#include "smime/certificate.hpp"

namespace segel::directory {

namespace {

// Everything a directory holds, read in one session.
struct Contents {
    std::vector<Person> people;
    std::vector<CertificateRecord> certificates;
    std::vector<std::pair<std::string, smime::SealedKey>> keys;
    std::vector<std::string> ca_certificates;
    std::vector<CorrespondentRecord> correspondents;
    std::vector<PolicyRule> rules;
    std::vector<CapabilitiesRow> capabilities;
    std::vector<DecryptedMessageRow> decrypted;
    std::vector<ReminderRow> reminders;
    std::vector<TraceRecord> trace;
    std::vector<AuditRow> audit;
    AuditHead head;
};

template <class T>
Result<void> read_into(Result<T> read, T& into) {
    if (!read)
        return read.error();
    into = std::move(read).value();
    return {};
}

Result<Contents> read_all(StorageSession& s) {
    Contents c;
    for (auto step : {read_into(s.people(), c.people), read_into(s.certificates({}), c.certificates),
                      read_into(s.sealed_keys(), c.keys), read_into(s.ca_certificates_der(), c.ca_certificates),
                      read_into(s.correspondents({}), c.correspondents), read_into(s.policy_rules(), c.rules),
                      read_into(s.all_capabilities(), c.capabilities), read_into(s.decrypted_messages(), c.decrypted),
                      read_into(s.reminders(), c.reminders), read_into(s.trace(TraceQuery{"", {}, {}, 0}), c.trace),
                      read_into(s.audit_rows(), c.audit),
                      read_into(s.audit_head(), c.head)})
        if (!step)
            return step.error();
    return c;
}

Result<void> check_empty(StorageSession& target) {
    auto contents = read_all(target);
    if (!contents)
        return contents.error();
    const Contents& c = *contents;
    if (!c.people.empty() || !c.certificates.empty() || !c.correspondents.empty() || !c.rules.empty() ||
        !c.ca_certificates.empty() || !c.capabilities.empty() || !c.reminders.empty() || !c.trace.empty() ||
        !c.audit.empty() ||
        c.head.last_seq != 0)
        return make_error(ErrorKind::conflict, "the target directory is not empty (" +
                                                   std::to_string(c.certificates.size()) + " certificates, " +
                                                   std::to_string(c.audit.size()) +
                                                   " audit entries); Segel copies only into an empty one");
    return {};
}

Result<void> write_certificates(StorageSession& t, const Contents& c) {
    for (const auto& person : c.people)
        if (auto done = t.upsert_person(person); !done)
            return done.error();
    for (const auto& record : c.certificates) {
        if (auto inserted = t.insert_certificate(record, record.imported_at); !inserted)
            return inserted.error();
        if (record.status == CertificateStatus::active && !record.reason && !record.status_effective)
            continue;
        if (auto set = t.set_status(record.fingerprint, record.status, record.reason, record.status_effective); !set)
            return set.error();
    }
    for (const auto& [fingerprint, key] : c.keys)
        if (auto done = t.put_sealed_key(fingerprint, key, false); !done)
            return done.error();
    for (const auto& der : c.ca_certificates) {
        auto ca = smime::Certificate::from_der(der);
        if (!ca)
            return make_error(ErrorKind::invalid_input, "a stored CA certificate cannot be read: " + ca.error().detail);
        if (auto done = t.add_ca_certificate(*ca); !done)
            return done.error();
    }
    return {};
}

Result<void> write_the_rest(StorageSession& t, const Contents& c) {
    for (const auto& record : c.correspondents)
        if (auto done = t.insert_correspondent(record); !done)
            return done.error();
    for (const auto& rule : c.rules)
        if (auto done = t.put_policy_rule(rule); !done)
            return done.error();
    for (const auto& row : c.capabilities)
        if (auto done = t.put_capabilities(row.email, row.advertised, row.learned_at); !done)
            return done.error();
    for (const auto& row : c.decrypted)
        if (auto done = t.put_decrypted_message(row.message_id, row.decrypted_at); !done)
            return done.error();
    for (const auto& row : c.reminders)
        if (auto done = t.claim_reminder(row.fingerprint, row.threshold_days, row.sent_at); !done)
            return done.error();
    if (auto done = t.append_trace(c.trace); !done)
        return done.error();
    for (const auto& row : c.audit)
        if (auto done = t.append_audit(row); !done)
            return done.error();
    return {};
}

CopySummary summary_of(const Contents& c) {
    return CopySummary{c.people.size(),       c.certificates.size(), c.keys.size(),      c.ca_certificates.size(),
                       c.correspondents.size(), c.rules.size(),      c.capabilities.size(), c.decrypted.size(),
                       c.reminders.size(),    c.audit.size(),        c.trace.size()};
}

std::string detail_of(const std::string& from_url, const CopySummary& s) {
    return "from=" + from_url + "; certificates=" + std::to_string(s.certificates) +
           "; private_keys=" + std::to_string(s.private_keys) + "; correspondents=" +
           std::to_string(s.correspondents) + "; audit_entries=" + std::to_string(s.audit_entries);
}

} // namespace

Result<CopySummary> copy_directory(const std::string& from_url, const std::string& to_url,
                                   const DirectoryOptions& options, const Actor& actor) {
    DirectoryOptions source_options = options;
    source_options.create = false;
    auto source = open_storage(from_url, source_options);
    if (!source)
        return source.error();
    DirectoryOptions target_options = options;
    target_options.create = true;
    auto target = open_storage(to_url, target_options);
    if (!target)
        return target.error();
    auto from = (*source)->session();
    if (!from)
        return from.error();
    // The source's write lock, never committed: nobody changes it while we read.
    if (auto locked = (*from)->begin_write(); !locked)
        return locked.error();
    auto contents = read_all(**from);
    if (!contents)
        return contents.error();
    if (const auto verified = audit::verify(contents->audit, contents->head); !verified.intact)
        return make_error(ErrorKind::conflict,
                          "the source's audit chain does not verify (" + verified.problem + "); nothing was copied");
    auto to = (*target)->session();
    if (!to)
        return to.error();
    StorageSession& t = **to;
    if (auto begun = t.begin_write(); !begun)
        return begun.error();
    if (auto empty = check_empty(t); !empty)
        return empty.error();
    if (auto written = write_certificates(t, *contents); !written)
        return written.error();
    if (auto written = write_the_rest(t, *contents); !written)
        return written.error();
    const CopySummary summary = summary_of(*contents);
    if (auto logged = audit::append(t, actor, "directory_migrate", detail_of(from_url, summary)); !logged)
        return logged.error();
    if (auto committed = t.commit(); !committed)
        return committed.error();
    return summary;
}

} // namespace segel::directory
