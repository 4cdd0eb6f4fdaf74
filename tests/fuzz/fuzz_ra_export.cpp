// libFuzzer target over the RA's status export (`segel sync ra FILE`, CSV
// written by another system): the parser and the planning of its changes
// against a directory. Any input must give a plan or an error naming the
// problem, never a crash, a leak or undefined behaviour (ASan+UBSan).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "directory/ra_sync.hpp"
#include "directory/directory_service.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const std::unique_ptr<segel::directory::DirectoryService> directory = [] {
        segel::directory::DirectoryOptions options;
        options.create = true;
        options.domains = {"tangerangkota.go.id"};
        return std::move(segel::directory::open_directory(":memory:", options)).value();
    }();
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    auto rows = segel::directory::parse_ra_export(in, "fuzz.csv");
    if (rows)
        (void)segel::directory::plan_ra_sync(*directory, *rows, {"tangerangkota.go.id"},
                                             std::chrono::system_clock::now(), "fuzz.csv");
    return 0;
}
