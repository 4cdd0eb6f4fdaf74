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

// A JSON array of `items`, each as `to_json` gives it, one per line.
template <class Items, class ToJson>
std::string json_list(const Items& items, ToJson to_json) {
    std::string out = "[";
    for (const auto& item : items)
        out += (out.size() > 1 ? ",\n " : "") + to_json(item);
    return out + "]";
}

} // namespace segel::web
