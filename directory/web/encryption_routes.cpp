// Correspondents' certificates and the encryption policy, as page and API
// (issue 12's operations): list and search correspondents' certificates,
// approve a harvested one, remove one; list the policy rules, set and
// remove a scope's rule, and show what applies to an address with the
// scope each value came from.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "../tool/output.hpp"
#include "../tool/record_json.hpp"
#include "directory/admin/correspondent_operations.hpp"
#include "directory/admin/policy_operations.hpp"
#include "guards.hpp"
#include "html.hpp"
#include "http_answers.hpp"
#include "smime/certificate.hpp"
#include "views.hpp"
#include "web_app.hpp"

namespace segel::web {
namespace {

// A policy change from the fields scope, mode, cipher and key_transport
// (empty: unchanged); invalid_request naming the field otherwise.
Checked<admin::PolicyChange> policy_change(const Request& request) {
    admin::PolicyChange change{request.get_param_value("scope"), {}, {}, {}};
    if (change.scope.empty() || change.scope.size() > 320)
        return Failure{FailureKind::invalid_request, "scope: give *, a domain, *.domain or an address"};
    const auto field = [&](const char* name, auto parse, auto& into) -> std::optional<Failure> {
        const std::string text = request.get_param_value(name);
        if (text.empty())
            return std::nullopt;
        into = parse(text);
        if (!into)
            return Failure{FailureKind::invalid_request, std::string(name) + ": \"" + text + "\" is not a known value"};
        return std::nullopt;
    };
    for (auto problem : {field("mode", directory::parse_encryption_mode, change.mode),
                         field("cipher", directory::parse_cipher_choice, change.cipher),
                         field("key_transport", directory::parse_key_transport_choice, change.key_transport)})
        if (problem)
            return *problem;
    return change;
}

// An uploaded certificate file (PEM, DER or PKCS#7 certs-only; `domain`
// set: a domain certificate) imported through the admin library, from a
// private temporary file that is removed afterwards.
Checked<admin::CorrespondentImportOutcome> import_upload(WebApp& app, const Request& request, const Caller& caller) {
    auto upload = uploaded_file(request, "file", UploadKind::certificate);
    if (!upload)
        return upload.error();
    std::string path = (std::filesystem::temp_directory_path() / "segel-admin-upload-XXXXXX").string();
    const int fd = ::mkstemp(path.data());
    if (fd < 0)
        return Failure{FailureKind::cannot_create, "cannot keep the upload in a temporary file"};
    const bool written = ::write(fd, upload->content.data(), upload->content.size()) ==
                         static_cast<ssize_t>(upload->content.size());
    ::close(fd);
    auto outcome = written ? admin::import_correspondents(app.directory(), caller.person,
                                                          {{path}, request.get_param_value("domain"), ""})
                           : Checked<admin::CorrespondentImportOutcome>(
                                 Failure{FailureKind::io_failure, "cannot keep the upload in a temporary file"});
    ::unlink(path.c_str());
    if (outcome)
        for (auto& imported : outcome->imported)
            imported.file = upload->name;
    return outcome;
}

// REF (the route's first group) approved or removed, as its second group says.
Checked<directory::CorrespondentRecord> change_correspondent(WebApp& app, const Request& request, const Caller& caller) {
    const std::string reference(request.matches[1]);
    return std::string(request.matches[2]) == "approve"
               ? admin::approve_correspondent(app.directory(), caller.person, reference)
               : admin::remove_correspondent(app.directory(), caller.person, reference);
}

// --- API ------------------------------------------------------------------------

void api_correspondent_import(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto outcome = import_upload(app, request, caller);
    if (!outcome)
        return json_failure(response, outcome.error());
    if (outcome->stopped)
        return json_failure(response, *outcome->stopped);
    json_ok(response, "{\"imported\": " + json_list(outcome->imported, [](const admin::ImportedCorrespondent& i) {
                          return "{\"fingerprint\": " + tool::json_string(i.fingerprint) + ", \"serial\": " +
                                 tool::json_string(i.serial) + ", \"covers\": " + tool::json_string(i.covers) +
                                 ", \"inserted\": " + (i.inserted ? "true" : "false") + "}";
                      }) + "}");
}

void api_correspondents(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    const std::string text = request.get_param_value("q");
    if (text.size() > 200)
        return json_error(response, 400, "q: at most 200 characters");
    auto records = admin::list_correspondents(app.directory(), caller.person, text);
    if (!records)
        return json_failure(response, records.error());
    json_ok(response, json_list(*records, tool::correspondent_json));
}

void api_correspondent_change(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto changed = change_correspondent(app, request, caller);
    if (!changed)
        return json_failure(response, changed.error());
    json_ok(response, "{\"" + std::string(request.matches[2]) + "d\": " + tool::correspondent_json(*changed) + "}");
}

void api_policies(WebApp& app, const Request&, Response& response, const Caller& caller) {
    auto rules = admin::list_policies(app.directory(), caller.person);
    if (!rules)
        return json_failure(response, rules.error());
    json_ok(response, json_list(*rules, tool::rule_json));
}

void api_policy_resolve(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto view = admin::show_policy(app.directory(), caller.person, request.get_param_value("address"), nullptr,
                                   app.settings().directory.domains);
    if (!view)
        return json_failure(response, view.error());
    json_ok(response, tool::view_json(*view));
}

void api_policy_set(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto change = policy_change(request);
    if (!change)
        return json_failure(response, change.error());
    auto rule = admin::set_policy(app.directory(), caller.person, *change);
    if (!rule)
        return json_failure(response, rule.error());
    json_ok(response, tool::rule_json(*rule));
}

void api_policy_remove(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto removed = admin::remove_policy(app.directory(), caller.person, request.get_param_value("scope"));
    if (!removed)
        return json_failure(response, removed.error());
    json_ok(response, "{\"removed\": " + tool::json_string(*removed) + "}");
}

// --- pages ----------------------------------------------------------------------

std::string action_form(const Session& session, const std::string& fingerprint, const char* action, const char* label) {
    return "<form class=\"inline\" method=\"post\" action=\"/correspondents/" + escape(fingerprint) + "/" + action +
           "\">" + csrf_field(session) + "<button class=\"" + action + "\">" + label + "</button></form>";
}

std::string import_form(const Session& session, const std::string& lang) {
    return "<h2>" + std::string(tr(lang, "Impor sertifikat", "Import a certificate")) +
           "</h2><form method=\"post\" action=\"/correspondents\" enctype=\"multipart/form-data\">" +
           csrf_field(session) + "<input id=\"file\" type=\"file\" name=\"file\" required> <input name=\"domain\" "
           "maxlength=\"253\" placeholder=\"" + tr(lang, "domain (sertifikat domain)", "domain (a domain certificate)") +
           "\"> <button id=\"import\">" + tr(lang, "Impor", "Import") + "</button></form>";
}

void correspondents_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                         const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Sertifikat koresponden", "Correspondents' certificates"), &caller.session,
                    request.path};
    const std::string text = request.get_param_value("q").substr(0, 200);
    auto records = admin::list_correspondents(app.directory(), caller.person, text);
    if (!records)
        return failure_page(response, frame, records.error());
    const bool may_change = admin::permits(caller.person, admin::Permission::change_certificates);
    std::string rows;
    for (const auto& r : *records) {
        std::string covers = r.domain.empty() ? "" : "domain " + r.domain;
        for (const auto& e : r.emails)
            covers += (covers.empty() ? "" : ", ") + e;
        rows += "<tr><td>" + escape(covers) + "</td><td>" + escape(r.serial) + "</td><td>" +
                escape(std::string(directory::to_string(r.source))) + (r.pending ? " (menunggu / pending)" : "") +
                "</td><td>" + escape(smime::format_utc(r.not_after).substr(0, 10)) + "</td><td>" +
                (may_change ? (r.pending ? action_form(caller.session, r.fingerprint, "approve",
                                                       tr(lang, "Setujui", "Approve"))
                                         : std::string()) +
                                  action_form(caller.session, r.fingerprint, "remove", tr(lang, "Hapus", "Remove"))
                            : std::string()) +
                "</td></tr>";
    }
    send_page(response, frame,
              "<form method=\"get\" action=\"/correspondents\"><input name=\"q\" value=\"" + escape(text) +
                  "\" maxlength=\"200\"> <button>" + tr(lang, "Cari", "Search") + "</button></form>"
                  "<table id=\"correspondents\"><tr><th>" + tr(lang, "Untuk", "For") + "</th><th>Serial</th><th>" +
                  tr(lang, "Asal", "Source") + "</th><th>" + tr(lang, "Berlaku sampai", "Valid until") +
                  "</th><th></th></tr>" + rows + "</table>" + (may_change ? import_form(caller.session, lang) : ""));
}

