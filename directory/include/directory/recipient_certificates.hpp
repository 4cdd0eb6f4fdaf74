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

#include "directory/certificate_directory.hpp"
#include "directory/correspondents.hpp"
#include "directory/model.hpp"
#include "smime/address.hpp"
#include "smime/capabilities.hpp"
#include "smime/certificate.hpp"

namespace segel::directory {

// Why a certificate may not be encrypted to (none: it may), the closed set
// the sender's notice words in Indonesian and English.
enum class Unfit { none, expired, not_yet_valid, revoked, superseded, key_usage, untrusted, revocation_unknown };
const char* to_string(Unfit unfit) noexcept;

struct EncryptionCandidate {
    smime::Certificate certificate;
    CertificateSource source = CertificateSource::ra_directory;
    TimePoint learned_at;                   // when a correspondent's was learned (not set for the RA's)
    std::optional<CertificateRecord> record; // the RA's record, for source ra_directory
    bool usable = false;
    std::string why_not; // plain words when not usable
    Unfit unfit = Unfit::none;
};

// One message encrypted for one recipient (issue 12 item 9): the audit
// log names each certificate, its source, the cipher and key transport.
struct EncryptionEvent {
    std::string sender;    // the From address
    std::string recipient; // the address key
    std::string message_id;
    std::string cipher;        // "aes256-cbc", "aes256-gcm"
    std::string key_transport; // "rsa-pkcs1", "rsa-oaep", with "ecdh" for EC keys
    std::vector<EncryptionCandidate> certificates;
};

class RecipientCertificates {
public:
    virtual ~RecipientCertificates() = default;
    // Newest issuance first.
    virtual Result<std::vector<EncryptionCandidate>> encryption_certificates(const smime::Address& recipient,
                                                                             TimePoint now) = 0;
    virtual Result<void> record_encryption(const EncryptionEvent& event, const Actor& actor) = 0;
    // What the address's verified signature advertised (RFC 8551 §2.5.2),
    // as of `at` (its signingTime, else when it arrived); remembered by the
    // inbound pipeline. A newer one replaces what is kept, an older never.
    virtual Result<void> remember_capabilities(const smime::Address& sender, const smime::AdvertisedAlgorithms& advertised,
                                               TimePoint at) = 0;
    virtual Result<std::optional<smime::AdvertisedAlgorithms>> remembered_capabilities(const smime::Address& address) = 0;
};

} // namespace segel::directory
