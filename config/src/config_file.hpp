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

// A lower-case DNS name with at least one dot.
bool valid_domain(const std::string& domain);
// local@domain with a valid domain, no spaces or angle brackets.
bool valid_address(const std::string& address);

} // namespace segel::config