void correspondent_import_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                               const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Sertifikat koresponden", "Correspondents' certificates"), &caller.session,
                    "/correspondents"};
    auto outcome = import_upload(app, request, caller);
    if (!outcome)
        return failure_page(response, frame, outcome.error());
    if (outcome->stopped)
        return failure_page(response, frame, *outcome->stopped);
    std::string list;
    for (const auto& i : outcome->imported)
        list += "<li>" + escape(i.covers + " (serial " + i.serial + ")" + (i.inserted ? "" : ": sudah ada / known")) +
                "</li>";
    send_page(response, frame, message_box("notice", tr(lang, "Diimpor:", "Imported:")) + "<ul id=\"imported\">" + list +
                                   "</ul><p><a href=\"/correspondents\">" + tr(lang, "Kembali", "Back") + "</a></p>");
}

void correspondent_change_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                               const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Sertifikat koresponden", "Correspondents' certificates"), &caller.session,
                    "/correspondents"};
    const std::string action(request.matches[2]);
    auto changed = change_correspondent(app, request, caller);
    if (!changed)
        return failure_page(response, frame, changed.error());
    send_page(response, frame,
              "<p class=\"notice\">" + escape(std::string(action == "approve" ? tr(lang, "Disetujui: ", "Approved: ")
                                                                               : tr(lang, "Dihapus: ", "Removed: ")) +
                                              changed->subject + " (serial " + changed->serial + ")") +
                  "</p><p><a href=\"/correspondents\">" + tr(lang, "Kembali", "Back") + "</a></p>");
}

