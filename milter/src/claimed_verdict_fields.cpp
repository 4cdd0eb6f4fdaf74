#include "milter/claimed_verdict_fields.hpp"

#include <algorithm>
#include <cctype>

namespace segel::milter {

namespace {

bool same_name(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
               return std::tolower(x) == std::tolower(y);
           });
}

// RFC 8601 §2.2: the value starts with optional CFWS, then the authserv-id.
std::size_t skip_cfws(std::string_view value, std::size_t pos) {
    int depth = 0;
    while (pos < value.size()) {
        const char c = value[pos];
        if (depth > 0 && c == '\\' && pos + 1 < value.size()) {
            pos += 2;
            continue;
        }
        if (c == '(')
            ++depth;
        else if (c == ')' && depth > 0)
            --depth;
        else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n')
            break;
        ++pos;
    }
    return pos;
}

} // namespace

ClaimedVerdictFields::ClaimedVerdictFields(std::string authserv_id, std::string verdict_header)
    : m_authserv_id(std::move(authserv_id)), m_verdict_header(std::move(verdict_header)) {
    std::transform(m_authserv_id.begin(), m_authserv_id.end(), m_authserv_id.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
}

bool ClaimedVerdictFields::names_our_authserv_id(std::string_view value) const {
    const std::size_t start = skip_cfws(value, 0);
    if (value.size() - start < m_authserv_id.size() ||
        !same_name(value.substr(start, m_authserv_id.size()), m_authserv_id))
        return false;
    const std::size_t end = start + m_authserv_id.size();
    if (end == value.size())
        return true;
    const char next = value[end];
    return next == ';' || next == ' ' || next == '\t' || next == '\r' || next == '\n' || next == '(';
}

void ClaimedVerdictFields::note(std::string_view name, std::string_view value) {
    if (same_name(name, "Authentication-Results")) {
        ++m_results_seen;
        if (names_our_authserv_id(value))
            m_our_results.push_back(m_results_seen);
    } else if (same_name(name, m_verdict_header)) {
        ++m_verdict_fields;
    }
}

void ClaimedVerdictFields::note_all(const std::vector<smime::HeaderField>& fields) {
    for (const auto& field : fields) {
        const std::string_view raw = field.raw;
        const std::size_t colon = raw.find(':');
        note(field.name, colon == std::string_view::npos ? std::string_view() : raw.substr(colon + 1));
    }
}

bool ClaimedVerdictFields::remove(MtaActions& mta) const {
    for (auto index = m_our_results.rbegin(); index != m_our_results.rend(); ++index)
        if (!mta.change_header("Authentication-Results", *index, std::nullopt))
            return false;
    for (int index = m_verdict_fields; index >= 1; --index)
        if (!mta.change_header(m_verdict_header, index, std::nullopt))
            return false;
    return true;
}

} // namespace segel::milter
