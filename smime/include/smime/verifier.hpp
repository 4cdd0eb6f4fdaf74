// The S/MIME verifier: what a signed message proves, as an RFC 7281 result.
//
// It verifies a top-level multipart/signed over the exact received bytes of
// its first part (GM-03, OSSL-10; bare LF made CRLF as in transmission) or
// an opaque application/pkcs7-mime signed-data (SM-06, SM-08), each
// SignerInfo on its own (OSSL-02): digest, signature over the signed
// attributes, contentType = id-data (CMS-02), one SMIMECapabilities (SM-10),
// the signer chained to the TrustStore's anchors only with the smimesign
// purpose (KU, CH-06) and the configured EKU policy (CH-07), SHA-1/MD5 and RSA under 2048 bits as
// policy (SM-11, SEC-08). "pass" needs every signer to be one whose email is the
// single From mailbox (CH-04, SEC-04; CMS-04: a broken, untrusted or unbound
// signer beside a valid one decides the verdict), not revoked by the configured
// revocation check (revoked: fail; cannot tell: temperror, REV-01), and
// whose signingTime, if present, is neither ahead of the verification time by
// more than the clock skew nor outside the certificate's validity (CH-10:
// validation itself uses the verification time, never signingTime).
// Nested layers (a signed entity as the signed content) are verified each in
// turn, below any layer whose signature held, and all must pass (the worse
// verdict stands); a signed part inside an unsigned multipart or a
// forwarded message, or a signature around an encrypted layer, is "policy"
// (SEC-02); signed content carrying protected header fields (RFC 9788
// hp=, or the draft's protected-headers=) must name the same single From as
// the message, else "policy"; the caps below give "permerror" (SM-16).
// Reentrant.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "smime/capabilities.hpp"
#include "smime/certificate.hpp"
#include "smime/error.hpp"
#include "smime/message_spool.hpp"
#include "smime/mime_entity.hpp"
#include "smime/trust_store.hpp"

