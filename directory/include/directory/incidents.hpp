// Incidents (Cianjur art. 25): key loss or compromise, signing refusals,
// inbound signatures that fail, decrypted content not released. They live in
// the hash-chained audit log, so they cannot be changed unnoticed:
//   - "incident" entries ("kind=K; ...") that segel-milter and the RA write,
//   - a revocation for key_compromise ("status" entries with that reason),
//   - a decryption whose content was not released ("decrypt", released=no),
// and their handling is an "incident_status" entry ("seq=N; status=S;
// note=..."), the latest one for an incident deciding its status. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/certificate_directory.hpp"

namespace segel::directory {

enum class IncidentStatus { open, handled };
std::string_view to_string(IncidentStatus status) noexcept;
std::optional<IncidentStatus> parse_incident_status(std::string_view text);

struct Incident {
    std::int64_t seq = 0;     // the audit entry that recorded it: its id
    TimePoint at;
    std::string actor, kind, detail;
    IncidentStatus status = IncidentStatus::open;
    std::string handled_by, note; // of the latest status entry
    std::optional<TimePoint> status_at;
};

// Every incident in the entries, newest first.
std::vector<Incident> incidents_from(const std::vector<AuditEntry>& entries);

// The detail of an "incident" entry and of an "incident_status" entry.
std::string incident_detail(std::string_view kind, std::string_view detail);
std::string incident_status_detail(std::int64_t seq, IncidentStatus status, std::string_view note);

} // namespace segel::directory
