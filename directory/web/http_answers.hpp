// One table from an admin operation's Failure kind to an HTTP status, and
// the JSON error body the API answers with ({"error": MESSAGE}).
#pragma once

#include <string>

#include <httplib.h>

#include "directory/admin/operation_error.hpp"

namespace segel::web {

int http_status(directory::admin::FailureKind kind) noexcept;
// Sets status and a JSON body {"error": message}.
void json_error(httplib::Response& response, int status, const std::string& message);
void json_failure(httplib::Response& response, const directory::admin::Failure& failure);
void json_ok(httplib::Response& response, const std::string& json);

} // namespace segel::web
