#include "encryption_marking.hpp"

#include <algorithm>

#include "milter/encryption_pipeline.hpp"
#include "smime/header_text.hpp"

namespace segel::milter {

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// What the recipients' plans say about the hop.
struct Survey {
    std::optional<directory::RecipientPlan> first; // the first recipient's plan
    bool any_internal = false;
    bool any_refused = false;          // refuse or retry: the hop answers for them
    bool every_external_covered = true; // no opportunistic recipient left in clear
    bool any_required_encrypted = false;
    bool any_opportunistic_encrypted = false;
};

directory::Result<Survey> survey(const RecipientPlanner& planner, const SessionFacts& facts,
                                 directory::EncryptionMode floor) {
    Survey survey;
    for (const auto& recipient : facts.recipients) {
        auto plan = planner.plan(recipient, floor);
        if (!plan && plan.error().kind == directory::ErrorKind::invalid_input)
            continue; // not an address we can judge; Postfix will deliver or bounce it
        if (!plan)
            return plan.error();
        if (!survey.first)
            survey.first = *plan;
        if (plan->internal_recipient) {
            survey.any_internal = true;
            continue;
        }
        const bool required = plan->mode == directory::EncryptionMode::required;
        switch (plan->treatment) {
        case directory::Treatment::encrypt:
            (required ? survey.any_required_encrypted : survey.any_opportunistic_encrypted) = true;
            break;
        case directory::Treatment::refuse:
        case directory::Treatment::retry: survey.any_refused = true; break;
        case directory::Treatment::clear:
            survey.every_external_covered &= plan->mode != directory::EncryptionMode::opportunistic;
            break;
        }
    }
    return survey;
}

// DEC-09: a reply to a message the gateway decrypted is encrypted at least
// as [encryption] replies_to_decrypted says.
directory::Result<directory::EncryptionMode> reply_floor(const RecipientPlanner& planner,
                                                         const config::EncryptionSettings& settings,
                                                         const smime::SpooledMessage& message) {
    const auto floor = directory::parse_encryption_mode(settings.replies_to_decrypted);
    if (!floor || *floor == directory::EncryptionMode::never)
        return directory::EncryptionMode::never;
    auto decrypted = planner.directory().decrypted_any(smime::referenced_message_ids(message));
    if (!decrypted)
        return decrypted.error();
    return *decrypted ? *floor : directory::EncryptionMode::never;
}

} // namespace

directory::EncryptionMode marking_floor(const std::string& marking) {
    const std::string kind = marking.substr(0, marking.find(';'));
    if (kind == "required")
        return directory::EncryptionMode::required;
    return marking.find(k_reply_floor_parameter) != std::string::npos ? directory::EncryptionMode::opportunistic
                                                                       : directory::EncryptionMode::never;
}

std::optional<std::string> subject_without_tags(const std::string& subject, const std::vector<std::string>& tags) {
    std::string text = subject;
    bool found = false;
    for (const auto& tag : tags) {
        const std::string needle = lower(tag);
        for (std::size_t at = lower(text).find(needle); !needle.empty() && at != std::string::npos;
             at = lower(text).find(needle)) {
            std::size_t end = at + needle.size();
            while (end < text.size() && (text[end] == ' ' || text[end] == '\t'))
                ++end;
            text.erase(at, end - at);
            found = true;
        }
    }
    if (!found)
        return std::nullopt;
    const auto last = text.find_last_not_of(" \t");
    return last == std::string::npos ? std::string() : text.substr(0, last + 1);
}

directory::Result<EncryptionMarking> mark_for_encryption(const RecipientPlanner& planner,
                                                         const config::EncryptionSettings& settings,
                                                         const SessionFacts& facts,
                                                         const smime::SpooledMessage& message) {
    EncryptionMarking marking;
    if (!message.fields_named(k_encrypt_marking_field).empty())
        marking.removed.push_back(k_encrypt_marking_field);
    bool triggered = false;
    if (const auto subjects = message.fields_named("Subject"); !subjects.empty()) {
        std::string value = subjects.front()->unfolded_value();
        value.erase(0, value.find_first_not_of(" \t"));
        if (auto cleaned = subject_without_tags(smime::decode_header_text(value), settings.subject_tags)) {
            triggered = true;
            marking.removed.push_back("Subject");
            marking.added.push_back({"Subject", smime::encode_header_text(*cleaned)});
        }
    }
    auto floor = reply_floor(planner, settings, message);
    if (!floor)
        return floor.error();
    if (triggered)
        *floor = directory::EncryptionMode::required;
    auto found = survey(planner, facts, *floor);
    if (!found)
        return found.error();
    if (settings.single_recipient_direct && facts.recipients.size() == 1 && found->first &&
        !found->first->internal_recipient) {
        marking.direct = std::move(found->first);
        return marking;
    }
    bool hop = *floor == directory::EncryptionMode::required || found->any_refused || found->any_required_encrypted ||
               (found->any_opportunistic_encrypted && found->every_external_covered);
    if (!hop && found->any_internal) {
        auto any_policy = planner.any_encryption_policy();
        if (!any_policy)
            return any_policy.error();
        hop = *any_policy;
    }
    if (!hop)
        return marking;
    std::string value = *floor == directory::EncryptionMode::required ? "required"
                        : found->every_external_covered                 ? "opportunistic-all"
                                                                        : "opportunistic-partial";
    if (*floor == directory::EncryptionMode::opportunistic)
        value += std::string("; ") + k_reply_floor_parameter;
    marking.added.push_back({k_encrypt_marking_field, value});
    marking.note = "marked for the encryption hop (" + value + ")";
    return marking;
}

} // namespace segel::milter