std::string options(const std::vector<const char*>& values) {
    std::string out = "<option value=\"\">-</option>";
    for (const char* v : values)
        out += std::string("<option value=\"") + v + "\">" + v + "</option>";
    return out;
}

void policies_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                   const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Kebijakan enkripsi", "Encryption policy"), &caller.session, request.path};
    auto rules = admin::list_policies(app.directory(), caller.person);
    if (!rules)
        return failure_page(response, frame, rules.error());
    const auto field = [](const auto& value) { return value ? std::string(directory::to_string(*value)) : "-"; };
    std::string rows;
    for (const auto& r : *rules)
        rows += "<tr><td>" + escape(r.scope) + "</td><td>" + escape(field(r.mode)) + "</td><td>" +
                escape(field(r.cipher)) + "</td><td>" + escape(field(r.key_transport)) + "</td><td>" +
                escape(r.set_by) + "</td></tr>";
    std::string body = "<table id=\"policies\"><tr><th>Scope</th><th>Mode</th><th>Cipher</th><th>Key transport</th><th>" +
                       std::string(tr(lang, "Oleh", "By")) + "</th></tr>" + rows + "</table>";
    const std::string address = request.get_param_value("address").substr(0, 320);
    body += "<h2>" + std::string(tr(lang, "Yang berlaku untuk satu alamat", "What applies to one address")) +
            "</h2><form method=\"get\" action=\"/policies\"><input id=\"address\" name=\"address\" value=\"" +
            escape(address) + "\"> <button id=\"resolve\">" + tr(lang, "Tampilkan", "Show") + "</button></form>";
    if (!address.empty()) {
        auto view = admin::show_policy(app.directory(), caller.person, address, nullptr, app.settings().directory.domains);
        if (!view) {
            body += "<p class=\"error\">" + escape(view.error().message) + "</p>";
        } else {
            const auto& p = view->plan.policy;
            body += "<table id=\"resolved\"><tr><td>mode</td><td>" + escape(std::string(directory::to_string(p.mode))) +
                    " (" + escape(p.mode_from) + ")</td></tr><tr><td>cipher</td><td>" +
                    escape(std::string(directory::to_string(p.cipher))) + " (" + escape(p.cipher_from) +
                    ")</td></tr><tr><td>key transport</td><td>" +
                    escape(std::string(directory::to_string(p.key_transport))) + " (" + escape(p.key_transport_from) +
                    ")</td></tr><tr><td>" + tr(lang, "sekarang", "now") + "</td><td>" +
                    escape(std::string(directory::to_string(view->plan.treatment)) +
                           (view->plan.reason.empty() ? "" : " (" + view->plan.reason + ")")) + "</td></tr>";
            for (const auto& c : view->plan.certificates)
                body += "<tr><td>" + std::string(tr(lang, "dapat dipakai", "usable")) + "</td><td>" +
                        escape(tool::candidate_line(c)) + "</td></tr>";
            body += "</table>";
        }
    }
    if (admin::permits(caller.person, admin::Permission::administer))
        body += "<h2>" + std::string(tr(lang, "Ubah aturan", "Change a rule")) +
                "</h2><form method=\"post\" action=\"/policies\">" + csrf_field(caller.session) +
                "<input name=\"scope\" placeholder=\"*, example.org, *.example.org, a@example.org\" required> "
                "<select name=\"mode\">" + options({"never", "opportunistic", "required"}) +
                "</select> <select name=\"cipher\">" + options({"auto", "aes256-gcm", "aes256-cbc"}) +
                "</select> <select name=\"key_transport\">" + options({"auto", "rsa-oaep", "rsa-pkcs1"}) +
                "</select> <button id=\"save\">" + tr(lang, "Simpan", "Save") + "</button></form>";
    send_page(response, frame, body);
}

