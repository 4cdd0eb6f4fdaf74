#include "smime/address.hpp"

#include <algorithm>

#include "ascii.hpp"

namespace segel::smime {

namespace {

bool is_ldh(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

// RFC 5322 §3.2.3 atext, plus UTF-8 octets (RFC 6532 §3.2).
bool is_atext(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x80)
        return true;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool is_dot_atom(std::string_view text) noexcept {
    if (text.empty() || text.front() == '.' || text.back() == '.' || text.find("..") != std::string_view::npos)
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) { return c == '.' || is_atext(c); });
}

Error bad(std::string_view text, const std::string& why) {
    return make_error(ErrorKind::invalid_address, "\"" + ascii::printable(text) + "\" " + why);
}

Result<std::string> check_label(std::string_view whole, std::string_view label) {
    if (label.empty())
        return bad(whole, "has an empty label");
    if (label.size() > 63)
        return bad(whole, "has a label over 63 octets");
    if (!std::all_of(label.begin(), label.end(), is_ldh))
        return bad(whole, "has a character outside letters, digits and hyphens");
    if (label.front() == '-' || label.back() == '-')
        return bad(whole, "has a label that begins or ends with a hyphen");
    return std::string(label);
}

// The content of a quoted local part, its quoted pairs undone.
Result<std::string> unquote(std::string_view whole, std::string_view quoted) {
    std::string out;
    for (std::size_t i = 1; i + 1 < quoted.size(); ++i) {
        char c = quoted[i];
        if (c == '\\') {
            if (i + 2 >= quoted.size())
                return bad(whole, "ends its quoted local part with a backslash");
            c = quoted[++i];
        } else if (c == '"') {
            return bad(whole, "has a quote inside its quoted local part");
        }
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            return bad(whole, "has a control character in its local part");
        out += c;
    }
    return out;
}

} // namespace

Result<Domain> Domain::parse(std::string_view text) {
    std::string name = ascii::to_lower(text);
    if (!name.empty() && name.back() == '.')
        name.pop_back(); // the root's dot: example.go.id. is example.go.id
    if (name.empty())
        return bad(text, "is not a domain: it is empty");
    if (name.front() == '[')
        return bad(text, "is an address literal; a domain name is needed");
    if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
        return bad(text, "is not ASCII; write an internationalised domain in its A-label (xn--) form");
    if (name.size() > 253)
        return bad(text, "is longer than 253 octets");
    for (std::size_t start = 0; start <= name.size();) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        if (auto label = check_label(text, std::string_view(name).substr(start, dot - start)); !label)
            return label.error();
        start = dot + 1;
    }
    return Domain(std::move(name));
}

bool Domain::matches(std::string_view pattern) const {
    if (pattern.size() > 2 && pattern.substr(0, 2) == "*.") {
        auto parent = Domain::parse(pattern.substr(2));
        return parent && m_name.size() > parent->str().size() + 1 &&
               ascii::iends_with(m_name, "." + parent->str());
    }
    auto other = Domain::parse(pattern);
    return other && *other == *this;
}

bool Domain::is_one_of(const std::vector<std::string>& domains) const {
    return std::any_of(domains.begin(), domains.end(), [this](const std::string& d) {
        auto other = Domain::parse(d);
        return other && *other == *this;
    });
}

Result<Address> Address::parse(std::string_view addr_spec) {
    const auto at = addr_spec.rfind('@');
    if (at == std::string_view::npos)
        return bad(addr_spec, "is not an address: it has no @");
    const std::string_view local = addr_spec.substr(0, at);
    auto domain = Domain::parse(addr_spec.substr(at + 1));
    if (!domain)
        return domain.error();
    if (local.empty())
        return bad(addr_spec, "has an empty local part");
    if (local.size() > 64)
        return bad(addr_spec, "has a local part over 64 octets");
    if (local.size() >= 2 && local.front() == '"' && local.back() == '"') {
        auto content = unquote(addr_spec, local);
        if (!content)
            return content.error();
        return Address(std::move(content).value(), std::move(domain).value());
    }
    if (!is_dot_atom(local))
        return bad(addr_spec, "has a local part that is neither a dot-atom nor a quoted string");
    return Address(std::string(local), std::move(domain).value());
}

std::string Address::str() const {
    if (is_dot_atom(m_local))
        return m_local + "@" + m_domain.str();
    std::string quoted = "\"";
    for (char c : m_local) {
        if (c == '"' || c == '\\')
            quoted += '\\';
        quoted += c;
    }
    return quoted + "\"@" + m_domain.str();
}

std::string Address::key() const { return ascii::to_lower(str()); }

std::string address_key(std::string_view text) {
    auto address = Address::parse(text);
    return address ? address->key() : ascii::to_lower(text);
}

} // namespace segel::smime
