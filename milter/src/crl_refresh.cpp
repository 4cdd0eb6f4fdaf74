#include "milter/crl_refresh.hpp"

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
