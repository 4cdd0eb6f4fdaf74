#include "milter/revocation_sources.hpp"

#include <chrono>
#include <filesystem>

#include "smime/crl_downloads.hpp"

namespace segel::milter {

std::shared_ptr<const smime::CrlStore> load_crls(const config::MilterSettings& settings, std::string& problem) {
    if (!settings.verify || (settings.verify_crls.empty() && settings.verify_crl_urls.empty()))
        return nullptr;
    std::vector<std::string> files = settings.verify_crls;
    std::vector<std::string> unavailable;
    const smime::CrlDownloads downloads(settings.verify_crl_cache_dir);
    for (const auto& url : settings.verify_crl_urls) {
        const auto kept = downloads.file_for(url);
        if (std::filesystem::exists(kept))
            files.push_back(kept.string());
        else
            unavailable.push_back(url);
    }
    auto loaded = smime::CrlStore::load_files(files, std::chrono::hours(settings.verify_crl_max_age_hours),
                                              settings.verify_require_crl, std::move(unavailable));
    if (!loaded) {
        problem = "verify.crl: " + loaded.error().detail;
        return nullptr;
    }
    return std::make_shared<const smime::CrlStore>(std::move(loaded).value());
}

std::shared_ptr<const smime::OcspChecker> load_ocsp(const config::MilterSettings& settings,
                                                     const smime::TrustStore& anchors, std::string& problem) {
    if (!settings.verify || settings.verify_ocsp_url.empty())
        return nullptr;
    smime::OcspOptions options;
    options.url = settings.verify_ocsp_url;
    options.nonce = settings.verify_ocsp_nonce;
    options.clock_skew = std::chrono::minutes(settings.verify_clock_skew_minutes);
    options.limits.timeout = std::chrono::seconds(settings.verify_ocsp_timeout_seconds);
    if (!settings.verify_ocsp_responder_cert.empty()) {
        auto pinned = smime::Certificate::load_pem_file(settings.verify_ocsp_responder_cert);
        if (!pinned || pinned->empty()) {
            problem = "verify.ocsp_responder_cert: " +
                      (pinned ? settings.verify_ocsp_responder_cert + " holds no certificate" : pinned.error().detail);
            return nullptr;
        }
        options.pinned_responder = pinned->front();
    }
    return std::make_shared<const smime::OcspChecker>(std::move(options), anchors);
}

CrlRefreshReport refresh_crls(const SigningService& service) {
    const auto& settings = service.settings();
    const smime::CrlDownloads downloads(settings.verify_crl_cache_dir);
    smime::FetchLimits limits;
    limits.timeout = std::chrono::seconds(settings.verify_crl_fetch_timeout_seconds);
    limits.max_bytes = static_cast<std::size_t>(settings.verify_crl_max_kilobytes) * 1024;
    CrlRefreshReport report;
    for (const auto& url : settings.verify_crl_urls) {
        auto replaced = downloads.refresh(url, limits);
        if (!replaced)
            report.failed.push_back(replaced.error().detail);
        else if (*replaced)
            report.replaced.push_back(url);
    }
    auto store = load_crls(settings, report.problem);
    if (report.problem.empty())
        service.replace_crls(std::move(store));
    return report;
}

} // namespace segel::milter
