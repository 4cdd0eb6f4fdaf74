// Email addresses and domains as values, so that parsing, case rules and
// domain membership are written once.
//
// Domain: an ASCII host name in its canonical form: lower-case, A-labels
// (xn--) for internationalised names, no trailing dot (RFC 5321 §2.3.5,
// RFC 5890). A U-label (raw UTF-8) is refused with a hint to use the A-label
// form; address literals ([192.0.2.1]) are refused: no certificate names one.
//
// Address: an addr-spec local@domain (RFC 5321 §4.1.2). The local part is a
// dot-atom or a quoted string (RFC 6532 UTF-8 allowed), at most 64 octets; a
// quoted local part that needs no quotes is kept unquoted ("a.b"@x is
// a.b@x). Domains compare case-insensitively; local parts too (RFC 8550 §3
// SHOULD, our CH-04 choice), so `key()` is the lookup form.
// Plain values: thread-safe, no allocation beyond the strings.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "smime/error.hpp"

namespace segel::smime {

class Domain {
public:
    static Result<Domain> parse(std::string_view text);

    const std::string& str() const noexcept { return m_name; }
    // "*.example.go.id" matches every subdomain of example.go.id (not
    // example.go.id itself); anything else must be equal.
    bool matches(std::string_view pattern) const;
    // Whether this domain is one of `domains` (each compared as a Domain).
    bool is_one_of(const std::vector<std::string>& domains) const;

    friend bool operator==(const Domain& a, const Domain& b) noexcept { return a.m_name == b.m_name; }
    friend bool operator!=(const Domain& a, const Domain& b) noexcept { return !(a == b); }

private:
    explicit Domain(std::string name) : m_name(std::move(name)) {}
    std::string m_name;
};

class Address {
public:
    static Result<Address> parse(std::string_view addr_spec);

    const std::string& local_part() const noexcept { return m_local; }
    const Domain& domain() const noexcept { return m_domain; }
    // local@domain, the local part as written (quoted when it must be).
    std::string str() const;
    // The form for lookups and comparison: all lower-case.
    std::string key() const;

    friend bool operator==(const Address& a, const Address& b) { return a.key() == b.key(); }
    friend bool operator!=(const Address& a, const Address& b) { return !(a == b); }

private:
    Address(std::string local, Domain domain) : m_local(std::move(local)), m_domain(std::move(domain)) {}
    std::string m_local;  // unquoted content
    Domain m_domain;
};

// Lower-cases an address's text for a lookup when it parses, else the text
// lower-cased as it is (a key never matches an address it is not).
std::string address_key(std::string_view text);

} // namespace segel::smime
