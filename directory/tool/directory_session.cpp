#include "directory_session.hpp"

#include <iostream>

#include <pwd.h>
#include <sysexits.h>
#include <unistd.h>

namespace segel::tool {

using directory::admin::FailureKind;

directory::admin::DirectoryLocation location_of(const config::ToolSettings& settings) {
    return {settings.directory.database, settings.directory.master_key_file, settings.directory.domains,
            static_cast<std::size_t>(settings.directory.pool_size),
            std::chrono::milliseconds(settings.directory.timeout_ms)};
}

namespace {
std::string login_name() {
    if (const char* sudo_user = std::getenv("SUDO_USER"); sudo_user != nullptr && *sudo_user != '\0')
        return sudo_user;
    if (const struct passwd* pw = ::getpwuid(::getuid()))
        return pw->pw_name;
    return "uid" + std::to_string(::getuid());
}
} // namespace

directory::admin::Operator current_operator() {
    using directory::admin::Role;
    return {login_name(), {Role::ra_operator, Role::auditor, Role::administrator}, directory::admin::Channel::cli};
}

int report_failure(const directory::admin::Failure& failure) {
    std::cerr << "segel: " << failure.message << "\n";
    switch (failure.kind) {
    case FailureKind::invalid_request:
        return EX_USAGE;
    case FailureKind::input_unreadable:
        return EX_NOINPUT;
    case FailureKind::invalid_input:
        return EX_DATAERR;
    case FailureKind::not_permitted:
        return EX_NOPERM;
    case FailureKind::misconfigured:
        return EX_CONFIG;
    case FailureKind::cannot_create:
        return EX_CANTCREAT;
    case FailureKind::unavailable:
        return EX_UNAVAILABLE;
    case FailureKind::io_failure:
        return EX_IOERR;
    case FailureKind::internal:
        return EX_SOFTWARE;
    }
    return EX_SOFTWARE;
}

std::unique_ptr<directory::DirectoryService> open_directory_for(const config::ToolSettings& settings,
                                                                directory::admin::KeyNeed key,
                                                                directory::admin::Access access, int& exit_code) {
    auto opened = directory::admin::open_for(location_of(settings), key, access);
    if (!opened) {
        exit_code = report_failure(opened.error());
        return nullptr;
    }
    return std::move(opened).value();
}

} // namespace segel::tool
