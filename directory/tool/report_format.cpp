#include "report_format.hpp"

#include "smime/certificate.hpp"

namespace segel::tool {
namespace {

std::string reasons(const directory::UnitReport& unit) {
    std::string text;
    for (const auto& [reason, count] : unit.revoked_by_reason)
        text += (text.empty() ? "" : "; ") + reason + "=" + std::to_string(count);
    return text;
}

} // namespace

Row report_header() { return {"UNIT", "PEOPLE", "ACTIVE", "WITHOUT ACTIVE", "EXPIRING", "REVOKED BY REASON"}; }

std::vector<Row> report_rows(const directory::Report& report) {
    std::vector<Row> rows;
    for (const auto& u : report.units)
        rows.push_back({u.unit.empty() ? "(no unit)" : u.unit, std::to_string(u.people),
                        std::to_string(u.active_certificates), std::to_string(u.without_active_certificate.size()),
                        std::to_string(u.expiring.size()), reasons(u)});
    return rows;
}

std::string report_json(const directory::Report& report) {
    std::string out = "{\"generated\": " + json_string(smime::format_utc(report.at)) +
                      ", \"expiring_within_days\": " + std::to_string(report.window_days) + ", \"units\": [";
    for (std::size_t i = 0; i < report.units.size(); ++i) {
        const auto& u = report.units[i];
        out += std::string(i ? ",\n  " : "\n  ") + "{\"unit\": " + json_string(u.unit) +
               ", \"people\": " + std::to_string(u.people) +
               ", \"active_certificates\": " + std::to_string(u.active_certificates) +
               ", \"without_active_certificate\": " + json_string_array(u.without_active_certificate) +
               ", \"expiring\": " + json_string_array(u.expiring) + ", \"revoked_by_reason\": {";
        std::size_t n = 0;
        for (const auto& [reason, count] : u.revoked_by_reason)
            out += (n++ ? ", " : "") + json_string(reason) + ": " + std::to_string(count);
        out += "}}";
    }
    return out + "\n]}\n";
}

} // namespace segel::tool
