#include "html.hpp"

#include "http_answers.hpp"

namespace segel::web {

std::string escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&#39;"; break;
        default: out += c;
        }
    }
    return out;
}

std::string csrf_field(const Session& session) {
    return "<input type=\"hidden\" name=\"csrf\" value=\"" + escape(session.csrf) + "\">";
}

namespace {

constexpr const char* k_style = R"(
body{font-family:sans-serif;margin:0;color:#1a1a1a}
header{background:#0b4f6c;color:#fff;padding:.6em 1em;display:flex;gap:1.2em;align-items:center;flex-wrap:wrap}
header a,header button{color:#fff;background:none;border:0;font:inherit;cursor:pointer;text-decoration:underline}
main{padding:1em 1.5em}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
.expired,.revoked{color:#a00}.soon{color:#b36b00}.ok{color:#060}
.notice{background:#fff6d5;border:1px solid #e0c060;padding:.6em;margin:.6em 0}
.error{background:#fde2e2;border:1px solid #d77;padding:.6em;margin:.6em 0}
form.inline{display:inline}
@media print{header{display:none}}
)";

std::string navigation(const PageFrame& f) {
    std::string nav = "<header><strong>Segel</strong>";
    if (f.session != nullptr) {
        nav += "<a href=\"/\">" + std::string(tr(f.lang, "Ringkasan", "Overview")) + "</a>";
        nav += "<a href=\"/certificates\">" + std::string(tr(f.lang, "Sertifikat", "Certificates")) + "</a>";
        nav += "<a href=\"/ra\">" + std::string(tr(f.lang, "Unggah ekspor RA", "RA export upload")) + "</a>";
        nav += "<a href=\"/crl\">" + std::string(tr(f.lang, "Unggah CRL", "CRL upload")) + "</a>";
        nav += "<a href=\"/correspondents\">" + std::string(tr(f.lang, "Koresponden", "Correspondents")) + "</a>";
        nav += "<a href=\"/policies\">" + std::string(tr(f.lang, "Kebijakan enkripsi", "Encryption policy")) + "</a>";
        nav += "<a href=\"/trace\">" + std::string(tr(f.lang, "Jejak pesan", "Message trace")) + "</a>";
        nav += "<a href=\"/incidents?status=open\">" + std::string(tr(f.lang, "Insiden", "Incidents")) + "</a>";
        nav += "<a href=\"/reports\">" + std::string(tr(f.lang, "Laporan", "Reports")) + "</a>";
        nav += "<a href=\"/audit\">" + std::string(tr(f.lang, "Log audit", "Audit log")) + "</a>";
        if (f.session->roles.count(directory::admin::Role::administrator) != 0)
            nav += "<a href=\"/accounts\">" + std::string(tr(f.lang, "Akun", "Accounts")) + "</a>";
    }
    const std::string other = f.lang == "en" ? "id" : "en";
    nav += "<a id=\"language\" href=\"/language?to=" + other + "&amp;back=" + escape(httplib::detail::encode_query_param(f.path)) + "\">" +
           (f.lang == "en" ? "Bahasa Indonesia" : "English") + "</a>";
    if (f.session != nullptr)
        nav += "<span id=\"who\">" + escape(f.session->login) + "</span><form class=\"inline\" method=\"post\" "
               "action=\"/logout\">" + csrf_field(*f.session) + "<button id=\"logout\">" +
               tr(f.lang, "Keluar", "Log out") + "</button></form>";
    return nav + "</header>";
}

} // namespace

std::string current_address(const httplib::Request& request) {
    std::string path = request.path;
    std::string query;
    for (const auto& [name, value] : request.params)
        if (name != "csrf")
            query += (query.empty() ? "?" : "&") + httplib::detail::encode_query_param(name) + "=" +
                     httplib::detail::encode_query_param(value);
    return path + query;
}

std::string message_box(const std::string& css, const std::string& text) {
    return "<p class=\"" + css + "\" role=\"status\">" + escape(text) + "</p>";
}

void send_page(httplib::Response& response, const PageFrame& frame, const std::string& body, int status) {
    response.status = status;
    response.set_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    response.set_header("X-Frame-Options", "DENY");
    response.set_content(page(frame, body), "text/html; charset=utf-8");
}

void failure_page(httplib::Response& response, const PageFrame& frame, const directory::admin::Failure& failure) {
    send_page(response, frame, message_box("error", failure.message), http_status(failure.kind));
}

std::string page(const PageFrame& frame, const std::string& body) {
    return "<!DOCTYPE html><html lang=\"" + escape(frame.lang) + "\"><head><meta charset=\"utf-8\"><title>" +
           escape(frame.title) + " - Segel</title><style>" + k_style + "</style></head><body>" + navigation(frame) +
           "<main><h1>" + escape(frame.title) + "</h1>" + body + "</main></body></html>";
}

} // namespace segel::web
