#include "smime/encryptor.hpp"

#include <chrono>

#include <unistd.h>

#include <openssl/evp.h>

#include "ascii.hpp"
#include "cms_envelope.hpp"
#include "smime/certificate_policy.hpp"

namespace segel::smime {

namespace {

// The entity's header split into the fields that describe its content
// (Content-*, which go inside the envelope) and the names of those fields.
struct ContentFields {
    std::string text; // the fields as written, CRLF line ends
    std::vector<std::string> names;
};

ContentFields content_fields_of(const std::string& header) {
    ContentFields fields;
    bool inside = false;
    std::size_t start = 0;
    while (start < header.size()) {
        std::size_t end = header.find("\r\n", start);
        end = end == std::string::npos ? header.size() : end + 2;
        const std::string_view line(header.data() + start, end - start);
        if (line.front() != ' ' && line.front() != '\t') {
            const std::string_view name = line.substr(0, line.find(':'));
            inside = name.size() > 8 && ascii::iequals(name.substr(0, 8), "content-");
            if (inside)
                fields.names.emplace_back(name);
        }
        if (inside)
            fields.text.append(line);
        start = end;
    }
    return fields;
}

Result<void> check_recipients(const std::vector<Certificate>& recipients, const EncryptOptions& options) {
    if (recipients.empty())
        return make_error(ErrorKind::internal, "encryption needs at least one recipient");
    const auto now = options.at.value_or(std::chrono::system_clock::now());
    for (const auto& recipient : recipients)
        if (auto fit = check_encryption_certificate(recipient, now); !fit)
            return fit;
    return {};
}

// The MIME part to encrypt: the content fields, a blank line, the body.
Result<TempFile> inner_content(const MimeEntity& entity, const ContentFields& fields,
                               const std::filesystem::path& temp_dir, std::uint64_t expected_bytes) {
    auto file = TempFile::create(temp_dir, expected_bytes);
    if (!file)
        return file.error();
    if (auto written = file->write_all(fields.text + "\r\n"); !written)
        return written.error();
    if (auto body = entity.body().stream(1 << 16, [&file](std::string_view piece) { return file->write_all(piece).has_value(); });
        !body)
        return body.error();
    return file;
}

// RFC 2045 §6.8 base64 of the file's bytes, lines of 76 characters, CRLF.
Result<TempFile> base64_of(int fd, const std::filesystem::path& temp_dir, std::uint64_t expected_bytes) {
    auto out = TempFile::create(temp_dir, expected_bytes);
    if (!out)
        return out.error();
    constexpr std::size_t k_line = 57;
    std::string in(k_line * 1024, '\0');
    std::string encoded;
    std::uint64_t offset = 0;
    for (;;) {
        const ssize_t got = ::pread(fd, in.data(), in.size(), static_cast<off_t>(offset));
        if (got < 0)
            return make_error(ErrorKind::io_failure, "cannot read the envelope back");
        if (got == 0)
            return out;
        offset += static_cast<std::uint64_t>(got);
        encoded.clear();
        unsigned char line[80];
        for (std::size_t at = 0; at < static_cast<std::size_t>(got); at += k_line) {
            const int n = EVP_EncodeBlock(line, reinterpret_cast<const unsigned char*>(in.data()) + at,
                                          static_cast<int>(std::min(k_line, static_cast<std::size_t>(got) - at)));
            encoded.append(reinterpret_cast<const char*>(line), static_cast<std::size_t>(n)).append("\r\n");
        }
        if (auto written = out->write_all(encoded); !written)
            return written.error();
    }
}

std::vector<NewHeaderField> envelope_fields(ContentCipher cipher) {
    const std::string type = cipher == ContentCipher::aes256_gcm ? "authEnveloped-data" : "enveloped-data";
    return {{"Content-Type", "application/pkcs7-mime; smime-type=" + type + "; name=\"smime.p7m\""},
            {"Content-Transfer-Encoding", "base64"},
            {"Content-Disposition", "attachment; filename=\"smime.p7m\""},
            {"Content-Description", "S/MIME Encrypted Message"}};
}

} // namespace

Result<EncryptedEntity> encrypt(const MimeEntity& entity, const std::vector<Certificate>& recipients,
                                const EncryptOptions& options) {
    if (auto fit = check_recipients(recipients, options); !fit)
        return fit.error();
    ContentFields fields = content_fields_of(entity.header_text());
    // Small messages stay in memory files (no file-system work per message):
    // the envelope adds about 1 KB per recipient, base64 a third.
    auto body_size = entity.body().size();
    if (!body_size)
        return body_size.error();
    const std::uint64_t content_bytes = *body_size + fields.text.size() + 2;
    const std::uint64_t der_bytes = content_bytes + 64 + 1024 * recipients.size();
    auto content = inner_content(entity, fields, options.temp_dir, content_bytes);
    if (!content)
        return content.error();
    auto der = TempFile::create(options.temp_dir, der_bytes);
    if (!der)
        return der.error();
    if (auto enveloped = envelope(content->fd(), recipients, options, der->fd()); !enveloped)
        return enveloped.error();
    auto body = base64_of(der->fd(), options.temp_dir, der_bytes / 57 * 78 + 80);
    if (!body)
        return body.error();
    BodyStream stream;
    stream.append(std::move(body).value());
    fields.names.push_back("MIME-Version");
    auto added = envelope_fields(options.cipher);
    added.insert(added.begin(), NewHeaderField{"MIME-Version", "1.0"});
    return EncryptedEntity{entity.rewritten(fields.names, std::move(added), std::move(stream)),
                           std::string(to_string(options.cipher))};
}

std::string_view to_string(ContentCipher cipher) noexcept {
    return cipher == ContentCipher::aes256_gcm ? "aes256-gcm" : "aes256-cbc";
}

std::string_view to_string(RsaKeyTransport transport) noexcept {
    return transport == RsaKeyTransport::oaep_sha256 ? "rsaes-oaep-sha256" : "rsa-pkcs1-v1_5";
}

} // namespace segel::smime
