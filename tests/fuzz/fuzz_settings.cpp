// libFuzzer target over the settings files an operator writes: the
// segel-milter file and the segel tool's file, through parsing and every
// validation. Any input must give settings or problems named by option,
// never a crash, a leak or undefined behaviour (ASan+UBSan).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "config/command_line.hpp"
#include "config/milter_settings.hpp"

namespace {
// The one file each input is written to, removed when the run ends.
struct SettingsFile {
    std::string path =
        (std::filesystem::temp_directory_path() / ("segel-fuzz-settings-" + std::to_string(::getpid()) + ".conf")).string();
    ~SettingsFile() { std::filesystem::remove(path); }
};
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const SettingsFile file;
    const std::string& path = file.path;
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    }
    const char* milter_args[] = {"segel-milter", "--config", path.c_str(), "--check-config"};
    const auto milter = segel::config::parse_milter_command_line(4, milter_args);
    if (milter.settings)
        (void)segel::config::format_milter_settings(*milter.settings);
    const char* tool_args[] = {"segel", "directory", "list", "--config", path.c_str()};
    (void)segel::config::parse_command_line(5, tool_args);
    return 0;
}
