#include "smime/decryptor.hpp"

#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>

#include "ascii.hpp"
#include "cms_recipients.hpp"
#include "mime_document.hpp"
#include "openssl_handles.hpp"
#include "signed_entity.hpp"
#include "smime/message_spool.hpp"

namespace segel::smime {

namespace {

// RFC 8551 §3.10: an S/MIME object may arrive as application/octet-stream,
// known by its file name.
bool named_p7m(GMimeObject* object) {
    GMimeContentType* type = g_mime_object_get_content_type(object);
    if (type == nullptr || !g_mime_content_type_is_type(type, "application", "octet-stream"))
        return false;
    const char* name = g_mime_object_get_content_disposition_parameter(object, "filename");
    if (name == nullptr)
        name = g_mime_content_type_get_parameter(type, "name");
    return name != nullptr && ascii::iends_with(name, ".p7m");
}

bool may_hold_cms(GMimeObject* object) { return is_pkcs7_mime(object) || named_p7m(object); }

bool claims_enveloped(GMimeObject* object) {
    const char* smime_type = g_mime_content_type_get_parameter(g_mime_object_get_content_type(object), "smime-type");
    return smime_type != nullptr && ascii::to_lower(smime_type).find("enveloped") != std::string::npos;
}

// Walks below the root for an encrypted object, counting parts and depth.
Result<bool> encrypted_below(GMimeObject* object, int depth, const EnvelopeLimits& limits, std::size_t& parts,
                             std::size_t& bytes) {
    if (depth > limits.max_mime_depth)
        return make_error(ErrorKind::message_too_large, "MIME entities nested too deeply");
    if (++parts > limits.max_parts)
        return make_error(ErrorKind::message_too_large, "more MIME parts than allowed");
    if (GMIME_IS_MESSAGE_PART(object)) {
        GMimeMessage* forwarded = g_mime_message_part_get_message(GMIME_MESSAGE_PART(object));
        GMimeObject* body = forwarded != nullptr ? g_mime_message_get_mime_part(forwarded) : nullptr;
        return body == nullptr ? Result<bool>(false) : encrypted_below(body, depth + 1, limits, parts, bytes);
    }
    if (GMIME_IS_MULTIPART(object)) {
        GMimeMultipart* multipart = GMIME_MULTIPART(object);
        for (int i = 0; i < g_mime_multipart_get_count(multipart); ++i) {
            auto found = encrypted_below(g_mime_multipart_get_part(multipart, i), depth + 1, limits, parts, bytes);
            if (!found || *found)
                return found;
        }
        return false;
    }
    if (!may_hold_cms(object))
        return false;
    const std::string der = decoded_content(object);
    if ((bytes += der.size()) > limits.max_bytes)
        return make_error(ErrorKind::message_too_large, "more encrypted or signed content than allowed");
    const auto kind = cms_content_kind(der);
    return (kind && *kind == CmsContentKind::encrypted) || (!kind && claims_enveloped(object));
}

// The envelope's RecipientInfos and cipher, read from its DER.
Result<Envelope> described_envelope(std::string der, EnvelopePlace place, int layers, const EnvelopeLimits& limits) {
    if (der.size() > limits.max_bytes)
        return make_error(ErrorKind::message_too_large, "the encrypted object is larger than allowed");
    auto described = describe_envelope(der, limits.max_recipient_infos);
    if (!described)
        return described.error();
    Envelope envelope;
    envelope.place = place;
    envelope.signature_layers = layers;
    envelope.kind = described->auth_enveloped ? EnvelopeKind::auth_enveloped : EnvelopeKind::enveloped;
    envelope.readable = described->readable;
    envelope.recipients = std::move(described->recipients);
    envelope.cipher = std::move(described->cipher);
    envelope.der = std::make_shared<const std::string>(std::move(der));
    return envelope;
}

// Whether `object` is an encryption layer: by its CMS content type, or by
// what its label claims when the CMS cannot be parsed. Its DER in `der`.
bool is_encrypted_object(GMimeObject* object, std::size_t max_bytes, std::string& der) {
    if (!may_hold_cms(object))
        return false;
    der = decoded_content(object);
    if (der.size() > max_bytes)
        return claims_enveloped(object);
    const auto kind = cms_content_kind(der);
    return kind ? *kind == CmsContentKind::encrypted : claims_enveloped(object);
}

// An encryption layer directly inside signature layers (encrypt-then-sign):
// a multipart/signed's first part or an opaque signed-data's content, each
// perhaps signed again, at most `layers_left` deep. `layers` counts them.
bool encrypted_under_signature(GMimeObject* object, int layers_left, std::size_t max_bytes, std::string& der,
                               int& layers) {
    if (layers_left == 0 || !is_signed_entity(object))
        return false;
    GMimeObject* content = nullptr;
    gm::GPtr<GMimeObject> parsed;
    if (GMIME_IS_MULTIPART(object)) {
        content = g_mime_multipart_get_part(GMIME_MULTIPART(object), 0);
    } else {
        const auto inner = signed_content(decoded_content(object));
        if (!inner || inner->size() > max_bytes)
            return false;
        gm::GPtr<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(inner->data(), inner->size()));
        gm::GPtr<GMimeParser> parser(g_mime_parser_new_with_stream(stream.get()));
        parsed.reset(g_mime_parser_construct_part(parser.get(), nullptr));
        content = parsed.get();
    }
    if (content == nullptr)
        return false;
    ++layers;
    return is_encrypted_object(content, max_bytes, der) ||
           encrypted_under_signature(content, layers_left - 1, max_bytes, der, layers);
}

// `prefix` and then the file's bytes, spooled; nullopt when the spool
// refuses them (not a MIME entity).
Result<std::optional<SpooledMessage>> spool_with_prefix(int fd, std::string_view prefix,
                                                        const std::filesystem::path& temp_dir) {
    auto spool = MessageSpool::create(temp_dir);
    if (!spool)
        return spool.error();
    if (!prefix.empty() && !spool->append(prefix))
        return std::optional<SpooledMessage>();
    std::string chunk(1 << 16, '\0');
    for (off_t offset = 0;;) {
        const ssize_t got = ::pread(fd, chunk.data(), chunk.size(), offset);
        if (got < 0)
            return make_error(ErrorKind::io_failure, "cannot read the decrypted content back");
        if (got == 0)
            break;
        offset += got;
        if (!spool->append(std::string_view(chunk.data(), static_cast<std::size_t>(got))))
            return std::optional<SpooledMessage>();
    }
    auto spooled = std::move(*spool).finish();
    return spooled ? std::optional<SpooledMessage>(std::move(spooled).value()) : std::optional<SpooledMessage>();
}

// Whether the file holds UTF-8 text without NUL: content a CMS producer
// that writes no MIME entity encrypts (RFC 5652's and RFC 9216's examples).
// Random bytes (what a wrong key yields) are almost never that.
bool is_plain_text(int fd) {
    std::string chunk(1 << 16, '\0');
    int continuation = 0;
    for (off_t offset = 0;;) {
        const ssize_t got = ::pread(fd, chunk.data(), chunk.size(), offset);
        if (got < 0)
            return false;
        if (got == 0)
            return continuation == 0 && offset > 0;
        offset += got;
        for (ssize_t i = 0; i < got; ++i) {
            const auto byte = static_cast<unsigned char>(chunk[static_cast<std::size_t>(i)]);
            if (continuation > 0) {
                if ((byte & 0xC0) != 0x80)
                    return false;
                --continuation;
            } else if (byte == 0 || byte == 0xC0 || byte == 0xC1 || byte >= 0xF5 || (byte & 0xC0) == 0x80) {
                return false;
            } else if (byte >= 0x80) {
                continuation = byte >= 0xF0 ? 3 : byte >= 0xE0 ? 2 : 1;
            }
        }
    }
}

// The plaintext, spooled as a MIME entity (header fields, a blank line, a
// body); plain text without MIME becomes a text/plain body.
Result<std::shared_ptr<SpooledMessage>> spool_plaintext(int fd, const std::filesystem::path& temp_dir) {
    auto entity = spool_with_prefix(fd, {}, temp_dir);
    if (!entity)
        return entity.error();
    if (*entity && (*entity)->has_body() && !(*entity)->fields_named("Content-Type").empty())
        return std::make_shared<SpooledMessage>(std::move(**entity));
    if (!is_plain_text(fd))
        return make_error(ErrorKind::decryption_failed, k_cannot_decrypt);
    auto text = spool_with_prefix(fd, "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n",
                                  temp_dir);
    if (!text)
        return text.error();
    if (!*text)
        return make_error(ErrorKind::decryption_failed, k_cannot_decrypt);
    return std::make_shared<SpooledMessage>(std::move(**text));
}

bool is_content_field(std::string_view name) { return name.size() > 8 && ascii::iequals(name.substr(0, 8), "content-"); }

// The message with its content (Content-* fields and body) replaced by the
// plaintext entity's.
MimeEntity with_content(const MimeEntity& message, const std::shared_ptr<SpooledMessage>& plaintext) {
    std::vector<std::string> removed;
    for (const auto& field : message.origin().headers())
        if (is_content_field(field.name))
            removed.push_back(field.name);
    std::vector<NewHeaderField> added;
    for (const auto& field : plaintext->headers())
        if (is_content_field(field.name)) {
            std::string value = field.unfolded_value();
            value.erase(0, value.find_first_not_of(" \t"));
            added.push_back({field.name, std::move(value)});
        }
    BodyStream body;
    body.append_range(plaintext->fd(), plaintext->body_offset(), plaintext->size() - plaintext->body_offset(), plaintext);
    return message.rewritten(removed, std::move(added), std::move(body));
}

} // namespace

