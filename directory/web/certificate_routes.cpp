// The certificate pages: search with filters, a certificate's detail with
// its status history and public PEM, and the RA cases (a preview of the
// effect, then the revocation after confirmation). Every text escaped.
#include <chrono>

#include "directory/admin/certificate_operations.hpp"
#include "guards.hpp"
#include "html.hpp"
#include "http_answers.hpp"
#include "ra_cases.hpp"
#include "smime/certificate.hpp"
#include "views.hpp"
#include "web_app.hpp"

namespace segel::web {
namespace {

// --- certificates --------------------------------------------------------------

std::string status_cell(const directory::CertificateRecord& r) {
    const auto now = std::chrono::system_clock::now();
    const auto status = r.status_at(now);
    std::string css = "ok";
    if (status != directory::CertificateStatus::active)
        css = "revoked";
    else if (r.not_after - now <= std::chrono::hours(24 * 30))
        css = "soon";
    std::string text(directory::to_string(status));
    if (status == directory::CertificateStatus::revoked && r.reason)
        text += " (" + std::string(directory::to_string(*r.reason)) + ")";
    return "<td class=\"" + css + "\">" + escape(text) + "</td>";
}

std::string expiry_cell(const directory::CertificateRecord& r) {
    const auto now = std::chrono::system_clock::now();
    const auto left = r.not_after - now;
    const std::string css = left <= std::chrono::hours(0)              ? "expired"
                            : left <= std::chrono::hours(24 * 30)      ? "soon"
                                                                       : "ok";
    return "<td class=\"" + css + "\">" + escape(smime::format_utc(r.not_after).substr(0, 10)) + "</td>";
}

std::string search_form(const ListQuery& q, const std::string& lang) {
    std::string status_options = "<option value=\"\">" + std::string(tr(lang, "semua status", "any status")) + "</option>";
    for (const char* s : {"active", "superseded", "revoked", "expired"})
        status_options += std::string("<option") + (q.status == s ? " selected" : "") + ">" + s + "</option>";
    std::string kind_options = "<option value=\"\">" + std::string(tr(lang, "semua jenis", "any kind")) + "</option>";
    for (const char* k : {"individual", "position", "system"})
        kind_options += std::string("<option") + (q.kind_name == k ? " selected" : "") + ">" + k + "</option>";
    return "<form method=\"get\" action=\"/certificates\"><input id=\"q\" name=\"q\" size=\"40\" maxlength=\"200\" "
           "value=\"" + escape(q.text) + "\" placeholder=\"" +
           tr(lang, "nama, NIP, email, unit, serial, sidik jari", "name, NIP, email, unit, serial, fingerprint") +
           "\"> <select name=\"status\">" + status_options + "</select> <select name=\"kind\">" + kind_options + "</select> <input name=\"unit\" maxlength=\"200\" value=\"" +
           escape(q.unit) + "\" placeholder=\"" + tr(lang, "unit", "unit") + "\"> <button id=\"search\">" + tr(lang, "Cari", "Search") + "</button></form>";
}

void certificates_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                       const std::string& lang) {
    const PageFrame frame{lang, tr(lang, "Sertifikat", "Certificates"), &caller.session, current_address(request)};
    auto query = certificate_query(request);
    if (!query)
        return failure_page(response, frame, query.error());
    auto records = find_listed(app.directory(), caller.person, *query);
    if (!records)
        return failure_page(response, frame, records.error());
    const auto& shown = *records;
    std::string rows;
    for (const auto& r : shown)
        rows += "<tr><td><a href=\"/certificates/" + escape(r.fingerprint) + "\">" + escape(r.serial) + "</a></td><td>" +
                escape(r.owner_email) + "</td><td>" + escape(std::string(directory::to_string(r.kind))) + "</td>" +
                status_cell(r) + expiry_cell(r) + "</tr>";
    send_page(response, frame,
              search_form(*query, lang) + "<p id=\"count\">" + std::to_string(shown.size()) + " " +
                  tr(lang, "sertifikat", "certificates") + "</p><table id=\"certificates\"><tr><th>Serial</th><th>" +
                  tr(lang, "Pemilik", "Owner") + "</th><th>" + tr(lang, "Jenis", "Kind") + "</th><th>Status</th><th>" +
                  tr(lang, "Berlaku sampai", "Valid until") + "</th></tr>" + rows + "</table>");
}

std::string case_form(const directory::CertificateRecord& r, const Session& session, const std::string& lang) {
    std::string options;
    for (const auto& c : ra_cases())
        options += "<option value=\"" + escape(c.key) + "\">" + escape(lang == "en" ? c.english : c.indonesian) +
                   "</option>";
    return "<h2>" + std::string(tr(lang, "Kasus RA", "RA case")) + "</h2><form method=\"post\" action=\"/certificates/" +
           escape(r.fingerprint) + "/case\">" + csrf_field(session) + "<select id=\"case\" name=\"case\">" + options +
           "</select> <label>" + tr(lang, "Berlaku sejak", "Effective from") +
           " <input id=\"effective\" name=\"effective\" placeholder=\"YYYY-MM-DD\" maxlength=\"40\"></label> "
           "<button id=\"preview\">" + tr(lang, "Lihat dampaknya", "Show the effect") + "</button></form>";
}

void certificate_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                      const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Sertifikat", "Certificate"), &caller.session, request.path};
    auto detail = admin::show_certificate(app.directory(), caller.person, std::string(request.matches[1]));
    if (!detail)
        return failure_page(response, frame, detail.error());
    auto history = certificate_history(app.directory(), caller.person, detail->record);
    if (!history)
        return failure_page(response, frame, history.error());
    const auto& r = detail->record;
    std::string body = "<table id=\"detail\"><tr><th>Serial</th><td>" + escape(r.serial) + "</td></tr><tr><th>" +
                       tr(lang, "Pemilik", "Owner") + "</th><td>" + escape(r.owner_email) +
                       (detail->owner ? " - " + escape(detail->owner->name) + ", NIP " + escape(detail->owner->nip) +
                                            ", " + escape(detail->owner->unit)
                                      : std::string()) +
                       "</td></tr><tr><th>Subject</th><td>" + escape(r.subject) + "</td></tr><tr><th>Status</th>" +
                       status_cell(r) + "</tr><tr><th>" + tr(lang, "Berlaku sampai", "Valid until") + "</th>" +
                       expiry_cell(r) + "</tr><tr><th>" + tr(lang, "Sidik jari", "Fingerprint") + "</th><td>" +
                       escape(r.fingerprint) + "</td></tr></table><p><a id=\"pem\" href=\"/certificates/" +
                       escape(r.fingerprint) + "/pem\">" + tr(lang, "Unduh sertifikat publik (PEM)",
                                                              "Download the public certificate (PEM)") + "</a></p>";
    if (admin::permits(caller.person, admin::Permission::change_certificates) &&
        r.status_at(std::chrono::system_clock::now()) == directory::CertificateStatus::active)
        body += case_form(r, caller.session, lang);
    std::string rows;
    const std::size_t first = history->size() > 100 ? history->size() - 100 : 0;
    for (std::size_t i = first; i < history->size(); ++i) {
        const auto& e = (*history)[i];
        rows += "<tr><td>" + std::to_string(e.seq) + "</td><td>" + escape(smime::format_utc(e.at)) + "</td><td>" +
                escape(e.actor) + "</td><td>" + escape(e.action) + "</td><td>" + escape(e.detail) + "</td></tr>";
    }
    body += "<h2>" + std::string(tr(lang, "Riwayat (log audit)", "History (audit log)")) +
            "</h2><table id=\"history\"><tr><th>#</th><th>" + tr(lang, "Waktu", "Time") + "</th><th>" +
            tr(lang, "Oleh", "By") + "</th><th>" + tr(lang, "Tindakan", "Action") + "</th><th>Detail</th></tr>" + rows +
            "</table>";
    send_page(response, frame, body);
}

