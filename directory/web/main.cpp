// segel-admin: the RA's admin web page and its JSON API (README: "The admin
// web page"). Reads segel.conf ([directory], [web]), opens the directory
// without the master key, and serves until SIGTERM or SIGINT.
#include <sysexits.h>

#include <pthread.h>

#include <csignal>
#include <iostream>
#include <memory>
#include <thread>

#include <httplib.h>

#include "config/command_line.hpp"
#include "directory/admin/directory_access.hpp"
#include "../tool/directory_session.hpp"
#include "web_app.hpp"

namespace {

const sigset_t& stop_signals() {
    static const sigset_t set = [] {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGTERM);
        sigaddset(&s, SIGINT);
        return s;
    }();
    return set;
}

std::unique_ptr<httplib::Server> make_server(const segel::config::WebSettings& web) {
    if (web.certificate.empty())
        return std::make_unique<httplib::Server>();
    auto server = std::make_unique<httplib::SSLServer>(web.certificate.c_str(), web.key.c_str());
    if (!server->is_valid())
        return nullptr;
    return server;
}

int serve(const segel::config::ToolSettings& settings) {
    namespace admin = segel::directory::admin;
    auto directory = admin::open_for(segel::tool::location_of(settings), admin::KeyNeed::none, admin::Access::write);
    if (!directory) {
        std::cerr << "segel-admin: " << directory.error().message << "\n";
        return EX_UNAVAILABLE;
    }
    auto server = make_server(settings.web);
    if (!server) {
        std::cerr << "segel-admin: web.certificate " << settings.web.certificate << " and web.key " << settings.web.key
                  << " cannot be used for HTTPS\n";
        return EX_CONFIG;
    }
    segel::web::WebApp app(settings, std::move(*directory));
    app.install(*server);
    server->set_payload_max_length(9 * 1024 * 1024);
    server->set_read_timeout(30, 0);
    server->set_write_timeout(30, 0);
    server->set_exception_handler([](const httplib::Request&, httplib::Response& response, std::exception_ptr) {
        response.status = 500;
        response.set_content("{\"error\": \"internal error\"}\n", "application/json");
    });
    std::signal(SIGPIPE, SIG_IGN);
    const auto& web = settings.web;
    if (!server->bind_to_port(web.listen_address.c_str(), web.listen_port)) {
        std::cerr << "segel-admin: cannot listen on " << web.listen_address << ":" << web.listen_port << "\n";
        return EX_UNAVAILABLE;
    }
    std::cerr << "segel-admin: serving " << (web.certificate.empty() ? "http" : "https") << "://"
              << web.listen_address << ":" << web.listen_port << "/ (directory " << settings.directory.database
              << ", accounts " << web.accounts << ")\n";
    // SIGTERM and SIGINT are taken by one thread (blocked in every other,
    // which inherit the mask), which stops the server outside any handler.
    std::thread stopper([&server] {
        int signal_number = 0;
        sigwait(&stop_signals(), &signal_number);
        server->stop();
    });
    server->listen_after_bind();
    if (stopper.joinable()) {
        pthread_kill(stopper.native_handle(), SIGTERM);
        stopper.join();
    }
    return EX_OK;
}

} // namespace

int main(int argc, char** argv) {
    pthread_sigmask(SIG_BLOCK, &stop_signals(), nullptr);
    try {
        const auto parsed = segel::config::parse_admin_command_line(argc, argv);
        if (parsed.help) {
            std::cout << parsed.usage;
            return EX_OK;
        }
        if (!parsed.config_problems.empty()) {
            for (const auto& problem : parsed.config_problems)
                std::cerr << "segel-admin: " << problem << "\n";
            return EX_CONFIG;
        }
        if (!parsed.settings) {
            std::cerr << "segel-admin: " << parsed.error << "\n\n" << parsed.usage;
            return EX_USAGE;
        }
        return serve(*parsed.settings);
    } catch (const std::exception& e) {
        std::cerr << "segel-admin: internal error: " << e.what() << "\n";
        return EX_SOFTWARE;
    }
}
