// DirectoryService: correspondents' certificates (correspondents.hpp).
#include <algorithm>

#include "audit_chain.hpp"
#include "directory/directory_service.hpp"
#include "smime/address.hpp"

namespace segel::directory {

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// A fingerprint prefix (8+ hex digits) or a serial naming one certificate.
Result<CorrespondentRecord> resolve_correspondent(StorageSession& session, std::string_view reference) {
    const std::string ref = lower(std::string(reference));
    Result<std::vector<CorrespondentRecord>> rows = std::vector<CorrespondentRecord>();
    if (ref.size() >= 8 && std::all_of(ref.begin(), ref.end(), [](unsigned char c) { return std::isxdigit(c) != 0; })) {
        CorrespondentFilter by_fingerprint;
        by_fingerprint.fingerprint_prefix = ref;
        rows = session.correspondents(by_fingerprint);
    }
    if (rows && rows->empty()) {
        std::string serial = ref;
        std::transform(serial.begin(), serial.end(), serial.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
        const auto first = serial.find_first_not_of('0');
        CorrespondentFilter by_serial;
        by_serial.serial = first == std::string::npos ? std::string("0") : serial.substr(first);
        rows = session.correspondents(by_serial);
    }
    if (!rows)
        return rows.error();
    if (rows->empty())
        return make_error(ErrorKind::not_found, "no correspondent's certificate with fingerprint or serial " + std::string(reference));
    if (rows->size() > 1)
        return make_error(ErrorKind::invalid_input, std::string(reference) + " names several certificates; give more of the fingerprint");
    return std::move(rows->front());
}

CorrespondentRecord record_of(const smime::Certificate& certificate, CertificateSource source, std::string domain,
                              TimePoint now) {
    CorrespondentRecord record;
    record.fingerprint = certificate.sha256_fingerprint_hex();
    record.serial = certificate.serial_hex();
    record.issuer = certificate.issuer();
    record.subject = certificate.subject();
    for (const auto& email : certificate.email_addresses())
        record.emails.push_back(smime::address_key(email));
    record.not_before = certificate.not_before();
    record.not_after = certificate.not_after();
    record.source = source;
    record.domain = std::move(domain);
    record.learned_at = now;
    record.der = certificate.der();
    return record;
}

} // namespace

Result<void> DirectoryService::check_correspondent(const smime::Certificate& certificate, CertificateSource source,
                                                   const std::string& domain) const {
    if (source == CertificateSource::ra_directory)
        return make_error(ErrorKind::invalid_input, "internal users' certificates come from the RA directory; import them as such");
    for (const auto& email : certificate.email_addresses())
        if (check_domain(email) && !m_options.domains.empty())
            return make_error(ErrorKind::invalid_input, "the certificate names " + email +
                                                            ", an internal address: internal certificates come from the RA directory");
    if (source != CertificateSource::domain) {
        if (certificate.email_addresses().empty())
            return make_error(ErrorKind::invalid_input, "the certificate carries no email address (give a domain to use it as a domain certificate)");
        return {};
    }
    auto parsed = smime::Domain::parse(domain);
    if (!parsed)
        return make_error(ErrorKind::invalid_input, "a domain certificate needs a domain: " + parsed.error().detail);
    if (!m_options.domains.empty() && parsed->is_one_of(m_options.domains))
        return make_error(ErrorKind::invalid_input, domain + " is an internal domain");
    return {};
}

Result<CorrespondentImport> DirectoryService::import_correspondent(const smime::Certificate& certificate,
                                                                   CertificateSource source, const std::string& domain,
                                                                   const Actor& actor) {
    if (auto fit = check_correspondent(certificate, source, domain); !fit)
        return fit.error();
    const std::string domain_key = source == CertificateSource::domain ? smime::Domain::parse(domain)->str() : "";
    const CorrespondentRecord record = record_of(certificate, source, domain_key, std::chrono::system_clock::now());
    std::string detail = "fingerprint=" + record.fingerprint + "; source=" + std::string(to_string(source));
    detail += source == CertificateSource::domain ? "; domain=" + domain_key : "";
    for (const auto& email : record.emails)
        detail += "; email=" + email;
    return store_correspondent(record, "correspondent_import", detail, actor);
}

Result<CorrespondentImport> DirectoryService::store_correspondent(const CorrespondentRecord& record,
                                                                  const std::string& action, const std::string& detail,
                                                                  const Actor& actor) {
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    auto inserted = s.insert_correspondent(record);
    if (!inserted)
        return inserted.error();
    if (!*inserted)
        return CorrespondentImport{record.fingerprint, false};
    if (auto logged = audit::append(s, actor, action, detail); !logged)
        return logged.error();
    if (auto committed = s.commit(); !committed)
        return committed.error();
    return CorrespondentImport{record.fingerprint, true};
}

Result<CorrespondentImport> DirectoryService::harvest_correspondent(const smime::Certificate& certificate,
                                                                    const std::string& address, TimePoint learned_at,
                                                                    bool pending, const Actor& actor) {
    if (auto fit = check_correspondent(certificate, CertificateSource::harvested, ""); !fit)
        return fit.error();
    const auto emails = certificate.email_addresses();
    const std::string wanted = smime::address_key(address);
    if (std::none_of(emails.begin(), emails.end(),
                     [&](const std::string& email) { return smime::address_key(email) == wanted; }))
        return make_error(ErrorKind::invalid_input, "the certificate does not name " + address);
    CorrespondentRecord record = record_of(certificate, CertificateSource::harvested, "", learned_at);
    record.pending = pending;
    // Mail from a known correspondent is the common case: a read, no write.
    if (auto reader = this->session(); reader) {
        CorrespondentFilter known;
        known.fingerprint_prefix = record.fingerprint;
        if (auto found = (*reader)->correspondents(known); found && !found->empty())
            return CorrespondentImport{record.fingerprint, false};
    }
    const std::string detail = "fingerprint=" + record.fingerprint + "; source=harvested; email=" + address +
                               "; serial=" + record.serial + (pending ? "; pending=yes" : "");
    return store_correspondent(record, "correspondent_harvest", detail, actor);
}

Result<CorrespondentRecord> DirectoryService::approve_correspondent(std::string_view reference, const Actor& actor) {
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    auto record = resolve_correspondent(s, reference);
    if (!record)
        return record.error();
    auto approved = s.approve_correspondent(record->fingerprint);
    if (!approved)
        return approved.error();
    if (!*approved)
        return make_error(ErrorKind::conflict, "the certificate " + record->fingerprint + " is not waiting for approval");
    if (auto logged = audit::append(s, actor, "correspondent_approve", "fingerprint=" + record->fingerprint); !logged)
        return logged.error();
    if (auto committed = s.commit(); !committed)
        return committed.error();
    record->pending = false;
    return record;
}

Result<std::vector<CorrespondentRecord>> DirectoryService::find_correspondents(const std::string& text) {
    auto session = this->session();
    if (!session)
        return session.error();
    CorrespondentFilter filter;
    if (!text.empty())
        filter.text = text;
    return (*session)->correspondents(filter);
}

Result<CorrespondentRecord> DirectoryService::remove_correspondent(std::string_view reference, const Actor& actor) {
    auto session = write_session();
    if (!session)
        return session.error();
    StorageSession& s = **session;
    auto record = resolve_correspondent(s, reference);
    if (!record)
        return record.error();
    if (auto removed = s.delete_correspondent(record->fingerprint); !removed)
        return removed.error();
    if (auto logged = audit::append(s, actor, "correspondent_remove", "fingerprint=" + record->fingerprint); !logged)
        return logged.error();
    if (auto committed = s.commit(); !committed)
        return committed.error();
    return record;
}

} // namespace segel::directory
