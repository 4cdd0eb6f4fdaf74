// Supervision report per government unit (Tangerang art. 26, Cianjur art.
// 24): people, active certificates, people without one (art. 10 says every
// civil servant must have one), certificates expiring soon, revocations by
// reason. Computed from the directory at one instant.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "directory/certificate_directory.hpp"

namespace segel::directory {

struct UnitReport {
    std::string unit;
    int people = 0;
    int active_certificates = 0;
    std::vector<std::string> without_active_certificate; // emails
    std::vector<std::string> expiring;                   // serials of active certificates expiring in the window
    std::map<std::string, int> revoked_by_reason;        // reason name -> count
};

struct Report {
    TimePoint at;
    int window_days = 30;
    std::vector<UnitReport> units; // by unit name; "" is "(no unit)"
};

Result<Report> build_report(CertificateDirectory& directory, TimePoint now, int window_days);

} // namespace segel::directory
