// Creating the directory, reading certificates, and the changes an RA
// operator makes by hand.
#include <algorithm>
#include <filesystem>

#include <sys/stat.h>

#include "directory/admin/certificate_operations.hpp"
#include "directory/directory_url.hpp"

namespace segel::directory::admin {

namespace fs = std::filesystem;

namespace {

// Creates the SQLite file's folder (0750) when missing; returns it, or "".
OperationResult<std::string> create_folder_of(const std::string& path) {
    const auto folder = fs::path(path).parent_path();
    if (folder.empty() || fs::exists(folder))
        return std::string();
    std::error_code error;
    fs::create_directories(folder, error);
    if (error)
        return Failure{FailureKind::cannot_create, "cannot create " + folder.string() + ": " + error.message()};
    ::chmod(folder.c_str(), 0750);
    return folder.string();
}

} // namespace

OperationResult<InitOutcome> init_directory(const Operator& person, const DirectoryLocation& location) {
    if (auto refused = refusal(person, Permission::administer))
        return *refused;
    InitOutcome outcome;
    outcome.database_path = sqlite_file_of(location.url);
    auto folder = create_folder_of(outcome.database_path);
    if (!folder)
        return folder.error();
    outcome.created_folder = *folder;
    if (!fs::exists(location.master_key_file)) {
        auto created = create_master_key_file(location.master_key_file);
        if (!created)
            return directory_failure(created.error(), "cannot create the master key");
        outcome.created_key_id = (*created)->id();
    }
    outcome.existed = !outcome.database_path.empty() && fs::exists(outcome.database_path);
    DirectoryOptions options = options_for(location);
    options.create = true;
    if (auto opened = open_directory(location.url, options); !opened)
        return directory_failure(opened.error(), "cannot create the directory");
    return outcome;
}

OperationResult<CopySummary> migrate_directory(const Operator& person, const DirectoryLocation& location,
                                               const MigrateDirectory& request) {
    if (auto refused = refusal(person, Permission::administer))
        return *refused;
    if (request.from == request.to)
        return Failure{FailureKind::invalid_request, "--from and --to name the same directory"};
    auto copied = copy_directory(request.from, request.to, options_for(location), audit_actor(person));
    if (!copied)
        return directory_failure(copied.error(), "the directory was not copied");
    return std::move(copied).value();
}

OperationResult<std::vector<CertificateRecord>> list_certificates(DirectoryService& directory, const Operator& person,
                                                                  const CertificateQuery& query) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto records = directory.find_certificates(query);
    if (!records)
        return directory_failure(records.error(), "cannot list certificates");
    return std::move(records).value();
}

OperationResult<std::vector<Person>> list_people(DirectoryService& directory, const Operator& person) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto people = directory.list_people();
    if (!people)
        return directory_failure(people.error(), "cannot list people");
    return std::move(people).value();
}

OperationResult<std::vector<CertificateRecord>> expiring_certificates(DirectoryService& directory,
                                                                      const Operator& person, int days, TimePoint now) {
    CertificateQuery query;
    query.now = now;
    query.expiring_before = now + std::chrono::hours(24) * days;
    auto records = list_certificates(directory, person, query);
    if (records)
        std::sort(records->begin(), records->end(), [](const auto& a, const auto& b) { return a.not_after < b.not_after; });
    return records;
}

OperationResult<CertificateDetail> show_certificate(DirectoryService& directory, const Operator& person,
                                                    const std::string& reference) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto record = directory.get_certificate(reference);
    if (!record)
        return directory_failure(record.error(), "cannot show " + reference);
    CertificateDetail detail{std::move(record).value(), std::nullopt};
    if (auto owner = directory.find_person(detail.record.owner_email); owner && *owner)
        detail.owner = **owner;
    return detail;
}

OperationResult<void> authorise(DirectoryService& directory, const Operator& person, const Authorisation& request) {
    if (auto refused = refusal(person, Permission::change_certificates))
        return *refused;
    auto done = request.remove ? directory.unauthorise(request.reference, request.login, audit_actor(person))
                               : directory.authorise(request.reference, request.login, audit_actor(person));
    if (!done)
        return directory_failure(done.error(), request.remove ? "cannot unauthorise" : "cannot authorise");
    return {};
}

OperationResult<RevokeOutcome> revoke(DirectoryService& directory, const Operator& person, const Revocation& request) {
    if (auto refused = refusal(person, Permission::change_certificates))
        return *refused;
    auto record = directory.get_certificate(request.reference);
    if (!record)
        return directory_failure(record.error(), "cannot revoke " + request.reference);
    if (record->status == CertificateStatus::revoked)
        return Failure{FailureKind::invalid_input,
                       "certificate " + record->serial + " is already revoked (" +
                           std::string(to_string(record->reason.value_or(RevocationReason::unspecified))) + ")"};
    const ChangeSet changes{"revoke", {}, {{record->fingerprint, CertificateStatus::revoked, request.reason, request.effective}}};
    if (auto applied = directory.apply(changes, audit_actor(person)); !applied)
        return directory_failure(applied.error(), "cannot revoke " + request.reference);
    return RevokeOutcome{std::move(record).value(), request.reason, request.effective};
}

OperationResult<RotateKeyOutcome> rotate_master_key(DirectoryService& directory, const Operator& person,
                                                    const std::string& new_key_file) {
    if (auto refused = refusal(person, Permission::administer))
        return *refused;
    auto new_key = fs::exists(new_key_file) ? load_master_key_file(new_key_file) : create_master_key_file(new_key_file);
    if (!new_key)
        return directory_failure(new_key.error(), "cannot load the new master key");
    auto count = directory.reseal_keys(*new_key, audit_actor(person));
    if (!count)
        return directory_failure(count.error(), "cannot rotate the master key");
    return RotateKeyOutcome{*count, (*new_key)->id()};
}

} // namespace segel::directory::admin
