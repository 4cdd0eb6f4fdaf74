// The DirectoryService's lookups that open certificates and keys: the
// signing choice, the certificates to encrypt to, the keys to decrypt with.
#include "directory/directory_service.hpp"

#include "audit_chain.hpp"
#include "service_caches.hpp"
#include "signing_selection.hpp"
#include "smime/address.hpp"
#include "smime/certificate_policy.hpp"

namespace segel::directory {

namespace {

// The parsed certificate of a record, from the cache or parsed now (the
// caller holds the caches' lock).
Result<ParsedCertificate*> parsed_entry(ParsedCache& cache, const CertificateRecord& record) {
    if (ParsedCertificate* entry = cache.find(record.fingerprint))
        return entry;
    auto cert = smime::Certificate::from_der(record.der);
    if (!cert)
        return make_error(ErrorKind::internal, "stored certificate " + record.serial + ": " + cert.error().detail);
    return &cache.insert(record.fingerprint, {std::move(cert).value(), {}, nullptr});
}

// The issuing chain from stored CA certificates, up to but not including the
// root (CH-12).
Result<std::vector<smime::Certificate>> stored_chain(StorageSession& session, const smime::Certificate& cert) {
    std::vector<smime::Certificate> chain;
    std::string issuer = cert.issuer();
    for (int depth = 0; depth < 8; ++depth) {
        auto der = session.ca_certificate_der(issuer);
        if (!der)
            return der.error();
        if (!*der)
            break;
        auto parsed = smime::Certificate::from_der(**der);
        if (!parsed || parsed->is_self_signed())
            break;
        issuer = parsed->issuer();
        chain.push_back(std::move(parsed).value());
    }
    return chain;
}

Unfit unfit_of(CertificateStatus status) {
    switch (status) {
    case CertificateStatus::revoked: return Unfit::revoked;
    case CertificateStatus::superseded: return Unfit::superseded;
    case CertificateStatus::expired: return Unfit::expired;
    case CertificateStatus::active: break;
    }
    return Unfit::none;
}

Unfit unfit_of(smime::ErrorKind kind) {
    switch (kind) {
    case smime::ErrorKind::certificate_expired: return Unfit::expired;
    case smime::ErrorKind::certificate_not_yet_valid: return Unfit::not_yet_valid;
    default: return Unfit::key_usage;
    }
}

// Dates and key usage (smime::check_encryption_certificate).
void judge_fitness(EncryptionCandidate& candidate, TimePoint now) {
    if (candidate.unfit == Unfit::none)
        if (auto fit = smime::check_encryption_certificate(candidate.certificate, now); !fit) {
            candidate.why_not = fit.error().detail;
            candidate.unfit = unfit_of(fit.error().kind);
        }
    candidate.usable = candidate.unfit == Unfit::none;
}

std::string why_not_active(const CertificateRecord& record, CertificateStatus status) {
    switch (status) {
    case CertificateStatus::revoked:
        return "revoked (" + std::string(to_string(record.reason.value_or(RevocationReason::unspecified))) + ")";
    case CertificateStatus::superseded: return "superseded by a renewal";
    case CertificateStatus::expired: return "expired";
    case CertificateStatus::active: break;
    }
    return {};
}

} // namespace

// The unsealed key of a record; a cached key is used only while the sealed
// bytes in the store are the ones it came from.
Result<std::shared_ptr<EVP_PKEY>> DirectoryService::unsealed_key(StorageSession& session,
                                                                 const CertificateRecord& record) {
    auto sealed = session.sealed_key(record.fingerprint);
    if (!sealed)
        return sealed.error();
    if (!*sealed)
        return make_error(ErrorKind::not_found, "the private key of certificate " + record.serial + " vanished");
    std::lock_guard lock(m_caches->mutex);
    if (!m_caches->master_key)
        return make_error(ErrorKind::key_unavailable, "no master key is loaded; private keys cannot be opened");
    auto entry = parsed_entry(m_caches->parsed, record);
    if (!entry)
        return entry.error();
    ParsedCertificate& cached = **entry;
    if (!cached.key || cached.sealed_ciphertext != (*sealed)->ciphertext) {
        auto key = m_caches->master_key->unseal(**sealed, record.fingerprint);
        if (!key)
            return make_error(ErrorKind::key_unavailable, "certificate " + record.serial + ": " + key.error().detail);
        cached.key = std::move(key).value();
        cached.sealed_ciphertext = (*sealed)->ciphertext;
    }
    return cached.key;
}

Result<SigningChoice> DirectoryService::choose_signing_certificate(std::string_view login, std::string_view from,
                                                                   TimePoint now, const Actor& actor) {
    const std::string address = smime::address_key(from);
    auto session = this->session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    CertificateFilter filter;
    filter.email = address;
    filter.order = CertificateFilter::Order::newest_first;
    auto candidates = s.certificates(filter);
    if (!candidates)
        return candidates.error();
    std::vector<smime::Certificate> parsed;
    {
        std::lock_guard lock(m_caches->mutex);
        for (const auto& record : *candidates) {
            auto entry = parsed_entry(m_caches->parsed, record);
            if (!entry)
                return entry.error();
            parsed.push_back((*entry)->certificate);
        }
    }
    std::vector<const smime::Certificate*> pointers;
    for (const auto& cert : parsed)
        pointers.push_back(&cert);
    const Selection selection = select_signing_certificate(*candidates, pointers, login, from, now);
    SigningChoice choice;
    if (!selection.chosen) {
        choice.refusal = selection.refusal;
        choice.detail = selection.detail;
        if (selection.explaining)
            choice.certificate = (*candidates)[*selection.explaining];
        return choice;
    }
    const CertificateRecord& record = (*candidates)[*selection.chosen];
    const smime::Certificate& cert = parsed[*selection.chosen];
    auto key = unsealed_key(s, record);
    if (!key)
        return key.error();
    std::vector<smime::Certificate> chain;
    {
        std::lock_guard lock(m_caches->mutex);
        if (auto cached = m_caches->chains.find(cert.issuer()); cached != m_caches->chains.end())
            chain = cached->second;
    }
    if (chain.empty()) {
        auto stored = stored_chain(s, cert);
        if (!stored)
            return stored.error();
        chain = std::move(stored).value();
        std::lock_guard lock(m_caches->mutex);
        m_caches->chains.emplace(cert.issuer(), chain);
    }
    auto identity = smime::SigningIdentity::assemble(cert, *key, chain);
    if (!identity)
        return make_error(ErrorKind::key_unavailable, identity.error().detail);
    if (auto begun = s.begin_write(); !begun)
        return begun.error();
    if (auto logged = audit::append(s, actor, "key_access",
                                    "fingerprint=" + record.fingerprint + "; serial=" + record.serial +
                                        "; login=" + std::string(login) + "; from=" + address);
        !logged)
        return logged.error();
    if (auto committed = s.commit(); !committed)
        return committed.error();
    choice.identity = std::move(identity).value();
    choice.certificate = record;
    return choice;
}

Result<void> DirectoryService::add_internal_candidates(StorageSession& session, const smime::Address& recipient,
                                                       TimePoint now, std::vector<EncryptionCandidate>& out) {
    CertificateFilter filter;
    filter.email = recipient.key();
    filter.order = CertificateFilter::Order::newest_first;
    auto records = session.certificates(filter);
    if (!records)
        return records.error();
    std::lock_guard lock(m_caches->mutex);
    for (auto& record : *records) {
        auto entry = parsed_entry(m_caches->parsed, record);
        if (!entry)
            return entry.error();
        const CertificateStatus status = record.status_at(now);
        EncryptionCandidate candidate{(*entry)->certificate, CertificateSource::ra_directory, TimePoint(),
                                      std::nullopt, false, why_not_active(record, status), unfit_of(status)};
        judge_fitness(candidate, now);
        candidate.record = std::move(record);
        out.push_back(std::move(candidate));
    }
    return {};
}

namespace {
// Correspondents' rows as candidates, parsed through the cache (the caller
// holds the caches' lock).
Result<void> add_candidates(ParsedCache& cache, const std::vector<CorrespondentRecord>& rows, TimePoint now,
                            std::vector<EncryptionCandidate>& out) {
    for (const auto& row : rows) {
        const ParsedCertificate* entry = cache.find(row.fingerprint);
        if (entry == nullptr) {
            auto cert = smime::Certificate::from_der(row.der);
            if (!cert)
                return make_error(ErrorKind::internal, "stored certificate " + row.serial + ": " + cert.error().detail);
            entry = &cache.insert(row.fingerprint, {std::move(cert).value(), {}, nullptr});
        }
        EncryptionCandidate candidate{entry->certificate, row.source, row.learned_at, std::nullopt, false, {},
                                      Unfit::none};
        judge_fitness(candidate, now);
        out.push_back(std::move(candidate));
    }
    return {};
}
} // namespace

Result<void> DirectoryService::record_encryption(const EncryptionEvent& event, const Actor& actor) {
    std::string detail = "from=" + event.sender + "; to=" + event.recipient + "; message_id=" + event.message_id +
                         "; cipher=" + event.cipher + "; key_transport=" + event.key_transport;
    for (const auto& used : event.certificates)
        detail += "; certificate=serial:" + used.certificate.serial_hex() + ",fingerprint:" +
                  used.certificate.sha256_fingerprint_hex() + ",source:" + std::string(to_string(used.source));
    auto session = write_session();
    if (!session)
        return session.error();
    if (auto logged = audit::append(**session, actor, "encrypt", detail); !logged)
        return logged;
    return (*session)->commit();
}

bool key_compromised(const CertificateRecord& record) {
    return record.status == CertificateStatus::revoked && record.reason == RevocationReason::key_compromise;
}

bool owned_by(const CertificateRecord& record, const std::string& address) {
    const std::string wanted = smime::address_key(address);
    return !wanted.empty() &&
           (smime::address_key(record.owner_email) == wanted ||
            std::any_of(record.emails.begin(), record.emails.end(),
                        [&](const std::string& email) { return smime::address_key(email) == wanted; }));
}

Result<std::vector<DecryptionKey>> keys_for_recipients(DecryptionKeys& keys,
                                                       const std::vector<RecipientIdentifier>& recipients,
                                                       const Actor& actor) {
    std::vector<DecryptionKey> found;
    for (const auto& id : recipients) {
        auto matching = keys.decryption_keys(id, actor);
        if (!matching)
            return matching.error();
        for (auto& key : *matching)
            if (std::none_of(found.begin(), found.end(),
                             [&](const auto& held) { return held.record.fingerprint == key.record.fingerprint; }))
                found.push_back(std::move(key));
    }
    return found;
}

Result<void> DirectoryService::record_decryption(const DecryptionEvent& event, const Actor& actor) {
    std::string recipients;
    for (const auto& recipient : event.recipients)
        recipients += (recipients.empty() ? "" : ",") + recipient;
    const std::string detail = "from=" + event.sender + "; to=" + recipients + "; message_id=" + event.message_id +
                               "; cipher=" + event.cipher + "; serial=" + event.key.serial + "; fingerprint=" +
                               event.key.fingerprint + "; status=" + std::string(to_string(event.key.status)) +
                               "; released=" + (event.released ? "yes" : "no");
    auto session = write_session();
    if (!session)
        return session.error();
    if (auto logged = audit::append(**session, actor, "decrypt", detail); !logged)
        return logged;
    if (event.released && !event.message_id.empty())
        if (auto remembered = (*session)->put_decrypted_message(event.message_id, std::chrono::system_clock::now());
            !remembered)
            return remembered;
    if (key_compromised(event.key))
        if (auto logged = audit::append(**session, actor, "incident",
                                        "kind=compromised_key_decrypted; owner=" + event.key.owner_email + "; " + detail);
            !logged)
            return logged;
    return (*session)->commit();
}

Result<bool> DirectoryService::decrypted_any(const std::vector<std::string>& message_ids) {
    if (message_ids.empty())
        return false;
    auto session = this->session();
    if (!session)
        return session.error();
    return (*session)->any_decrypted(message_ids);
}

const char* to_string(Unfit unfit) noexcept {
    switch (unfit) {
    case Unfit::none: return "none";
    case Unfit::expired: return "expired";
    case Unfit::not_yet_valid: return "not_yet_valid";
    case Unfit::revoked: return "revoked";
    case Unfit::superseded: return "superseded";
    case Unfit::key_usage: return "key_usage";
    case Unfit::untrusted: return "untrusted";
    case Unfit::revocation_unknown: return "revocation_unknown";
    }
    return "none";
}

Result<void> DirectoryService::add_correspondent_candidates(StorageSession& session, const smime::Address& recipient,
                                                            TimePoint now, std::vector<EncryptionCandidate>& out) {
    CorrespondentFilter by_address;
    by_address.email = recipient.key();
    auto rows = session.correspondents(by_address);
    if (!rows)
        return rows.error();
    // Harvested certificates waiting for an operator's approval are not used.
    rows->erase(std::remove_if(rows->begin(), rows->end(), [](const CorrespondentRecord& r) { return r.pending; }),
                rows->end());
    {
        std::lock_guard lock(m_caches->mutex);
        if (auto added = add_candidates(m_caches->parsed, *rows, now, out); !added)
            return added;
    }
    if (std::any_of(out.begin(), out.end(), [](const EncryptionCandidate& c) { return c.usable; }))
        return {};
    CorrespondentFilter by_domain; // a domain certificate stands in for the address
    by_domain.domain = recipient.domain().str();
    auto domain_rows = session.correspondents(by_domain);
    if (!domain_rows)
        return domain_rows.error();
    std::lock_guard lock(m_caches->mutex);
    return add_candidates(m_caches->parsed, *domain_rows, now, out);
}

Result<std::vector<EncryptionCandidate>> DirectoryService::encryption_certificates(const smime::Address& recipient,
                                                                                   TimePoint now) {
    auto session = this->session();
    if (!session)
        return session.error();
    std::vector<EncryptionCandidate> candidates;
    if (auto internal = add_internal_candidates(**session, recipient, now, candidates); !internal)
        return internal.error();
    if (auto external = add_correspondent_candidates(**session, recipient, now, candidates); !external)
        return external.error();
    return candidates;
}

Result<std::vector<DecryptionKey>> DirectoryService::decryption_keys(const RecipientIdentifier& recipient,
                                                                     const Actor& actor) {
    auto session = this->session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    CertificateFilter filter;
    filter.with_private_key_only = true;
    if (!recipient.issuer.empty()) {
        filter.issuer = recipient.issuer;
        filter.serial = recipient.serial;
    }
    // A subject key identifier is matched on the parsed certificates of the
    // keys held (a few per person).
    auto records = s.certificates(filter);
    if (!records)
        return records.error();
    std::vector<DecryptionKey> keys;
    for (auto& record : *records) {
        std::optional<smime::Certificate> cert;
        {
            std::lock_guard lock(m_caches->mutex);
            auto entry = parsed_entry(m_caches->parsed, record);
            if (!entry)
                return entry.error();
            cert = (*entry)->certificate;
        }
        if (recipient.issuer.empty() &&
            (recipient.subject_key_id.empty() || cert->subject_key_identifier_hex() != recipient.subject_key_id))
            continue;
        auto key = unsealed_key(s, record);
        if (!key)
            return key.error();
        keys.push_back(DecryptionKey{std::move(record), std::move(*cert), std::move(key).value()});
    }
    if (keys.empty())
        return keys;
    if (auto begun = s.begin_write(); !begun)
        return begun.error();
    for (const auto& key : keys)
        if (auto logged = audit::append(s, actor, "decryption_key_access",
                                        "fingerprint=" + key.record.fingerprint + "; serial=" + key.record.serial +
                                            "; status=" + std::string(to_string(key.record.status)));
            !logged)
            return logged.error();
    if (auto committed = s.commit(); !committed)
        return committed.error();
    return keys;
}

} // namespace segel::directory
