// The HTML pages: login, overview, RA export and CRL uploads (preview,
// then apply), reports (table, printable, CSV) and the audit log
// (certificate_routes.cpp has the certificates and RA cases). Plain
// forms, no script; every text is escaped (html.hpp); every form that
// changes something carries the session's CSRF token.
#include <chrono>

#include "../tool/report_format.hpp"
#include "directory/admin/supervision_operations.hpp"
#include "guards.hpp"
#include "html.hpp"
#include "http_answers.hpp"
#include "sync_uploads.hpp"
#include "smime/certificate.hpp"
#include "views.hpp"
#include "web_app.hpp"

namespace segel::web {
namespace {

// --- login -------------------------------------------------------------------

std::string login_form(const std::string& lang, const std::string& next, const std::string& notice) {
    return notice + "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"next\" value=\"" +
           escape(next) + "\"><p><label>" + tr(lang, "Nama pengguna", "Login") +
           " <input id=\"login\" name=\"login\" autocomplete=\"username\" required maxlength=\"64\"></label></p><p><label>" +
           tr(lang, "Kata sandi", "Password") +
           " <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required "
           "maxlength=\"1024\"></label></p><p><button id=\"submit\">" +
           tr(lang, "Masuk", "Log in") + "</button></p></form>";
}

// Only a path of this site: never an address elsewhere.
std::string local_path(const std::string& next) {
    return next.size() > 0 && next[0] == '/' && (next.size() < 2 || (next[1] != '/' && next[1] != '\\')) ? next : "/";
}

void login_post(WebApp& app, const Request& request, Response& response) {
    const std::string lang = app.language(request);
    const PageFrame frame{lang, tr(lang, "Masuk", "Log in"), nullptr, "/login"};
    const std::string login = request.get_param_value("login"), password = request.get_param_value("password");
    const std::string next = local_path(request.get_param_value("next"));
    if (login.empty() || password.empty() || login.size() > 64 || password.size() > 1024)
        return send_page(response, frame, login_form(lang, next, message_box("error", tr(lang,
                         "Isi nama pengguna dan kata sandi.", "Give your login and password."))), 400);
    const auto answer = app.log_in(login, password, request.remote_addr);
    if (answer.result == LoginResult::ok) {
        response.set_header("Set-Cookie", session_cookie(answer.token));
        return response.set_redirect(next, 303);
    }
    std::string text = answer.result == LoginResult::paused
                           ? std::string(tr(lang, "Terlalu banyak percobaan gagal; coba lagi dalam ",
                                            "Too many failed logins; try again in ")) +
                                 std::to_string(answer.wait_seconds) + tr(lang, " detik.", " seconds.")
                       : answer.result == LoginResult::unavailable ? answer.problem
                                                                  : tr(lang, "Nama pengguna atau kata sandi salah.",
                                                                       "Wrong login or password.");
    if (answer.result == LoginResult::paused)
        response.set_header("Retry-After", std::to_string(answer.wait_seconds));
    const int status = answer.result == LoginResult::paused ? 429 : answer.result == LoginResult::wrong ? 401 : 503;
    send_page(response, frame, login_form(lang, next, message_box("error", text)), status);
}

// --- overview, RA upload, reports, audit -----------------------------------------

void overview_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                   const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Ringkasan", "Overview"), &caller.session, current_address(request)};
    auto o = overview_figures(app.directory(), caller.person);
    if (!o)
        return failure_page(response, frame, o.error());
    std::string by_status;
    for (const auto& [status, count] : o->by_status)
        by_status += "<tr><td>" + escape(status) + "</td><td>" + std::to_string(count) + "</td></tr>";
    std::string without;
    for (const auto& unit : o->report.units)
        if (!unit.without_active_certificate.empty())
            without += "<tr><td>" + escape(unit.unit.empty() ? "(no unit)" : unit.unit) + "</td><td>" +
                       std::to_string(unit.without_active_certificate.size()) + "</td></tr>";
    send_page(response, frame,
              "<h2>" + std::string(tr(lang, "Sertifikat menurut status", "Certificates by status")) +
                  "</h2><table id=\"by-status\">" + by_status + "</table><h2>" +
                  tr(lang, "Aktif, berakhir dalam", "Active, expiring within") + "</h2><table id=\"expiring\"><tr><td>30 " +
                  tr(lang, "hari", "days") + "</td><td class=\"soon\">" + std::to_string(o->expiring_30) + "</td></tr><tr><td>60 " +
                  tr(lang, "hari", "days") + "</td><td>" + std::to_string(o->expiring_60) + "</td></tr><tr><td>90 " +
                  tr(lang, "hari", "days") + "</td><td>" + std::to_string(o->expiring_90) + "</td></tr></table><h2>" +
                  tr(lang, "ASN tanpa sertifikat aktif, per unit (Pasal 10)",
                     "Civil servants without an active certificate, per unit (art. 10)") +
                  "</h2><table id=\"without\">" + without + "</table><h2>" + tr(lang, "Insiden terbuka", "Open incidents") +
                  "</h2><p><a id=\"incidents-open\" href=\"/incidents?status=open\">" + std::to_string(o->incidents_open) +
                  "</a></p>");
}

const char* upload_title(UploadKind kind, const std::string& lang) {
    return kind == UploadKind::crl ? tr(lang, "Unggah CRL", "CRL upload") : tr(lang, "Unggah ekspor RA", "RA export upload");
}

const char* upload_path(UploadKind kind) { return kind == UploadKind::crl ? "/crl" : "/ra"; }

void upload_form_page(WebApp&, const Request& request, Response& response, const Caller& caller,
                      const std::string& lang, UploadKind kind) {
    const std::string intro =
        kind == UploadKind::crl
            ? tr(lang, "CRL dari CA pada crl.issuer (PEM atau DER). Tanda tangan dan kesegarannya diperiksa; semua "
                       "perubahan ditampilkan dulu.",
                 "A CRL of the CA in crl.issuer (PEM or DER). Its signature and freshness are checked; every change "
                 "is shown first.")
            : tr(lang, "Ekspor status RA (CSV). Semua perubahan ditampilkan dulu; tidak ada yang berubah sebelum Anda "
                       "menerapkannya, dan penerapan berlaku semua atau tidak sama sekali.",
                 "The RA's status export (CSV). Every change is shown first; nothing changes until you apply it, and "
                 "applying is all or nothing.");
    send_page(response, {lang, upload_title(kind, lang), &caller.session, current_address(request)},
              "<p>" + escape(intro) + "</p><form method=\"post\" action=\"" + upload_path(kind) +
                  "\" enctype=\"multipart/form-data\">" + csrf_field(caller.session) +
                  "<input id=\"file\" type=\"file\" name=\"file\" required> <button id=\"upload\">" +
                  tr(lang, "Lihat perubahan", "Preview the changes") + "</button></form>");
}

void upload_post(WebApp& app, const Request& request, Response& response, const Caller& caller,
                 const std::string& lang, UploadKind kind) {
    PageFrame frame{lang, upload_title(kind, lang), &caller.session, upload_path(kind)};
    auto run = run_sync_upload(app, request, caller, kind);
    if (!run)
        return failure_page(response, frame, run.error());
    const bool applied = run->pending.empty() && run->outcome.applied;
    std::string list;
    for (const auto& change : run->outcome.changes)
        list += "<li>" + escape(change) + "</li>";
    std::string body = (run->summary.empty() ? "" : "<p>" + escape(run->summary) + "</p>") + "<p id=\"summary\">" +
                       std::to_string(run->outcome.changes.size()) + " " +
                       (applied ? tr(lang, "perubahan diterapkan.", "changes applied.")
                                : tr(lang, "perubahan akan diterapkan:", "changes would be applied:")) +
                       "</p><ul id=\"changes\">" + list + "</ul>";
    if (!run->pending.empty())
        body += "<form method=\"post\" action=\"" + std::string(upload_path(kind)) + "\">" +
                csrf_field(caller.session) + "<input type=\"hidden\" name=\"pending\" value=\"" +
                escape(run->pending) + "\"><button id=\"apply\">" + tr(lang, "Terapkan semua", "Apply them all") +
                "</button></form>";
    send_page(response, frame, body);
}

void reports_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                  const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Laporan evaluasi per unit", "Evaluation report per unit"), &caller.session,
                    current_address(request)};
    auto days = whole_number(request, "days", 30, 1, 3650);
    if (!days)
        return failure_page(response, frame, days.error());
    auto made = admin::supervision_report(app.directory(), caller.person, std::chrono::system_clock::now(), *days);
    if (!made)
        return failure_page(response, frame, made.error());
    std::string rows = "<tr>";
    for (const auto& h : tool::report_header())
        rows += "<th>" + escape(h) + "</th>";
    rows += "</tr>";
    for (const auto& row : tool::report_rows(*made)) {
        rows += "<tr>";
        for (const auto& cell : row)
            rows += "<td>" + escape(cell) + "</td>";
        rows += "</tr>";
    }
    send_page(response, frame,
              "<p>" + escape(smime::format_utc(made->at)) + "; " + tr(lang, "berakhir dalam ", "expiring within ") +
                  std::to_string(*days) + tr(lang, " hari", " days") + ". <a id=\"csv\" href=\"/api/report?format=csv&amp;days=" +
                  std::to_string(*days) + "\">CSV</a> | <a id=\"semester\" href=\"/reports?days=182\">" +
                  tr(lang, "Evaluasi 6 bulanan", "Six-monthly evaluation") + "</a> | <a id=\"annual\" href=\"/reports?days=365\">" +
                  tr(lang, "Evaluasi tahunan", "Annual evaluation") + "</a></p><table id=\"report\">" + rows + "</table>");
}

