#include "config_file.hpp"

#include <algorithm>
#include <fstream>

namespace po = boost::program_options;

namespace segel::config {

bool read_config_file(const std::string& path, const po::options_description& options, po::variables_map& vm,
                      std::vector<std::string>& problems) {
    std::ifstream in(path);
    if (!in) {
        problems.push_back(path + ": cannot be read");
        return false;
    }
    try {
        po::store(po::parse_config_file(in, options, false), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        problems.push_back(path + ": " + e.what());
        return false;
    }
    return true;
}

bool valid_domain(const std::string& domain) {
    return !domain.empty() && domain.front() != '.' && domain.back() != '.' && domain.find('.') != std::string::npos &&
           std::all_of(domain.begin(), domain.end(),
                       [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'; });
}

bool valid_address(const std::string& address) {
    const auto at = address.find('@');
    return at != std::string::npos && at > 0 && valid_domain(address.substr(at + 1)) &&
           std::none_of(address.begin(), address.end(), [](char c) { return c <= ' ' || c == ',' || c == '<'; });
}

} // namespace segel::config
