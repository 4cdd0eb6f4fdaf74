// RecipientCertificates: the certificates a message to one address may be
// encrypted to (RFC 8551 §2.4.3), a narrow lookup beside the signing choice.
// Every certificate that carries the address (SAN rfc822Name or subject
// emailAddress, the domain compared case-insensitively) is returned with
// its source and whether it may be used now and, if not, why: for the RA's
// certificates the status in force (revoked, superseded, expired); for all,
// validity dates and key usage fit for key transport or agreement
// (keyEncipherment for RSA, keyAgreement for EC, or no KeyUsage extension;
// dataEncipherment is never required). The RA directory's certificates
// come first, then correspondents' (correspondents.hpp); domain
// certificates of the address's domain only when no certificate of the
// address itself is usable. Where several are usable (renewal overlap) the
// content key goes to each. Path validation and revocation data are the
// caller's (the outbound pipeline checks them at every send, CH-01).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "directory/correspondents.hpp"
#include "directory/model.hpp"
#include "smime/address.hpp"
#include "smime/certificate.hpp"

namespace segel::directory {

struct EncryptionCandidate {
    smime::Certificate certificate;
    CertificateSource source = CertificateSource::ra_directory;
    TimePoint learned_at;                   // when a correspondent's was learned (not set for the RA's)
    std::optional<CertificateRecord> record; // the RA's record, for source ra_directory
    bool usable = false;
    std::string why_not; // plain words when not usable
};

class RecipientCertificates {
public:
    virtual ~RecipientCertificates() = default;
    // Newest issuance first.
    virtual Result<std::vector<EncryptionCandidate>> encryption_certificates(const smime::Address& recipient,
                                                                             TimePoint now) = 0;
};

} // namespace segel::directory