namespace segel::smime {

// What a revocation source says of a signer certificate (REV-01..REV-03).
struct RevocationAnswer {
    enum class Status { good, revoked, unknown } status = Status::unknown;
    std::string detail; // "revoked: key_compromise", "no fresh CRL for ...", ...
};
// Asked with the signer and the certificate that issued it (from the
// validated chain). Must be thread-safe.
using RevocationCheck = std::function<RevocationAnswer(const Certificate& signer, const Certificate& issuer)>;

// Which extended key usage a signer certificate may carry (CH-07, ID-07:
// BSrE's profile is not public). Key usage is checked in every case (CH-06).
enum class EkuPolicy {
    any_eku,          // "any-eku": absent, or listing emailProtection or anyExtendedKeyUsage (RFC 8550 §4.4.4)
    absent_ok,        // "absent-ok": absent, or listing emailProtection (OpenSSL's smimesign rule, OSSL-03)
    email_protection, // "email-protection": must list emailProtection
};
std::optional<EkuPolicy> parse_eku_policy(std::string_view name);
std::string_view to_string(EkuPolicy policy) noexcept;

// RFC 7281 §3.1 results.
enum class Verdict { none, pass, fail, policy, neutral, temperror, permerror };
std::string_view to_string(Verdict verdict) noexcept;

// Why the verdict is what it is: a closed set, so that each reader words it
// in its own language (verdict_headers.hpp); `reason` is the English words.
enum class Finding {
    not_signed,
    partly_signed,             // SEC-02
    encrypted,
    unreadable_message,
    unreadable_signature,
    over_limit,                // SM-16, SEC-07: a cap on layers, parts, bytes, certificates or key size
    signed_ciphertext,         // a signature around an encryption layer: the signer may not have seen the text
    econtent_confusion,        // SEC-03 c1
    no_signer,                 // SEC-03 c3
    certificate_missing,
    content_changed,
    signature_invalid,
    untrusted,                 // SignerReport::chain_error says why
    revoked,                   // SignerReport::revocation says by whom and why
    revocation_unknown,
    weak_algorithm,
    implausible_signing_time,  // CH-10
    no_single_from,
    unprotected_from,          // RFC 9788: the From outside the signature is not the signed one
    duplicate_fields,          // SEC-04: two MIME-Version (or Content-Type) fields: readers may differ
    not_the_sender,            // CH-04, SEC-04
    display_name_address,      // CH-04 (decided): the From display name shows another address
    signed_by_sender,          // pass
};

struct SignerReport {
    std::optional<Certificate> certificate;
    std::string digest;             // "sha256", ...
    bool digest_matches = false;    // messageDigest equals the content's digest
    bool signature_valid = false;   // over the signed attributes
    bool attributes_valid = false;  // contentType = id-data, one SMIMECapabilities
    bool chain_valid = false;       // to an anchor, purpose smimesign, at the verification time
    std::string chain_error;
    std::optional<Certificate> anchor; // chain_valid: the trust anchor the chain ends at
    bool weak = false;              // SHA-1/MD5 digest or RSA key under 2048 bits
    bool key_too_large = false;     // RSA key over VerifyOptions::max_rsa_bits: not worked on (SEC-07)
    bool bound_to_from = false;     // the certificate names the single From mailbox
    std::string signing_time_problem; // empty: no signingTime, or a plausible one (CH-10)
    RevocationAnswer revocation;    // good when no check is configured
    AdvertisedAlgorithms capabilities; // its SMIMECapabilities attribute (what the sender can decrypt)
    std::optional<Certificate> encryption_certificate; // named by SMIMEEncryptionKeyPreference and carried (RFC 8551 §2.5.3)
    std::optional<Certificate::TimePoint> signing_time; // its signingTime attribute, when one readable one
};

struct VerificationReport {
    Verdict verdict = Verdict::none;
    Finding finding = Finding::not_signed;
    std::string reason;               // plain English words, for logs and Authentication-Results
    std::string form;                 // outermost layer: "multipart/signed", "application/pkcs7-mime" (SEC-05)
    int layers = 0;                   // signed layers verified, outermost first (SM-16 caps them)
    std::string from;                 // the single From addr-spec, if there is one
    std::string shown_address;        // Finding::display_name_address: the other address the display name shows
    std::vector<SignerReport> signers; // of every verified layer, outermost first
    // Certificates of certs-only parts (RFC 8551 §3.6) inside content a
    // passing signature covers: what the signer hands over, for harvesting.
    std::vector<Certificate> carried_certificates;
    std::size_t deciding_signer = 0;   // index in `signers` of the one whose verdict stands
    const SignerReport* passing_signer() const;
    const SignerReport* deciding() const; // nullptr when there is no signer
};

// A signer as a reader knows it: the certificate's first email, else its subject.
std::string signer_name(const SignerReport& signer);

struct VerifyOptions {
    std::optional<Certificate::TimePoint> at; // validation time; empty: now (CH-10, OSSL-07)
    bool allow_sha1 = false;
    EkuPolicy eku_policy = EkuPolicy::any_eku;
    std::chrono::seconds clock_skew{300};     // signingTime tolerance (CH-10, ID-07)
    // SM-16, CH-11, SEC-07: exceeding any cap is permerror.
    std::size_t max_certificates = 50;        // in all signatures of the message
    int max_layers = 4;                       // signed layers inside one another
    int max_mime_depth = 32;                  // multiparts and forwarded messages inside one another
    std::size_t max_parts = 1000;             // MIME entities, all layers together
    std::size_t max_decoded_bytes = 64u << 20; // opaque content and signatures, decoded
    int max_rsa_bits = 4096;                  // a larger signer key is not worked on (SEC-07)
    RevocationCheck revocation;               // empty: revocation not checked
    std::filesystem::path temp_dir = std::filesystem::temp_directory_path(); // for a changed entity
};

Result<VerificationReport> verify_message(const SpooledMessage& message, const TrustStore& anchors,
                                          const VerifyOptions& options = {});

// The verify step on an entity: its spool when unchanged, else the entity
// spooled again (what a decryption produced), so verification follows any
// step that rewrites the message.
Result<VerificationReport> verify(const MimeEntity& entity, const TrustStore& anchors,
                                  const VerifyOptions& options = {});

} // namespace segel::smime
