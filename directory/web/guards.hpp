// The doors of every route: a handler runs only for a live session, and a
// change only with the session's CSRF token. The API answers 401 and 403 in
// JSON; a page sends the login page's address (303) or a page saying why.
#pragma once

#include <functional>
#include <string>

#include <httplib.h>

#include "directory/admin/operation_error.hpp"
#include "web_app.hpp"

namespace segel::web {

// The names every route file uses.
using httplib::Request;
using httplib::Response;
namespace admin = directory::admin;
using admin::Failure;
using admin::FailureKind;

using ApiHandler = std::function<void(const httplib::Request&, httplib::Response&, const Caller&)>;
using PageHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const Caller&, const std::string& lang)>;

httplib::Server::Handler guarded_api(WebApp& app, bool changes, ApiHandler handler);
httplib::Server::Handler guarded_page(WebApp& app, bool changes, PageHandler handler);

} // namespace segel::web
