// What `segel msg encrypt` (and, later, the admin page) decides for one
// message and its recipients, with the same plan as segel-milter's
// encryption hop (encryption_plan.hpp): encrypt to every recipient's usable
// certificates when each has one; refuse when a recipient that must receive
// it encrypted (required, or every one with `required`) has none, naming
// each with the reason; retry later when a revocation status cannot be
// told; otherwise (opportunistic or never) send it signed only. Every
// recipient's plan is returned for the report.
#pragma once

#include <string>
#include <vector>

#include "directory/admin/operation_error.hpp"
#include "directory/admin/operator.hpp"
#include "directory/directory_service.hpp"
#include "directory/encryption_plan.hpp"

namespace segel::directory::admin {

struct MessageEncryption {
    Treatment treatment = Treatment::clear;       // for the whole message
    std::vector<RecipientPlan> plans;             // one per recipient, in order
    std::vector<smime::Certificate> certificates; // encrypt: every recipient's, each once
    AlgorithmChoice algorithms;                   // encrypt: what every recipient can read
};

OperationResult<MessageEncryption> plan_message_encryption(DirectoryService& directory, const Operator& person,
                                                           const std::vector<std::string>& recipients,
                                                           const PlanInputs& inputs);

// Records one encryption per recipient in the audit log (issue 12 item 9).
OperationResult<void> record_message_encryption(DirectoryService& directory, const Operator& person,
                                                const MessageEncryption& decided, const std::string& sender,
                                                const std::string& message_id, const std::string& cipher,
                                                const std::string& key_transport);

} // namespace segel::directory::admin
