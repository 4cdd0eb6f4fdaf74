#include "pending_uploads.hpp"

#include <algorithm>

namespace segel::web {
namespace {
constexpr auto k_keep_for = std::chrono::minutes(15);
constexpr long k_per_person = 20;
} // namespace

std::string PendingUploads::keep(const std::string& login, Upload upload) {
    const auto now = Clock::now();
    std::string id = random_token();
    std::lock_guard lock(m_mutex);
    for (auto it = m_pending.begin(); it != m_pending.end();)
        it = now - it->second.kept > k_keep_for ? m_pending.erase(it) : std::next(it);
    const auto mine = std::count_if(m_pending.begin(), m_pending.end(), [&](const auto& p) { return p.second.login == login; });
    if (mine >= k_per_person) {
        auto oldest = std::min_element(m_pending.begin(), m_pending.end(), [&](const auto& a, const auto& b) {
            return (a.second.login == login ? a.second.kept : Clock::time_point::max()) <
                   (b.second.login == login ? b.second.kept : Clock::time_point::max());
        });
        m_pending.erase(oldest);
    }
    m_pending[id] = Pending{login, std::move(upload), now};
    return id;
}

Checked<Upload> PendingUploads::take(const std::string& id, const std::string& login, UploadKind kind) {
    std::lock_guard lock(m_mutex);
    auto it = m_pending.find(id);
    if (it == m_pending.end() || it->second.login != login || it->second.upload.kind != kind ||
        Clock::now() - it->second.kept > k_keep_for)
        return directory::admin::Failure{directory::admin::FailureKind::invalid_request,
                                          "pending: that preview is unknown or older than 15 minutes; upload the file again"};
    Upload upload = std::move(it->second.upload);
    m_pending.erase(it);
    return upload;
}

} // namespace segel::web
