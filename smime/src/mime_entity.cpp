#include "smime/mime_entity.hpp"

#include <algorithm>

#include "ascii.hpp"

namespace segel::smime {

namespace {

std::string crlf_line_ends(std::string_view raw) {
    std::string out;
    out.reserve(raw.size() + 8);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            out += '\r';
        out += raw[i];
    }
    if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0)
        out += "\r\n";
    return out;
}

// Folds "Name: a; b; c" after semicolons so lines stay near 78 characters.
std::string fold_field(const NewHeaderField& field) {
    std::string out = field.name + ":";
    std::size_t line_length = out.size();
    std::string_view rest = field.value;
    bool first = true;
    while (!rest.empty()) {
        std::size_t cut = rest.find("; ");
        std::string_view segment = rest.substr(0, cut == std::string_view::npos ? rest.size() : cut + 1);
        rest.remove_prefix(cut == std::string_view::npos ? rest.size() : cut + 2);
        if (!first && line_length + 1 + segment.size() > 78) {
            out += "\r\n\t";
            line_length = 1;
        } else {
            out += ' ';
            ++line_length;
        }
        out += segment;
        line_length += segment.size();
        first = false;
    }
    return out + "\r\n";
}

bool named_in(const std::vector<std::string>& names, std::string_view name) {
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) { return ascii::iequals(n, name); });
}

} // namespace

MimeEntity::MimeEntity(std::shared_ptr<const SpooledMessage> origin) : m_origin(std::move(origin)) {
    const SpooledMessage& spooled = *m_origin;
    if (spooled.has_body() && spooled.size() > spooled.body_offset())
        m_body.append_range(spooled.fd(), spooled.body_offset(), spooled.size() - spooled.body_offset(), m_origin);
}

MimeEntity MimeEntity::of(SpooledMessage message) {
    return MimeEntity(std::make_shared<const SpooledMessage>(std::move(message)));
}

MimeEntity MimeEntity::rewritten(const std::vector<std::string>& removed, std::vector<NewHeaderField> added,
                                 std::optional<BodyStream> body) const {
    MimeEntity next = *this;
    for (const auto& name : removed) {
        if (!m_origin->fields_named(name).empty() && !named_in(next.m_removed, name))
            next.m_removed.push_back(name);
        next.m_added.erase(std::remove_if(next.m_added.begin(), next.m_added.end(),
                                          [&](const NewHeaderField& f) { return ascii::iequals(f.name, name); }),
                           next.m_added.end());
    }
    for (auto& field : added)
        next.m_added.push_back(std::move(field));
    if (body) {
        next.m_body = std::move(*body);
        next.m_body_replaced = true;
    }
    return next;
}

bool MimeEntity::kept(const HeaderField& field) const { return !named_in(m_removed, field.name); }

std::string MimeEntity::header_text() const {
    std::string header;
    for (const auto& field : m_origin->headers())
        if (kept(field))
            header += crlf_line_ends(field.raw);
    for (const auto& field : m_added)
        header += fold_field(field);
    return header;
}

Result<std::uint64_t> MimeEntity::size() const {
    auto body = m_body.size();
    if (!body)
        return body.error();
    return header_text().size() + 2 + *body;
}

Result<void> MimeEntity::write_to(int fd, std::size_t chunk_bytes) const {
    if (auto written = write_fd(fd, header_text() + "\r\n"); !written)
        return written;
    return m_body.stream(chunk_bytes, [fd](std::string_view piece) { return write_fd(fd, piece).has_value(); });
}

Result<SpooledMessage> MimeEntity::materialise(const std::filesystem::path& temp_dir, SpoolLimits limits) const {
    auto spool = MessageSpool::create(temp_dir, limits);
    if (!spool)
        return spool.error();
    if (auto appended = spool->append(header_text() + "\r\n"); !appended)
        return appended.error();
    std::optional<Error> problem;
    auto streamed = m_body.stream(1 << 16, [&](std::string_view piece) {
        auto appended = spool->append(piece);
        if (!appended)
            problem = appended.error();
        return appended.has_value();
    });
    if (problem)
        return *problem;
    if (!streamed)
        return streamed.error();
    return std::move(*spool).finish();
}

} // namespace segel::smime
