// Opening the certificate directory for one tool command: settings to a
// DirectoryService, with the master key when the command needs it, a check
// that a writing command can write, the actor for the audit log, and the
// sysexits code for each directory error.
#pragma once

#include <memory>
#include <string>

#include "config/tool_settings.hpp"
#include "directory/directory_service.hpp"

namespace segel::tool {

enum class KeyNeed { none, required };
enum class Access { read, write };

struct Session {
    std::unique_ptr<directory::DirectoryService> directory;
    directory::Actor actor;
};

// On failure prints one line and sets exit_code.
std::optional<Session> open_session(const config::ToolSettings& settings, KeyNeed key, Access access, int& exit_code);

// Prints "segel: WHAT: detail" and returns the sysexits code for the kind.
int report_error(const directory::Error& error, const std::string& what);

// "admin:<user>" from SUDO_USER or the real user.
directory::Actor current_actor();

} // namespace segel::tool
