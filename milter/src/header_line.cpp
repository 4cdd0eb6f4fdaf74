#include "milter/header_line.hpp"

namespace segel::milter {

std::string spool_header_line(std::string_view name, std::string_view value, bool leading_space_kept) {
    std::string line;
    line.reserve(name.size() + value.size() + 8);
    line.append(name);
    line += leading_space_kept ? ":" : ": ";
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\n' && (i == 0 || value[i - 1] != '\r'))
            line += '\r';
        line += value[i];
    }
    return line + "\r\n";
}

} // namespace segel::milter
