#include "directory/directory_service.hpp"

#include <algorithm>

#include "audit_chain.hpp"
#include "service_caches.hpp"
#include "smime/address.hpp"

namespace segel::directory {

namespace {

bool valid_login(std::string_view login) {
    return !login.empty() && login.size() <= 256 &&
           std::all_of(login.begin(), login.end(), [](char c) { return c > ' ' && c < 0x7f; });
}

std::string describe_person(const Person& p) {
    return "email=" + p.email + "; name=" + p.name + "; nip=" + p.nip + "; unit=" + p.unit + "; login=" + p.login;
}

// A certificate by fingerprint (or a unique prefix of at least 8 hex
// digits) or by serial (any case, leading zeros ignored).
Result<CertificateRecord> resolve(StorageSession& session, std::string_view reference) {
    std::string ref(reference);
    std::transform(ref.begin(), ref.end(), ref.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::vector<CertificateRecord> found;
    const bool hex = ref.size() >= 8 && std::all_of(ref.begin(), ref.end(), [](char c) {
                         return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                     });
    if (hex) {
        CertificateFilter by_fingerprint;
        by_fingerprint.fingerprint_prefix = ref;
        by_fingerprint.limit = 2;
        auto rows = session.certificates(by_fingerprint);
        if (!rows)
            return rows.error();
        found = std::move(rows).value();
    }
    if (found.empty()) {
        std::string serial(reference);
        std::transform(serial.begin(), serial.end(), serial.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        const auto first = serial.find_first_not_of('0');
        CertificateFilter by_serial;
        by_serial.serial = first == std::string::npos ? std::string("0") : serial.substr(first);
        by_serial.limit = 2;
        auto rows = session.certificates(by_serial);
        if (!rows)
            return rows.error();
        found = std::move(rows).value();
    }
    if (found.empty())
        return make_error(ErrorKind::not_found, "no certificate with fingerprint or serial " + std::string(reference));
    if (found.size() > 1)
        return make_error(ErrorKind::conflict,
                          std::string(reference) + " names more than one certificate; give more of the fingerprint");
    return found.front();
}

// The record a new certificate is stored as.
CertificateRecord record_of(const ImportRequest& request, const std::string& owner_email,
                            std::vector<std::string> emails) {
    const auto& cert = request.certificate;
    CertificateRecord record;
    record.fingerprint = cert.sha256_fingerprint_hex();
    record.serial = cert.serial_hex();
    record.issuer = cert.issuer();
    record.subject = cert.subject();
    record.emails = std::move(emails);
    record.not_before = cert.not_before();
    record.not_after = cert.not_after();
    record.kind = request.kind;
    record.owner_email = owner_email;
    record.der = cert.der();
    // The owner may sign with an individual certificate by default.
    if (request.kind == CertificateKind::individual) {
        Person owner = request.owner;
        owner.email = owner_email;
        record.authorised_logins.push_back(owner.effective_login());
    }
    return record;
}

// A renewal supersedes the owner's older active certificates of the same
// kind for the same address (art. 9, 18); a certificate imported after its
// own renewal is superseded at once.
Result<std::vector<std::string>> supersede(StorageSession& session, const CertificateRecord& added,
                                           const Actor& actor) {
    std::vector<CertificateRecord> same_line;
    for (const auto& email : added.emails) {
        CertificateFilter filter;
        filter.email = email;
        auto rows = session.certificates(filter);
        if (!rows)
            return rows.error();
        for (auto& row : *rows)
            if (row.fingerprint != added.fingerprint && row.owner_email == added.owner_email &&
                row.kind == added.kind && row.status == CertificateStatus::active &&
                std::none_of(same_line.begin(), same_line.end(),
                             [&](const CertificateRecord& r) { return r.fingerprint == row.fingerprint; }))
                same_line.push_back(std::move(row));
    }
    std::vector<std::string> superseded;
    const bool newer_exists = std::any_of(same_line.begin(), same_line.end(),
                                          [&](const CertificateRecord& r) { return r.not_before > added.not_before; });
    if (newer_exists)
        superseded.push_back(added.fingerprint);
    else
        for (const auto& row : same_line)
            if (row.not_before < added.not_before)
                superseded.push_back(row.fingerprint);
    for (const auto& fingerprint : superseded) {
        auto changed = session.set_status(fingerprint, CertificateStatus::superseded, std::nullopt,
                                          std::chrono::system_clock::now());
        if (!changed)
            return changed.error();
        if (auto logged = audit::append(session, actor, "supersede",
                                        "fingerprint=" + fingerprint + "; by=" + added.fingerprint);
            !logged)
            return logged.error();
    }
    return superseded;
}

} // namespace

DirectoryService::DirectoryService(std::unique_ptr<DirectoryStorage> storage, DirectoryOptions options)
    : m_storage(std::move(storage)), m_options(std::move(options)), m_caches(std::make_unique<Caches>()) {
    m_caches->master_key = m_options.master_key;
}

DirectoryService::~DirectoryService() = default;

Result<std::unique_ptr<StorageSession>> DirectoryService::session() {
    auto session = m_storage->session();
    if (session && m_storage->take_replaced_flag()) {
        std::lock_guard lock(m_caches->mutex);
        m_caches->clear();
    }
    return session;
}

Result<std::unique_ptr<StorageSession>> DirectoryService::write_session() {
    auto session = this->session();
    if (!session)
        return session;
    if (auto begun = (*session)->begin_write(); !begun)
        return begun.error();
    return session;
}

Result<void> DirectoryService::check_domain(std::string_view email) const {
    if (m_options.domains.empty())
        return {};
    auto address = smime::Address::parse(email);
    if (address && address->domain().is_one_of(m_options.domains))
        return {};
    std::string allowed;
    for (const auto& d : m_options.domains)
        allowed += (allowed.empty() ? "" : ", ") + d;
    return make_error(ErrorKind::invalid_input, std::string(email) + " is outside the internal domains (" + allowed + ")");
}

Result<ImportOutcome> DirectoryService::import_certificate(const ImportRequest& request, const Actor& actor) {
    const auto& cert = request.certificate;
    if (request.owner.email.find('@') == std::string::npos)
        return make_error(ErrorKind::invalid_input, "the owner needs an email address");
    const std::string owner_email = smime::address_key(request.owner.email);
    if (!valid_login(request.owner.login.empty() ? owner_email : request.owner.login))
        return make_error(ErrorKind::invalid_input, "the owner's login has spaces or control characters");
    if (auto in_domain = check_domain(owner_email); !in_domain)
        return in_domain.error();
    std::vector<std::string> emails;
    for (const auto& email : cert.email_addresses()) {
        if (auto in_domain = check_domain(email); !in_domain)
            return make_error(ErrorKind::invalid_input, "the certificate names " + in_domain.error().detail);
        emails.push_back(smime::address_key(email));
    }
    if (emails.empty())
        return make_error(ErrorKind::invalid_input, "the certificate carries no email address");
    if (request.kind == CertificateKind::individual &&
        std::find(emails.begin(), emails.end(), owner_email) == emails.end())
        return make_error(ErrorKind::invalid_input, "an individual certificate must carry its owner's address " + owner_email);
    const CertificateRecord record = record_of(request, owner_email, std::move(emails));
    std::optional<smime::SealedKey> sealed;
    if (request.private_key) {
        if (auto matches = smime::SigningIdentity::assemble(cert, request.private_key, {}); !matches)
            return make_error(ErrorKind::invalid_input, matches.error().detail);
        const auto master_key = [&] {
            std::lock_guard lock(m_caches->mutex);
            return m_caches->master_key;
        }();
        if (!master_key)
            return make_error(ErrorKind::key_unavailable, "no master key is loaded; private keys cannot be stored");
        auto sealing = master_key->seal(request.private_key.get(), record.fingerprint);
        if (!sealing)
            return make_error(ErrorKind::internal, sealing.error().detail);
        sealed = std::move(sealing).value();
    }

    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    Person owner = request.owner;
    owner.email = owner_email;
    if (auto stored = s.upsert_person(owner); !stored)
        return stored.error();
    ImportOutcome outcome;
    outcome.fingerprint = record.fingerprint;
    auto inserted = s.insert_certificate(record, std::chrono::system_clock::now());
    if (!inserted)
        return inserted.error();
    outcome.inserted = *inserted;
    if (outcome.inserted) {
        auto superseded = supersede(s, record, actor);
        if (!superseded)
            return superseded.error();
        outcome.superseded = std::move(superseded).value();
    }
    if (sealed)
        if (auto kept = s.put_sealed_key(record.fingerprint, *sealed, false); !kept)
            return kept.error();
    for (const auto& ca : request.chain)
        if (!ca.is_self_signed())
            if (auto added = s.add_ca_certificate(ca); !added)
                return added.error();
    const std::string detail = "fingerprint=" + record.fingerprint + "; serial=" + record.serial + "; kind=" +
                               std::string(to_string(request.kind)) + "; owner=" + owner_email +
                               "; key=" + (sealed ? "yes" : "no") + (outcome.inserted ? "" : "; already stored");
    if (auto logged = audit::append(s, actor, "import", detail); !logged)
        return logged.error();
    if (auto committed = s.commit(); !committed)
        return committed.error();
    std::lock_guard lock(m_caches->mutex);
    m_caches->chains.clear(); // the import may have brought issuing CAs
    return outcome;
}

Result<std::optional<Person>> DirectoryService::find_person(std::string_view email) {
    auto session = this->session();
    if (!session)
        return session.error();
    return (*session)->person(smime::address_key(email));
}

Result<std::vector<Person>> DirectoryService::list_people() {
    auto session = this->session();
    if (!session)
        return session.error();
    return (*session)->people();
}

Result<std::vector<CertificateRecord>> DirectoryService::find_certificates(const CertificateQuery& query) {
    CertificateFilter filter;
    if (!query.text.empty())
        filter.text = query.text;
    auto session = this->session();
    if (!session)
        return session.error();
    auto records = (*session)->certificates(filter);
    if (!records)
        return records;
    auto& all = records.value();
    all.erase(std::remove_if(all.begin(), all.end(),
                             [&](const CertificateRecord& r) {
                                 const auto status = r.status_at(query.now);
                                 if (query.status && status != *query.status)
                                     return true;
                                 return query.expiring_before && (status != CertificateStatus::active ||
                                                                  r.not_after >= *query.expiring_before);
                             }),
              all.end());
    return records;
}

Result<CertificateRecord> DirectoryService::get_certificate(std::string_view reference) {
    auto session = this->session();
    if (!session)
        return session.error();
    return resolve(**session, reference);
}

namespace {
// Adds or removes one authorised login, with its audit entry.
Result<void> change_authorisation(StorageSession& s, std::string_view reference, std::string_view login, bool add,
                                  const Actor& actor) {
    if (auto begun = s.begin_write(); !begun)
        return begun;
    auto record = resolve(s, reference);
    if (!record)
        return record.error();
    auto changed = s.set_login(record->fingerprint, login, add);
    if (!changed)
        return changed.error();
    if (!*changed) {
        if (add)
            return {}; // already authorised: nothing changed, nothing to log
        return make_error(ErrorKind::not_found, "login " + std::string(login) + " is not authorised for that certificate");
    }
    if (auto logged = audit::append(s, actor, add ? "authorise" : "unauthorise",
                                    "fingerprint=" + record->fingerprint + "; login=" + std::string(login));
        !logged)
        return logged;
    return s.commit();
}
} // namespace

Result<void> DirectoryService::authorise(std::string_view reference, std::string_view login, const Actor& actor) {
    if (!valid_login(login))
        return make_error(ErrorKind::invalid_input, "a login has no spaces or control characters");
    auto session = this->session();
    if (!session)
        return session.error();
    return change_authorisation(**session, reference, login, true, actor);
}

Result<void> DirectoryService::unauthorise(std::string_view reference, std::string_view login, const Actor& actor) {
    auto session = this->session();
    if (!session)
        return session.error();
    return change_authorisation(**session, reference, login, false, actor);
}

Result<void> DirectoryService::apply(const ChangeSet& changes, const Actor& actor) {
    for (const auto& person : changes.people)
        if (auto in_domain = check_domain(person.email); !in_domain)
            return in_domain;
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    for (Person person : changes.people) {
        person.email = smime::address_key(person.email);
        if (auto stored = s.upsert_person(person); !stored)
            return stored;
        if (auto logged = audit::append(s, actor, "person", changes.description + ": " + describe_person(person)); !logged)
            return logged;
    }
    for (const auto& change : changes.statuses) {
        auto changed = s.set_status(change.fingerprint, change.status, change.reason, change.effective);
        if (!changed)
            return changed.error();
        if (!*changed)
            return make_error(ErrorKind::not_found, "no certificate with fingerprint " + change.fingerprint);
        std::string detail = changes.description + ": fingerprint=" + change.fingerprint +
                             "; status=" + std::string(to_string(change.status));
        if (change.reason)
            detail += "; reason=" + std::string(to_string(*change.reason)) +
                      "; rfc5280=" + std::to_string(rfc5280_code(*change.reason));
        if (change.effective)
            detail += "; effective=" + smime::format_utc(*change.effective);
        if (auto logged = audit::append(s, actor, "status", detail); !logged)
            return logged;
    }
    return s.commit();
}

Result<void> DirectoryService::record_trace(const std::vector<TraceRecord>& records) {
    auto session = write_session();
    if (!session)
        return session.error();
    if (auto appended = (*session)->append_trace(records); !appended)
        return appended;
    return (*session)->commit();
}

Result<std::vector<TraceRecord>> DirectoryService::find_trace(const TraceQuery& query) {
    auto session = this->session();
    if (!session)
        return session.error();
    return (*session)->trace(query);
}

Result<std::int64_t> DirectoryService::prune_trace(TimePoint before) {
    auto session = write_session();
    if (!session)
        return session.error();
    auto pruned = (*session)->prune_trace(before);
    if (!pruned)
        return pruned;
    if (auto committed = (*session)->commit(); !committed)
        return committed.error();
    return pruned;
}

Result<void> DirectoryService::record_event(const std::string& action, const std::string& detail, const Actor& actor) {
    auto session = write_session();
    if (!session)
        return session.error();
    if (auto logged = audit::append(**session, actor, action, detail); !logged)
        return logged;
    return (*session)->commit();
}

Result<void> DirectoryService::record_signing(const SigningEvent& event, const Actor& actor) {
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    if (auto logged = audit::append(s, actor, "sign",
                                    "login=" + event.login + "; serial=" + event.serial + "; fingerprint=" +
                                        event.fingerprint + "; message_id=" + event.message_id +
                                        "; at=" + smime::format_utc(event.at));
        !logged)
        return logged;
    return s.commit();
}

Result<bool> DirectoryService::reminder_sent(std::string_view fingerprint, int threshold_days) {
    auto session = this->session();
    if (!session)
        return session.error();
    return (*session)->reminder_recorded(fingerprint, threshold_days);
}

Result<bool> DirectoryService::claim_reminder(std::string_view fingerprint, int threshold_days, const Actor& actor) {
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    auto claimed = s.claim_reminder(fingerprint, threshold_days, std::chrono::system_clock::now());
    if (!claimed || !*claimed)
        return claimed; // false: claimed already (by another process or node): once only
    if (auto logged = audit::append(s, actor, "remind", "fingerprint=" + std::string(fingerprint) +
                                                         "; threshold_days=" + std::to_string(threshold_days));
        !logged)
        return logged.error();
    if (auto committed = s.commit(); !committed)
        return committed.error();
    return true;
}

Result<void> DirectoryService::release_reminder(std::string_view fingerprint, int threshold_days, const Actor& actor) {
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    auto released = s.release_reminder(fingerprint, threshold_days);
    if (!released || !*released)
        return released ? Result<void>() : Result<void>(released.error());
    if (auto logged = audit::append(s, actor, "remind_released",
                                    "fingerprint=" + std::string(fingerprint) +
                                        "; threshold_days=" + std::to_string(threshold_days) + "; why=not sent");
        !logged)
        return logged;
    return s.commit();
}

Result<std::vector<AuditEntry>> DirectoryService::audit_entries() {
    auto session = this->session();
    if (!session)
        return session.error();
    auto rows = (*session)->audit_rows();
    if (!rows)
        return rows.error();
    return audit::entries(*rows);
}

Result<AuditVerification> DirectoryService::verify_audit_log() {
    auto session = this->session();
    if (!session)
        return session.error();
    auto rows = (*session)->audit_rows();
    if (!rows)
        return rows.error();
    auto head = (*session)->audit_head();
    if (!head)
        return head.error();
    return audit::verify(*rows, *head);
}

Result<int> DirectoryService::reseal_keys(std::shared_ptr<const smime::MasterKey> new_key, const Actor& actor) {
    const auto current = [&] {
        std::lock_guard lock(m_caches->mutex);
        return m_caches->master_key;
    }();
    if (!current || !new_key)
        return make_error(ErrorKind::key_unavailable, "rotation needs the current and the new master key");
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    auto keys = s.sealed_keys();
    if (!keys)
        return keys.error();
    for (const auto& [fingerprint, sealed] : *keys) {
        auto key = current->unseal(sealed, fingerprint);
        if (!key)
            return make_error(ErrorKind::key_unavailable, "key of " + fingerprint + ": " + key.error().detail);
        auto resealed = new_key->seal(key->get(), fingerprint);
        if (!resealed)
            return make_error(ErrorKind::internal, resealed.error().detail);
        if (auto stored = s.put_sealed_key(fingerprint, *resealed, true); !stored)
            return stored.error();
    }
    if (auto logged = audit::append(s, actor, "master_key_rotation",
                                    "from=" + current->id() + "; to=" + new_key->id() +
                                        "; keys=" + std::to_string(keys->size()));
        !logged)
        return logged.error();
    if (auto committed = s.commit(); !committed)
        return committed.error();
    std::lock_guard lock(m_caches->mutex);
    m_caches->master_key = std::move(new_key);
    m_caches->parsed.clear();
    return static_cast<int>(keys->size());
}

} // namespace segel::directory
