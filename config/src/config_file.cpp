#include "config_file.hpp"

#include <algorithm>
#include <fstream>
#include <map>

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
