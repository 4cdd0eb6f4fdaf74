// Reading a message file (or standard input) into a spool, for the msg
// commands. On a missing input, sets exit_code to EX_NOINPUT.
#pragma once

#include <filesystem>
#include <string>

#include "smime/message_spool.hpp"

namespace segel::tool {

// The directory for temporary files: `configured`, else $TMPDIR, else /tmp.
std::filesystem::path temp_dir_for(const std::string& configured);

smime::Result<smime::SpooledMessage> read_message(const std::string& input, const std::filesystem::path& temp_dir,
                                                  int& exit_code);

} // namespace segel::tool
