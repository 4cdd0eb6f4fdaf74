#include "smime/signer.hpp"

#include <cerrno>

#include <unistd.h>

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
SignedBody assemble_body(TempFile part, std::string_view boundary, std::string_view signature_der) {
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
    return SignedBody(std::move(head), std::move(part), std::move(tail));
}

std::string crlf_line_ends(std::string_view raw) {
    std::string out;
    out.reserve(raw.size() + 8);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            out += '\r';
        out += raw[i];
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0)
        out += "\r\n";
    return out;
}

// Folds "Name: a; b; c" after semicolons so lines stay near 78 characters.
std::string fold_field(const NewHeaderField& field) {
    std::string out = field.name + ":";
    std::size_t line_length = out.size();
    std::string_view rest = field.value;
    bool first = true;
    while (!rest.empty()) {
        std::size_t cut = rest.find("; ");
        std::string_view segment = rest.substr(0, cut == std::string_view::npos ? rest.size() : cut + 1);
        rest.remove_prefix(cut == std::string_view::npos ? rest.size() : cut + 2);
        if (!first && line_length + 1 + segment.size() > 78) {
            out += "\r\n\t";
            line_length = 1;
        } else {
            out += ' ';
            ++line_length;
        }
        out += segment;
        line_length += segment.size();
        first = false;
    }
    return out + "\r\n";
}

} // namespace

Result<SignOutcome> sign_message(const SpooledMessage& message, const SigningIdentity& identity,
                                 const SignOptions& options) {
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
    auto signature = sign_detached(identity, part->fd());
    if (!signature)
        return signature.error();
    SignedRewrite rewrite{{}, {}, assemble_body(std::move(*part), *boundary, *signature),
                          std::move(sender).value(), cert.serial_hex()};
    // SM-04: the MIME header fields now live in part 1.
    for (const auto& field : message.headers())
        if (ascii::istarts_with(field.name, "Content-")) {
            bool listed = false;
            for (const auto& name : rewrite.removed_fields)
                listed |= ascii::iequals(name, field.name);
            if (!listed)
                rewrite.removed_fields.push_back(field.name);
        }
    if (message.fields_named("MIME-Version").empty())
        rewrite.added_fields.push_back({"MIME-Version", "1.0"});
    rewrite.added_fields.push_back(
        {"Content-Type", "multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"" +
                             *boundary + "\""});
    return SignOutcome(std::move(rewrite));
}

Result<void> write_signed_message(const SpooledMessage& message, SignedRewrite& rewrite, int out_fd) {
    std::string header;
    for (const auto& field : message.headers()) {
        bool removed = false;
        for (const auto& name : rewrite.removed_fields)
            removed |= field.is_named(name);
        if (!removed)
            header += crlf_line_ends(field.raw);
    }
    for (const auto& field : rewrite.added_fields)
        header += fold_field(field);
    header += "\r\n";
    if (auto w = write_fd(out_fd, header); !w)
        return w;
    return rewrite.body.stream(1 << 16, [out_fd](std::string_view piece) { return write_fd(out_fd, piece).has_value(); });
}

Result<std::uint64_t> SignedBody::size() const {
    auto part = m_part.size();
    if (!part)
        return part.error();
    return m_head.size() + *part + m_tail.size();
}

Result<void> SignedBody::stream(std::size_t chunk_bytes, const std::function<bool(std::string_view)>& sink) {
    const auto refused = [] { return make_error(ErrorKind::io_failure, "the body could not be handed over"); };
    for (std::string_view rest = m_head; !rest.empty(); rest.remove_prefix(std::min(chunk_bytes, rest.size())))
        if (!sink(rest.substr(0, chunk_bytes)))
            return refused();
    if (auto rewound = m_part.rewind(); !rewound)
        return rewound;
    std::string buffer(chunk_bytes, '\0');
    for (;;) {
        const ssize_t n = ::read(m_part.fd(), buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return make_error(ErrorKind::io_failure, "cannot read the signed part");
        if (n == 0)
            break;
        if (!sink(std::string_view(buffer.data(), static_cast<std::size_t>(n))))
            return refused();
    }
    for (std::string_view rest = m_tail; !rest.empty(); rest.remove_prefix(std::min(chunk_bytes, rest.size())))
        if (!sink(rest.substr(0, chunk_bytes)))
            return refused();
    return {};
}

} // namespace segel::smime
