// Settings of the segel-milter daemon: read from an INI-style file (default
// /etc/segel/segel-milter.conf) with command-line overrides, all validated
// in one pass at start and again on reload; every problem names the file,
// the option and what is wrong. The result is an immutable snapshot that
// connections share (std::shared_ptr<const MilterSettings>).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/directory_location.hpp"

namespace segel::config {

// What to do with a message that cannot be signed, per outcome (like
// OpenDKIM's On-* settings).
// pass: deliver (outbound: unsigned, with the explaining field; inbound:
// stamped); quarantine: deliver into Postfix's hold queue for the postmaster
// (smfi_quarantine, released with postsuper -H); reject: 5xx; tempfail: 4xx.
enum class FailureAction { tempfail, reject, pass, quarantine };

struct FailurePolicy {
    FailureAction no_certificate = FailureAction::reject;
    FailureAction not_authorised = FailureAction::reject;
    FailureAction certificate_unusable = FailureAction::reject; // revoked, expired, superseded, not yet valid, KU/EKU, no key
    FailureAction unsignable_message = FailureAction::reject;   // malformed, ambiguous From, unsupported, too large
    FailureAction directory_unavailable = FailureAction::tempfail;
    FailureAction internal_error = FailureAction::tempfail;
    // An unauthenticated session whose From is in a signing domain: never
    // signed; pass leaves it alone (it may be inbound mail).
    FailureAction unauthenticated_internal_from = FailureAction::pass;
};

// [routing]: which Postfix services ({daemon_name}, set per service in
// master.cf with -o milter_macro_daemon_name=NAME) carry which direction.
// A service in no list: SMTP AUTH means outbound, none means inbound.
struct RoutingSettings {
    std::vector<std::string> outbound_services;  // signed (PF-03 still needs AUTH)
    std::vector<std::string> inbound_services;   // verified and stamped, even with AUTH
    std::vector<std::string> untouched_services; // passed on without reading the message
    std::vector<std::string> encrypt_services;   // the encryption hop: signed mail encrypted per recipient
    std::vector<std::string> decrypt_services;   // the decryption hop: encrypted inbound mail opened per recipient
};

// [encryption]: outbound encryption (issue 12). Who is encrypted to is the
// directory's policy (`segel policy`); these say whether the submission
// service marks mail for the encryption hop, the subject tags that raise a
// message to required, and the CAs recipients' certificates must chain to.
struct EncryptionSettings {
    bool enabled = false;
    std::vector<std::string> subject_tags = {"[rahasia]", "[encrypt]"}; // case-insensitive; removed before sending
    std::string anchors; // PEM trust anchors (and intermediates) for recipients' certificates; empty: verify.anchors
    // One external recipient: encrypted (or refused) at the submission
    // itself, without the hop. Off when Postfix rewrites external addresses
    // (virtual_alias_maps, recipient_canonical_maps for other domains).
    bool single_recipient_direct = true;
    // DEC-09: the least mode of a reply to a message the gateway decrypted
    // (In-Reply-To or References names it): never, opportunistic, required.
    std::string replies_to_decrypted = "opportunistic";
    // The anchors in force: `anchors`, else the verification anchors.
    const std::string& anchors_or(const std::string& verify_anchors) const {
        return anchors.empty() ? verify_anchors : anchors;
    }
};

// [decryption]: inbound mail encrypted to local users whose keys the
// directory holds is decrypted, its inner signature verified and stamped
// (issue 13). Needs [verify] enabled: its anchors judge the inner signature.
struct DecryptionSettings {
    bool enabled = false;
    // EnvelopedData (CBC) is malleable (EFAIL): its plaintext is released
    // only when it is a signed entity whose signature passes. Otherwise
    // "keep_encrypted" delivers the message as it came; "mark" releases it
    // stamped "integrity not protected".
    std::string unprotected = "keep_encrypted";
    // What cannot be decrypted (every cause alike): pass (delivered as it
    // came, stamped), quarantine or reject. Never a bounce with plaintext.
    FailureAction on_failure = FailureAction::pass;
    // Failed decryptions per sending address, and per key, in an hour; past
    // it, that sender's or key's messages are delivered as they came
    // without trying (no decryption oracle, DEC-03). 0: no limit.
    long max_failures_per_hour = 20;
    long max_recipient_infos = 64; // more is permerror (SM-16)
    // A message with one envelope recipient is decrypted where it arrives.
    // Otherwise (several recipients, or this off) it is marked
    // (X-Segel-Decrypt) for the decryption hop ([routing] decrypt_service),
    // which Postfix reaches after alias expansion, one recipient per
    // delivery; without a hop it stays encrypted. Turn off when
    // virtual_alias_maps forward local addresses elsewhere: the hop sees
    // where mail really goes, so plaintext never leaves.
    bool single_recipient_direct = true;
};

// [harvest]: what an external sender's passing signature teaches (issue 13
// item 8): their certificate (and the one their SMIMEEncryptionKeyPreference
// names), kept as a correspondent's for encrypted replies.
struct HarvestSettings {
    bool enabled = true;
    // PEM of trust anchors (among [verify] anchors) whose certificates an
    // operator must approve before they are used (`segel correspondent
    // approve`); empty: none.
    std::string review_anchors;
    bool review = true; // off: certificates of review anchors are used at once too
};

// [trace]: what the daemon decided for each message, kept in the directory
// for the admin page's message trace (issue 15), written in batches off the
// reply path and pruned after the retention.
struct TraceSettings {
    bool enabled = true;
    long retention_days = 90; // 1-3650
};

// [milter]: the daemon's process, socket and message limits.
struct ProcessSettings {
    std::string socket = "unix:/run/segel/milter.sock"; // or inet:PORT@HOST
    std::string user = "segel";                          // run as; empty: stay as started (tests)
    std::string group;                                   // empty: the user's primary group
    std::string temp_dir = "/var/lib/segel/tmp";
    long long max_message_bytes = 10240000;              // Postfix message_size_limit (PF-09)
    int body_chunk_bytes = 65535;                        // body replacement packets (libmilter's maximum)
    std::string syslog_ident = "segel-milter";
    bool log_to_stderr = false;
};

// [signing]: what outbound signing adds.
struct SigningSettings {
    bool footer = false;
    std::string footer_text =
        "Sesuai dengan ketentuan perundang-undangan yang berlaku, surat ini telah ditandatangani secara "
        "elektronik yang tersertifikasi oleh BSrE sehingga tidak diperlukan tanda tangan dan stempel basah";
    std::string unsigned_header = "X-Segel-Unsigned"; // added when a policy says pass
};

// [verify]: inbound verification of unauthenticated mail.
struct VerifySettings {
    bool enabled = false;
    std::string anchors;                            // PEM trust anchors (roots)
    std::string authserv_id = "tangerangkota.go.id"; // AR-05
    std::string verdict_header = "X-Segel-Verifikasi";
    std::string verdict_language = "id";
    FailureAction on_fail = FailureAction::pass;      // fail and permerror: pass = accept and stamp
    FailureAction on_temperror = FailureAction::pass; // temperror
    std::vector<std::string> crls;          // CRL files (PEM or DER); reloaded with SIGHUP
    std::vector<std::string> crl_urls;      // CRLs downloaded in the background (REV-05)
    std::string crl_issuers;                // PEM: CA certificates (beside the anchors) whose downloaded CRLs are accepted
    std::string crl_cache_dir = "/var/lib/segel/crl"; // where downloads are kept
    long crl_refresh_minutes = 60;
    long crl_fetch_timeout_seconds = 15;
    long crl_max_kilobytes = 10240;         // a larger download is refused (SEC-07)
    std::string ocsp_url;                   // OCSP responder (REV-02); empty: OCSP off
    bool ocsp_nonce = true;
    std::string ocsp_responder_cert;        // PEM; when set, the only certificate that may sign responses
    long ocsp_timeout_seconds = 10;
    long ocsp_failure_backoff_seconds = 60; // a failed/unknown answer, an unreachable responder: not asked again for this long
    long crl_max_age_hours = 24 * 7;        // for a CRL without nextUpdate
    bool require_crl = false;               // every issuer needs a CRL (else temperror); unset: on when crl or crl_url is
    long clock_skew_minutes = 5;            // signingTime tolerance (CH-10)
    std::string eku_policy = "any-eku";     // any-eku | absent-ok | email-protection (CH-07, ID-07)
};

// One member per section of the file.
struct MilterSettings {
    ProcessSettings milter;
    DirectorySettings directory; // signing domains; see directory_location.hpp
    SigningSettings signing;
    FailurePolicy policy;        // [policy]
    RoutingSettings routing;
    VerifySettings verify;
    EncryptionSettings encryption;
    DecryptionSettings decryption;
    HarvestSettings harvest;
    TraceSettings trace;

    // Whether certificates are checked for encryption (the submission
    // marking or the encryption hop).
    bool encrypts() const noexcept { return encryption.enabled || !routing.encrypt_services.empty(); }
    // Whether revocation sources ([verify] crl, crl_url, ocsp_url) are used.
    bool checks_revocation() const noexcept { return verify.enabled || encrypts(); }

    std::string source = "built-in defaults";
    std::vector<std::string> command_line; // as given, to re-apply on reload
};

std::string to_string(FailureAction action);

struct MilterSettingsOutcome {
    std::optional<MilterSettings> settings;
    std::vector<std::string> problems; // "file: option: problem"
    bool help = false;
    bool check_config = false;         // --check-config: print and exit
    std::string usage;
};

MilterSettingsOutcome parse_milter_command_line(int argc, const char* const argv[]);
// Re-reads the file named by an earlier snapshot (for reload), keeping its
// command-line overrides.
MilterSettingsOutcome reload_milter_settings(const MilterSettings& current);

// The effective settings in the file format (for --check-config).
std::string format_milter_settings(const MilterSettings& settings);
std::string example_milter_settings();

} // namespace segel::config
