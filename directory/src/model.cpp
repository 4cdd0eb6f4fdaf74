#include "directory/model.hpp"

#include "directory/correspondents.hpp"

#include <algorithm>
#include <string>

namespace segel::directory {

namespace {
std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return out;
}
} // namespace

std::string_view to_string(ErrorKind kind) noexcept {
    switch (kind) {
    case ErrorKind::invalid_input: return "invalid_input";
    case ErrorKind::not_found: return "not_found";
    case ErrorKind::conflict: return "conflict";
    case ErrorKind::unavailable: return "unavailable";
    case ErrorKind::key_unavailable: return "key_unavailable";
    case ErrorKind::internal: return "internal";
    }
    return "internal";
}

std::string_view to_string(CertificateKind kind) noexcept {
    switch (kind) {
    case CertificateKind::individual: return "individual";
    case CertificateKind::position: return "position";
    case CertificateKind::system: return "system";
    }
    return "individual";
}

std::string_view to_string(CertificateSource source) noexcept {
    switch (source) {
    case CertificateSource::ra_directory: return "ra_directory";
    case CertificateSource::operator_import: return "operator_import";
    case CertificateSource::harvested: return "harvested";
    case CertificateSource::domain: return "domain";
    }
    return "operator_import";
}

std::optional<CertificateSource> parse_certificate_source(std::string_view text) {
    for (auto source : {CertificateSource::ra_directory, CertificateSource::operator_import, CertificateSource::harvested,
                        CertificateSource::domain})
        if (to_string(source) == text)
            return source;
    return std::nullopt;
}

std::optional<CertificateKind> parse_certificate_kind(std::string_view text) {
    const std::string word = lower(text);
    if (word == "individual" || word == "individu" || word == "perorangan")
        return CertificateKind::individual;
    if (word == "position" || word == "organisation" || word == "organization" || word == "jabatan")
        return CertificateKind::position;
    if (word == "system" || word == "sistem" || word == "electronic_system" || word == "sistem_elektronik")
        return CertificateKind::system;
    return std::nullopt;
}

std::string_view to_string(CertificateStatus status) noexcept {
    switch (status) {
    case CertificateStatus::active: return "active";
    case CertificateStatus::superseded: return "superseded";
    case CertificateStatus::revoked: return "revoked";
    case CertificateStatus::expired: return "expired";
    }
    return "active";
}

std::optional<CertificateStatus> parse_certificate_status(std::string_view text) {
    const std::string word = lower(text);
    if (word == "active" || word == "issued" || word == "aktif" || word == "terbit")
        return CertificateStatus::active;
    if (word == "renewed" || word == "superseded" || word == "diperbarui")
        return CertificateStatus::superseded;
    if (word == "revoked" || word == "dicabut")
        return CertificateStatus::revoked;
    if (word == "expired" || word == "kedaluwarsa" || word == "kadaluarsa")
        return CertificateStatus::expired;
    return std::nullopt;
}

std::string_view to_string(RevocationReason reason) noexcept {
    switch (reason) {
    case RevocationReason::unspecified: return "unspecified";
    case RevocationReason::key_compromise: return "key_compromise";
    case RevocationReason::affiliation_changed: return "affiliation_changed";
    case RevocationReason::superseded: return "superseded";
    case RevocationReason::cessation: return "cessation_of_operation";
    case RevocationReason::certificate_hold: return "certificate_hold";
    case RevocationReason::privilege_withdrawn: return "privilege_withdrawn";
    }
    return "unspecified";
}

int rfc5280_code(RevocationReason reason) noexcept {
    switch (reason) {
    case RevocationReason::unspecified: return 0;
    case RevocationReason::key_compromise: return 1;
    case RevocationReason::affiliation_changed: return 3;
    case RevocationReason::superseded: return 4;
    case RevocationReason::cessation: return 5;
    case RevocationReason::certificate_hold: return 6;
    case RevocationReason::privilege_withdrawn: return 9;
    }
    return 0;
}

std::optional<RevocationReason> reason_from_rfc5280(int code) noexcept {
    switch (code) {
    case 0: return RevocationReason::unspecified;
    case 1: return RevocationReason::key_compromise;
    case 2: return RevocationReason::key_compromise; // cACompromise: the key can no longer be trusted
    case 3: return RevocationReason::affiliation_changed;
    case 4: return RevocationReason::superseded;
    case 5: return RevocationReason::cessation;
    case 6: return RevocationReason::certificate_hold;
    case 8: return RevocationReason::unspecified; // removeFromCRL: not a revocation
    case 9: return RevocationReason::privilege_withdrawn;
    case 10: return RevocationReason::key_compromise; // aACompromise
    default: return std::nullopt;
    }
}

std::optional<RevocationReason> parse_revocation_reason(std::string_view text) {
    const std::string word = lower(text);
    if (word == "transfer" || word == "mutasi" || word == "rotation" || word == "rotasi" ||
        word == "affiliation_changed")
        return RevocationReason::affiliation_changed;
    if (word == "retirement" || word == "pensiun" || word == "leaving_office" || word == "berhenti" ||
        word == "cessation_of_operation")
        return RevocationReason::cessation;
    if (word == "data_change" || word == "perubahan_data" || word == "superseded")
        return RevocationReason::superseded;
    if (word == "key_compromise" || word == "key_lost" || word == "kunci_hilang" || word == "kunci_bocor")
        return RevocationReason::key_compromise;
    if (word == "sanction" || word == "sanksi" || word == "privilege_withdrawn")
        return RevocationReason::privilege_withdrawn;
    if (word == "hold" || word == "certificate_hold" || word == "ditangguhkan")
        return RevocationReason::certificate_hold;
    if (word == "unspecified" || word == "lainnya")
        return RevocationReason::unspecified;
    return std::nullopt;
}

CertificateStatus CertificateRecord::status_at(TimePoint now) const {
    if (status != CertificateStatus::active && (!status_effective || *status_effective <= now))
        return status;
    return now > not_after ? CertificateStatus::expired : CertificateStatus::active;
}

std::string_view to_string(Refusal refusal) noexcept {
    switch (refusal) {
    case Refusal::no_certificate: return "no_certificate";
    case Refusal::not_authorised: return "not_authorised";
    case Refusal::revoked: return "revoked";
    case Refusal::superseded: return "superseded";
    case Refusal::expired: return "expired";
    case Refusal::not_yet_valid: return "not_yet_valid";
    case Refusal::unusable: return "unusable";
    case Refusal::no_private_key: return "no_private_key";
    }
    return "no_certificate";
}

} // namespace segel::directory
