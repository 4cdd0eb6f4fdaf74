#include "directory/admin/correspondent_operations.hpp"

#include <algorithm>
#include <filesystem>

#include "smime/certificate_files.hpp"

namespace segel::directory::admin {

namespace fs = std::filesystem;

namespace {

struct LoadedFile {
    std::string path;
    std::vector<smime::Certificate> certificates;
};

std::vector<std::string> files_of(const std::vector<std::string>& paths) {
    std::vector<std::string> files;
    for (const auto& path : paths) {
        if (!fs::is_directory(path)) {
            files.push_back(path);
            continue;
        }
        std::vector<std::string> found;
        for (const auto& entry : fs::directory_iterator(path))
            if (entry.is_regular_file())
                found.push_back(entry.path().string());
        std::sort(found.begin(), found.end());
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

OperationResult<std::vector<LoadedFile>> load_all(const CorrespondentFiles& request) {
    std::optional<smime::Passphrase> passphrase;
    if (!request.passphrase_file.empty()) {
        auto read = smime::Passphrase::read_file(request.passphrase_file);
        if (!read)
            return smime_failure(read.error());
        passphrase = std::move(read).value();
    }
    const auto files = files_of(request.paths);
    if (files.empty())
        return Failure{FailureKind::input_unreadable, "no certificate file to import"};
    std::vector<LoadedFile> loaded;
    for (const auto& file : files) {
        auto certs = smime::load_end_entity_certificates(file, passphrase ? &*passphrase : nullptr);
        if (!certs)
            return Failure{smime_failure(certs.error()).kind, certs.error().detail + "; nothing was imported"};
        loaded.push_back({file, std::move(certs).value()});
    }
    return loaded;
}

std::string covers(const smime::Certificate& certificate, const std::string& domain) {
    if (!domain.empty())
        return "domain " + domain;
    std::string emails;
    for (const auto& email : certificate.email_addresses())
        emails += (emails.empty() ? "" : ", ") + email;
    return emails;
}

} // namespace

OperationResult<CorrespondentImportOutcome> import_correspondents(DirectoryService& directory, const Operator& person,
                                                                  const CorrespondentFiles& files) {
    if (auto refused = refusal(person, Permission::change_certificates))
        return *refused;
    auto loaded = load_all(files);
    if (!loaded)
        return loaded.error();
    const CertificateSource source = files.domain.empty() ? CertificateSource::operator_import : CertificateSource::domain;
    CorrespondentImportOutcome outcome;
    for (const auto& file : *loaded)
        for (const auto& certificate : file.certificates) {
            auto done = directory.import_correspondent(certificate, source, files.domain, audit_actor(person));
            if (!done) {
                outcome.stopped = directory_failure(done.error(), file.path + ": not imported");
                return outcome;
            }
            outcome.imported.push_back({file.path, done->fingerprint, certificate.serial_hex(),
                                        covers(certificate, files.domain), done->inserted});
        }
    return outcome;
}

OperationResult<std::vector<CorrespondentRecord>> list_correspondents(DirectoryService& directory,
                                                                      const Operator& person, const std::string& text) {
    if (auto refused = refusal(person, Permission::read))
        return *refused;
    auto found = directory.find_correspondents(text);
    if (!found)
        return directory_failure(found.error(), "cannot list correspondents' certificates");
    return std::move(found).value();
}

OperationResult<CorrespondentRecord> remove_correspondent(DirectoryService& directory, const Operator& person,
                                                          const std::string& reference) {
    if (auto refused = refusal(person, Permission::change_certificates))
        return *refused;
    auto removed = directory.remove_correspondent(reference, audit_actor(person));
    if (!removed)
        return directory_failure(removed.error(), "cannot remove " + reference);
    return std::move(removed).value();
}

OperationResult<CorrespondentRecord> approve_correspondent(DirectoryService& directory, const Operator& person,
                                                           const std::string& reference) {
    if (auto refused = refusal(person, Permission::change_certificates))
        return *refused;
    auto approved = directory.approve_correspondent(reference, audit_actor(person));
    if (!approved)
        return directory_failure(approved.error(), "cannot approve " + reference);
    return std::move(approved).value();
}

} // namespace segel::directory::admin