Result<Envelope> find_envelope(const MimeEntity& message, const EnvelopeLimits& limits) {
    std::optional<SpooledMessage> changed;
    if (message.changed()) {
        auto spooled = message.materialise(std::filesystem::temp_directory_path());
        if (!spooled)
            return spooled.error();
        changed = std::move(spooled).value();
    }
    auto document = MimeDocument::parse(changed ? *changed : message.origin(), limits.max_parts);
    if (!document)
        return document.error();
    GMimeObject* top = g_mime_message_get_mime_part(document->message());
    if (top == nullptr)
        return Envelope{};
    std::string der;
    if (is_encrypted_object(top, limits.max_bytes, der))
        return described_envelope(std::move(der), EnvelopePlace::root, 0, limits);
    int layers = 0;
    if (encrypted_under_signature(top, limits.max_signature_layers, limits.max_bytes, der, layers))
        return described_envelope(std::move(der), EnvelopePlace::under_signature, layers, limits);
    std::size_t parts = 0;
    std::size_t bytes = 0;
    auto nested = encrypted_below(top, 1, limits, parts, bytes);
    if (!nested)
        return nested.error();
    Envelope envelope;
    envelope.place = *nested ? EnvelopePlace::nested : EnvelopePlace::none;
    return envelope;
}

