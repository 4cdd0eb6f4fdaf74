// RA status export sync (`segel sync ra FILE`).
//
// The file is CSV (RFC 4180) with a header row naming these columns, in any
// order: nip, email, name, unit, kind, status, reason, effective_date,
// certificate. One row per person (certificate empty) or per certificate.
// - status: active|issued, renewed|superseded, revoked, expired (Indonesian
//   aktif, diperbarui, dicabut, kedaluwarsa also read).
// - reason (revoked only, required then): transfer|mutasi, rotation|rotasi,
//   retirement|pensiun, data_change|perubahan_data, key_compromise|kunci_hilang,
//   sanction|sanksi, hold, unspecified. Mapped to RFC 5280 codes (REV-03).
// - effective_date: YYYY-MM-DD (00:00 WIB, UTC+7) or YYYY-MM-DDTHH:MM[:SS]
//   with Z or ±HH:MM; empty means "now" for a change.
// - certificate: serial (hex, "serial:" optional) or SHA-256 fingerprint
//   ("sha256:" optional), of a certificate already in the directory whose
//   owner or addresses include the row's email.
// Parsing and planning read everything first: one bad row rejects the whole
// file, naming its line. Applying the plan is one transaction; a plan made
// from an already applied file is empty (idempotent).
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "directory/certificate_directory.hpp"

namespace segel::directory {

struct RaRow {
    int line = 0;
    std::string nip, email, name, unit;
    std::optional<CertificateKind> kind;
    std::optional<CertificateStatus> status;
    std::optional<RevocationReason> reason;
    std::optional<TimePoint> effective;
    std::string certificate;
};

Result<std::vector<RaRow>> parse_ra_export(std::istream& in, const std::string& name);

struct SyncPlan {
    ChangeSet changes;
    std::vector<std::string> descriptions; // one line per change, for the operator
    bool empty() const { return changes.people.empty() && changes.statuses.empty(); }
};

Result<SyncPlan> plan_ra_sync(CertificateDirectory& directory, const std::vector<RaRow>& rows,
                              const std::vector<std::string>& domains, TimePoint now, const std::string& source);

// Parses "YYYY-MM-DD" (00:00 WIB) or ISO 8601 date-time with a zone.
std::optional<TimePoint> parse_effective_date(std::string_view text);

} // namespace segel::directory
