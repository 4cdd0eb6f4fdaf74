#include "daemon.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <thread>

#include <grp.h>
#include <pwd.h>
#include <syslog.h>
#include <unistd.h>

#include "directory/sqlite_directory.hpp"
#include "milter/revocation_sources.hpp"

// libmilter's signal thread sigwait()s on SIGHUP, SIGTERM and SIGINT and
// treats SIGHUP as "stop" (libmilter/signal.c), which would race with our
// reload. We define sigwait() so that libmilter's thread never takes SIGHUP;
// it keeps SIGTERM and SIGINT. Our reload thread waits with sigwaitinfo().
extern "C" int sigwait(const sigset_t* set, int* signal_number) {
    sigset_t without_hup = *set;
    sigdelset(&without_hup, SIGHUP);
    for (;;) {
        const int received = sigwaitinfo(&without_hup, nullptr);
        if (received > 0) {
            *signal_number = received;
            return 0;
        }
        if (errno != EINTR)
            return errno;
    }
}

namespace segel::milter {

namespace {
bool g_log_to_stderr = false;
} // namespace

std::shared_ptr<const SigningService> build_service(std::shared_ptr<const config::MilterSettings> settings,
                                                    std::string& problem, const smime::CrlStore* crls_in_use) {
    auto key = directory::load_master_key_file(settings->master_key_file);
    if (!key) {
        problem = key.error().detail;
        return nullptr;
    }
    directory::SqliteOptions options;
    options.master_key = *key;
    options.domains = settings->domains;
    auto opened = directory::SqliteDirectory::open(settings->database, options);
    if (!opened) {
        problem = opened.error().detail;
        return nullptr;
    }
    std::shared_ptr<directory::CertificateDirectory> store(std::move(opened).value());
    std::optional<smime::TrustStore> anchors;
    if (settings->verify) {
        auto loaded = smime::TrustStore::load_pem_file(settings->verify_anchors);
        if (!loaded) {
            problem = "verify.anchors: " + loaded.error().detail;
            return nullptr;
        }
        anchors = std::move(loaded).value();
    }
    std::vector<std::string> kept;
    auto crls = load_crls(*settings, problem, crls_in_use, &kept);
    for (const auto& issuer : kept)
        log_error("crl: a loaded CRL of " + issuer + " is older than the one in use, which stays");
    if (settings->verify && !settings->verify_crl_urls.empty() && problem.empty())
        load_crl_issuers(*settings, problem);
    auto ocsp = anchors && problem.empty() ? load_ocsp(*settings, *anchors, problem) : nullptr;
    if (!problem.empty())
        return nullptr;
    return std::make_shared<const SigningService>(std::move(settings), std::move(store), std::move(anchors),
                                                  std::move(crls), std::move(ocsp));
}

Daemon& Daemon::instance() {
    static Daemon daemon;
    return daemon;
}

void Daemon::install(std::shared_ptr<const SigningService> service) {
    std::lock_guard lock(m_mutex);
    m_service = std::move(service);
}

std::shared_ptr<const SigningService> Daemon::service() const {
    std::lock_guard lock(m_mutex);
    return m_service;
}

void Daemon::reload() {
    const auto current = service();
    auto outcome = config::reload_milter_settings(current->settings());
    if (!outcome.settings) {
        for (const auto& problem : outcome.problems)
            log_error("reload refused, keeping the running settings: " + problem);
        return;
    }
    if (outcome.settings->socket != current->settings().socket || outcome.settings->user != current->settings().user)
        log_error("reload: milter.socket and milter.user take effect only after a restart");
    std::string problem;
    const auto crls_in_use = current->crls();
    auto service = build_service(std::make_shared<const config::MilterSettings>(std::move(*outcome.settings)), problem,
                                 crls_in_use.get());
    if (!service) {
        log_error("reload refused, keeping the running settings: " + problem);
        return;
    }
    install(std::move(service));
    log_info("reloaded settings from " + current->settings().source);
}

void open_log(const config::MilterSettings& settings) {
    static std::string ident; // openlog keeps the pointer
    ident = settings.syslog_ident;
    openlog(ident.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
    g_log_to_stderr = settings.log_to_stderr;
}

void log_info(const std::string& line) {
    syslog(LOG_INFO, "%s", line.c_str());
    if (g_log_to_stderr)
        std::cerr << line << std::endl;
}

void log_error(const std::string& line) {
    syslog(LOG_ERR, "%s", line.c_str());
    if (g_log_to_stderr)
        std::cerr << line << std::endl;
}

void start_reload_thread() {
    std::thread([] {
        sigset_t hup;
        sigemptyset(&hup);
        sigaddset(&hup, SIGHUP);
        for (;;) {
            if (sigwaitinfo(&hup, nullptr) == SIGHUP)
                Daemon::instance().reload();
        }
    }).detach();
}

void start_crl_refresh_thread() {
    std::thread([] {
        for (;;) {
            const auto service = Daemon::instance().service();
            const auto& settings = service->settings();
            if (settings.verify && !settings.verify_crl_urls.empty()) {
                const auto report = refresh_crls(*service);
                for (const auto& url : report.replaced)
                    log_info("crl: new CRL from " + url);
                for (const auto& failure : report.failed)
                    log_error("crl: download failed, keeping the last good copy: " + failure);
                for (const auto& issuer : report.kept)
                    log_error("crl: a loaded CRL of " + issuer + " is older than the one in use, which stays");
                if (!report.problem.empty())
                    log_error("crl: keeping the CRLs in use: " + report.problem);
            }
            // Until the next round; a reload (a new service) starts one at once.
            const auto next = std::chrono::steady_clock::now() + std::chrono::minutes(settings.verify_crl_refresh_minutes);
            while (std::chrono::steady_clock::now() < next && Daemon::instance().service() == service)
                std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }).detach();
}

bool drop_privileges(const config::MilterSettings& settings, std::string& problem) {
    if (settings.user.empty())
        return true;
    const struct passwd* pw = ::getpwnam(settings.user.c_str());
    if (pw == nullptr) {
        problem = "milter.user: no user " + settings.user;
        return false;
    }
    gid_t gid = pw->pw_gid;
    if (!settings.group.empty()) {
        const struct group* gr = ::getgrnam(settings.group.c_str());
        if (gr == nullptr) {
            problem = "milter.group: no group " + settings.group;
            return false;
        }
        gid = gr->gr_gid;
    }
    if (::getuid() == pw->pw_uid && ::geteuid() == pw->pw_uid)
        return true; // already that user
    if (::setgid(gid) != 0 || ::initgroups(pw->pw_name, gid) != 0 || ::setuid(pw->pw_uid) != 0) {
        problem = std::string("cannot switch to ") + settings.user + ": " + std::strerror(errno);
        return false;
    }
    if (::setuid(0) == 0) {
        problem = "root privileges could be regained after switching user";
        return false;
    }
    return true;
}

} // namespace segel::milter