Result<DecryptedEntity> decrypt(const MimeEntity& message, const Envelope& envelope,
                                const std::vector<DecryptionCredential>& credentials,
                                const std::filesystem::path& temp_dir) {
    if (!envelope.openable() || !envelope.der)
        return make_error(ErrorKind::internal, "decrypt needs the message's cryptographic envelope");
    for (std::size_t i = 0; i < credentials.size(); ++i) {
        auto plaintext = TempFile::create(temp_dir, envelope.der->size());
        if (!plaintext)
            return plaintext.error();
        auto opened = open_cms(*envelope.der, credentials[i].key.get(), plaintext->fd());
        if (!opened)
            return opened.error();
        if (!*opened)
            continue;
        auto spooled = spool_plaintext(plaintext->fd(), temp_dir);
        if (!spooled) {
            if (spooled.error().kind != ErrorKind::decryption_failed)
                return spooled.error();
            continue;
        }
        return DecryptedEntity{with_content(message, *spooled), i};
    }
    return make_error(ErrorKind::decryption_failed, k_cannot_decrypt);
}

Release release_decision(const Envelope& envelope, Verdict inner_verdict, bool mark_unprotected) {
    if (envelope.integrity_protected() || inner_verdict == Verdict::pass)
        return Release::released;
    return mark_unprotected ? Release::released_unprotected : Release::kept_encrypted;
}

} // namespace segel::smime
