// OCSP (RFC 6960, REV-02) for signer certificates, asked of the responder
// URL the operator configured (never one read from a certificate, CH-11).
// A response counts only if it is successful, signed by the signer's issuer
// or by a delegate with id-kp-OCSPSigning issued directly by it (or, when
// pinned, by exactly the configured responder certificate), names the
// signer's certID, is current (thisUpdate not ahead of the clock beyond the
// skew, nextUpdate in the future, or thisUpdate within max_age without one)
// and, when we sent a nonce and the responder echoes one, echoes ours
// (RFC 6960 §4.4.1). "good" and "revoked" answers are cached until
// nextUpdate; "unknown", errors and unreachable responders give unknown
// (temperror), never good, and are remembered for failure_backoff: an
// unknown answer for that certificate, a responder that cannot be reached
// (timeout, refused, HTTP error) for every certificate, so the caller falls
// through to the CRLs at once instead of waiting again (a circuit breaker:
// a burst of messages costs at most one timeout). At most max_in_flight
// requests run at once. Thread-safe.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "smime/certificate.hpp"
#include "smime/http_fetch.hpp"
#include "smime/trust_store.hpp"
#include "smime/verifier.hpp"

namespace segel::smime {

struct OcspOptions {
    std::string url;                             // the responder
    bool nonce = true;                           // send one (RFC 6960 §4.4.1)
    std::optional<Certificate> pinned_responder; // only this certificate may sign responses
    std::chrono::seconds max_age{24 * 3600};     // for a response without nextUpdate
    std::chrono::seconds clock_skew{300};
    FetchLimits limits{std::chrono::seconds(10), 256 * 1024};
    std::size_t max_in_flight = 4;               // requests at once; more wait up to the timeout (SEC-07)
    std::chrono::seconds failure_backoff{60};    // how long a failed or unknown answer stands
};

class ConcurrencyLimit;

class OcspChecker {
public:
    // `anchors` validate a delegated responder's certificate.
    OcspChecker(OcspOptions options, TrustStore anchors);
    ~OcspChecker();

    RevocationAnswer check(const Certificate& signer, const Certificate& issuer, Certificate::TimePoint now) const;

private:
    struct Asked {
        RevocationAnswer answer;
        std::optional<Certificate::TimePoint> valid_until; // a counting answer: until when
        bool unreachable = false;                           // no response at all
    };
    Asked ask(const Certificate& signer, const Certificate& issuer, Certificate::TimePoint now) const;
    std::optional<RevocationAnswer> remembered(const std::string& key, Certificate::TimePoint now) const;
    void remember(const std::string& key, const Asked& asked, Certificate::TimePoint now) const;

    struct Cached {
        RevocationAnswer answer;
        Certificate::TimePoint until;
    };
    OcspOptions m_options;
    TrustStore m_anchors;
    std::unique_ptr<ConcurrencyLimit> m_in_flight;
    mutable std::mutex m_mutex;
    mutable std::map<std::string, Cached> m_cache; // issuer DN + serial -> answer
    mutable std::chrono::steady_clock::time_point m_unreachable_until{}; // the circuit is open until then
    mutable std::string m_unreachable_reason;
};

} // namespace segel::smime
