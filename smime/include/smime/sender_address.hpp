// The one author of a message: RFC 5322 §3.6 allows one From field; we also
// (thread-safe; reads only the spooled header)
// insist on one mailbox in it (SEC-04), since a signature vouches for one
// person.
#pragma once

#include <optional>
#include <string>

#include "smime/error.hpp"
#include "smime/message_spool.hpp"

namespace segel::smime {

// The addr-spec (local@domain) of the single From mailbox, or
// ambiguous_sender naming what is wrong.
Result<std::string> single_from_address(const SpooledMessage& message);

// The same for one From field's (unfolded) value, wherever it was found.
Result<std::string> single_mailbox(const std::string& value);

// CH-04 (decided), JYAF i2: text shaped like an email address (local@domain,
// also with a full-width or small "@") in a From field's value, outside the
// addr-spec itself: in the display name, quoted or not, or in a comment,
// after RFC 2047 decoding. Many clients show only the display name, so such
// text can pass off one sender as another. Returns the first one found.
std::optional<std::string> other_address_in_from(const std::string& value, const std::string& addr_spec);

} // namespace segel::smime