void audit_page(WebApp& app, const Request& request, Response& response, const Caller& caller, const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Log audit", "Audit log"), &caller.session, current_address(request)};
    auto verification = admin::verify_audit_log(app.directory(), caller.person);
    if (!verification)
        return failure_page(response, frame, verification.error());
    auto entries = admin::audit_entries(app.directory(), caller.person);
    if (!entries)
        return failure_page(response, frame, entries.error());
    std::string body = verification->intact
                           ? message_box("notice", std::string(tr(lang, "Rantai hash utuh: ", "The hash chain is intact: ")) +
                                                       std::to_string(verification->entries) + tr(lang, " entri, kepala ", " entries, head ") +
                                                       verification->head_hash)
                           : message_box("error", std::string(tr(lang, "Rantai hash RUSAK: ", "The hash chain is BROKEN: ")) +
                                                      verification->problem);
    std::string rows;
    const std::size_t first = entries->size() > 200 ? entries->size() - 200 : 0;
    for (std::size_t i = entries->size(); i > first; --i) {
        const auto& e = (*entries)[i - 1];
        rows += "<tr><td>" + std::to_string(e.seq) + "</td><td>" + escape(smime::format_utc(e.at)) + "</td><td>" +
                escape(e.actor) + "</td><td>" + escape(e.action) + "</td><td>" + escape(e.detail) + "</td></tr>";
    }
    send_page(response, frame, body + "<table id=\"audit\"><tr><th>#</th><th>" + tr(lang, "Waktu", "Time") + "</th><th>" +
                                   tr(lang, "Oleh", "By") + "</th><th>" + tr(lang, "Tindakan", "Action") +
                                   "</th><th>Detail</th></tr>" + rows + "</table>");
}

} // namespace

