#include "directory/crl_sync.hpp"

#include <unordered_map>

namespace segel::directory {

Result<CrlSyncPlan> plan_crl_sync(CertificateDirectory& directory, const smime::Crl& crl,
                                  const smime::Certificate& issuer, TimePoint now, const CrlFreshness& freshness,
                                  const std::string& source) {
    if (auto signed_by = crl.check_signed_by(issuer); !signed_by)
        return make_error(ErrorKind::invalid_input, source + ": " + signed_by.error().detail);
    if (crl.this_update() > now + freshness.skew)
        return make_error(ErrorKind::invalid_input,
                          source + ": thisUpdate " + smime::format_utc(crl.this_update()) + " is in the future");
    if (const auto next = crl.next_update()) {
        if (*next <= now)
            return make_error(ErrorKind::invalid_input,
                              source + ": stale CRL, its nextUpdate " + smime::format_utc(*next) + " has passed");
    } else if (crl.this_update() + freshness.max_age < now) {
        return make_error(ErrorKind::invalid_input, source + ": stale CRL, issued " +
                                                        smime::format_utc(crl.this_update()) + " without nextUpdate");
    }

    auto all = directory.find_certificates({});
    if (!all)
        return all.error();
    const std::string issuer_name = issuer.subject();
    std::unordered_map<std::string, const CertificateRecord*> by_serial;
    for (const auto& record : *all)
        if (record.issuer == issuer_name)
            by_serial.emplace(record.serial, &record);

    CrlSyncPlan plan;
    plan.changes.description = "crl sync " + source;
    for (const auto& entry : crl.entries()) {
        ++plan.entries;
        auto found = by_serial.find(entry.serial_hex);
        if (found == by_serial.end())
            continue;
        ++plan.known;
        const CertificateRecord& record = *found->second;
        if (entry.reason_code == 8 /* removeFromCRL */ || record.status == CertificateStatus::revoked)
            continue;
        const RevocationReason reason = reason_from_rfc5280(entry.reason_code).value_or(RevocationReason::unspecified);
        const TimePoint effective = entry.invalidity_date.value_or(entry.revoked_at);
        plan.changes.statuses.push_back({record.fingerprint, CertificateStatus::revoked, reason, effective});
        plan.descriptions.push_back("certificate " + record.serial + " (" + record.owner_email + "): " +
                                    std::string(to_string(record.status)) + " -> revoked (" +
                                    std::string(to_string(reason)) + ", RFC 5280 code " +
                                    std::to_string(entry.reason_code) + ") effective " + smime::format_utc(effective));
    }
    return plan;
}

} // namespace segel::directory
