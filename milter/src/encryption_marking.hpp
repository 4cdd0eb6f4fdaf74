// At the submission, after signing: whether a message goes through the
// encryption hop (encryption_pipeline.hpp), and the header edits that say
// so. The subject trigger (a tag of [encryption] subject_tag, matched
// case-insensitively in the decoded Subject, honoured only here, where every
// sender is authenticated) raises the message to required and is removed.
// A marking field the sender wrote is always removed.
//
// A message is marked when some submitted recipient may be encrypted to or
// must be refused: the trigger; a recipient whose plan encrypts (required,
// or opportunistic when every external recipient has a usable
// certificate), refuses or retries; or an internal recipient while any
// policy may encrypt, since Postfix may expand that address to an external
// one. The field's value tells the hop "required", "opportunistic-all" or
// "opportunistic-partial" (some recipient without a usable certificate:
// opportunistic recipients stay signed only). A reply to a message the
// gateway decrypted (In-Reply-To or References, DEC-09) has at least the
// mode [encryption] replies_to_decrypted names: required as the trigger,
// or opportunistic, told to the hop with "; floor=opportunistic". Unmarked mail takes no extra hop.
// A message with one external recipient is not marked when
// single_recipient_direct is on: its plan is returned for the submission to
// encrypt, send signed only or refuse at once (no other recipient can see
// its certificate, and an external address is not expanded).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/milter_settings.hpp"
#include "milter/recipient_planner.hpp"
#include "milter/routing.hpp"
#include "smime/mime_entity.hpp"

namespace segel::milter {

struct EncryptionMarking {
    std::vector<std::string> removed;         // field names
    std::vector<smime::NewHeaderField> added; // the Subject without its tag, the marking field
    std::string note;                         // for the log; empty: not marked
    // [encryption] single_recipient_direct and one external recipient: its
    // plan, for the submission to act on at once (no marking field, no hop).
    std::optional<directory::RecipientPlan> direct;
};

constexpr const char* k_reply_floor_parameter = "floor=opportunistic";

// The least mode the hop applies for a marking field's value.
directory::EncryptionMode marking_floor(const std::string& marking);

// The decoded subject without any of `tags` (and the space after one), or
// nullopt when it carries none.
std::optional<std::string> subject_without_tags(const std::string& subject, const std::vector<std::string>& tags);

directory::Result<EncryptionMarking> mark_for_encryption(const RecipientPlanner& planner,
                                                         const config::EncryptionSettings& settings,
                                                         const SessionFacts& facts,
                                                         const smime::SpooledMessage& message);

} // namespace segel::milter
