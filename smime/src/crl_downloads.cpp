#include "smime/crl_downloads.hpp"

#include <fstream>
#include <iterator>
#include <sstream>

#include <unistd.h>

#include "smime/crl.hpp"
#include "smime/digest.hpp"

namespace segel::smime {

std::filesystem::path CrlDownloads::file_for(const std::string& url) const {
    return m_directory / (sha256_hex(url) + ".crl");
}

Result<bool> CrlDownloads::refresh(const std::string& url, const FetchLimits& limits) const {
    auto body = http_get(url, limits);
    if (!body)
        return body.error();
    if (auto crls = Crl::parse_all(*body, url); !crls)
        return crls.error();
    const auto target = file_for(url);
    {
        std::ifstream kept(target, std::ios::binary);
        if (kept) {
            const std::string old((std::istreambuf_iterator<char>(kept)), std::istreambuf_iterator<char>());
            if (old == *body)
                return false;
        }
    }
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
