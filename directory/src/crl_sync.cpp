#include "directory/crl_sync.hpp"

#include <set>
#include <unordered_map>

namespace segel::directory {

namespace {

// REV-01: signed by the configured issuer, and current. An older CRL needs
// no check here: a sync only ever adds revocations.
Result<void> check_crl(const smime::Crl& crl, const smime::Certificate& issuer, TimePoint now,
                       const CrlFreshness& freshness, const std::string& source) {
    if (auto signed_by = crl.check_signed_by(issuer); !signed_by)
        return make_error(ErrorKind::invalid_input, source + ": " + signed_by.error().detail);
    if (auto current = smime::check_current(crl, now, freshness); !current)
        return make_error(ErrorKind::invalid_input, source + ": " + current.error().detail);
    return {};
}

// The configured issuer's CRLs in the file, each checked; CRLs of other CAs
// (a bundle) are noted in `skipped`.
Result<std::vector<const smime::Crl*>> issuer_crls(const std::vector<smime::Crl>& crls, const smime::Certificate& issuer,
                                                   TimePoint now, const CrlFreshness& freshness,
                                                   const std::string& source, std::vector<std::string>& skipped) {
    std::vector<const smime::Crl*> ours;
    for (std::size_t i = 0; i < crls.size(); ++i) {
        const std::string which = crls.size() > 1 ? source + " (CRL " + std::to_string(i + 1) + ")" : source;
        if (crls[i].issuer() != issuer.subject()) {
            skipped.push_back(which + " is issued by " + crls[i].issuer() + ", not the configured issuer");
            continue;
        }
        if (auto checked = check_crl(crls[i], issuer, now, freshness, which); !checked)
            return checked.error();
        ours.push_back(&crls[i]);
    }
    if (ours.empty())
        return make_error(ErrorKind::invalid_input, source + ": no CRL issued by " + issuer.subject());
    return ours;
}

} // namespace

Result<CrlSyncPlan> plan_crl_sync(CertificateDirectory& directory, const std::vector<smime::Crl>& crls,
                                  const smime::Certificate& issuer, TimePoint now, const CrlFreshness& freshness,
                                  const std::string& source) {
    CrlSyncPlan plan;
    auto ours = issuer_crls(crls, issuer, now, freshness, source, plan.skipped);
    if (!ours)
        return ours.error();
    auto all = directory.find_certificates({});
    if (!all)
        return all.error();
    const std::string issuer_name = issuer.subject();
    std::unordered_map<std::string, const CertificateRecord*> by_serial;
    for (const auto& record : *all)
        if (record.issuer == issuer_name)
            by_serial.emplace(record.serial, &record);

    plan.changes.description = "crl sync " + source;
    std::set<std::string> planned; // a serial on two of the issuer's CRLs changes once
    for (const smime::Crl* crl : *ours) {
        for (const auto& entry : crl->entries()) {
            ++plan.entries;
            auto found = by_serial.find(entry.serial_hex);
            if (found == by_serial.end())
                continue;
            ++plan.known;
            const CertificateRecord& record = *found->second;
            if (entry.reason_code == 8 /* removeFromCRL */ || record.status == CertificateStatus::revoked ||
                !planned.insert(record.fingerprint).second)
                continue;
            const RevocationReason reason = reason_from_rfc5280(entry.reason_code).value_or(RevocationReason::unspecified);
            const TimePoint effective = entry.invalidity_date.value_or(entry.revoked_at);
            plan.changes.statuses.push_back({record.fingerprint, CertificateStatus::revoked, reason, effective});
            plan.descriptions.push_back("certificate " + record.serial + " (" + record.owner_email + "): " +
                                        std::string(to_string(record.status)) + " -> revoked (" +
                                        std::string(to_string(reason)) + ", RFC 5280 code " +
                                        std::to_string(entry.reason_code) + ") effective " + smime::format_utc(effective));
        }
    }
    return plan;
}

} // namespace segel::directory
