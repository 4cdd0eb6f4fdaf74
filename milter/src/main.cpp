// segel-milter: startup: settings, log, socket (the one thing that may need
// root), privilege drop, then keys and directory as the daemon's user (they
// belong to it, and SQLite's -wal/-shm files must not become root's), then
// smfi_main. SIGHUP reloads; SIGTERM waits for the messages in flight
// (tempfailing new ones), then stops.
#include <iostream>

#include <csignal>

#include <pthread.h>
#include <sys/stat.h>
#include <sysexits.h>

#include <libmilter/mfapi.h>

#include "callbacks.hpp"
#include "daemon.hpp"
#include "smime/certificate.hpp"

using namespace segel;

int main(int argc, char** argv) {
    const auto parsed = config::parse_milter_command_line(argc, argv);
    if (parsed.help) {
        std::cout << parsed.usage;
        return EX_OK;
    }
    if (!parsed.settings) {
        for (const auto& problem : parsed.problems)
            std::cerr << "segel-milter: " << problem << "\n";
        return EX_CONFIG;
    }
    auto settings = std::make_shared<const config::MilterSettings>(*parsed.settings);
    if (parsed.check_config) {
        std::string problem;
        if (!milter::build_pipelines(settings, problem)) {
            std::cerr << "segel-milter: " << problem << "\n";
            return EX_CONFIG;
        }
        std::cout << config::format_milter_settings(*settings);
        return EX_OK;
    }

    // Every thread started from here on inherits these blocked: all three
    // are taken by our signal thread (daemon.cpp), never by default delivery
    // nor by libmilter's signal thread.
    sigset_t handled;
    sigemptyset(&handled);
    sigaddset(&handled, SIGHUP);
    sigaddset(&handled, SIGTERM);
    sigaddset(&handled, SIGINT);
    pthread_sigmask(SIG_BLOCK, &handled, nullptr);

    milter::open_log(*settings);
    std::string problem;

    // MLT-06: register, set the socket and open it before dropping
    // privileges; umask 007 lets the socket's group (Postfix) connect.
    if (smfi_register(milter::filter_description()) != MI_SUCCESS ||
        smfi_setconn(const_cast<char*>(settings->milter.socket.c_str())) != MI_SUCCESS) {
        std::cerr << "segel-milter: cannot register with libmilter\n";
        return EX_SOFTWARE;
    }
    smfi_setbacklog(128);
    ::umask(007);
    if (smfi_opensocket(true) != MI_SUCCESS) {
        std::cerr << "segel-milter: cannot open " << settings->milter.socket << "\n";
        return EX_UNAVAILABLE;
    }
    if (!milter::drop_privileges(*settings, problem)) {
        std::cerr << "segel-milter: " << problem << "\n";
        return EX_NOPERM;
    }
    auto pipelines = milter::build_pipelines(settings, problem);
    if (!pipelines) {
        milter::log_error("cannot start: " + problem);
        std::cerr << "segel-milter: " << problem << "\n";
        return EX_UNAVAILABLE;
    }
    milter::Daemon::instance().install(pipelines);
    milter::start_signal_thread();
    milter::start_crl_refresh_thread();
    milter::log_info("started: socket=" + settings->milter.socket + " settings=" + settings->source);

    const int status = smfi_main();

    milter::log_info("stopped");
    return status == MI_SUCCESS ? EX_OK : EX_SOFTWARE;
}
