// The certificate directory's vocabulary: people, certificates with their RA
// status, revocation reasons (RA words and RFC 5280 codes), why a signing
// certificate could not be chosen, and the directory's own closed error set.
// Plain values; thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smime/error.hpp"

namespace segel::directory {

using TimePoint = std::chrono::system_clock::time_point;

enum class ErrorKind {
    invalid_input,  // bad argument or file content; the detail names it
    not_found,      // no such person or certificate
    conflict,       // the change contradicts what is stored
    unavailable,    // the database cannot be opened, is locked too long, or I/O failed
    key_unavailable,// the master key is missing, unreadable or not the one keys were sealed with
    internal,
};
std::string_view to_string(ErrorKind kind) noexcept;

struct Error {
    ErrorKind kind = ErrorKind::internal;
    std::string detail;
};
inline Error make_error(ErrorKind kind, std::string detail) { return Error{kind, std::move(detail)}; }

template <class T>
using Result = smime::Result<T, Error>;

// Cianjur art. 7: the three kinds of certificate.
enum class CertificateKind { individual, position, system };
std::string_view to_string(CertificateKind kind) noexcept;
std::optional<CertificateKind> parse_certificate_kind(std::string_view text);

// RA status (Tangerang art. 8-9). Expiry by date is derived, not stored;
// `expired` here is the RA saying so.
enum class CertificateStatus { active, superseded, revoked, expired };
std::string_view to_string(CertificateStatus status) noexcept;
std::optional<CertificateStatus> parse_certificate_status(std::string_view text);

// Why the RA revoked (art. 16-17, 23), and the RFC 5280 §5.3.1 code each
// maps to (STANDARDS REV-03).
enum class RevocationReason {
    unspecified,          // 0
    key_compromise,       // 1: key lost or leaked (art. 16 (3))
    affiliation_changed,  // 3: transfer or rotation (mutasi, rotasi)
    superseded,           // 4: change of name, NIP, NIK, rank, email or phone
    cessation,            // 5: retirement (pensiun), leaving office
    certificate_hold,     // 6: temporary
    privilege_withdrawn,  // 9: sanction (art. 23)
};
std::string_view to_string(RevocationReason reason) noexcept;
int rfc5280_code(RevocationReason reason) noexcept;
std::optional<RevocationReason> reason_from_rfc5280(int code) noexcept;
// RA words, English or Indonesian: transfer/mutasi, rotation/rotasi,
// retirement/pensiun, data_change/perubahan_data, key_compromise/kunci_hilang,
// sanction/sanksi, hold, unspecified; and the names to_string() gives.
std::optional<RevocationReason> parse_revocation_reason(std::string_view text);

struct Person {
    std::string email; // the mailbox, lower-case
    std::string name;
    std::string nip;   // Nomor Induk Pegawai
    std::string unit;  // government unit (OPD)
    std::string login; // SMTP login; empty means the email
    std::string effective_login() const { return login.empty() ? email : login; }
};

struct CertificateRecord {
    std::string fingerprint; // SHA-256 of the DER, lower-case hex
    std::string serial;      // upper-case hex
    std::string issuer;
    std::string subject;
    std::vector<std::string> emails;
    TimePoint not_before;
    TimePoint not_after;
    CertificateKind kind = CertificateKind::individual;
    std::string owner_email; // the person it belongs to
    CertificateStatus status = CertificateStatus::active;
    std::optional<RevocationReason> reason;
    std::optional<TimePoint> status_effective;
    std::vector<std::string> authorised_logins;
    bool has_private_key = false;
    std::string der;
    TimePoint imported_at{}; // when the directory stored it

    // The status in force at `now`: a recorded status applies from its
    // effective time; an active certificate past notAfter is expired.
    CertificateStatus status_at(TimePoint now) const;
};

// Why no certificate may sign for (login, From) now.
enum class Refusal {
    no_certificate,   // none carries that address
    not_authorised,   // the login may not use any of them
    revoked,
    superseded,       // renewed: a newer certificate replaces it, but it is not usable
    expired,
    not_yet_valid,
    unusable,         // key usage / EKU unfit (CH-06, CH-07)
    no_private_key,   // the directory holds only the certificate
};
std::string_view to_string(Refusal refusal) noexcept;

} // namespace segel::directory
