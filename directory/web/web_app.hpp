// segel-admin's application: the directory it serves (opened once, without
// the master key: the page never touches a private key), the accounts file,
// logins and their limits, and the routes of the page (page_routes.cpp) and
// of the JSON API (api_routes.cpp; encryption_routes.cpp has both for
// correspondents and the policy) on one cpp-httplib server. Every change
// goes through the admin operations library as Operator{login, roles, web},
// so the audit log names the person and the channel. Handlers never throw
// out to the server: a failure becomes an HTTP answer (http_answers.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <httplib.h>

#include "config/tool_settings.hpp"
#include "directory/admin/operator.hpp"
#include "directory/directory_service.hpp"
#include "login_limiter.hpp"
#include "pending_uploads.hpp"
#include "sessions.hpp"

namespace segel::web {

// Who is asking: their session and the operator the admin library sees.
struct Caller {
    Session session;
    directory::admin::Operator person;
};

enum class LoginResult { ok, wrong, paused, unavailable };
struct LoginAnswer {
    LoginResult result = LoginResult::wrong;
    std::string token;     // ok: the new session's cookie value
    long wait_seconds = 0; // paused: how long
    std::string problem;   // unavailable: why (the accounts file cannot be read)
};

class WebApp {
public:
    WebApp(config::ToolSettings settings, std::unique_ptr<directory::DirectoryService> directory);

    // Registers every route on `server`.
    void install(httplib::Server& server);

    const config::ToolSettings& settings() const { return m_settings; }
    directory::DirectoryService& directory() { return *m_directory; }
    SessionStore& sessions() { return m_sessions; }
    PendingUploads& uploads() { return m_uploads; }

    // The caller of a request with a live session cookie whose account still
    // exists (its roles as the accounts file has them now); else nothing.
    std::optional<Caller> caller(const httplib::Request& request);
    // Whether a change carries its session's CSRF token (header
    // X-CSRF-Token or form field csrf).
    static bool csrf_matches(const httplib::Request& request, const Session& session);
    LoginAnswer log_in(const std::string& login, const std::string& password, const std::string& address);
    // The page language: the segel_lang cookie, else web.language.
    std::string language(const httplib::Request& request) const;

private:
    config::ToolSettings m_settings;
    std::unique_ptr<directory::DirectoryService> m_directory;
    SessionStore m_sessions;
    LoginLimiter m_limiter;
    PendingUploads m_uploads;
};

// A cookie's value from the request's Cookie header; "" when absent.
std::string cookie(const httplib::Request& request, const std::string& name);
// Set-Cookie value of the session cookie (Secure, HttpOnly, SameSite=Strict;
// no lifetime of its own: the browser keeps it until it closes, the server
// ends the session after web.session_minutes idle).
std::string session_cookie(const std::string& token);
// One that makes the browser forget it (logout).
std::string ended_session_cookie();

void install_api_routes(WebApp& app, httplib::Server& server);
void install_page_routes(WebApp& app, httplib::Server& server);
void install_certificate_routes(WebApp& app, httplib::Server& server);
void install_encryption_routes(WebApp& app, httplib::Server& server);
void install_incident_routes(WebApp& app, httplib::Server& server);
void install_account_routes(WebApp& app, httplib::Server& server);
void install_trace_routes(WebApp& app, httplib::Server& server);

} // namespace segel::web
