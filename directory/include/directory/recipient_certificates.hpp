// RecipientCertificates: the certificates a message to one address may be
// encrypted to (RFC 8551 §2.4.3), a narrow lookup beside the signing choice.
// Every certificate that carries the address is returned with whether it
// may be used now and, if not, why: status in force (revoked, superseded,
// expired), validity dates, key usage fit for key transport or agreement
// (keyEncipherment for RSA, keyAgreement for EC, or no KeyUsage extension;
// dataEncipherment is never required). Where several are usable (renewal
// overlap) the content key goes to each. Path validation and revocation
// data are the caller's (the outbound pipeline checks them at every send).
#pragma once

#include <string>
#include <vector>

#include "directory/model.hpp"
#include "smime/address.hpp"
#include "smime/certificate.hpp"

namespace segel::directory {

struct EncryptionCandidate {
    CertificateRecord record;
    smime::Certificate certificate;
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
