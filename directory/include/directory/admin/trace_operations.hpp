// The message trace for the admin page (directory/message_trace.hpp): what
// segel-milter decided for the messages a search finds, newest first, with
// each decision in plain words (Indonesian and English). Anyone with a role.
#pragma once

#include <string>
#include <vector>

#include "directory/admin/operation_error.hpp"
#include "directory/admin/operator.hpp"
#include "directory/directory_service.hpp"

namespace segel::directory::admin {

OperationResult<std::vector<TraceRecord>> trace_messages(DirectoryService& directory, const Operator& person,
                                                         const TraceQuery& query);

// What a decision (the reply table's outcome name) meant for the message,
// in a sentence: "id" or "en". An unknown name is given as it is.
std::string explain_decision(const std::string& decision, const std::string& language);

} // namespace segel::directory::admin
