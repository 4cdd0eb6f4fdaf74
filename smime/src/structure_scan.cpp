#include "structure_scan.hpp"

#include <string>
#include <unordered_set>

#include "ascii.hpp"

namespace segel::smime {

namespace {

bool is_lwsp(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim_end(std::string_view text) {
    while (!text.empty() && is_lwsp(text.back()))
        text.remove_suffix(1);
    return text;
}

// The boundaries a message declares, as GMime would match them (RFC 2046
// §5.1.1). Forms whose decoded value the scan cannot know for certain (RFC
// 2231 sections or charsets, quoted pairs, RFC 2047 words, a value folded
// onto the next line) make every line starting "--" count instead.
class DeclaredBoundaries {
public:
    explicit DeclaredBoundaries(std::size_t cap) : m_cap(cap) {}

    void learn_from(std::string_view line) {
        for (std::size_t at = find_keyword(line, 0); at != std::string_view::npos; at = find_keyword(line, at + 1))
            learn_value(line.substr(at + k_keyword.size()));
    }

    bool is_delimiter(std::string_view line) const {
        if (line.size() < 3 || line[0] != '-' || line[1] != '-')
            return false;
        if (m_uncertain)
            return true;
        const std::string_view rest = trim_end(line.substr(2));
        if (m_known.count(std::string(rest)) != 0)
            return true;
        return rest.size() > 2 && rest.substr(rest.size() - 2) == "--" &&
               m_known.count(std::string(rest.substr(0, rest.size() - 2))) != 0;
    }

private:
    static constexpr std::string_view k_keyword = "boundary";

    static std::size_t find_keyword(std::string_view line, std::size_t from) {
        for (std::size_t at = line.find_first_of("bB", from); at != std::string_view::npos;
             at = line.find_first_of("bB", at + 1))
            if (ascii::iequals(line.substr(at, k_keyword.size()), k_keyword))
                return at;
        return std::string_view::npos;
    }

    void learn_value(std::string_view after) {
        std::size_t pos = 0;
        while (pos < after.size() && is_lwsp(after[pos]))
            ++pos;
        if (pos < after.size() && after[pos] == '*') {
            m_uncertain = true; // RFC 2231: sections or an encoded value
            return;
        }
        if (pos >= after.size() || after[pos] != '=')
            return; // the word in prose, not a parameter
        ++pos;
        while (pos < after.size() && is_lwsp(after[pos]))
            ++pos;
        std::string_view value = after.substr(pos);
        if (!value.empty() && value.front() == '"') {
            const std::size_t close = value.find('"', 1);
            value = value.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
        } else {
            value = value.substr(0, value.find_first_of("; \t\r"));
        }
        if (value.empty() || value.find('\\') != std::string_view::npos ||
            value.find("=?") != std::string_view::npos || m_known.size() > m_cap) {
            m_uncertain = true;
            return;
        }
        m_known.emplace(trim_end(value));
    }

    std::size_t m_cap;
    std::unordered_set<std::string> m_known;
    bool m_uncertain = false;
};

bool starts_content_type(std::string_view line) {
    constexpr std::string_view name = "content-type";
    return line.size() >= name.size() && ascii::iequals(line.substr(0, name.size()), name);
}

} // namespace

StructureCount count_structure(std::string_view message, std::size_t cap,
                               const std::function<void(std::size_t)>& done_before) {
    constexpr std::size_t k_report_every = 4 << 20;
    StructureCount count;
    DeclaredBoundaries boundaries(cap);
    const std::size_t total = message.size();
    std::size_t next_report = k_report_every;
    while (!message.empty() && count.delimiter_lines <= cap && count.content_type_lines <= cap) {
        const std::size_t end = message.find('\n');
        const std::string_view line = message.substr(0, end);
        message.remove_prefix(end == std::string_view::npos ? message.size() : end + 1);
        if (done_before && total - message.size() >= next_report) {
            done_before(total - message.size());
            next_report = total - message.size() + k_report_every;
        }
        if (boundaries.is_delimiter(line))
            ++count.delimiter_lines;
        else if (starts_content_type(line))
            ++count.content_type_lines;
        boundaries.learn_from(line);
    }
    return count;
}

} // namespace segel::smime