void policy_set_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                     const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Kebijakan enkripsi", "Encryption policy"), &caller.session, "/policies"};
    auto change = policy_change(request);
    auto rule = change ? admin::set_policy(app.directory(), caller.person, *change)
                       : admin::OperationResult<directory::PolicyRule>(change.error());
    if (!rule)
        return failure_page(response, frame, rule.error());
    send_page(response, frame, "<p class=\"notice\">" + escape(std::string(tr(lang, "Disimpan: ", "Saved: ")) + rule->scope) +
                                   "</p><p><a href=\"/policies\">" + tr(lang, "Kembali", "Back") + "</a></p>");
}

} // namespace

void install_encryption_routes(WebApp& app, httplib::Server& server) {
    using namespace std::placeholders;
    const auto api = [&app](bool changes, auto function) {
        return guarded_api(app, changes, std::bind(function, std::ref(app), _1, _2, _3));
    };
    server.Get("/api/correspondents", api(false, api_correspondents));
    server.Post(R"(/api/correspondents/([0-9A-Za-z:]+)/(approve|remove))", api(true, api_correspondent_change));
    server.Post("/api/correspondents", api(true, api_correspondent_import));
    server.Get("/api/policies", api(false, api_policies));
    server.Get("/api/policies/resolve", api(false, api_policy_resolve));
    server.Post("/api/policies", api(true, api_policy_set));
    server.Post("/api/policies/remove", api(true, api_policy_remove));
    const auto page_of = [&app](bool changes, auto function) {
        return guarded_page(app, changes, std::bind(function, std::ref(app), _1, _2, _3, _4));
    };
    server.Get("/correspondents", page_of(false, correspondents_page));
    server.Post(R"(/correspondents/([0-9A-Za-z:]+)/(approve|remove))", page_of(true, correspondent_change_page));
    server.Post("/correspondents", page_of(true, correspondent_import_page));
    server.Get("/policies", page_of(false, policies_page));
    server.Post("/policies", page_of(true, policy_set_page));
}

} // namespace segel::web
