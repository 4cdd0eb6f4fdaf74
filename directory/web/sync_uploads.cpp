#include "sync_uploads.hpp"

#include "smime/crl.hpp"

namespace segel::web {
namespace {

namespace admin = directory::admin;
using admin::Failure;
using admin::FailureKind;

std::string form_value(const httplib::Request& request, const std::string& name) {
    if (request.is_multipart_form_data() && request.has_file(name))
        return request.get_file_value(name).content;
    return request.get_param_value(name);
}

Checked<SyncRun> run_crl(WebApp& app, const Caller& caller, const Upload& upload, bool apply) {
    const auto& settings = app.settings();
    if (settings.crl.issuer.empty())
        return Failure{FailureKind::misconfigured, "crl.issuer is not set; CRL uploads need the CA certificate to check against"};
    auto issuer = smime::Certificate::load_pem_file(settings.crl.issuer);
    if (!issuer || issuer->empty())
        return Failure{FailureKind::misconfigured, "crl.issuer " + settings.crl.issuer + " cannot be read"};
    auto crls = smime::Crl::parse_all(upload.content, upload.name);
    if (!crls)
        return Failure{FailureKind::invalid_input, crls.error().detail};
    directory::CrlFreshness freshness;
    freshness.max_age = std::chrono::hours(settings.crl.max_age_hours);
    auto outcome = admin::sync_crl(app.directory(), caller.person,
                                   {upload.name, std::move(crls).value(), issuer->front(), freshness, !apply,
                                    std::chrono::system_clock::now()});
    if (!outcome)
        return outcome.error();
    SyncRun run{*outcome, "", "CRLs of " + issuer->front().subject() + ": " + std::to_string(outcome->entries) +
                                  " revoked serials, " + std::to_string(outcome->known) + " of them in the directory"};
    for (const auto& skipped : outcome->skipped)
        run.summary += "; skipped: " + skipped;
    return run;
}

Checked<SyncRun> run_ra(WebApp& app, const Caller& caller, const Upload& upload, bool apply) {
    auto outcome = admin::sync_ra(app.directory(), caller.person,
                                  {upload.name, upload.content, app.settings().directory.domains, !apply,
                                   std::chrono::system_clock::now()});
    if (!outcome)
        return outcome.error();
    return SyncRun{*outcome, "", ""};
}

} // namespace

Checked<SyncRun> run_sync_upload(WebApp& app, const httplib::Request& request, const Caller& caller, UploadKind kind) {
    if (auto refused = admin::refusal(caller.person, admin::Permission::change_certificates))
        return *refused;
    const std::string pending = form_value(request, "pending");
    const bool apply = !pending.empty();
    auto upload = apply ? app.uploads().take(pending, caller.session.login, kind) : uploaded_file(request, "file", kind);
    if (!upload)
        return upload.error();
    auto run = kind == UploadKind::crl ? run_crl(app, caller, *upload, apply) : run_ra(app, caller, *upload, apply);
    if (!run)
        return run.error();
    if (run->outcome.stopped)
        return *run->outcome.stopped;
    if (!apply && !run->outcome.changes.empty())
        run->pending = app.uploads().keep(caller.session.login, std::move(*upload));
    return run;
}

} // namespace segel::web
