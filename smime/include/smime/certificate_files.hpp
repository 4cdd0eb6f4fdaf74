// Certificates from a file as an operator receives them (issue 12: a
// correspondent's certificate by mail, from a web page or a key server):
// PEM (every certificate in it), DER (one), PKCS#7 certs-only (.p7c/.p7b,
// RFC 8551 §3.6; DER or PEM) and PKCS#12 (its certificates; a key in it is
// not read and never kept). Only end-entity certificates are returned: CA
// certificates that come along in a bundle are left out. Errors name the
// file. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "smime/certificate.hpp"
#include "smime/error.hpp"
#include "smime/signing_identity.hpp"

namespace segel::smime {

// `pkcs12_passphrase` is used only for a PKCS#12 file (.p12, .pfx), which
// needs one.
Result<std::vector<Certificate>> load_end_entity_certificates(const std::string& path,
                                                              const Passphrase* pkcs12_passphrase);

} // namespace segel::smime
