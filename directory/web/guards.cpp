#include "guards.hpp"

#include "html.hpp"
#include "http_answers.hpp"

namespace segel::web {

httplib::Server::Handler guarded_api(WebApp& app, bool changes, ApiHandler handler) {
    return [&app, changes, handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
        auto caller = app.caller(request);
        if (!caller)
            return json_error(response, 401, "not logged in, or the session has ended");
        if (changes && !WebApp::csrf_matches(request, caller->session))
            return json_error(response, 403, "the request carries no valid CSRF token (X-CSRF-Token)");
        handler(request, response, *caller);
    };
}

httplib::Server::Handler guarded_page(WebApp& app, bool changes, PageHandler handler) {
    return [&app, changes, handler = std::move(handler)](const httplib::Request& request, httplib::Response& response) {
        const std::string lang = app.language(request);
        auto caller = app.caller(request);
        if (!caller)
            return response.set_redirect("/login?next=" + httplib::detail::encode_query_param(request.path), 303);
        if (changes && !WebApp::csrf_matches(request, caller->session))
            return send_page(response, {lang, tr(lang, "Ditolak", "Refused"), &caller->session, request.path},
                             message_box("error", tr(lang, "Permintaan tanpa token CSRF yang sah ditolak.",
                                                     "A request without a valid CSRF token is refused.")),
                             403);
        handler(request, response, *caller, lang);
    };
}

} // namespace segel::web
