// HTML output for the admin page: escaping of every text put into a page,
// and the page frame (title, navigation, language switch, logout form).
#pragma once

#include <string>
#include <string_view>

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

} // namespace segel::web
