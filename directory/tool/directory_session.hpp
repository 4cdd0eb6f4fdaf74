// The segel tool's side of the admin operations library
// (directory/admin/*.hpp): where the directory is (from the settings), who
// acts (the shell user, with every role: the files' permissions decide what
// they may touch), and one mapping from a Failure to a line on standard
// error and a sysexits(3) code.
#pragma once

#include <memory>

#include "config/tool_settings.hpp"
#include "directory/admin/directory_access.hpp"
#include "directory/admin/operator.hpp"

namespace segel::tool {

directory::admin::DirectoryLocation location_of(const config::ToolSettings& settings);

// "admin:<user>" in the audit log, from SUDO_USER or the real user.
directory::admin::Operator current_operator();

// Prints "segel: MESSAGE" and returns the sysexits code for the kind.
int report_failure(const directory::admin::Failure& failure);

// Opens the directory for one command; on failure prints one line, sets
// exit_code and returns nothing.
std::unique_ptr<directory::DirectoryService> open_directory_for(const config::ToolSettings& settings,
                                                                directory::admin::KeyNeed key,
                                                                directory::admin::Access access, int& exit_code);

} // namespace segel::tool
