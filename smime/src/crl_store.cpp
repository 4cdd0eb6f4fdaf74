#include "smime/crl_store.hpp"

#include <algorithm>

namespace segel::smime {

Result<CrlStore> CrlStore::load_files(const std::vector<std::string>& paths, std::chrono::seconds max_age,
                                      bool require_for_every_issuer, std::vector<std::string> unavailable) {
    CrlStore store;
    store.m_max_age = max_age;
    store.m_require_all = require_for_every_issuer;
    store.m_unavailable = std::move(unavailable);
    for (const auto& path : paths) {
        auto crls = Crl::load_all(path);
        if (!crls)
            return crls.error();
        for (auto& crl : *crls) {
            Entry entry{crl, {}};
            for (const auto& revoked : crl.entries())
                if (revoked.reason_code != 8) // removeFromCRL
                    entry.revoked.emplace(revoked.serial_hex, revoked.reason_code);
            store.m_by_issuer[crl.issuer()].push_back(std::move(entry));
        }
    }
    return store;
}

std::vector<std::string> CrlStore::keep_newer(const CrlStore& in_use) {
    std::vector<std::string> kept;
    for (const auto& [issuer, used] : in_use.m_by_issuer) {
        auto mine = m_by_issuer.find(issuer);
        if (mine == m_by_issuer.end())
            continue;
        for (const auto& entry : used) {
            const bool newer_than_all = std::none_of(mine->second.begin(), mine->second.end(), [&](const Entry& candidate) {
                return check_not_older(candidate.crl, entry.crl).has_value();
            });
            if (newer_than_all) {
                mine->second.push_back(entry);
                kept.push_back(issuer);
                break;
            }
        }
    }
    return kept;
}

RevocationAnswer CrlStore::check(const Certificate& signer, const Certificate& issuer,
                                 Certificate::TimePoint now) const {
    using Status = RevocationAnswer::Status;
    const auto found = m_by_issuer.find(signer.issuer());
    if (found == m_by_issuer.end()) {
        if (!m_unavailable.empty())
            return {Status::unknown, "no CRL for " + signer.issuer() + " while " + m_unavailable.front() + " has none yet"};
        return m_require_all ? RevocationAnswer{Status::unknown, "no CRL for " + signer.issuer()}
                             : RevocationAnswer{Status::good, "no CRL configured for this issuer"};
    }
    const Entry* fresh = nullptr;
    for (const auto& entry : found->second) {
        if (!entry.crl.check_signed_by(issuer))
            continue;
        const auto next = entry.crl.next_update();
        const bool current = entry.crl.this_update() <= now + std::chrono::minutes(5) &&
                             (next ? now < *next : entry.crl.this_update() + m_max_age > now);
        if (current && (fresh == nullptr || entry.crl.this_update() > fresh->crl.this_update()))
            fresh = &entry;
    }
    if (fresh == nullptr)
        return {Status::unknown, "no fresh CRL signed by " + issuer.subject()};
    if (auto revoked = fresh->revoked.find(signer.serial_hex()); revoked != fresh->revoked.end())
        return {Status::revoked, revocation_reason_name(revoked->second)};
    return {Status::good, "not on the CRL"};
}

} // namespace segel::smime
