#include "config_file.hpp"

#include <algorithm>
#include <fstream>
#include <map>

#include "config/directory_location.hpp"

namespace po = boost::program_options;

namespace segel::config {

void add_directory_options(po::options_description& options) {
    options.add_options()
        ("directory.database", po::value<std::string>())
        ("directory.url", po::value<std::string>())
        ("directory.master_key", po::value<std::string>())
        ("directory.domain", po::value<std::vector<std::string>>()->composing())
        ("directory.pool_size", po::value<int>())
        ("directory.timeout_ms", po::value<long>());
}

void read_directory_settings(const po::variables_map& vm, DirectorySettings& into, std::vector<std::string>& problems,
                             const std::string& where) {
    if (vm.count("directory.database"))
        into.database = vm["directory.database"].as<std::string>();
    if (vm.count("directory.url") && vm.count("directory.database"))
        problems.push_back(where + "directory.url: give url or database, not both");
    if (vm.count("directory.url"))
        into.database = vm["directory.url"].as<std::string>();
    if (vm.count("directory.master_key"))
        into.master_key_file = vm["directory.master_key"].as<std::string>();
    if (vm.count("directory.domain"))
        into.domains = vm["directory.domain"].as<std::vector<std::string>>();
    if (vm.count("directory.pool_size")) {
        into.pool_size = vm["directory.pool_size"].as<int>();
        if (into.pool_size < 1 || into.pool_size > 200)
            problems.push_back(where + "directory.pool_size: must be from 1 to 200");
    }
    if (vm.count("directory.timeout_ms")) {
        into.timeout_ms = vm["directory.timeout_ms"].as<long>();
        if (into.timeout_ms < 100 || into.timeout_ms > 600000)
            problems.push_back(where + "directory.timeout_ms: must be from 100 to 600000");
    }
}

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
    } catch (po::error& e) {
        problems.push_back(path + ": " + option_error_text(e));
        return false;
    }
    return true;
}

namespace {
// Reaches the user-supplied substitutions Boost keeps protected. The
// pointer to member is formed through a derived class, as the language
// allows, and applied to the caught object so its dynamic type (and its
// own message template) is kept.
struct SubstitutionAccess : po::error_with_option_name {
    using Map = std::map<std::string, std::string>;
    static Map po::error_with_option_name::*substitutions() { return &SubstitutionAccess::m_substitutions; }
};

std::string without_placeholders(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text)
        out += c == '%' ? std::string("%25") : std::string(1, c);
    return out;
}
} // namespace

std::string option_error_text(po::error& e) {
    if (auto* named = dynamic_cast<po::error_with_option_name*>(&e)) {
        auto& substitutions = named->*SubstitutionAccess::substitutions();
        for (auto& entry : substitutions)
            entry.second = without_placeholders(entry.second);
    }
    return e.what();
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
