#include "directory/admin/incident_operations.hpp"

#include <algorithm>

namespace segel::directory::admin {

OperationResult<std::vector<Incident>> list_incidents(DirectoryService& directory, const Operator& person) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto entries = directory.audit_entries();
    if (!entries)
        return directory_failure(entries.error(), "cannot read the audit log");
    return incidents_from(*entries);
}

OperationResult<Incident> set_incident_status(DirectoryService& directory, const Operator& person,
                                              const IncidentHandling& handling) {
    if (auto refused = refusal(person, Permission::change_certificates))
        return *refused;
    if (handling.note.empty() || handling.note.size() > 2000 ||
        handling.note.find_first_of("\r\n") != std::string::npos)
        return Failure{FailureKind::invalid_request, "note: say what was done, on one line of at most 2000 characters"};
    auto incidents = list_incidents(directory, person);
    if (!incidents)
        return incidents.error();
    auto it = std::find_if(incidents->begin(), incidents->end(), [&](const Incident& i) { return i.seq == handling.seq; });
    if (it == incidents->end())
        return Failure{FailureKind::invalid_input, "there is no incident " + std::to_string(handling.seq)};
    if (auto logged = directory.record_event("incident_status",
                                             incident_status_detail(handling.seq, handling.status, handling.note),
                                             audit_actor(person));
        !logged)
        return directory_failure(logged.error(), "cannot record the incident's status");
    Incident changed = *it;
    changed.status = handling.status;
    changed.handled_by = audit_actor(person).name;
    changed.note = handling.note;
    return changed;
}

} // namespace segel::directory::admin