void certificate_pem_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                          const std::string& lang) {
    auto detail = admin::show_certificate(app.directory(), caller.person, std::string(request.matches[1]));
    if (!detail)
        return failure_page(response, {lang, "PEM", &caller.session, request.path}, detail.error());
    response.set_header("Content-Disposition", "attachment; filename=\"" + detail->record.serial + ".pem\"");
    response.set_content(pem_of(detail->record), "application/x-pem-file");
}

void case_page(WebApp& app, const Request& request, Response& response, const Caller& caller, const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Kasus RA", "RA case"), &caller.session, request.path};
    auto wanted = case_request(request);
    if (!wanted)
        return failure_page(response, frame, wanted.error());
    auto detail = admin::show_certificate(app.directory(), caller.person, std::string(request.matches[1]));
    if (!detail)
        return failure_page(response, frame, detail.error());
    const auto& r = detail->record;
    if (request.get_param_value("confirm") != "yes") {
        const std::string effective = request.get_param_value("effective");
        return send_page(response, frame,
                         message_box("notice", case_effect(*wanted, r, lang)) + "<form method=\"post\" action=\"/certificates/" +
                             escape(r.fingerprint) + "/case\">" + csrf_field(caller.session) +
                             "<input type=\"hidden\" name=\"case\" value=\"" + escape(wanted->ra_case.key) +
                             "\"><input type=\"hidden\" name=\"effective\" value=\"" + escape(effective) +
                             "\"><input type=\"hidden\" name=\"confirm\" value=\"yes\"><button id=\"confirm\">" +
                             tr(lang, "Ya, cabut sertifikat ini", "Yes, revoke this certificate") +
                             "</button> <a href=\"/certificates/" + escape(r.fingerprint) + "\">" +
                             tr(lang, "Batal", "Cancel") + "</a></form>");
    }
    auto revoked = admin::revoke(app.directory(), caller.person,
                                 admin::Revocation{r.fingerprint, wanted->ra_case.reason, wanted->effective});
    if (!revoked)
        return failure_page(response, frame, revoked.error());
    send_page(response, frame,
              message_box("notice", std::string(tr(lang, "Dicatat: ", "Recorded: ")) + case_effect(*wanted, r, lang)) +
                  "<p><a id=\"back\" href=\"/certificates/" + escape(r.fingerprint) + "\">" +
                  tr(lang, "Kembali ke sertifikat", "Back to the certificate") + "</a></p>");
}

} // namespace

void install_certificate_routes(WebApp& app, httplib::Server& server) {
    using namespace std::placeholders;
    const auto page_of = [&app](bool changes, auto function) {
        return guarded_page(app, changes, std::bind(function, std::ref(app), _1, _2, _3, _4));
    };
    server.Get("/certificates", page_of(false, certificates_page));
    server.Get(R"(/certificates/([0-9A-Za-z:]+))", page_of(false, certificate_page));
    server.Get(R"(/certificates/([0-9A-Za-z:]+)/pem)", page_of(false, certificate_pem_page));
    server.Post(R"(/certificates/([0-9A-Za-z:]+)/case)", page_of(true, case_page));
}

} // namespace segel::web
