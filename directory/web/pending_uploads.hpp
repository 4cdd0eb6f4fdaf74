// RA exports and CRLs uploaded for a preview, kept until their person applies them
// (at most 15 minutes, at most 20 per person): what is applied is exactly
// what was previewed, and never someone else's upload. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "sessions.hpp"
#include "views.hpp"

namespace segel::web {

class PendingUploads {
public:
    // Keeps the upload for `login`; returns its id.
    std::string keep(const std::string& login, Upload upload);
    // The upload of that id, if it is `login`'s, of that kind and not too
    // old; forgotten.
    Checked<Upload> take(const std::string& id, const std::string& login, UploadKind kind);

private:
    struct Pending {
        std::string login;
        Upload upload;
        Clock::time_point kept;
    };
    std::mutex m_mutex;
    std::map<std::string, Pending> m_pending;
};

} // namespace segel::web
