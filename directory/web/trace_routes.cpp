// The message trace, as page and API: search by Message-ID, queue id,
// sender or recipient (q) and by date (since, until: YYYY-MM-DD in WIB, or
// a time with a zone); each message with what the gateway decided, in plain
// words, and why (the certificate, the reason).
#include "../tool/output.hpp"
#include "directory/admin/trace_operations.hpp"
#include "directory/ra_sync.hpp"
#include "guards.hpp"
#include "html.hpp"
#include "http_answers.hpp"
#include "smime/certificate.hpp"
#include "views.hpp"
#include "web_app.hpp"

namespace segel::web {
namespace {

Checked<directory::TraceQuery> trace_query(const Request& request) {
    directory::TraceQuery query;
    query.text = request.get_param_value("q");
    for (auto [name, into] : {std::pair{"since", &query.since}, std::pair{"until", &query.until}}) {
        const std::string text = request.get_param_value(name);
        if (text.empty())
            continue;
        *into = directory::parse_effective_date(text);
        if (!*into)
            return Failure{FailureKind::invalid_request,
                           std::string(name) + ": \"" + text + "\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM with a zone"};
    }
    auto limit = whole_number(request, "limit", 200, 1, 5000);
    if (!limit)
        return limit.error();
    query.limit = *limit;
    return query;
}

std::string record_json(const directory::TraceRecord& r) {
    return "{\"at\": " + tool::json_string(smime::format_utc(r.at)) + ", \"queue_id\": " + tool::json_string(r.queue_id) +
           ", \"message_id\": " + tool::json_string(r.message_id) + ", \"direction\": " + tool::json_string(r.direction) +
           ", \"decision\": " + tool::json_string(r.decision) + ", \"action\": " + tool::json_string(r.action) +
           ", \"login\": " + tool::json_string(r.login) + ", \"sender\": " + tool::json_string(r.sender) +
           ", \"recipients\": " + tool::json_string_array(r.recipients) + ", \"serial\": " + tool::json_string(r.serial) +
           ", \"reason\": " + tool::json_string(r.reason) + ", \"explanation\": " +
           tool::json_string(admin::explain_decision(r.decision, "id")) + ", \"explanation_en\": " +
           tool::json_string(admin::explain_decision(r.decision, "en")) + "}";
}

void api_trace(WebApp& app, const Request& request, Response& response, const Caller& caller) {
    auto query = trace_query(request);
    if (!query)
        return json_failure(response, query.error());
    auto found = admin::trace_messages(app.directory(), caller.person, *query);
    if (!found)
        return json_failure(response, found.error());
    json_ok(response, json_list(*found, record_json));
}

std::string search_form(const Request& request, const std::string& lang) {
    const auto field = [&](const char* name, const char* placeholder) {
        return std::string("<input name=\"") + name + "\" id=\"trace-" + name + "\" maxlength=\"320\" value=\"" +
               escape(request.get_param_value(name)) + "\" placeholder=\"" + placeholder + "\"> ";
    };
    return "<form method=\"get\" action=\"/trace\">" +
           field("q", tr(lang, "Message-ID, queue id, pengirim atau penerima", "Message-ID, queue id, sender or recipient")) +
           field("since", tr(lang, "sejak YYYY-MM-DD", "since YYYY-MM-DD")) +
           field("until", tr(lang, "sebelum YYYY-MM-DD", "before YYYY-MM-DD")) + "<button id=\"trace-search\">" +
           tr(lang, "Cari", "Search") + "</button></form>";
}

void trace_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Jejak pesan", "Message trace"), &caller.session, current_address(request)};
    auto query = trace_query(request);
    auto found = query ? admin::trace_messages(app.directory(), caller.person, *query)
                       : admin::OperationResult<std::vector<directory::TraceRecord>>(query.error());
    if (!found)
        return failure_page(response, frame, found.error());
    std::string rows;
    for (const auto& r : *found) {
        std::string to;
        for (const auto& recipient : r.recipients)
            to += (to.empty() ? "" : ", ") + recipient;
        rows += "<tr class=\"message\"><td>" + escape(smime::format_utc(r.at)) + "</td><td>" + escape(r.queue_id) +
                "<br>" + escape(r.message_id) + "</td><td>" + escape(r.sender) + (r.login.empty() ? "" : " (" + escape(r.login) + ")") +
                "</td><td>" + escape(to) + "</td><td class=\"decision\">" +
                escape(admin::explain_decision(r.decision, lang)) + "</td><td>" +
                escape((r.serial.empty() ? "" : "serial " + r.serial + "; ") + r.action + "; " + r.reason) + "</td></tr>";
    }
    send_page(response, frame,
              search_form(request, lang) + "<table id=\"trace\"><tr><th>" + tr(lang, "Waktu", "Time") +
                  "</th><th>Queue / Message-ID</th><th>" + tr(lang, "Pengirim", "Sender") + "</th><th>" +
                  tr(lang, "Penerima", "Recipients") + "</th><th>" + tr(lang, "Keputusan", "Decision") + "</th><th>" +
                  tr(lang, "Alasan", "Why") + "</th></tr>" + rows + "</table>");
}

} // namespace

void install_trace_routes(WebApp& app, httplib::Server& server) {
    using namespace std::placeholders;
    server.Get("/api/trace", guarded_api(app, false, std::bind(api_trace, std::ref(app), _1, _2, _3)));
    server.Get("/trace", guarded_page(app, false, std::bind(trace_page, std::ref(app), _1, _2, _3, _4)));
}

} // namespace segel::web
