#include "milter/inbound_decryption.hpp"

#include <algorithm>

#include "smime/address.hpp"

namespace segel::milter {

namespace {

const directory::Actor k_actor{"segel-milter"};

Opening with_state(Opening::State state, std::string detail) {
    Opening opening;
    opening.state = state;
    opening.detail = std::move(detail);
    return opening;
}

Opening not_decrypted(std::string detail) { return with_state(Opening::State::not_decrypted, std::move(detail)); }

// The names failures are counted against: the sender and each key named.
std::vector<std::string> failure_names(const std::string& from, const smime::Envelope& envelope) {
    std::vector<std::string> names = {"from:" + from};
    for (const auto& id : envelope.recipients)
        names.push_back("key:" + (id.issuer.empty() ? id.subject_key_id : id.issuer + "#" + id.serial));
    return names;
}

} // namespace

InboundDecryption::InboundDecryption(std::shared_ptr<const config::MilterSettings> settings,
                                     std::shared_ptr<directory::DirectoryService> directory)
    : m_settings(std::move(settings)), m_directory(std::move(directory)),
      m_failures(std::make_shared<DecryptionFailures>(m_settings->decryption.max_failures_per_hour)) {}

smime::EnvelopeLimits InboundDecryption::limits() const {
    smime::EnvelopeLimits limits;
    limits.max_recipient_infos = static_cast<std::size_t>(m_settings->decryption.max_recipient_infos);
    return limits;
}

Opening InboundDecryption::open(const SessionFacts& facts, const smime::MimeEntity& message, const std::string& from,
                                InboundStage stage) const {
    auto envelope = smime::find_envelope(message, limits());
    if (!envelope) {
        switch (envelope.error().kind) {
        case smime::ErrorKind::message_too_large: return with_state(Opening::State::over_limit, envelope.error().detail);
        case smime::ErrorKind::io_failure:
        case smime::ErrorKind::internal: return with_state(Opening::State::unavailable, envelope.error().detail);
        default: return with_state(Opening::State::not_encrypted, envelope.error().detail); // the verifier words it
        }
    }
    switch (envelope->place) {
    case smime::EnvelopePlace::none: return {};
    case smime::EnvelopePlace::nested:
        return with_state(Opening::State::nested, "an encrypted part inside a container is never opened");
    case smime::EnvelopePlace::root:
    case smime::EnvelopePlace::under_signature: break;
    }
    const bool direct = facts.recipients.size() == 1 && m_settings->decryption.single_recipient_direct;
    if (stage == InboundStage::border && !direct)
        return m_settings->routing.decrypt_services.empty()
                   ? not_decrypted("several recipients (or single_recipient_direct off) and no decryption hop")
                   : with_state(Opening::State::to_hop, "marked for the decryption hop");
    return open_root(facts, message, *envelope, from);
}

Opening InboundDecryption::open_root(const SessionFacts& facts, const smime::MimeEntity& message,
                                     const smime::Envelope& envelope, const std::string& from) const {
    std::vector<std::string> recipients;
    for (const auto& recipient : facts.recipients) {
        auto parsed = smime::Address::parse(recipient);
        if (!parsed || !parsed->domain().is_one_of(m_settings->directory.domains))
            return not_decrypted("a recipient is not local: the plaintext never leaves");
        recipients.push_back(parsed->key());
    }
    if (recipients.empty())
        return not_decrypted("no recipient");
    const auto names = failure_names(from, envelope);
    if (!m_failures->allowed(names))
        return not_decrypted("too many failed decryptions from this sender or for this key: not tried");
    auto keys = directory::keys_for_recipients(*m_directory, envelope.recipients, k_actor);
    if (!keys)
        return with_state(Opening::State::unavailable, keys.error().detail);
    std::vector<smime::DecryptionCredential> credentials;
    std::vector<const directory::DecryptionKey*> used;
    for (const auto& key : *keys)
        if (std::any_of(recipients.begin(), recipients.end(), [&](const std::string& r) { return directory::owned_by(key.record, r); })) {
            credentials.push_back({key.certificate, key.key});
            used.push_back(&key);
        }
    for (const auto& recipient : recipients)
        if (std::none_of(used.begin(), used.end(), [&](const auto* key) { return directory::owned_by(key->record, recipient); })) {
            m_failures->record({names.front()});
            return not_decrypted("no key of " + recipient + " is among the RecipientInfos");
        }
    auto decrypted = smime::decrypt(message, envelope, credentials, m_settings->milter.temp_dir);
    if (!decrypted) {
        if (decrypted.error().kind != smime::ErrorKind::decryption_failed)
            return with_state(Opening::State::unavailable, decrypted.error().detail);
        m_failures->record(names);
        return not_decrypted("no held key opened it, or its ciphertext is damaged");
    }
    Opening opening;
    opening.state = Opening::State::opened;
    opening.plaintext = std::move(decrypted->entity);
    opening.key = used[decrypted->credential]->record;
    opening.recipients = std::move(recipients);
    opening.envelope = envelope;
    opening.message_id = smime::message_id_of(message.origin());
    return opening;
}

} // namespace segel::milter
