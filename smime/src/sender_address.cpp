#include "smime/sender_address.hpp"

#include <gmime/gmime.h>

#include "ascii.hpp"
#include "gmime_handles.hpp"
#include "gmime_library.hpp"
#include "smime/header_text.hpp"

namespace segel::smime {

namespace {
// Collects the mailboxes of a list, descending into groups (RFC 5322 §3.4).
void collect_mailboxes(InternetAddressList* list, std::vector<std::string>& out) {
    for (int i = 0; list != nullptr && i < internet_address_list_length(list); ++i) {
        InternetAddress* address = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(address))
            collect_mailboxes(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(address)), out);
        else if (INTERNET_ADDRESS_IS_MAILBOX(address))
            out.emplace_back(internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(address)));
    }
}
} // namespace

Result<std::string> single_from_address(const SpooledMessage& message) {
    ensure_gmime_initialised();
    const auto fields = message.fields_named("From");
    if (fields.empty())
        return make_error(ErrorKind::ambiguous_sender, "the message has no From field");
    if (fields.size() > 1)
        return make_error(ErrorKind::ambiguous_sender,
                          "the message has " + std::to_string(fields.size()) + " From fields; RFC 5322 allows one");
    return single_mailbox(fields.front()->unfolded_value());
}

Result<std::string> single_mailbox(const std::string& value) {
    ensure_gmime_initialised();
    gm::GPtr<InternetAddressList> list(internet_address_list_parse(nullptr, value.c_str()));
    std::vector<std::string> mailboxes;
    collect_mailboxes(list.get(), mailboxes);
    if (mailboxes.size() != 1)
        return make_error(ErrorKind::ambiguous_sender,
                          "the From field holds " + std::to_string(mailboxes.size()) +
                              " mailboxes; a signed message needs exactly one");
    const std::string& address = mailboxes.front();
    const auto at = address.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == address.size())
        return make_error(ErrorKind::ambiguous_sender,
                          "the From mailbox \"" + ascii::printable(address) + "\" is not local@domain");
    return address;
}

namespace {

// "@" and the Unicode forms a reader takes for one (U+FF20, U+FE6B), UTF-8.
std::size_t find_at_sign(const std::string& text, std::size_t from, std::size_t& length) {
    for (std::size_t i = from; i < text.size(); ++i) {
        for (std::string_view sign : {std::string_view("@"), std::string_view("\xef\xbc\xa0"),
                                      std::string_view("\xef\xb9\xab")})
            if (text.compare(i, sign.size(), sign) == 0) {
                length = sign.size();
                return i;
            }
    }
    return std::string::npos;
}

bool ends_token(char c) {
    return c == ' ' || c == '\t' || c == '"' || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' ||
           c == ';' || c == ':' || c == '[' || c == ']';
}

// Removes every occurrence of `needle`, compared case-insensitively.
std::string without(std::string text, const std::string& needle) {
    if (needle.empty())
        return text;
    const std::string lower_needle = ascii::to_lower(needle);
    std::string lower_text = ascii::to_lower(text);
    for (std::size_t at = lower_text.find(lower_needle); at != std::string::npos; at = lower_text.find(lower_needle, at)) {
        text.erase(at, needle.size());
        lower_text.erase(at, needle.size());
    }
    return text;
}

} // namespace

std::optional<std::string> other_address_in_from(const std::string& value, const std::string& addr_spec) {
    const std::string decoded = decode_header_text(value);
    const std::string rest = without(decoded, addr_spec);
    std::size_t length = 0;
    for (std::size_t at = find_at_sign(rest, 0, length); at != std::string::npos;
         at = find_at_sign(rest, at + length, length)) {
        std::size_t begin = at;
        while (begin > 0 && !ends_token(rest[begin - 1]))
            --begin;
        std::size_t end = at + length;
        while (end < rest.size() && !ends_token(rest[end]))
            ++end;
        if (begin < at && end > at + length) // text on both sides of the sign, as in local@domain
            return rest.substr(begin, end - begin);
    }
    return std::nullopt;
}

} // namespace segel::smime
