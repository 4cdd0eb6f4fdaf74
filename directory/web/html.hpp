// HTML output for the admin page: escaping of every text put into a page,
// the page frame (title, navigation, language switch, logout form), and
// sending a page.
#pragma once

#include <string>
#include <string_view>

#include <httplib.h>

#include "directory/admin/operation_error.hpp"
#include "sessions.hpp"

namespace segel::web {

// &, <, >, " and ' as character references; everything else as it is.
std::string escape(std::string_view text);

// Indonesian first: the text in the page's language ("id" or "en").
inline const char* tr(const std::string& lang, const char* indonesian, const char* english) {
    return lang == "en" ? english : indonesian;
}

struct PageFrame {
    std::string lang;                // id or en
    std::string title;               // plain text, escaped here
    const Session* session = nullptr;// navigation and logout when logged in
    std::string path;                // this page's path and query (the language switch comes back to it)
};
// A whole page around `body` (which is HTML already escaped by its maker).
std::string page(const PageFrame& frame, const std::string& body);
// <input type=hidden name=csrf>: every form that changes something has it.
std::string csrf_field(const Session& session);
// <p class=CSS role=status>TEXT</p>, TEXT escaped.
std::string message_box(const std::string& css, const std::string& text);

// Sends a whole page with the security headers (a Content-Security-Policy
// without scripts, no framing).
void send_page(httplib::Response& response, const PageFrame& frame, const std::string& body, int status = 200);
// The request's path and query (without csrf): where the language switch
// comes back to.
std::string current_address(const httplib::Request& request);
// A page with the failure's message, and its kind's status.
void failure_page(httplib::Response& response, const PageFrame& frame, const directory::admin::Failure& failure);

} // namespace segel::web
