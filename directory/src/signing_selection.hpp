// The rule for choosing a signing certificate, as a pure function over the
// certificates that carry the From address (newest issuance first).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/model.hpp"
#include "smime/certificate.hpp"

namespace segel::directory {

struct Selection {
    std::optional<std::size_t> chosen;      // index of the certificate to sign with
    std::optional<std::size_t> explaining;  // index of the certificate behind the refusal
    std::optional<Refusal> refusal;
    std::string detail;
};

// `candidates` must be ordered newest notBefore first, and `parsed[i]` be
// candidates[i] parsed. A candidate is usable when `login` is among its
// authorised logins, its status at `now` is active, now is within its dates,
// KU/EKU fit and it has a key. The refusal explains the newest authorised
// candidate.
Selection select_signing_certificate(const std::vector<CertificateRecord>& candidates,
                                     const std::vector<const smime::Certificate*>& parsed, std::string_view login,
                                     std::string_view from, TimePoint now);

} // namespace segel::directory
