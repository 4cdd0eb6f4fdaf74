// Incidents (Cianjur art. 25), as page and API: listed newest first with
// their details and status; an RA operator marks one handled (or open
// again) with a note, which goes into the audit log.
#include "../tool/output.hpp"
#include "directory/admin/incident_operations.hpp"
#include "guards.hpp"
#include "html.hpp"
#include "http_answers.hpp"
#include "smime/certificate.hpp"
#include "views.hpp"
#include "web_app.hpp"

namespace segel::web {
namespace {

// status (optional filter): open or handled.
Checked<std::optional<directory::IncidentStatus>> status_filter(const Request& request) {
    const std::string text = request.get_param_value("status");
    if (text.empty())
        return std::optional<directory::IncidentStatus>();
    auto status = directory::parse_incident_status(text);
    if (!status)
        return Failure{FailureKind::invalid_request, "status: \"" + text + "\" is not open or handled"};
    return std::optional<directory::IncidentStatus>(*status);
}

Checked<std::vector<directory::Incident>> incidents_for(WebApp& app, const Request& request, const Caller& caller) {
    auto filter = status_filter(request);
    if (!filter)
        return filter.error();
    auto all = admin::list_incidents(app.directory(), caller.person);
    if (!all || !*filter)
        return all;
    std::vector<directory::Incident> kept;
    for (auto& incident : *all)
        if (incident.status == **filter)
            kept.push_back(std::move(incident));
    return kept;
}

Checked<admin::IncidentHandling> handling_of(const Request& request) {
    admin::IncidentHandling handling;
    const std::string seq(request.matches[1]);
    handling.seq = std::strtoll(seq.c_str(), nullptr, 10);
    auto status = directory::parse_incident_status(request.get_param_value("status"));
    if (!status)
        return Failure{FailureKind::invalid_request, "status: give open or handled"};
    handling.status = *status;
    handling.note = request.get_param_value("note");
    return handling;
}

std::string incident_json(const directory::Incident& i) {
    return "{\"id\": " + std::to_string(i.seq) + ", \"at\": " + tool::json_string(smime::format_utc(i.at)) +
           ", \"recorded_by\": " + tool::json_string(i.actor) + ", \"kind\": " + tool::json_string(i.kind) +
           ", \"detail\": " + tool::json_string(i.detail) + ", \"status\": " +
           tool::json_string(std::string(directory::to_string(i.status))) + ", \"handled_by\": " +
           tool::json_string(i.handled_by) + ", \"note\": " + tool::json_string(i.note) + "}";
}

void api_incidents(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto incidents = incidents_for(app, request, caller);
    if (!incidents)
        return json_failure(response, incidents.error());
    json_ok(response, json_list(*incidents, incident_json));
}

void api_incident_status(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto handling = handling_of(request);
    if (!handling)
        return json_failure(response, handling.error());
    auto changed = admin::set_incident_status(app.directory(), caller.person, *handling);
    if (!changed)
        return json_failure(response, changed.error());
    json_ok(response, incident_json(*changed));
}

std::string kind_text(const std::string& kind, const std::string& lang) {
    if (kind == "signing_refused")
        return tr(lang, "Penandatanganan ditolak", "Signing refused");
    if (kind == "verification_failed")
        return tr(lang, "Tanda tangan masuk gagal", "Inbound signature failed");
    if (kind == "key_compromise")
        return tr(lang, "Kunci hilang / bocor (dicabut)", "Key lost or leaked (revoked)");
    if (kind == "decryption_not_released")
        return tr(lang, "Isi terdekripsi tidak dirilis", "Decrypted content not released");
    if (kind == "compromised_key_decrypted")
        return tr(lang, "Didekripsi dengan kunci yang bocor", "Decrypted with a compromised key");
    return kind;
}

std::string handle_form(const directory::Incident& i, const Session& session, const std::string& lang) {
    const bool open = i.status == directory::IncidentStatus::open;
    return "<form method=\"post\" action=\"/incidents/" + std::to_string(i.seq) + "\">" + csrf_field(session) +
           "<input type=\"hidden\" name=\"status\" value=\"" + (open ? "handled" : "open") +
           "\"><input name=\"note\" maxlength=\"2000\" required placeholder=\"" +
           tr(lang, "catatan tindakan", "what was done") + "\"> <button>" +
           (open ? tr(lang, "Tandai ditangani", "Mark handled") : tr(lang, "Buka lagi", "Reopen")) + "</button></form>";
}

void incidents_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                    const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Insiden", "Incidents"), &caller.session, request.path};
    auto incidents = incidents_for(app, request, caller);
    if (!incidents)
        return failure_page(response, frame, incidents.error());
    const bool may_change = admin::permits(caller.person, admin::Permission::change_certificates);
    std::string rows;
    for (const auto& i : *incidents)
        rows += "<tr class=\"incident\"><td>" + std::to_string(i.seq) + "</td><td>" + escape(smime::format_utc(i.at)) +
                "</td><td>" + escape(kind_text(i.kind, lang)) + "</td><td>" + escape(i.detail) + "</td><td>" +
                escape(std::string(directory::to_string(i.status))) +
                (i.note.empty() ? "" : ": " + escape(i.note) + " (" + escape(i.handled_by) + ")") + "</td><td>" +
                (may_change ? handle_form(i, caller.session, lang) : std::string()) + "</td></tr>";
    send_page(response, frame,
              "<p><a href=\"/incidents?status=open\">" + std::string(tr(lang, "Terbuka", "Open")) +
                  "</a> | <a href=\"/incidents\">" + tr(lang, "Semua", "All") + "</a></p><table id=\"incidents\"><tr><th>#</th><th>" +
                  tr(lang, "Waktu", "Time") + "</th><th>" + tr(lang, "Jenis", "Kind") + "</th><th>Detail</th><th>Status</th><th></th></tr>" +
                  rows + "</table>");
}

void incident_status_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                          const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Insiden", "Incidents"), &caller.session, "/incidents"};
    auto handling = handling_of(request);
    auto changed = handling ? admin::set_incident_status(app.directory(), caller.person, *handling)
                            : admin::OperationResult<directory::Incident>(handling.error());
    if (!changed)
        return failure_page(response, frame, changed.error());
    send_page(response, frame,
              message_box("notice", std::string(tr(lang, "Dicatat: insiden ", "Recorded: incident ")) +
                                        std::to_string(changed->seq) + " " + std::string(directory::to_string(changed->status))) +
                  "<p><a id=\"back\" href=\"/incidents\">" + tr(lang, "Kembali", "Back") + "</a></p>");
}

} // namespace

void install_incident_routes(WebApp& app, httplib::Server& server) {
    using namespace std::placeholders;
    server.Get("/api/incidents", guarded_api(app, false, std::bind(api_incidents, std::ref(app), _1, _2, _3)));
    server.Post(R"(/api/incidents/([0-9]{1,18}))",
                guarded_api(app, true, std::bind(api_incident_status, std::ref(app), _1, _2, _3)));
    server.Get("/incidents", guarded_page(app, false, std::bind(incidents_page, std::ref(app), _1, _2, _3, _4)));
    server.Post(R"(/incidents/([0-9]{1,18}))",
                guarded_page(app, true, std::bind(incident_status_page, std::ref(app), _1, _2, _3, _4)));
}

} // namespace segel::web
