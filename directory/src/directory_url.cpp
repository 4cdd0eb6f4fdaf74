#include "directory/directory_url.hpp"

#include <algorithm>
#include <cctype>

namespace segel::directory {

namespace {

constexpr std::string_view k_schemes[] = {"postgresql://", "postgres://"};

bool has_parameter(const std::string& query, const std::string& name) {
    std::size_t start = 0;
    while (start < query.size()) {
        const auto end = std::min(query.find('&', start), query.size());
        if (query.compare(start, name.size() + 1, name + "=") == 0)
            return true;
        start = end + 1;
    }
    return false;
}

} // namespace

std::string sqlite_file_of(const std::string& url) {
    constexpr std::string_view k_sqlite = "sqlite:";
    if (url.compare(0, k_sqlite.size(), k_sqlite) == 0)
        return url.substr(k_sqlite.size());
    return url.find("://") == std::string::npos ? url : std::string();
}

bool is_postgres_url(const std::string& url) {
    std::string lower(url.substr(0, 14));
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    return std::any_of(std::begin(k_schemes), std::end(k_schemes),
                       [&](std::string_view scheme) { return lower.compare(0, scheme.size(), scheme) == 0; });
}

Result<std::string> postgres_conninfo(const std::string& url) {
    if (!is_postgres_url(url))
        return make_error(ErrorKind::invalid_input, "the directory URL does not start with postgresql://");
    const auto authority_start = url.find("://") + 3;
    const auto authority_end = std::min(url.find_first_of("/?", authority_start), url.size());
    const std::string authority = url.substr(authority_start, authority_end - authority_start);
    const auto at = authority.rfind('@');
    const auto query_start = url.find('?');
    const std::string query = query_start == std::string::npos ? std::string() : url.substr(query_start + 1);
    if ((at != std::string::npos && authority.substr(0, at).find(':') != std::string::npos) ||
        has_parameter(query, "password"))
        return make_error(ErrorKind::invalid_input,
                          "the directory URL carries a password; use peer authentication or a password file "
                          "(~/.pgpass, or passfile=PATH in the URL) instead");
    std::string conninfo = url;
    const auto add = [&](const std::string& name, const std::string& value) {
        if (has_parameter(query, name))
            return;
        conninfo += (conninfo.find('?') == std::string::npos ? "?" : "&") + name + "=" + value;
    };
    add("connect_timeout", "5");
    add("application_name", "segel");
    return conninfo;
}

} // namespace segel::directory
