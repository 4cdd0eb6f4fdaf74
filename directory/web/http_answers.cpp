#include "http_answers.hpp"

#include "../tool/output.hpp"

namespace segel::web {

using directory::admin::FailureKind;

int http_status(FailureKind kind) noexcept {
    switch (kind) {
    case FailureKind::invalid_request: return 400;
    case FailureKind::input_unreadable: return 400;
    case FailureKind::invalid_input: return 422;
    case FailureKind::not_permitted: return 403;
    case FailureKind::unavailable: return 503;
    case FailureKind::misconfigured:
    case FailureKind::cannot_create:
    case FailureKind::io_failure:
    case FailureKind::internal: return 500;
    }
    return 500;
}

void json_error(httplib::Response& response, int status, const std::string& message) {
    response.status = status;
    response.set_content("{\"error\": " + tool::json_string(message) + "}\n", "application/json");
}

void json_failure(httplib::Response& response, const directory::admin::Failure& failure) {
    json_error(response, http_status(failure.kind), failure.message);
}

void json_ok(httplib::Response& response, const std::string& json) {
    response.status = 200;
    response.set_content(json + "\n", "application/json");
}

} // namespace segel::web
