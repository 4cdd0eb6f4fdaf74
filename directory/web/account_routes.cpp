// Accounts of the page, for administrators (the admin library's account
// operations, as `segel account`): list, add with roles and a password,
// set a new password, remove. A changed or removed account's sessions end;
// every change is audited as web:LOGIN.
#include "../tool/output.hpp"
#include "directory/admin/accounts.hpp"
#include "guards.hpp"
#include "html.hpp"
#include "http_answers.hpp"
#include "web_app.hpp"

namespace segel::web {
namespace {

// Applies one change (add, password or remove, from the route) for an
// administrator, ends the account's sessions when its password or
// existence changed, and audits it.
admin::OperationResult<void> change_account(WebApp& app, const Request& request, const Caller& caller,
                                            admin::AccountAction action) {
    const auto& file = app.settings().web.accounts;
    admin::AccountChange change{action == admin::AccountAction::add ? request.get_param_value("login")
                                                                    : std::string(request.matches[1]),
                                {}, request.get_param_value("password")};
    for (std::size_t i = 0; i < request.get_param_value_count("role"); ++i) {
        const std::string word = request.get_param_value("role", i);
        auto role = admin::parse_role(word);
        if (!role)
            return admin::Failure{admin::FailureKind::invalid_request, "role: unknown role '" + word + "'"};
        change.roles.insert(*role);
    }
    auto done = action == admin::AccountAction::add        ? admin::add_account(caller.person, file, change)
                : action == admin::AccountAction::password ? admin::set_account_password(caller.person, file, change)
                                                           : admin::remove_account(caller.person, file, change.login);
    if (!done)
        return done;
    if (action != admin::AccountAction::add)
        app.sessions().close_login(change.login);
    return admin::audit_account_change(app.directory(), caller.person, action, change);
}

void api_accounts(WebApp& app, const Request&, Response& response, const Caller& caller) {
    auto accounts = admin::list_accounts(caller.person, app.settings().web.accounts);
    if (!accounts)
        return json_failure(response, accounts.error());
    json_ok(response, json_list(*accounts, [](const admin::Account& a) {
                std::vector<std::string> roles;
                for (auto role : a.roles)
                    roles.emplace_back(admin::to_string(role));
                return "{\"login\": " + tool::json_string(a.login) + ", \"roles\": " + tool::json_string_array(roles) +
                       "}";
            }));
}

void api_account_change(WebApp& app, const Request& request, Response& response, const Caller& caller,
                        admin::AccountAction action) {
    auto done = change_account(app, request, caller, action);
    if (!done)
        return json_failure(response, done.error());
    json_ok(response, "{\"done\": true}");
}

std::string add_form(const Session& session, const std::string& lang) {
    std::string roles;
    for (const char* role : {"ra_operator", "auditor", "administrator"})
        roles += std::string("<label><input type=\"checkbox\" name=\"role\" value=\"") + role + "\"> " + role + "</label> ";
    return "<h2>" + std::string(tr(lang, "Tambah akun", "Add an account")) +
           "</h2><form method=\"post\" action=\"/accounts\">" + csrf_field(session) +
           "<input id=\"new-login\" name=\"login\" maxlength=\"64\" required placeholder=\"login\"> " + roles +
           "<input id=\"new-password\" name=\"password\" type=\"password\" minlength=\"12\" maxlength=\"1024\" required "
           "autocomplete=\"new-password\"> <button id=\"add\">" + tr(lang, "Tambah", "Add") + "</button></form>";
}

void accounts_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                   const std::string& lang) {
    PageFrame frame{lang, tr(lang, "Akun", "Accounts"), &caller.session, request.path};
    auto accounts = admin::list_accounts(caller.person, app.settings().web.accounts);
    if (!accounts)
        return failure_page(response, frame, accounts.error());
    std::string rows;
    for (const auto& a : *accounts)
        rows += "<tr><td>" + escape(a.login) + "</td><td>" + escape(admin::roles_text(a.roles)) +
                "</td><td><form class=\"inline\" method=\"post\" action=\"/accounts/" + escape(a.login) +
                "/password\">" + csrf_field(caller.session) +
                "<input name=\"password\" type=\"password\" minlength=\"12\" maxlength=\"1024\" required "
                "autocomplete=\"new-password\"> <button>" + tr(lang, "Ganti kata sandi", "Set password") +
                "</button></form> <form class=\"inline\" method=\"post\" action=\"/accounts/" + escape(a.login) +
                "/remove\">" + csrf_field(caller.session) + "<button>" + tr(lang, "Hapus", "Remove") +
                "</button></form></td></tr>";
    send_page(response, frame, "<table id=\"accounts\"><tr><th>Login</th><th>" + std::string(tr(lang, "Peran", "Roles")) +
                                   "</th><th></th></tr>" + rows + "</table>" + add_form(caller.session, lang));
}

void account_change_page(WebApp& app, const Request& request, Response& response, const Caller& caller,
                         const std::string& lang, admin::AccountAction action) {
    PageFrame frame{lang, tr(lang, "Akun", "Accounts"), &caller.session, "/accounts"};
    auto done = change_account(app, request, caller, action);
    if (!done)
        return failure_page(response, frame, done.error());
    send_page(response, frame, message_box("notice", tr(lang, "Akun diubah.", "The account was changed.")) +
                                   "<p><a id=\"back\" href=\"/accounts\">" + tr(lang, "Kembali", "Back") + "</a></p>");
}

} // namespace

void install_account_routes(WebApp& app, httplib::Server& server) {
    using namespace std::placeholders;
    using Action = admin::AccountAction;
    server.Get("/api/accounts", guarded_api(app, false, std::bind(api_accounts, std::ref(app), _1, _2, _3)));
    server.Get("/accounts", guarded_page(app, false, std::bind(accounts_page, std::ref(app), _1, _2, _3, _4)));
    const std::pair<const char*, Action> routes[] = {{"", Action::add},
                                                     {R"(/([a-z][a-z0-9._-]{0,63})/password)", Action::password},
                                                     {R"(/([a-z][a-z0-9._-]{0,63})/remove)", Action::remove}};
    for (const auto& [suffix, action] : routes) {
        server.Post(std::string("/api/accounts") + suffix,
                    guarded_api(app, true, std::bind(api_account_change, std::ref(app), _1, _2, _3, action)));
        server.Post(std::string("/accounts") + suffix,
                    guarded_page(app, true, std::bind(account_change_page, std::ref(app), _1, _2, _3, _4, action)));
    }
}

} // namespace segel::web
