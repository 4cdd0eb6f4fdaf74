// Entry points of the segel tool's subcommands. Each returns a sysexits code
// and prints at most one line on standard error when it fails.
#pragma once

#include "config/command_line.hpp"

namespace segel::tool {

int run_msg_sign(const config::MsgSignCommand& command);

} // namespace segel::tool
