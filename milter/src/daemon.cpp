#include "daemon.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

#include <grp.h>
#include <pwd.h>
#include <syslog.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "directory/directory_service.hpp"
#include "milter/revocation_sources.hpp"

// libmilter's signal thread sigwait()s on SIGHUP, SIGTERM and SIGINT: SIGHUP
// would stop it (libmilter/signal.c), racing with our reload, and on
// SIGTERM it stops at once, while Debian's libmilter (a pool of workers)
// then serves no session any more, so a message in flight would hang until
// Postfix's timeout. We define sigwait() so that libmilter's thread never
// takes any of the three: our signal thread waits for them with
// sigwaitinfo() and calls smfi_stop() once no message is in flight.
extern "C" int sigwait(const sigset_t* set, int* signal_number) {
    sigset_t left = *set;
    sigdelset(&left, SIGHUP);
    sigdelset(&left, SIGTERM);
    sigdelset(&left, SIGINT);
    for (;;) {
        const int received = sigwaitinfo(&left, nullptr);
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

std::shared_ptr<const Pipelines> build_pipelines(std::shared_ptr<const config::MilterSettings> settings,
                                                    std::string& problem, const smime::CrlStore* crls_in_use) {
    auto key = directory::load_master_key_file(settings->directory.master_key_file);
    if (!key) {
        problem = key.error().detail;
        return nullptr;
    }
    directory::DirectoryOptions options;
    options.master_key = *key;
    options.domains = settings->directory.domains;
    options.pool_size = static_cast<std::size_t>(settings->directory.pool_size);
    options.busy_timeout = std::chrono::milliseconds(settings->directory.timeout_ms);
    options.statement_timeout = options.busy_timeout;
    options.on_reopen = [](const std::string& why) { log_info(why); };
    auto opened = directory::open_directory(settings->directory.database, options);
    if (!opened) {
        problem = opened.error().detail;
        return nullptr;
    }
    std::shared_ptr<directory::DirectoryService> store(std::move(opened).value());
    std::optional<smime::TrustStore> anchors;
    if (settings->verify.enabled) {
        auto loaded = smime::TrustStore::load_pem_file(settings->verify.anchors);
        if (!loaded) {
            problem = "verify.anchors: " + loaded.error().detail;
            return nullptr;
        }
        anchors = std::move(loaded).value();
    }
    std::optional<smime::TrustStore> encryption_anchors;
    if (settings->encrypts()) {
        const std::string& path = settings->encryption.anchors_or(settings->verify.anchors);
        auto loaded = smime::TrustStore::load_pem_file(path);
        if (!loaded) {
            problem = "encryption.anchors: " + loaded.error().detail;
            return nullptr;
        }
        encryption_anchors = std::move(loaded).value();
    }
    std::vector<std::string> kept;
    auto crls = load_crls(*settings, problem, crls_in_use, &kept);
    for (const auto& issuer : kept)
        log_error("crl: a loaded CRL of " + issuer + " is older than the one in use, which stays");
    if (settings->checks_revocation() && !settings->verify.crl_urls.empty() && problem.empty())
        load_crl_issuers(*settings, problem);
    const std::optional<smime::TrustStore>& ocsp_anchors = anchors ? anchors : encryption_anchors;
    auto ocsp = ocsp_anchors && problem.empty() ? load_ocsp(*settings, *ocsp_anchors, problem) : nullptr;
    if (!problem.empty())
        return nullptr;
    const config::TraceSettings trace = settings->trace;
    auto pipelines = std::make_shared<Pipelines>(std::move(settings), store, std::move(anchors), std::move(crls),
                                                 std::move(ocsp), std::move(encryption_anchors));
    if (trace.enabled)
        pipelines->attach_trace(
            std::make_shared<TraceRecorder>(store, std::chrono::hours(24 * trace.retention_days), log_error));
    return pipelines;
}

Daemon& Daemon::instance() {
    static Daemon daemon;
    return daemon;
}

void Daemon::install(std::shared_ptr<const Pipelines> pipelines) {
    std::lock_guard lock(m_mutex);
    m_pipelines = std::move(pipelines);
}

std::shared_ptr<const Pipelines> Daemon::pipelines() const {
    std::lock_guard lock(m_mutex);
    return m_pipelines;
}

void Daemon::reload() {
    const auto current = pipelines();
    auto outcome = config::reload_milter_settings(current->settings());
    if (!outcome.settings) {
        for (const auto& problem : outcome.problems)
            log_error("reload refused, keeping the running settings: " + problem);
        return;
    }
    if (outcome.settings->milter.socket != current->settings().milter.socket || outcome.settings->milter.user != current->settings().milter.user)
        log_error("reload: milter.socket and milter.user take effect only after a restart");
    std::string problem;
    const auto crls_in_use = current->revocation().crls();
    auto rebuilt = build_pipelines(std::make_shared<const config::MilterSettings>(std::move(*outcome.settings)), problem,
                                   crls_in_use.get());
    if (!rebuilt) {
        log_error("reload refused, keeping the running settings: " + problem);
        return;
    }
    install(std::move(rebuilt));
    log_info("reloaded settings from " + current->settings().source);
}

void open_log(const config::MilterSettings& settings) {
    static std::string ident; // openlog keeps the pointer
    ident = settings.milter.syslog_ident;
    openlog(ident.c_str(), LOG_PID | LOG_NDELAY, LOG_MAIL);
    g_log_to_stderr = settings.milter.log_to_stderr;
}

namespace {
// One write per line under a lock, so that lines from several threads never
// interleave (a stream's several << calls would).
void write_to_stderr(const std::string& line) {
    static std::mutex mutex;
    const std::string whole = line + "\n";
    std::lock_guard lock(mutex);
    std::size_t written = 0;
    while (written < whole.size()) {
        const ssize_t n = ::write(STDERR_FILENO, whole.data() + written, whole.size() - written);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        written += static_cast<std::size_t>(n);
    }
}
} // namespace

void log_info(const std::string& line) {
    syslog(LOG_INFO, "%s", line.c_str());
    if (g_log_to_stderr)
        write_to_stderr(line);
}

void log_error(const std::string& line) {
    syslog(LOG_ERR, "%s", line.c_str());
    if (g_log_to_stderr)
        write_to_stderr(line);
}

namespace {
// SIGTERM, SIGINT: no new message is taken; once the messages in flight
// have ended (up to Postfix's milter_content_timeout of 300 s) libmilter is
// told to stop. Idle sessions are not waited for.
void stop_when_idle() {
    auto& daemon = Daemon::instance();
    daemon.begin_stopping();
    log_info("stopping: waiting for " + std::to_string(daemon.messages_in_flight()) + " message(s) in flight");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
    while (daemon.messages_in_flight() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // libmilter sends the last reply just after its callback returns.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    smfi_stop();
}
} // namespace

void start_signal_thread() {
    std::thread([] {
        sigset_t handled;
        sigemptyset(&handled);
        sigaddset(&handled, SIGHUP);
        sigaddset(&handled, SIGTERM);
        sigaddset(&handled, SIGINT);
        for (;;) {
            const int received = sigwaitinfo(&handled, nullptr);
            if (received == SIGHUP) {
                Daemon::instance().reload();
            } else if (received == SIGTERM || received == SIGINT) {
                stop_when_idle();
                return;
            }
        }
    }).detach();
}

void start_crl_refresh_thread() {
    std::thread([] {
        for (;;) {
            const auto pipelines = Daemon::instance().pipelines();
            const auto& settings = pipelines->settings();
            if (settings.checks_revocation() && !settings.verify.crl_urls.empty()) {
                const auto report = refresh_crls(*pipelines);
                for (const auto& url : report.replaced)
                    log_info("crl: new CRL from " + url);
                for (const auto& failure : report.failed)
                    log_error("crl: download failed, keeping the last good copy: " + failure);
                for (const auto& issuer : report.kept)
                    log_error("crl: a loaded CRL of " + issuer + " is older than the one in use, which stays");
                if (!report.problem.empty())
                    log_error("crl: keeping the CRLs in use: " + report.problem);
            }
            // Until the next round; a reload (new pipelines) starts one at once.
            const auto next = std::chrono::steady_clock::now() + std::chrono::minutes(settings.verify.crl_refresh_minutes);
            while (std::chrono::steady_clock::now() < next && Daemon::instance().pipelines() == pipelines)
                std::this_thread::sleep_for(std::chrono::seconds(1));
        }
    }).detach();
}

bool drop_privileges(const config::MilterSettings& settings, std::string& problem) {
    if (settings.milter.user.empty())
        return true;
    const struct passwd* pw = ::getpwnam(settings.milter.user.c_str());
    if (pw == nullptr) {
        problem = "milter.user: no user " + settings.milter.user;
        return false;
    }
    gid_t gid = pw->pw_gid;
    if (!settings.milter.group.empty()) {
        const struct group* gr = ::getgrnam(settings.milter.group.c_str());
        if (gr == nullptr) {
            problem = "milter.group: no group " + settings.milter.group;
            return false;
        }
        gid = gr->gr_gid;
    }
    if (::getuid() == pw->pw_uid && ::geteuid() == pw->pw_uid)
        return true; // already that user
    if (::setgid(gid) != 0 || ::initgroups(pw->pw_name, gid) != 0 || ::setuid(pw->pw_uid) != 0) {
        problem = std::string("cannot switch to ") + settings.milter.user + ": " + std::strerror(errno);
        return false;
    }
    if (::setuid(0) == 0) {
        problem = "root privileges could be regained after switching user";
        return false;
    }
    return true;
}

} // namespace segel::milter
