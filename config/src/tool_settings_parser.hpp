// Loading ToolSettings from a file plus command-line overrides (internal to
// the config module).
#pragma once

#include <string>
#include <vector>

#include "config/tool_settings.hpp"

namespace segel::config {

struct SettingsOverrides {
    std::string config_file; // empty: /etc/segel/segel.conf if it exists
    std::string database;
    std::string master_key_file;
    std::vector<std::string> domains;
};

struct SettingsOutcome {
    ToolSettings settings;
    std::vector<std::string> problems; // "file: option: problem", all of them
};

SettingsOutcome load_tool_settings(const SettingsOverrides& overrides);

} // namespace segel::config
