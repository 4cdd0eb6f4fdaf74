// Loading certificate files for an import, and importing them.
#include <algorithm>
#include <filesystem>

#include <sys/stat.h>

#include "directory/admin/certificate_operations.hpp"
#include "smime/address.hpp"

namespace segel::directory::admin {

namespace fs = std::filesystem;

namespace {

bool is_pkcs12(const fs::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".p12" || extension == ".pfx";
}

bool readable_by_others(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0;
}

// Folders become the PKCS#12 files in them, in name order.
OperationResult<std::vector<fs::path>> expand_paths(const std::vector<std::string>& paths) {
    std::vector<fs::path> files;
    for (const auto& path : paths) {
        if (!fs::is_directory(path)) {
            files.emplace_back(path);
            continue;
        }
        std::vector<fs::path> found;
        for (const auto& entry : fs::directory_iterator(path))
            if (entry.is_regular_file() && is_pkcs12(entry.path()))
                found.push_back(entry.path());
        std::sort(found.begin(), found.end());
        if (found.empty())
            return Failure{FailureKind::input_unreadable, path + " holds no .p12 or .pfx file"};
        files.insert(files.end(), found.begin(), found.end());
    }
    return files;
}

std::optional<smime::Passphrase> passphrase_for(const ImportFiles& files, const std::string& file) {
    if (!files.passphrase_file.empty()) {
        auto read = smime::Passphrase::read_file(files.passphrase_file);
        if (!read)
            return std::nullopt;
        return std::move(read).value();
    }
    return files.ask_passphrase ? files.ask_passphrase(file) : std::nullopt;
}

OperationResult<ImportItem> load_pkcs12(const ImportFiles& files, const std::string& file,
                                        std::optional<smime::Passphrase>& shared) {
    if (readable_by_others(file))
        return Failure{FailureKind::not_permitted,
                       file + " is readable by every user; chmod o-r it (it holds a private key)"};
    if (!shared)
        shared = passphrase_for(files, file);
    if (!shared)
        return Failure{FailureKind::not_permitted, "no passphrase for " + file + ": use --passphrase-file"};
    auto identity = smime::SigningIdentity::load_pkcs12(file, *shared);
    if (!identity)
        return smime_failure(identity.error());
    ImportItem item{file, {}, {}, identity->chain()};
    if (files.certificate_only)
        item.certificate = identity->certificate();
    else
        item.identity = std::move(identity).value();
    return item;
}

OperationResult<ImportItem> load_pem(const ImportFiles& files, const std::string& file) {
    if (files.certificate_only) {
        auto certs = smime::Certificate::load_pem_file(file);
        if (!certs)
            return Failure{FailureKind::invalid_input, certs.error().detail};
        ImportItem item{file, {}, certs->front(), {}};
        item.chain.assign(certs->begin() + 1, certs->end());
        return item;
    }
    if (files.key_file.empty())
        return Failure{FailureKind::invalid_request,
                       file + " is not PKCS#12: give its --key, or --certificate-only"};
    smime::Passphrase passphrase;
    if (!files.passphrase_file.empty())
        if (auto read = smime::Passphrase::read_file(files.passphrase_file))
            passphrase = std::move(read).value();
    auto identity = smime::SigningIdentity::load_pem(file, files.key_file, files.chain_file, passphrase);
    if (!identity)
        return smime_failure(identity.error());
    ImportItem item{file, {}, {}, identity->chain()};
    item.identity = std::move(identity).value();
    return item;
}

std::string common_name(const std::string& subject) {
    // RFC 2253 order: "CN=Alice Rahmawati,OU=...".
    const auto at = subject.find("CN=");
    if (at == std::string::npos)
        return {};
    const auto end = subject.find(',', at);
    return subject.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

// Art. 15 c: every address of every item in an internal domain, checked
// before anything is written.
std::optional<Failure> outside_domains(const ImportCertificates& request) {
    for (const auto& item : request.items)
        for (const auto& email : item.cert().email_addresses()) {
            const auto address = smime::Address::parse(email);
            if (!address || !address->domain().is_one_of(request.domains))
                return Failure{FailureKind::invalid_input,
                               item.name + ": " + email + " is outside the internal domains; nothing was imported"};
        }
    return std::nullopt;
}

ImportRequest store_request(const ImportCertificates& request, const ImportItem& item) {
    const smime::Certificate& cert = item.cert();
    ImportRequest stored{cert, item.identity ? item.identity->shared_private_key() : nullptr, item.chain, request.kind, {}};
    const auto emails = cert.email_addresses();
    stored.owner.email = !request.owner.empty() ? request.owner : (emails.empty() ? std::string() : emails.front());
    stored.owner.name = !request.name.empty() ? request.name : common_name(cert.subject());
    stored.owner.nip = request.nip;
    stored.owner.unit = request.unit;
    stored.owner.login = request.login;
    return stored;
}

} // namespace

OperationResult<std::vector<ImportItem>> load_import_files(const ImportFiles& files) {
    auto paths = expand_paths(files.paths);
    if (!paths)
        return paths.error();
    if (paths->size() > 1 && files.passphrase_file.empty())
        return Failure{FailureKind::invalid_request, "a bulk import needs --passphrase-file"};
    std::vector<ImportItem> items;
    std::optional<smime::Passphrase> shared;
    for (const auto& path : *paths) {
        auto item = is_pkcs12(path) ? load_pkcs12(files, path.string(), shared) : load_pem(files, path.string());
        if (!item)
            return item.error();
        items.push_back(std::move(item).value());
    }
    return items;
}

OperationResult<ImportOutcome> import_certificates(DirectoryService& directory, const Operator& person,
                                                   const ImportCertificates& request) {
    if (auto refused = refusal(person, Permission::change_certificates))
        return *refused;
    if (auto outside = outside_domains(request))
        return *outside;
    ImportOutcome outcome;
    for (std::size_t i = 0; i < request.items.size(); ++i) {
        const ImportRequest stored = store_request(request, request.items[i]);
        auto done = directory.import_certificate(stored, audit_actor(person));
        if (!done) {
            outcome.stopped = directory_failure(done.error(), request.items[i].name + ": not imported" +
                                                                  (i > 0 ? " (the files listed above were)" : ""));
            break;
        }
        outcome.imported.push_back({request.items[i].name, stored.certificate.serial_hex(), stored.owner.email,
                                    done->inserted, done->superseded.size()});
    }
    return outcome;
}

} // namespace segel::directory::admin
