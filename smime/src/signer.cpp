#include "smime/signer.hpp"

#include <algorithm>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "ascii.hpp"
#include "canonical_check.hpp"
#include "smime/certificate_policy.hpp"
#include "cms_signer.hpp"
#include "mime_document.hpp"
#include "smime/sender_address.hpp"

namespace segel::smime {

namespace {

constexpr std::string_view k_preamble = "This is an S/MIME signed message (RFC 8551).\r\n";

Result<std::string> random_boundary() {
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        return make_error(ErrorKind::crypto_failure, "no random bytes for a MIME boundary");
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string boundary = "segel=_";
    for (unsigned char b : bytes) {
        boundary += k_hex[b >> 4];
        boundary += k_hex[b & 0xf];
    }
    return boundary;
}

// base64 in lines of 76 characters with CRLF (RFC 2045 §6.8).
std::string base64_lines(std::string_view der) {
    std::string out;
    constexpr std::size_t k_chunk = 57; // 57 bytes give 76 characters
    for (std::size_t pos = 0; pos < der.size(); pos += k_chunk) {
        const std::size_t n = std::min(k_chunk, der.size() - pos);
        unsigned char line[80];
        const int written =
            EVP_EncodeBlock(line, reinterpret_cast<const unsigned char*>(der.data() + pos), static_cast<int>(n));
        out.append(reinterpret_cast<const char*>(line), static_cast<std::size_t>(written));
        out += "\r\n";
    }
    return out;
}

// multipart/signed body (RFC 1847 §2.1, RFC 8551 §3.5.3): part 1 is the
// very file that was signed.
BodyStream assemble_body(TempFile part, std::string_view boundary, std::string_view signature_der) {
    const std::string delimiter = "--" + std::string(boundary);
    std::string head = std::string(k_preamble) + "\r\n" + delimiter + "\r\n";
    // SM-05: part 2, application/pkcs7-signature named smime.p7s.
    std::string tail = "\r\n" + delimiter + "\r\n" +
                       "Content-Type: application/pkcs7-signature; name=\"smime.p7s\"\r\n"
                       "Content-Transfer-Encoding: base64\r\n"
                       "Content-Disposition: attachment; filename=\"smime.p7s\"\r\n"
                       "Content-Description: S/MIME Cryptographic Signature\r\n"
                       "\r\n" +
                       base64_lines(signature_der) + "\r\n" + delimiter + "--\r\n";
    BodyStream body;
    body.append(std::move(head)).append(std::move(part)).append(std::move(tail));
    return body;
}

// Signs a spooled message; the result is relative to `message`.
Result<SignOutcome> sign_spooled(const SpooledMessage& message, const MimeEntity& entity,
                                 const SigningIdentity& identity, const SignOptions& options) {
    auto document = MimeDocument::parse(message, options.max_parts);
    if (!document)
        return document.error();
    if (auto smime = document->existing_smime())
        return SignOutcome(LeftUntouched{*smime});

    auto sender = single_from_address(message);
    if (!sender)
        return sender.error();
    const Certificate& cert = identity.certificate();
    if (auto fit = check_signing_certificate(cert, options.at.value_or(std::chrono::system_clock::now())); !fit)
        return fit.error();
    if (auto covers = check_certificate_covers(cert, *sender); !covers)
        return covers.error();

    if (!options.footer_text.empty())
        if (auto added = document->add_footer(options.footer_text, options.temp_dir); !added)
            return added.error();
    auto changed = document->canonicalise(options.temp_dir);
    if (!changed)
        return changed.error();
    auto boundary = random_boundary();
    if (!boundary)
        return boundary.error();
    // Unchanged and already canonical: sign the sender's bytes as they came.
    std::optional<TempFile> part;
    if (!*changed) {
        auto received = document->write_received_part(message, options.temp_dir);
        if (!received)
            return received.error();
        if (check_canonical_7bit(received->fd(), *boundary))
            part = std::move(received).value();
    }
    if (!part) {
        auto serialised = document->write_serialised_part(options.temp_dir);
        if (!serialised)
            return serialised.error();
        if (auto canonical = check_canonical_7bit(serialised->fd(), *boundary); !canonical)
            return canonical.error();
        part = std::move(serialised).value();
    }
    auto signature = sign_detached(identity, part->fd(),
                                   options.encryption_certificate ? &*options.encryption_certificate : nullptr);
    if (!signature)
        return signature.error();
    // SM-04: the MIME header fields now live in part 1.
    std::vector<std::string> removed;
    for (const auto& field : message.headers())
        if (ascii::istarts_with(field.name, "Content-") &&
            std::none_of(removed.begin(), removed.end(), [&](const std::string& n) { return ascii::iequals(n, field.name); }))
            removed.push_back(field.name);
    std::vector<NewHeaderField> added;
    if (message.fields_named("MIME-Version").empty())
        added.push_back({"MIME-Version", "1.0"});
    added.push_back(
        {"Content-Type", "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"" +
                             *boundary + "\""});
    return SignOutcome(SignedEntity{entity.rewritten(removed, std::move(added),
                                                     assemble_body(std::move(*part), *boundary, *signature)),
                                    std::move(sender).value(), cert.serial_hex()});
}

} // namespace

Result<SignOutcome> sign(const MimeEntity& entity, const SigningIdentity& identity, const SignOptions& options) {
    if (!entity.changed())
        return sign_spooled(entity.origin(), entity, identity, options);
    // The fields of the spool are the entity's current fields, so the
    // rewrite made against it applies to the entity as it is.
    auto spooled = entity.materialise(options.temp_dir);
    if (!spooled)
        return spooled.error();
    return sign_spooled(*spooled, entity, identity, options);
}

} // namespace segel::smime
