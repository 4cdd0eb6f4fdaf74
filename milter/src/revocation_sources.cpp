#include "milter/revocation_sources.hpp"

#include <chrono>
#include <filesystem>

#include "smime/crl_downloads.hpp"

namespace segel::milter {

std::shared_ptr<const smime::CrlStore> load_crls(const config::MilterSettings& settings, std::string& problem,
                                                 const smime::CrlStore* in_use, std::vector<std::string>* kept) {
    if (!settings.checks_revocation() || (settings.verify.crls.empty() && settings.verify.crl_urls.empty()))
        return nullptr;
    std::vector<std::string> files = settings.verify.crls;
    std::vector<std::string> unavailable;
    const smime::CrlDownloads downloads(settings.verify.crl_cache_dir);
    for (const auto& url : settings.verify.crl_urls) {
        const auto kept_copy = downloads.file_for(url);
        if (std::filesystem::exists(kept_copy))
            files.push_back(kept_copy.string());
        else
            unavailable.push_back(url);
    }
    auto loaded = smime::CrlStore::load_files(files, std::chrono::hours(settings.verify.crl_max_age_hours),
                                              settings.verify.require_crl, std::move(unavailable));
    if (!loaded) {
        problem = "verify.crl: " + loaded.error().detail;
        return nullptr;
    }
    if (in_use != nullptr) {
        auto newer = loaded->keep_newer(*in_use);
        if (kept != nullptr)
            kept->insert(kept->end(), newer.begin(), newer.end());
    }
    return std::make_shared<const smime::CrlStore>(std::move(loaded).value());
}

std::vector<smime::Certificate> load_crl_issuers(const config::MilterSettings& settings, std::string& problem) {
    auto anchors = smime::Certificate::load_pem_file(settings.verify.anchors);
    if (!anchors) {
        problem = "verify.anchors: " + anchors.error().detail;
        return {};
    }
    if (settings.verify.crl_issuers.empty())
        return std::move(anchors).value();
    auto extra = smime::Certificate::load_pem_file(settings.verify.crl_issuers);
    auto store = smime::TrustStore::from_certificates(*anchors);
    if (!extra || !store) {
        problem = "verify.crl_issuers: " + (extra ? store.error().detail : extra.error().detail);
        return {};
    }
    for (const auto& ca : *extra) {
        if (auto checked = store->check_ca(ca, *extra); !checked) {
            problem = "verify.crl_issuers: " + checked.error().detail;
            return {};
        }
    }
    std::vector<smime::Certificate> issuers = std::move(anchors).value();
    issuers.insert(issuers.end(), extra->begin(), extra->end());
    return issuers;
}

std::shared_ptr<const smime::OcspChecker> load_ocsp(const config::MilterSettings& settings,
                                                     const smime::TrustStore& anchors, std::string& problem) {
    if (!settings.checks_revocation() || settings.verify.ocsp_url.empty())
        return nullptr;
    smime::OcspOptions options;
    options.url = settings.verify.ocsp_url;
    options.nonce = settings.verify.ocsp_nonce;
    options.clock_skew = std::chrono::minutes(settings.verify.clock_skew_minutes);
    options.limits.timeout = std::chrono::seconds(settings.verify.ocsp_timeout_seconds);
    options.failure_backoff = std::chrono::seconds(settings.verify.ocsp_failure_backoff_seconds);
    if (!settings.verify.ocsp_responder_cert.empty()) {
        auto pinned = smime::Certificate::load_pem_file(settings.verify.ocsp_responder_cert);
        if (!pinned || pinned->empty()) {
            problem = "verify.ocsp_responder_cert: " +
                      (pinned ? settings.verify.ocsp_responder_cert + " holds no certificate" : pinned.error().detail);
            return nullptr;
        }
        options.pinned_responder = pinned->front();
    }
    return std::make_shared<const smime::OcspChecker>(std::move(options), anchors);
}

CrlRefreshReport refresh_crls(const Pipelines& pipelines) {
    const auto& settings = pipelines.settings();
    CrlRefreshReport report;
    const auto issuers = load_crl_issuers(settings, report.problem);
    if (!report.problem.empty())
        return report;
    const smime::CrlDownloads downloads(settings.verify.crl_cache_dir);
    smime::FetchLimits limits;
    limits.timeout = std::chrono::seconds(settings.verify.crl_fetch_timeout_seconds);
    limits.max_bytes = static_cast<std::size_t>(settings.verify.crl_max_kilobytes) * 1024;
    smime::CrlFreshness freshness;
    freshness.max_age = std::chrono::hours(settings.verify.crl_max_age_hours);
    freshness.skew = std::chrono::minutes(settings.verify.clock_skew_minutes);
    for (const auto& url : settings.verify.crl_urls) {
        auto replaced = downloads.refresh(url, limits, issuers, freshness, std::chrono::system_clock::now());
        if (!replaced)
            report.failed.push_back(replaced.error().detail);
        else if (*replaced)
            report.replaced.push_back(url);
    }
    const auto in_use = pipelines.revocation().crls();
    auto store = load_crls(settings, report.problem, in_use.get(), &report.kept);
    if (report.problem.empty())
        pipelines.revocation().replace_crls(std::move(store));
    return report;
}

} // namespace segel::milter
