// The pipelines of one settings snapshot (outbound, inbound, the encryption hop), shared by every connection
// that began under it (a reload builds new ones; MLT-01). Thread-safe.
#pragma once

#include <memory>
#include <optional>

#include "config/milter_settings.hpp"
#include "directory/directory_service.hpp"
#include "milter/trace_recorder.hpp"
#include "milter/encryption_pipeline.hpp"
#include "milter/inbound_pipeline.hpp"
#include "milter/outbound_pipeline.hpp"
#include "milter/recipient_planner.hpp"
#include "milter/revocation_answers.hpp"
#include "smime/message_spool.hpp"

namespace segel::milter {

class Pipelines {
public:
    // `anchors`: for verification; `encryption_anchors`: for recipients'
    // certificates (empty: the verification anchors).
    Pipelines(std::shared_ptr<const config::MilterSettings> settings,
              std::shared_ptr<directory::DirectoryService> directory,
              std::optional<smime::TrustStore> anchors = std::nullopt,
              std::shared_ptr<const smime::CrlStore> crls = nullptr,
              std::shared_ptr<const smime::OcspChecker> ocsp = nullptr,
              std::optional<smime::TrustStore> encryption_anchors = std::nullopt)
        : m_settings(settings),
          m_revocation(std::make_shared<const RevocationAnswers>(settings, directory, std::move(crls), std::move(ocsp))),
          m_planner(std::make_shared<const RecipientPlanner>(settings, directory,
                                                             encryption_anchors ? encryption_anchors : anchors,
                                                             m_revocation)),
          m_outbound(settings, directory, m_planner), m_inbound(settings, directory, std::move(anchors), m_revocation),
          m_encryption(settings, m_planner) {}

    const config::MilterSettings& settings() const noexcept { return *m_settings; }
    const OutboundPipeline& outbound() const noexcept { return m_outbound; }
    const InboundPipeline& inbound() const noexcept { return m_inbound; }
    const EncryptionPipeline& encryption() const noexcept { return m_encryption; }
    // The revocation sources of every pipeline; the CRL refresher swaps its store.
    const RevocationAnswers& revocation() const noexcept { return *m_revocation; }
    // PF-09: the spool refuses what Postfix would.
    smime::SpoolLimits spool_limits() const {
        smime::SpoolLimits limits;
        limits.max_message_bytes = static_cast<std::uint64_t>(m_settings->milter.max_message_bytes);
        return limits;
    }

    // The message trace of this snapshot's directory (none: not recorded).
    void attach_trace(std::shared_ptr<TraceRecorder> recorder) { m_trace = std::move(recorder); }
    void trace(directory::TraceRecord record) const {
        if (m_trace)
            m_trace->record(std::move(record));
    }

private:
    std::shared_ptr<const config::MilterSettings> m_settings;
    std::shared_ptr<const RevocationAnswers> m_revocation;
    std::shared_ptr<const RecipientPlanner> m_planner;
    OutboundPipeline m_outbound;
    InboundPipeline m_inbound;
    EncryptionPipeline m_encryption;
    std::shared_ptr<TraceRecorder> m_trace;
};

} // namespace segel::milter
