// Helpers shared by the settings loaders (internal to the config module):
// reading an INI-style file with Boost.Program_options, and the checks of
// domain names and addresses.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace segel::config {

// Parses `path` against `options` into `vm`; unknown options are errors.
// On failure appends "path: problem" to `problems` and returns false.
bool read_config_file(const std::string& path, const boost::program_options::options_description& options,
                      boost::program_options::variables_map& vm, std::vector<std::string>& problems);

// The text of a Boost.Program_options error, safe for any input. Boost
// builds the message by replacing each "%name%" placeholder until none is
// left, so a value or option name that itself contains "%value%" (or any
// placeholder) would make what() loop for ever. Every '%' in the user's
// text is shown as "%25" before the message is built.
std::string option_error_text(boost::program_options::error& e);

struct DirectorySettings;
// The [directory] options both settings files share, and reading them.
void add_directory_options(boost::program_options::options_description& options);
void read_directory_settings(const boost::program_options::variables_map& vm, DirectorySettings& into,
                             std::vector<std::string>& problems, const std::string& where);

// A lower-case DNS name with at least one dot.
bool valid_domain(const std::string& domain);
// local@domain with a valid domain, no spaces or angle brackets.
bool valid_address(const std::string& address);

} // namespace segel::config
