#include "milter/encryption_pipeline.hpp"

#include <exception>

#include "encrypted_copy.hpp"
#include "encryption_marking.hpp"
#include "encryption_notice.hpp"
#include "milter/message_rewrite.hpp"
#include "smime/address.hpp"
#include "smime/sender_address.hpp"

namespace segel::milter {

namespace {

EncryptionResult ended(EncryptionResult result, EncryptionOutcome outcome, std::string reason) {
    result.outcome = outcome;
    result.reason = std::move(reason);
    return result;
}

// The top-level media type, lower case ("multipart/signed"); empty: none.
std::string media_type_of(const smime::SpooledMessage& message) {
    const auto fields = message.fields_named("Content-Type");
    if (fields.empty())
        return {};
    std::string value = fields.front()->unfolded_value();
    value = value.substr(0, value.find(';'));
    std::string type;
    for (const unsigned char c : value)
        if (c != ' ' && c != '\t')
            type += static_cast<char>(std::tolower(c));
    return type;
}

std::string marking_of(const smime::SpooledMessage& message) {
    const auto fields = message.fields_named(k_encrypt_marking_field);
    if (fields.empty())
        return {};
    std::string value = fields.front()->unfolded_value();
    value.erase(0, value.find_first_not_of(" \t"));
    return value.substr(0, value.find_last_not_of(" \t") + 1);
}

} // namespace

EncryptionPipeline::EncryptionPipeline(std::shared_ptr<const config::MilterSettings> settings,
                                       std::shared_ptr<const RecipientPlanner> planner)
    : m_settings(std::move(settings)), m_planner(std::move(planner)) {}

EncryptionResult EncryptionPipeline::finish(const SessionFacts& facts, const smime::MimeEntity& message,
                                            MtaActions& mta) const {
    EncryptionResult result;
    try {
        result = process(facts, message, mta);
    } catch (const std::exception& e) {
        result = ended(std::move(result), EncryptionOutcome::internal_error, std::string("exception: ") + e.what());
    }
    result.verdict = respond(result.outcome, *m_settings, mta, result.notice);
    return result;
}

EncryptionResult EncryptionPipeline::finish_unreadable(const SessionFacts&, const smime::Error& problem,
                                                       MtaActions& mta) const {
    EncryptionResult result = ended({}, EncryptionOutcome::internal_error, problem.detail);
    result.verdict = respond(result.outcome, *m_settings, mta);
    return result;
}

EncryptionResult EncryptionPipeline::process(const SessionFacts& facts, const smime::MimeEntity& message,
                                             MtaActions& mta) const {
    EncryptionResult result;
    if (auto from = smime::single_from_address(message.origin()))
        result.from = smime::address_key(*from);
    if (facts.recipients.size() != 1)
        return ended(std::move(result), EncryptionOutcome::several_recipients,
                     std::to_string(facts.recipients.size()) + " recipients in one transaction (set the transport's "
                                                               "destination_recipient_limit = 1)");
    const std::string marking = marking_of(message.origin());
    const smime::MimeEntity unmarked = message.rewritten({k_encrypt_marking_field}, {});
    const std::string type = media_type_of(message.origin());
    const bool encrypted_already = type == "application/pkcs7-mime" || type == "application/x-pkcs7-mime";
    if (encrypted_already || type != "multipart/signed") {
        if (!apply_rewrite(unmarked, mta, static_cast<std::size_t>(m_settings->milter.body_chunk_bytes)))
            return ended(std::move(result), EncryptionOutcome::internal_error, "the MTA refused an edit");
        return ended(std::move(result), EncryptionOutcome::left_as_is,
                     encrypted_already ? "S/MIME already (" + type + ")" : "not signed here: never encrypted unsigned");
    }
    auto plan = m_planner->plan(facts.recipients.front(), marking_floor(marking));
    if (!plan) {
        const bool down = plan.error().kind == directory::ErrorKind::unavailable;
        return ended(std::move(result), down ? EncryptionOutcome::directory_unavailable : EncryptionOutcome::internal_error,
                     plan.error().detail);
    }
    if (plan->treatment == directory::Treatment::encrypt && plan->mode == directory::EncryptionMode::opportunistic &&
        marking.rfind("opportunistic-partial", 0) == 0) {
        plan->treatment = directory::Treatment::clear;
        plan->reason = "opportunistic, and another recipient of the message has no usable certificate";
    }
    switch (plan->treatment) {
    case directory::Treatment::encrypt: return encrypt(unmarked, *plan, std::move(result), mta);
    case directory::Treatment::clear: break;
    case directory::Treatment::refuse:
    case directory::Treatment::retry:
        result.notice = encryption_refusal_notice(*plan);
        return ended(std::move(result),
                     plan->treatment == directory::Treatment::refuse ? EncryptionOutcome::recipient_refused
                                                                     : EncryptionOutcome::recipient_later,
                     plan->reason);
    }
    // Signed only: the marking field goes, nothing else changes.
    if (!apply_rewrite(unmarked, mta, static_cast<std::size_t>(m_settings->milter.body_chunk_bytes)))
        return ended(std::move(result), EncryptionOutcome::internal_error, "the MTA refused an edit");
    return ended(std::move(result), EncryptionOutcome::sent_clear, plan->reason);
}

EncryptionResult EncryptionPipeline::encrypt(const smime::MimeEntity& message, const directory::RecipientPlan& plan,
                                             EncryptionResult result, MtaActions& mta) const {
    const EncryptedCopy copy = encrypt_copy(message, plan, *m_settings);
    result.serial = plan.certificates.front().certificate.serial_hex();
    if (copy.outcome != EncryptionOutcome::encrypted)
        return ended(std::move(result), copy.outcome, copy.reason);
    if (!apply_rewrite(*copy.entity, mta, static_cast<std::size_t>(m_settings->milter.body_chunk_bytes)))
        return ended(std::move(result), EncryptionOutcome::internal_error, "the MTA refused an edit");
    if (auto recorded = record_copy(m_planner->directory(), copy, plan, result.from, smime::message_id_of(message.origin()));
        !recorded)
        return ended(std::move(result), EncryptionOutcome::internal_error,
                     "encryption not recorded: " + recorded.error().detail);
    return ended(std::move(result), EncryptionOutcome::encrypted, copy.reason);
}

} // namespace segel::milter
