// Admin operations on incidents (Cianjur art. 25; directory/incidents.hpp):
// list them (anyone with a role), set one's status with a note (RA
// operators), and record one by hand (RA operators: a key reported lost
// before the RA has revoked it, say). Role checks as elsewhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "directory/admin/operation_error.hpp"
#include "directory/admin/operator.hpp"
#include "directory/directory_service.hpp"
#include "directory/incidents.hpp"

namespace segel::directory::admin {

OperationResult<std::vector<Incident>> list_incidents(DirectoryService& directory, const Operator& person);

struct IncidentHandling {
    std::int64_t seq = 0;                 // the incident's id
    IncidentStatus status = IncidentStatus::handled;
    std::string note;                     // what was done (1 to 2000 characters, one line)
};
// invalid_input when no incident has that id.
OperationResult<Incident> set_incident_status(DirectoryService& directory, const Operator& person,
                                              const IncidentHandling& handling);

} // namespace segel::directory::admin
