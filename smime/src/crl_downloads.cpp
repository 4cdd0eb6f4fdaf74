#include "smime/crl_downloads.hpp"

#include <fstream>
#include <optional>
#include <iterator>
#include <sstream>

#include <unistd.h>

#include "smime/crl.hpp"
#include "smime/digest.hpp"

namespace segel::smime {

std::filesystem::path CrlDownloads::file_for(const std::string& url) const {
    return m_directory / (sha256_hex(url) + ".crl");
}

namespace {

// Every CRL of the download is accepted on its own, and none is older than
// a kept CRL of the same issuer.
Result<void> accept_all(const std::vector<Crl>& downloaded, const std::vector<Crl>& kept,
                        const std::vector<Certificate>& issuers, const CrlFreshness& freshness,
                        Certificate::TimePoint now, const std::string& url) {
    for (const auto& crl : downloaded) {
        Result<void> checked = check_current(crl, now, freshness);
        if (auto signer = crl_signer(crl, issuers); !signer)
            checked = signer.error();
        for (const auto& old : kept)
            if (checked && old.issuer() == crl.issuer())
                checked = check_not_older(crl, old);
        if (!checked)
            return make_error(checked.error().kind, url + ": CRL of " + crl.issuer() + " " + checked.error().detail);
    }
    return {};
}

std::optional<std::string> read_whole(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

} // namespace

Result<bool> CrlDownloads::refresh(const std::string& url, const FetchLimits& limits,
                                   const std::vector<Certificate>& issuers, const CrlFreshness& freshness,
                                   Certificate::TimePoint now) const {
    auto body = http_get(url, limits);
    if (!body)
        return body.error();
    auto crls = Crl::parse_all(*body, url);
    if (!crls)
        return crls.error();
    const auto target = file_for(url);
    const auto old = read_whole(target);
    if (old && *old == *body)
        return false;
    std::vector<Crl> kept;
    if (old)
        if (auto parsed = Crl::parse_all(*old, target.string()))
            kept = std::move(parsed).value();
    if (auto accepted = accept_all(*crls, kept, issuers, freshness, now, url); !accepted)
        return accepted.error();
    const auto temporary = m_directory / (target.filename().string() + ".tmp." + std::to_string(::getpid()));
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(body->data(), static_cast<std::streamsize>(body->size()));
        out.flush();
        if (!out)
            return make_error(ErrorKind::io_failure, "cannot write " + temporary.string());
    }
    std::error_code error;
    std::filesystem::rename(temporary, target, error);
    if (error) {
        std::filesystem::remove(temporary, error);
        return make_error(ErrorKind::io_failure, "cannot replace " + target.string());
    }
    return true;
}

} // namespace segel::smime
