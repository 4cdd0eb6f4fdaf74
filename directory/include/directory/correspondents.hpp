// Correspondents' certificates: the certificates of people outside the
// internal domains that outbound mail may be encrypted to (issue 12, ENC-01).
// Each is tagged with where it came from and when it was learned. A domain
// certificate stands for every address of one domain (gateway to gateway).
// Internal users' certificates are not kept here: they come from the RA
// directory (certificate_directory.hpp). Whether a certificate may be used
// is decided at every send (recipient_certificates.hpp), never at import.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/certificate_directory.hpp"
#include "smime/certificate.hpp"

namespace segel::directory {

// ENC-01: where a certificate to encrypt to came from.
enum class CertificateSource {
    ra_directory,    // an internal user's, from the RA
    operator_import, // imported by an operator with segel
    harvested,       // learned from a verified signature
    domain,          // a domain certificate, configured by an operator
};
std::string_view to_string(CertificateSource source) noexcept;
std::optional<CertificateSource> parse_certificate_source(std::string_view text);

struct CorrespondentRecord {
    std::string fingerprint; // SHA-256 of the DER, lower-case hex
    std::string serial, issuer, subject;
    std::vector<std::string> emails; // SAN rfc822Name and subject emailAddress, as in the certificate
    TimePoint not_before, not_after;
    CertificateSource source = CertificateSource::operator_import;
    std::string domain; // a domain certificate's domain (lower-case A-labels); else empty
    TimePoint learned_at;
    bool pending = false; // harvested from an anchor marked for review: not used until approved
    std::string der;
};

struct CorrespondentImport {
    std::string fingerprint;
    bool inserted = false; // false: it was known already (nothing changed)
};

class Correspondents {
public:
    virtual ~Correspondents() = default;
    // Stores a correspondent's certificate (audited). Refused: a source of
    // ra_directory (internal certificates are imported as such), a
    // certificate with an address in an internal domain, one with no
    // address (unless a domain certificate), a domain certificate for an
    // internal domain or without a valid domain.
    virtual Result<CorrespondentImport> import_correspondent(const smime::Certificate& certificate,
                                                             CertificateSource source, const std::string& domain,
                                                             const Actor& actor) = 0;
    // Substring of an address, subject, serial, fingerprint or domain; ""
    // lists all. Newest learned first.
    virtual Result<std::vector<CorrespondentRecord>> find_correspondents(const std::string& text) = 0;
    // By fingerprint (8+ hex digits, unique) or serial; audited.
    virtual Result<CorrespondentRecord> remove_correspondent(std::string_view reference, const Actor& actor) = 0;
    // A certificate learned from a verified signature of `address` (issue 13
    // item 8): stored with source harvested and the message's time, pending
    // when it must wait for an operator; a known one is left as it is.
    // Refused as for import (internal addresses, none of `address`).
    virtual Result<CorrespondentImport> harvest_correspondent(const smime::Certificate& certificate,
                                                              const std::string& address, TimePoint learned_at,
                                                              bool pending, const Actor& actor) = 0;
    // A pending harvested certificate may be used from now on; audited.
    virtual Result<CorrespondentRecord> approve_correspondent(std::string_view reference, const Actor& actor) = 0;
};

} // namespace segel::directory
