#include "smime/crl_acceptance.hpp"

namespace segel::smime {

Result<const Certificate*> crl_signer(const Crl& crl, const std::vector<Certificate>& issuers) {
    std::string why = "no configured CA certificate is named " + crl.issuer();
    for (const auto& issuer : issuers) {
        if (issuer.subject() != crl.issuer())
            continue;
        auto checked = crl.check_signed_by(issuer);
        if (checked)
            return &issuer;
        why = checked.error().detail;
    }
    return make_error(ErrorKind::bad_credentials, "not accepted: " + why);
}

Result<void> check_current(const Crl& crl, Certificate::TimePoint now, const CrlFreshness& freshness) {
    if (crl.this_update() > now + freshness.skew)
        return make_error(ErrorKind::bad_credentials,
                          "not accepted: thisUpdate " + format_utc(crl.this_update()) + " is in the future");
    if (const auto next = crl.next_update()) {
        if (*next <= now)
            return make_error(ErrorKind::bad_credentials,
                              "not accepted: stale CRL, its nextUpdate " + format_utc(*next) + " has passed");
    } else if (crl.this_update() + freshness.max_age < now) {
        return make_error(ErrorKind::bad_credentials,
                          "not accepted: stale CRL, issued " + format_utc(crl.this_update()) + " without nextUpdate");
    }
    return {};
}

Result<void> check_not_older(const Crl& candidate, const Crl& kept) {
    if (candidate.this_update() < kept.this_update())
        return make_error(ErrorKind::bad_credentials, "not accepted: older than the CRL kept (thisUpdate " +
                                                          format_utc(candidate.this_update()) + " before " +
                                                          format_utc(kept.this_update()) + ")");
    if (const auto order = candidate.compare_number(kept); order && *order < 0)
        return make_error(ErrorKind::bad_credentials, "not accepted: older than the CRL kept (lower cRLNumber)");
    return {};
}

} // namespace segel::smime
