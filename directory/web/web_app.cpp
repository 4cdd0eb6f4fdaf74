#include "web_app.hpp"

#include <algorithm>

#include "directory/admin/accounts.hpp"

namespace segel::web {
namespace {

using directory::admin::Account;

// Checked when a login names no account, so that the answer takes as long
// as for a wrong password (an Argon2id hash of a random password).
const std::string& decoy_hash() {
    static const std::string hash = [] {
        auto made = directory::admin::hash_password(random_token());
        return made ? *made : std::string();
    }();
    return hash;
}

std::optional<Account> find_account(const std::vector<Account>& accounts, const std::string& login) {
    auto it = std::find_if(accounts.begin(), accounts.end(), [&](const Account& a) { return a.login == login; });
    return it == accounts.end() ? std::nullopt : std::optional<Account>(*it);
}

} // namespace

WebApp::WebApp(config::ToolSettings settings, std::unique_ptr<directory::DirectoryService> directory)
    : m_settings(std::move(settings)), m_directory(std::move(directory)),
      m_sessions(std::chrono::minutes(m_settings.web.session_minutes)), m_limiter(m_settings.web.login_attempts) {
    decoy_hash();
}

void WebApp::install(httplib::Server& server) {
    install_api_routes(*this, server);
    install_page_routes(*this, server);
    install_certificate_routes(*this, server);
    install_encryption_routes(*this, server);
    install_incident_routes(*this, server);
    install_account_routes(*this, server);
    install_trace_routes(*this, server);
}

std::string cookie(const httplib::Request& request, const std::string& name) {
    const std::string header = request.get_header_value("Cookie");
    std::size_t at = 0;
    while (at < header.size()) {
        const std::size_t end = std::min(header.find(';', at), header.size());
        std::string pair = header.substr(at, end - at);
        pair.erase(0, pair.find_first_not_of(' '));
        const auto equals = pair.find('=');
        if (equals != std::string::npos && pair.substr(0, equals) == name)
            return pair.substr(equals + 1);
        at = end + 1;
    }
    return "";
}

std::string session_cookie(const std::string& token) {
    return "segel_session=" + token + "; Path=/; Secure; HttpOnly; SameSite=Strict";
}

std::string ended_session_cookie() { return "segel_session=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict"; }

std::optional<Caller> WebApp::caller(const httplib::Request& request) {
    const std::string token = cookie(request, "segel_session");
    if (token.empty())
        return std::nullopt;
    auto session = m_sessions.use(token, Clock::now());
    if (!session)
        return std::nullopt;
    auto accounts = directory::admin::load_accounts(m_settings.web.accounts);
    auto account = accounts ? find_account(*accounts, session->login) : std::nullopt;
    if (!account) {
        m_sessions.close(token);
        return std::nullopt;
    }
    session->roles = account->roles;
    return Caller{*session, {session->login, account->roles, directory::admin::Channel::web}};
}

bool WebApp::csrf_matches(const httplib::Request& request, const Session& session) {
    std::string sent = request.get_header_value("X-CSRF-Token");
    if (sent.empty() && request.has_param("csrf"))
        sent = request.get_param_value("csrf");
    if (sent.empty() && request.is_multipart_form_data() && request.has_file("csrf"))
        sent = request.get_file_value("csrf").content;
    return !sent.empty() && same_token(sent, session.csrf);
}

LoginAnswer WebApp::log_in(const std::string& login, const std::string& password, const std::string& address) {
    const auto now = Clock::now();
    const std::string by_login = "login:" + login, by_address = "address:" + address;
    const long wait = std::max(m_limiter.wait_seconds(by_login, now), m_limiter.wait_seconds(by_address, now));
    if (wait > 0)
        return {LoginResult::paused, "", wait, ""};
    auto accounts = directory::admin::load_accounts(m_settings.web.accounts);
    if (!accounts)
        return {LoginResult::unavailable, "", 0, accounts.error().message};
    auto account = find_account(*accounts, login);
    const bool matches = directory::admin::password_matches(account ? account->password_hash : decoy_hash(), password);
    if (!account || !matches) {
        m_limiter.failed(by_login, now);
        m_limiter.failed(by_address, now);
        return {LoginResult::wrong, "", 0, ""};
    }
    m_limiter.succeeded(by_login);
    return {LoginResult::ok, m_sessions.open(login, account->roles, now), 0, ""};
}

std::string WebApp::language(const httplib::Request& request) const {
    const std::string chosen = cookie(request, "segel_lang");
    return chosen == "id" || chosen == "en" ? chosen : m_settings.web.language;
}

} // namespace segel::web
