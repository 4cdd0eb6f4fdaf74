#include "signing_selection.hpp"

#include <algorithm>

#include "smime/certificate_policy.hpp"

namespace segel::directory {

namespace {
bool same_login(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

std::string format_time(TimePoint when) { return smime::format_utc(when); }

// Why this authorised certificate cannot sign at `now`, if it cannot.
std::optional<std::pair<Refusal, std::string>> unusable_because(const CertificateRecord& record,
                                                                const smime::Certificate& parsed, TimePoint now) {
    const std::string which = "certificate " + record.serial;
    switch (record.status_at(now)) {
    case CertificateStatus::revoked:
        return std::pair{Refusal::revoked, which + " was revoked (" +
                                               std::string(to_string(record.reason.value_or(
                                                   RevocationReason::unspecified))) +
                                               ")"};
    case CertificateStatus::superseded:
        return std::pair{Refusal::superseded, which + " was superseded by a renewal"};
    case CertificateStatus::expired:
        return std::pair{Refusal::expired, which + " expired on " + format_time(record.not_after)};
    case CertificateStatus::active:
        break;
    }
    if (now < record.not_before)
        return std::pair{Refusal::not_yet_valid, which + " is not valid before " + format_time(record.not_before)};
    if (auto fit = smime::check_signing_certificate(parsed, now); !fit)
        return std::pair{Refusal::unusable, which + ": " + fit.error().detail};
    if (!record.has_private_key)
        return std::pair{Refusal::no_private_key, "the directory holds no private key for " + which};
    return std::nullopt;
}
} // namespace

Selection select_signing_certificate(const std::vector<CertificateRecord>& candidates,
                                     const std::vector<const smime::Certificate*>& parsed, std::string_view login,
                                     std::string_view from, TimePoint now) {
    Selection selection;
    if (candidates.empty()) {
        selection.refusal = Refusal::no_certificate;
        selection.detail = "no certificate in the directory carries " + std::string(from);
        return selection;
    }
    for (std::size_t i = 0; i < candidates.size(); ++i) {
        const auto& logins = candidates[i].authorised_logins;
        if (std::none_of(logins.begin(), logins.end(), [&](const std::string& l) { return same_login(l, login); }))
            continue;
        auto problem = unusable_because(candidates[i], *parsed[i], now);
        if (!problem) {
            selection.chosen = i;
            selection.refusal.reset();
            selection.detail.clear();
            return selection;
        }
        if (!selection.explaining) {
            selection.explaining = i;
            selection.refusal = problem->first;
            selection.detail = problem->second;
        }
    }
    if (!selection.explaining) {
        selection.refusal = Refusal::not_authorised;
        selection.detail = "login " + std::string(login) + " may not sign as " + std::string(from);
    }
    return selection;
}

} // namespace segel::directory
