// Whether a recipient's certificate may be encrypted to now (CH-01, issue
// 12 item 2), beyond what the directory judges (dates, key usage, address):
// a path from the certificate to a configured trust anchor (the anchors'
// store may hold intermediate CAs too; no partial chains), an extended key
// usage that allows email (absent, emailProtection or
// anyExtendedKeyUsage: RFC 8550 §4.4.4), and a revocation answer from the
// caller's sources for the certificate and its validated issuer. There is
// no switch to use an expired, revoked or untrusted certificate.
#pragma once

#include <string>

#include "smime/certificate.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"

namespace segel::smime {

struct RecipientPathCheck {
    bool usable = false;
    bool transient = false; // not usable for now only (revocation status cannot be told)
    bool revoked = false;   // a revocation source says so
    std::string why_not;    // plain words when not usable
};

RecipientPathCheck check_recipient_path(const Certificate& recipient, const TrustStore& anchors,
                                        Certificate::TimePoint at, const RevocationCheck& revocation);

} // namespace segel::smime
