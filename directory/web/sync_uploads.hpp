// An uploaded RA export or CRL, run through the admin library's sync as a
// dry run (a preview, kept for its person to apply) or applied exactly as
// previewed (by the preview's id). Shared by the page and the API.
#pragma once

#include <optional>
#include <string>

#include <httplib.h>

#include "directory/admin/supervision_operations.hpp"
#include "web_app.hpp"

namespace segel::web {

struct SyncRun {
    directory::admin::SyncOutcome outcome;
    std::string pending;  // a preview with changes: the id that applies them
    std::string summary;  // CRL: whose CRL, how many entries and known serials
};
// The request either uploads `file` (a preview) or names `pending` (apply).
Checked<SyncRun> run_sync_upload(WebApp& app, const httplib::Request& request, const Caller& caller, UploadKind kind);

} // namespace segel::web
