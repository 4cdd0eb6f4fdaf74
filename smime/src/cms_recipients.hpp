// The CMS side of the decrypt step (decryptor.hpp): what kind of object a
// DER ContentInfo is, the RecipientInfos of an EnvelopedData or
// AuthEnvelopedData (RFC 5652 §6.2, RFC 5083), and opening it with one
// private key. Internal to smime; reentrant.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/types.h>

#include "smime/decryptor.hpp"
#include "smime/error.hpp"

namespace segel::smime {

enum class CmsContentKind { signed_data, encrypted, other };

// nullopt when the bytes are not a CMS ContentInfo.
std::optional<CmsContentKind> cms_content_kind(std::string_view der);

struct EnvelopeDescription {
    bool auth_enveloped = false;
    bool readable = false;              // parsed as CMS; else nothing below is known
    std::vector<RecipientId> recipients; // key transport and each key-agreement recipient key
    std::string cipher;                 // the content-encryption algorithm's name; "" when unknown
};

// The encapsulated content of a SignedData (opaque signed-data); nullopt
// when `der` is not one or carries none.
std::optional<std::string> signed_content(std::string_view der);

// message_too_large when there are more than max_recipient_infos.
Result<EnvelopeDescription> describe_envelope(const std::string& der, std::size_t max_recipient_infos);

// Decrypts `der` with `key` (no certificate: every RecipientInfo is tried,
// with OpenSSL's random-key countermeasure) and writes the plaintext to
// out_fd. False for every decryption failure, whatever its cause; an error
// only when out_fd cannot be written.
Result<bool> open_cms(const std::string& der, EVP_PKEY* key, int out_fd);

} // namespace segel::smime
