#include "smime/sender_address.hpp"

#include <gmime/gmime.h>

#include "ascii.hpp"
#include "gmime_handles.hpp"
#include "gmime_library.hpp"

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

} // namespace segel::smime