void install_page_routes(WebApp& app, httplib::Server& server) {
    using namespace std::placeholders;
    server.Get("/login", [&app](const Request& q, Response& r) {
        const std::string lang = app.language(q);
        send_page(r, {lang, tr(lang, "Masuk", "Log in"), nullptr, "/login"},
                  login_form(lang, local_path(q.get_param_value("next")), ""));
    });
    server.Post("/login", [&app](const Request& q, Response& r) { login_post(app, q, r); });
    server.Post("/logout", guarded_page(app, true, [&app](const Request& q, Response& r, const Caller&, const std::string&) {
                    app.sessions().close(cookie(q, "segel_session"));
                    r.set_header("Set-Cookie", ended_session_cookie());
                    r.set_redirect("/login", 303);
                }));
    server.Get("/language", [](const Request& q, Response& r) {
        const std::string to = q.get_param_value("to") == "en" ? "en" : "id";
        r.set_header("Set-Cookie", "segel_lang=" + to + "; Path=/; Max-Age=31536000; Secure; SameSite=Strict");
        r.set_redirect(local_path(q.get_param_value("back")), 303);
    });
    const auto page_of = [&app](bool changes, auto function) {
        return guarded_page(app, changes, std::bind(function, std::ref(app), _1, _2, _3, _4));
    };
    server.Get("/", page_of(false, overview_page));
    for (auto kind : {UploadKind::ra_export, UploadKind::crl}) {
        server.Get(upload_path(kind), guarded_page(app, false, std::bind(upload_form_page, std::ref(app), _1, _2, _3, _4, kind)));
        server.Post(upload_path(kind), guarded_page(app, true, std::bind(upload_post, std::ref(app), _1, _2, _3, _4, kind)));
    }
    server.Get("/reports", page_of(false, reports_page));
    server.Get("/audit", page_of(false, audit_page));
}

} // namespace segel::web
