// The JSON API under /api/. Requests carry form fields
// (application/x-www-form-urlencoded, or multipart for uploads); answers are
// JSON. Changes need the session's CSRF token in X-CSRF-Token (or a csrf
// field). Each handler checks its input, calls one admin operation, and
// answers through http_answers.hpp.
#include <chrono>
#include <functional>

#include "../tool/output.hpp"
#include "../tool/record_json.hpp"
#include "../tool/report_format.hpp"
#include "directory/admin/certificate_operations.hpp"
#include "directory/admin/supervision_operations.hpp"
#include "guards.hpp"
#include "http_answers.hpp"
#include "ra_cases.hpp"
#include "sync_uploads.hpp"
#include "smime/certificate.hpp"
#include "views.hpp"
#include "web_app.hpp"

namespace segel::web {
namespace {

std::string roles_json(const std::set<admin::Role>& roles) {
    std::vector<std::string> names;
    for (auto role : roles)
        names.emplace_back(admin::to_string(role));
    return tool::json_string_array(names);
}

void login(WebApp& app, const Request& request, Response& response) {
    const std::string login = request.get_param_value("login"), password = request.get_param_value("password");
    if (login.empty() || password.empty() || login.size() > 64 || password.size() > 1024)
        return json_error(response, 400, "give login and password");
    const auto answer = app.log_in(login, password, request.remote_addr);
    if (answer.result == LoginResult::paused) {
        response.set_header("Retry-After", std::to_string(answer.wait_seconds));
        return json_error(response, 429, "too many failed logins; try again in " +
                                             std::to_string(answer.wait_seconds) + " seconds");
    }
    if (answer.result == LoginResult::unavailable)
        return json_error(response, 503, answer.problem);
    if (answer.result == LoginResult::wrong)
        return json_error(response, 401, "wrong login or password");
    auto session = app.sessions().use(answer.token, Clock::now());
    response.set_header("Set-Cookie", session_cookie(answer.token));
    json_ok(response, "{\"login\": " + tool::json_string(session->login) + ", \"roles\": " + roles_json(session->roles) +
                          ", \"csrf\": " + tool::json_string(session->csrf) + "}");
}

void certificates(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto query = certificate_query(request);
    if (!query)
        return json_failure(response, query.error());
    auto records = find_listed(app.directory(), caller.person, *query);
    if (!records)
        return json_failure(response, records.error());
    const auto now = query->query.now;
    json_ok(response, json_list(*records, [now](const auto& record) { return tool::record_json(record, now); }));
}

void certificate(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto detail = admin::show_certificate(app.directory(), caller.person, std::string(request.matches[1]));
    if (!detail)
        return json_failure(response, detail.error());
    auto history = certificate_history(app.directory(), caller.person, detail->record);
    if (!history)
        return json_failure(response, history.error());
    std::string entries = "[";
    for (const auto& e : *history)
        entries += (entries.size() > 1 ? ", " : "") + std::string("{\"seq\": ") + std::to_string(e.seq) +
                   ", \"at\": " + tool::json_string(smime::format_utc(e.at)) + ", \"actor\": " +
                   tool::json_string(e.actor) + ", \"action\": " + tool::json_string(e.action) +
                   ", \"detail\": " + tool::json_string(e.detail) + "}";
    const auto& owner = detail->owner;
    json_ok(response, "{\"certificate\": " + tool::record_json(detail->record, std::chrono::system_clock::now()) +
                          ", \"owner\": " +
                          (owner ? "{\"email\": " + tool::json_string(owner->email) + ", \"name\": " +
                                       tool::json_string(owner->name) + ", \"nip\": " + tool::json_string(owner->nip) +
                                       ", \"unit\": " + tool::json_string(owner->unit) + "}"
                                 : std::string("null")) +
                          ", \"history\": " + entries + "]}");
}

void certificate_pem(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto detail = admin::show_certificate(app.directory(), caller.person, std::string(request.matches[1]));
    if (!detail)
        return json_failure(response, detail.error());
    response.set_header("Content-Disposition", "attachment; filename=\"" + detail->record.serial + ".pem\"");
    response.set_content(pem_of(detail->record), "application/x-pem-file");
}

void ra_case(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto request_case = case_request(request);
    if (!request_case)
        return json_failure(response, request_case.error());
    auto detail = admin::show_certificate(app.directory(), caller.person, std::string(request.matches[1]));
    if (!detail)
        return json_failure(response, detail.error());
    const std::string summary = case_effect(*request_case, detail->record, "en");
    if (request.get_param_value("confirm") != "yes")
        return json_ok(response, "{\"preview\": true, \"reason\": " +
                                     tool::json_string(std::string(directory::to_string(request_case->ra_case.reason))) +
                                     ", \"effect\": " + tool::json_string(summary) + "}");
    auto revoked = admin::revoke(app.directory(), caller.person,
                                 admin::Revocation{detail->record.fingerprint, request_case->ra_case.reason,
                                                   request_case->effective});
    if (!revoked)
        return json_failure(response, revoked.error());
    json_ok(response, "{\"revoked\": " + tool::json_string(detail->record.fingerprint) + ", \"reason\": " +
                          tool::json_string(std::string(directory::to_string(revoked->reason))) +
                          ", \"effective\": " + tool::json_string(smime::format_utc(revoked->effective)) + "}");
}

// Without `pending`: a dry run of the uploaded file, answered with its
// changes and the id to apply exactly them with (pending=ID).
void sync_upload(WebApp& app, const Request& request, Response& response, const Caller& caller, UploadKind kind) {
    auto run = run_sync_upload(app, request, caller, kind);
    if (!run)
        return json_failure(response, run.error());
    json_ok(response, "{\"applied\": " + std::string(run->outcome.applied ? "true" : "false") +
                          ", \"changes\": " + tool::json_string_array(run->outcome.changes) + ", \"pending\": " +
                          (run->pending.empty() ? std::string("null") : tool::json_string(run->pending)) +
                          ", \"summary\": " + tool::json_string(run->summary) + "}");
}

void report(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto days = whole_number(request, "days", 30, 1, 3650);
    if (!days)
        return json_failure(response, days.error());
    auto made = admin::supervision_report(app.directory(), caller.person, std::chrono::system_clock::now(), *days);
    if (!made)
        return json_failure(response, made.error());
    if (request.get_param_value("format") == "csv") {
        response.set_header("Content-Disposition", "attachment; filename=\"segel-report.csv\"");
        return response.set_content(report_csv(*made), "text/csv; charset=utf-8");
    }
    json_ok(response, tool::report_json(*made));
}

void audit(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto limit = whole_number(request, "limit", 200, 1, 100000);
    if (!limit)
        return json_failure(response, limit.error());
    auto verification = admin::verify_audit_log(app.directory(), caller.person);
    if (!verification)
        return json_failure(response, verification.error());
    auto entries = admin::audit_entries(app.directory(), caller.person);
    if (!entries)
        return json_failure(response, entries.error());
    std::string out = "{\"intact\": " + std::string(verification->intact ? "true" : "false") +
                      ", \"entries\": " + std::to_string(verification->entries) +
                      ", \"head_hash\": " + tool::json_string(verification->head_hash) +
                      ", \"problem\": " + tool::json_string(verification->problem) + ", \"latest\": [";
    const std::size_t first = entries->size() > static_cast<std::size_t>(*limit) ? entries->size() - *limit : 0;
    for (std::size_t i = entries->size(); i > first; --i) {
        const auto& e = (*entries)[i - 1];
        out += (i < entries->size() ? ", " : "") + std::string("{\"seq\": ") + std::to_string(e.seq) +
               ", \"at\": " + tool::json_string(smime::format_utc(e.at)) + ", \"actor\": " + tool::json_string(e.actor) +
               ", \"action\": " + tool::json_string(e.action) + ", \"detail\": " + tool::json_string(e.detail) + "}";
    }
    json_ok(response, out + "]}");
}

void overview(WebApp& app, const Request&, Response& response, const Caller& caller) {
    auto figures = overview_figures(app.directory(), caller.person);
    if (!figures)
        return json_failure(response, figures.error());
    json_ok(response, overview_json(*figures));
}

} // namespace

void install_api_routes(WebApp& app, httplib::Server& server) {
    using namespace std::placeholders;
    server.Post("/api/login", [&app](const Request& q, Response& r) { login(app, q, r); });
    server.Post("/api/logout", guarded_api(app, true, [&app](const Request& q, Response& r, const Caller&) {
                    app.sessions().close(cookie(q, "segel_session"));
                    r.set_header("Set-Cookie", ended_session_cookie());
                    json_ok(r, "{\"logged_out\": true}");
                }));
    server.Get("/api/session", guarded_api(app, false, [](const Request&, Response& r, const Caller& c) {
                   json_ok(r, "{\"login\": " + tool::json_string(c.session.login) + ", \"roles\": " +
                                  roles_json(c.person.roles) + ", \"csrf\": " + tool::json_string(c.session.csrf) + "}");
               }));
    server.Get("/api/overview", guarded_api(app, false, std::bind(overview, std::ref(app), _1, _2, _3)));
    server.Get("/api/certificates", guarded_api(app, false, std::bind(certificates, std::ref(app), _1, _2, _3)));
    server.Get(R"(/api/certificates/([0-9A-Za-z:]+))", guarded_api(app, false, std::bind(certificate, std::ref(app), _1, _2, _3)));
    server.Get(R"(/api/certificates/([0-9A-Za-z:]+)/pem)", guarded_api(app, false, std::bind(certificate_pem, std::ref(app), _1, _2, _3)));
    server.Post(R"(/api/certificates/([0-9A-Za-z:]+)/case)", guarded_api(app, true, std::bind(ra_case, std::ref(app), _1, _2, _3)));
    server.Post("/api/ra-sync", guarded_api(app, true, std::bind(sync_upload, std::ref(app), _1, _2, _3, UploadKind::ra_export)));
    server.Post("/api/crl-sync", guarded_api(app, true, std::bind(sync_upload, std::ref(app), _1, _2, _3, UploadKind::crl)));
    server.Get("/api/report", guarded_api(app, false, std::bind(report, std::ref(app), _1, _2, _3)));
    server.Get("/api/audit", guarded_api(app, false, std::bind(audit, std::ref(app), _1, _2, _3)));
}

} // namespace segel::web
