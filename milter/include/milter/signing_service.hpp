// SigningService: what segel-milter does at end of message, without
// libmilter. Given the session facts (SASL login, envelope sender) and the
// spooled message, it decides who gets signed (PF-01..PF-04, SEC-04), asks
// the directory for the certificate the login may use for the single From
// address, signs, checks the size limit (PF-09), applies the edits (header
// fields first, then the body in one contiguous run, PF-08), records the
// signing in the audit log, and turns every other outcome into the
// configured SMTP answer (policy.hpp). One instance serves all connections
// of one settings snapshot; thread-safe. Never throws for message content.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "config/milter_settings.hpp"
#include "directory/certificate_directory.hpp"
#include "milter/claimed_verdict_fields.hpp"
#include "milter/mta_actions.hpp"
#include "milter/policy.hpp"
#include "smime/message_spool.hpp"
#include "smime/crl_store.hpp"
#include "smime/ocsp_checker.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"

namespace segel::milter {

struct SessionFacts {
    std::string queue_id;
    std::string auth_login;      // {auth_authen}; empty: not authenticated
    std::string envelope_sender; // MAIL FROM without brackets; empty: bounce
    int recipients = 0;
};

struct MessageResult {
    Outcome outcome = Outcome::internal_error;
    Verdict verdict = Verdict::tempfail;
    std::string from;      // the From addr-spec, when there was one
    std::string serial;    // certificate serial, when one was involved
    std::string reason;    // for the log: why, in words (may carry detail)
};

class SigningService {
public:
    SigningService(std::shared_ptr<const config::MilterSettings> settings,
                   std::shared_ptr<directory::CertificateDirectory> directory,
                   std::optional<smime::TrustStore> anchors = std::nullopt,
                   std::shared_ptr<const smime::CrlStore> crls = nullptr,
                   std::shared_ptr<const smime::OcspChecker> ocsp = nullptr);

    const config::MilterSettings& settings() const noexcept { return *m_settings; }
    smime::SpoolLimits spool_limits() const;

    MessageResult finish_message(const SessionFacts& facts, const smime::SpooledMessage& message, MtaActions& mta) const;

    // Inbound (unauthenticated) mail when [verify] is on. On every path
    // first removes the fields that claim to be our verdict (AR-06), then
    // verifies (revocation: the directory's RA status first, then OCSP when
    // configured (its "good" or "revoked" stands), then the CRLs; what none
    // of them can tell is temperror: REV-01, REV-02, REV-03), inserts
    // Authentication-Results as a trace field (AR-04) and adds the plain
    // field; then the inbound policy (accept by default; never loses mail).
    // A message that cannot be read is stamped permerror with the reason;
    // only a failure of ours (files, MTA, no anchors) is
    // verification_unavailable. Never judged by the signing checks.
    MessageResult finish_inbound(const SessionFacts& facts, const smime::SpooledMessage& message,
                                 const ClaimedVerdictFields& claimed, MtaActions& mta) const;
    // The same, noting the claimed fields from the spooled header.
    MessageResult finish_inbound(const SessionFacts& facts, const smime::SpooledMessage& message, MtaActions& mta) const;
    // An inbound message the spool refused (`problem`): claimed fields
    // removed, then stamped permerror, or verification_unavailable when the
    // problem is ours.
    MessageResult finish_unreadable_inbound(const SessionFacts& facts, const smime::Error& problem,
                                            const ClaimedVerdictFields& claimed, MtaActions& mta) const;

    // The CRLs in use; the background refresher swaps in a new store
    // (REV-05) while messages are verified with the one they started with.
    std::shared_ptr<const smime::CrlStore> crls() const;
    void replace_crls(std::shared_ptr<const smime::CrlStore> crls) const;

private:
    MessageResult decide_and_sign(const SessionFacts& facts, const smime::SpooledMessage& message,
                                  MtaActions& mta) const;
    smime::VerifyOptions verify_options() const;
    MessageResult stamp(const smime::VerificationReport& report, MessageResult result, MtaActions& mta) const;
    MessageResult unavailable(MessageResult result, std::string reason, MtaActions& mta) const;

    std::shared_ptr<const config::MilterSettings> m_settings;
    std::shared_ptr<directory::CertificateDirectory> m_directory;
    std::optional<smime::TrustStore> m_anchors;
    std::shared_ptr<const smime::OcspChecker> m_ocsp;
    mutable std::mutex m_crls_mutex;
    mutable std::shared_ptr<const smime::CrlStore> m_crls;
};

} // namespace segel::milter
