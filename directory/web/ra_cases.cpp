#include "ra_cases.hpp"

namespace segel::web {

using directory::RevocationReason;

const std::vector<RaCase>& ra_cases() {
    static const std::vector<RaCase> cases = {
        {"mutasi_rotasi", "Mutasi / rotasi", "Transfer / rotation", RevocationReason::affiliation_changed},
        {"pensiun_berhenti", "Pensiun / berhenti", "Retirement / leaving office", RevocationReason::cessation},
        {"perubahan_data", "Perubahan data", "Change of personal data", RevocationReason::superseded},
        {"kunci_hilang", "Kunci hilang / bocor", "Key lost or leaked", RevocationReason::key_compromise},
        {"sanksi", "Sanksi", "Sanction", RevocationReason::privilege_withdrawn},
        {"ditangguhkan", "Ditangguhkan", "Suspended (hold)", RevocationReason::certificate_hold},
    };
    return cases;
}

std::optional<RaCase> find_ra_case(const std::string& key) {
    for (const auto& c : ra_cases())
        if (c.key == key)
            return c;
    return std::nullopt;
}

} // namespace segel::web
