#include "smime/crl_store.hpp"

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
