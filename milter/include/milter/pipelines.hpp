// The two pipelines of one settings snapshot, shared by every connection
// that began under it (a reload builds new ones; MLT-01). Thread-safe.
#pragma once

#include <memory>
#include <optional>

#include "config/milter_settings.hpp"
#include "milter/inbound_pipeline.hpp"
#include "milter/outbound_pipeline.hpp"
#include "smime/message_spool.hpp"

namespace segel::milter {

class Pipelines {
public:
    Pipelines(std::shared_ptr<const config::MilterSettings> settings,
              std::shared_ptr<directory::CertificateDirectory> directory,
              std::optional<smime::TrustStore> anchors = std::nullopt,
              std::shared_ptr<const smime::CrlStore> crls = nullptr,
              std::shared_ptr<const smime::OcspChecker> ocsp = nullptr)
        : m_settings(settings), m_outbound(settings, directory),
          m_inbound(settings, std::move(directory), std::move(anchors), std::move(crls), std::move(ocsp)) {}

    const config::MilterSettings& settings() const noexcept { return *m_settings; }
    const OutboundPipeline& outbound() const noexcept { return m_outbound; }
    const InboundPipeline& inbound() const noexcept { return m_inbound; }
    // PF-09: the spool refuses what Postfix would.
    smime::SpoolLimits spool_limits() const {
        smime::SpoolLimits limits;
        limits.max_message_bytes = static_cast<std::uint64_t>(m_settings->milter.max_message_bytes);
        return limits;
    }

private:
    std::shared_ptr<const config::MilterSettings> m_settings;
    OutboundPipeline m_outbound;
    InboundPipeline m_inbound;
};

} // namespace segel::milter
