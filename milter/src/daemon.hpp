// The daemon's shared state: the current Pipelines (a settings snapshot
// with its directory and both pipelines), swapped atomically on reload; the count of messages
// in flight, so SIGTERM can wait for them (not for idle connections); logging.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "config/milter_settings.hpp"
#include "milter/pipelines.hpp"

namespace segel::milter {

// Builds the pipelines of a settings snapshot: opens the directory with the
// master key, loads anchors, CRLs (a CRL of `crls_in_use` newer than the
// loaded ones of its issuer stays) and OCSP. On failure returns nullptr and
// sets `problem`.
std::shared_ptr<const Pipelines> build_pipelines(std::shared_ptr<const config::MilterSettings> settings,
                                                    std::string& problem,
                                                    const smime::CrlStore* crls_in_use = nullptr);

class Daemon {
public:
    static Daemon& instance();

    void install(std::shared_ptr<const Pipelines> pipelines);
    std::shared_ptr<const Pipelines> pipelines() const;

    // Re-reads the settings the current snapshot came from; swaps only if
    // the new settings and directory are valid. In-flight messages keep the
    // snapshot they started with.
    void reload();

    // Messages from MAIL FROM to end of message or abort: what SIGTERM
    // waits for (an idle SMTP session holds none).
    class MessageInFlight {
    public:
        MessageInFlight() : m_counted(true) { ++Daemon::instance().m_messages; }
        MessageInFlight(MessageInFlight&& other) noexcept : m_counted(std::exchange(other.m_counted, false)) {}
        MessageInFlight& operator=(MessageInFlight&&) = delete;
        ~MessageInFlight() {
            if (m_counted)
                --Daemon::instance().m_messages;
        }

    private:
        bool m_counted;
    };
    int messages_in_flight() const { return m_messages; }

    // After SIGTERM: no new message is taken (tempfail), those in flight end.
    void begin_stopping() { m_stopping = true; }
    bool stopping() const { return m_stopping; }

private:
    mutable std::mutex m_mutex;
    std::shared_ptr<const Pipelines> m_pipelines;
    std::atomic<int> m_messages{0};
    std::atomic<bool> m_stopping{false};
};

// syslog (mail facility), and standard error when asked.
void open_log(const config::MilterSettings& settings);
void log_info(const std::string& line);
void log_error(const std::string& line);

// Starts the thread that turns SIGHUP into Daemon::reload(), and SIGTERM or
// SIGINT into a stop once no message is in flight (smfi_stop).
void start_signal_thread();

// Starts the thread that refreshes the [verify] crl_url downloads
// (milter/revocation_sources.hpp) for the current pipelines.
void start_crl_refresh_thread();

// Switches to the configured user and group; returns false with `problem`.
bool drop_privileges(const config::MilterSettings& settings, std::string& problem);

} // namespace segel::milter
