// The daemon's shared state: the current SigningService (a settings snapshot
// plus its directory), swapped atomically on reload; the count of open
// connections, so SIGTERM can wait for messages in flight; logging.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>

#include "config/milter_settings.hpp"
#include "milter/signing_service.hpp"

namespace segel::milter {

// Builds a service for a settings snapshot: opens the directory with the
// master key, loads anchors, CRLs (a CRL of `crls_in_use` newer than the
// loaded ones of its issuer stays) and OCSP. On failure returns nullptr and
// sets `problem`.
std::shared_ptr<const SigningService> build_service(std::shared_ptr<const config::MilterSettings> settings,
                                                    std::string& problem,
                                                    const smime::CrlStore* crls_in_use = nullptr);

class Daemon {
public:
    static Daemon& instance();

    void install(std::shared_ptr<const SigningService> service);
    std::shared_ptr<const SigningService> service() const;

    // Re-reads the settings the current snapshot came from; swaps only if
    // the new settings and directory are valid. In-flight messages keep the
    // snapshot they started with.
    void reload();

    void connection_opened() { ++m_connections; }
    void connection_closed() { --m_connections; }
    int open_connections() const { return m_connections; }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const SigningService> m_service;
    std::atomic<int> m_connections{0};
};

// syslog (mail facility), and standard error when asked.
void open_log(const config::MilterSettings& settings);
void log_info(const std::string& line);
void log_error(const std::string& line);

// Starts the thread that turns SIGHUP into Daemon::reload().
void start_reload_thread();

// Starts the thread that refreshes the [verify] crl_url downloads
// (milter/revocation_sources.hpp) for the current service.
void start_crl_refresh_thread();

// Switches to the configured user and group; returns false with `problem`.
bool drop_privileges(const config::MilterSettings& settings, std::string& problem);

} // namespace segel::milter
