#include "directory/report.hpp"

#include <set>

namespace segel::directory {

Result<Report> build_report(CertificateDirectory& directory, TimePoint now, int window_days) {
    auto people = directory.list_people();
    if (!people)
        return people.error();
    auto certificates = directory.find_certificates({});
    if (!certificates)
        return certificates.error();

    Report report{now, window_days, {}};
    std::map<std::string, UnitReport> units;
    std::map<std::string, std::string> unit_of; // email -> unit
    for (const auto& person : *people) {
        unit_of[person.email] = person.unit;
        auto& unit = units[person.unit];
        unit.unit = person.unit;
        ++unit.people;
    }
    std::set<std::string> holders; // people with an active individual certificate
    const TimePoint window_end = now + std::chrono::hours(24) * window_days;
    for (const auto& record : *certificates) {
        auto& unit = units[unit_of[record.owner_email]];
        unit.unit = unit_of[record.owner_email];
        const CertificateStatus status = record.status_at(now);
        if (status == CertificateStatus::active && now >= record.not_before) {
            ++unit.active_certificates;
            if (record.kind == CertificateKind::individual)
                holders.insert(record.owner_email);
            if (record.not_after < window_end)
                unit.expiring.push_back(record.serial);
        } else if (status == CertificateStatus::revoked) {
            ++unit.revoked_by_reason[std::string(to_string(record.reason.value_or(RevocationReason::unspecified)))];
        }
    }
    for (const auto& person : *people)
        if (holders.count(person.email) == 0)
            units[person.unit].without_active_certificate.push_back(person.email);
    for (auto& [name, unit] : units)
        report.units.push_back(std::move(unit));
    return report;
}

} // namespace segel::directory
