// Asks for a passphrase on the controlling terminal with echo off.
#pragma once

#include <optional>
#include <string>

#include "smime/signing_identity.hpp"

namespace segel::tool {

// nullopt when there is no terminal to ask on.
std::optional<smime::Passphrase> ask_passphrase(const std::string& prompt);

} // namespace segel::tool
