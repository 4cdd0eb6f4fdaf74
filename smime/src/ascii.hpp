// ASCII-only helpers for protocol text (header names, addresses): locale-free.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

namespace segel::smime::ascii {

inline char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

inline bool istarts_with(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

inline bool iends_with(std::string_view text, std::string_view suffix) noexcept {
    return text.size() >= suffix.size() && iequals(text.substr(text.size() - suffix.size()), suffix);
}

inline std::string to_lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), lower);
    return out;
}

inline std::string_view trim(std::string_view text) noexcept {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_space(text.back()))
        text.remove_suffix(1);
    return text;
}

// Printable ASCII rendering of untrusted bytes: at most max_chars, with
// anything else shown as '?'; a cut is marked "..." unless the text goes
// into a header field value whose length is fixed (AR-08).
enum class Cut { marked, silent };
inline std::string printable(std::string_view text, std::size_t max_chars = 60, Cut cut = Cut::marked) {
    std::string out;
    for (char c : text.substr(0, max_chars))
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    if (text.size() > max_chars && cut == Cut::marked)
        out += "...";
    return out;
}

} // namespace segel::smime::ascii
