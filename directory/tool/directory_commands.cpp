// `segel directory ...`: init, import, list/search, show, authorise,
// unauthorise, revoke, expiring, rotate-key.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include <sys/stat.h>
#include <sysexits.h>

#include "commands.hpp"

#include "config/directory_location.hpp"
#include "directory/ra_sync.hpp"
#include "directory_session.hpp"
#include "exit_codes.hpp"
#include "output.hpp"
#include "smime/signing_identity.hpp"
#include "terminal_passphrase.hpp"

namespace segel::tool {

namespace fs = std::filesystem;
using directory::CertificateRecord;

namespace {

std::string day(directory::TimePoint t) { return smime::format_utc(t).substr(0, 10); }

std::string status_text(const CertificateRecord& record, directory::TimePoint now) {
    const auto status = record.status_at(now);
    std::string text(directory::to_string(status));
    if (status == directory::CertificateStatus::revoked && record.reason)
        text += " (" + std::string(directory::to_string(*record.reason)) + ")";
    return text;
}

const Row k_list_header = {"SERIAL", "OWNER", "KIND", "STATUS", "NOT AFTER", "KEY", "FINGERPRINT"};

Row list_row(const CertificateRecord& r, directory::TimePoint now) {
    return {r.serial, r.owner_email, std::string(directory::to_string(r.kind)), status_text(r, now), day(r.not_after),
            r.has_private_key ? "yes" : "no", r.fingerprint.substr(0, 16)};
}

std::string record_json(const CertificateRecord& r, directory::TimePoint now) {
    std::string out = "{";
    out += "\"fingerprint\": " + json_string(r.fingerprint);
    out += ", \"serial\": " + json_string(r.serial);
    out += ", \"subject\": " + json_string(r.subject);
    out += ", \"issuer\": " + json_string(r.issuer);
    out += ", \"emails\": " + json_string_array(r.emails);
    out += ", \"owner\": " + json_string(r.owner_email);
    out += ", \"kind\": " + json_string(std::string(directory::to_string(r.kind)));
    out += ", \"status\": " + json_string(std::string(directory::to_string(r.status_at(now))));
    out += ", \"recorded_status\": " + json_string(std::string(directory::to_string(r.status)));
    out += ", \"reason\": " + (r.reason ? json_string(std::string(directory::to_string(*r.reason))) : std::string("null"));
    out += ", \"rfc5280_reason_code\": " + (r.reason ? std::to_string(directory::rfc5280_code(*r.reason)) : std::string("null"));
    out += ", \"status_effective\": " + (r.status_effective ? json_string(smime::format_utc(*r.status_effective)) : std::string("null"));
    out += ", \"not_before\": " + json_string(smime::format_utc(r.not_before));
    out += ", \"not_after\": " + json_string(smime::format_utc(r.not_after));
    out += ", \"authorised_logins\": " + json_string_array(r.authorised_logins);
    out += ", \"private_key\": " + std::string(r.has_private_key ? "true" : "false");
    return out + "}";
}

int print_records(const std::vector<CertificateRecord>& records, bool json) {
    const auto now = std::chrono::system_clock::now();
    if (json) {
        std::cout << "[";
        for (std::size_t i = 0; i < records.size(); ++i)
            std::cout << (i ? ",\n " : "") << record_json(records[i], now);
        std::cout << "]\n";
        return EX_OK;
    }
    std::vector<Row> rows;
    for (const auto& r : records)
        rows.push_back(list_row(r, now));
    std::cout << format_table(k_list_header, rows);
    return EX_OK;
}

// One certificate to import, loaded and checked before anything is written.
struct Candidate {
    std::string path;
    std::optional<smime::SigningIdentity> identity; // with key
    std::optional<smime::Certificate> certificate;  // certificate only
    std::vector<smime::Certificate> chain;
};

std::optional<smime::Passphrase> passphrase_for(const config::DirectoryImport& command, const std::string& what) {
    if (!command.passphrase_file.empty()) {
        auto read = smime::Passphrase::read_file(command.passphrase_file);
        if (!read)
            return std::nullopt;
        return std::move(read).value();
    }
    return ask_passphrase("Passphrase for " + what + ": ");
}

bool is_pkcs12(const fs::path& path) {
    std::string extension = path.extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return extension == ".p12" || extension == ".pfx";
}

int load_candidates(const config::DirectoryImport& command, std::vector<Candidate>& out) {
    std::vector<fs::path> files;
    for (const auto& path : command.paths) {
        if (fs::is_directory(path)) {
            std::vector<fs::path> found;
            for (const auto& entry : fs::directory_iterator(path))
                if (entry.is_regular_file() && is_pkcs12(entry.path()))
                    found.push_back(entry.path());
            std::sort(found.begin(), found.end());
            if (found.empty()) {
                std::cerr << "segel: " << path << " holds no .p12 or .pfx file\n";
                return EX_NOINPUT;
            }
            files.insert(files.end(), found.begin(), found.end());
        } else {
            files.emplace_back(path);
        }
    }
    if (files.size() > 1 && command.passphrase_file.empty()) {
        std::cerr << "segel: a bulk import needs --passphrase-file\n";
        return EX_USAGE;
    }
    std::optional<smime::Passphrase> shared;
    for (const auto& file : files) {
        Candidate candidate{file.string(), {}, {}, {}};
        if (is_pkcs12(file)) {
            if (const auto unsafe = config::secret_file_problem(file.string()); !unsafe.empty()) {
                std::cerr << "segel: " << unsafe << " (it holds a private key)\n";
                return EX_NOPERM;
            }
            if (!shared)
                shared = passphrase_for(command, file.string());
            if (!shared) {
                std::cerr << "segel: no passphrase for " << file.string() << ": use --passphrase-file\n";
                return EX_NOPERM;
            }
            auto identity = smime::SigningIdentity::load_pkcs12(file.string(), *shared);
            if (!identity) {
                std::cerr << "segel: " << identity.error().detail << "\n";
                return exit_code_for(identity.error().kind);
            }
            candidate.chain = identity->chain();
            if (command.certificate_only)
                candidate.certificate = identity->certificate();
            else
                candidate.identity = std::move(identity).value();
        } else if (command.certificate_only || command.key_file.empty()) {
            if (!command.certificate_only) {
                std::cerr << "segel: " << file.string() << " is not PKCS#12: give its --key, or --certificate-only\n";
                return EX_USAGE;
            }
            auto certs = smime::Certificate::load_pem_file(file.string());
            if (!certs) {
                std::cerr << "segel: " << certs.error().detail << "\n";
                return EX_DATAERR;
            }
            candidate.certificate = certs->front();
            candidate.chain.assign(certs->begin() + 1, certs->end());
        } else {
            smime::Passphrase passphrase;
            if (!command.passphrase_file.empty()) {
                auto read = smime::Passphrase::read_file(command.passphrase_file);
                if (read)
                    passphrase = std::move(read).value();
            }
            auto identity = smime::SigningIdentity::load_pem(file.string(), command.key_file, command.chain_file, passphrase);
            if (!identity) {
                std::cerr << "segel: " << identity.error().detail << "\n";
                return exit_code_for(identity.error().kind);
            }
            candidate.chain = identity->chain();
            candidate.identity = std::move(identity).value();
        }
        out.push_back(std::move(candidate));
    }
    return EX_OK;
}

std::string common_name(const std::string& subject) {
    // RFC 2253 order: "CN=Alice Rahmawati,OU=...".
    const auto at = subject.find("CN=");
    if (at == std::string::npos)
        return {};
    const auto end = subject.find(',', at);
    return subject.substr(at + 3, end == std::string::npos ? std::string::npos : end - at - 3);
}

} // namespace

int run_directory_init(const config::DirectoryInit& command) {
    const auto& s = command.settings;
    const std::string path = config::sqlite_path_of(s.database);
    const auto folder = fs::path(path).parent_path();
    std::error_code error;
    if (!folder.empty() && !fs::exists(folder)) {
        fs::create_directories(folder, error);
        if (error) {
            std::cerr << "segel: cannot create " << folder.string() << ": " << error.message() << "\n";
            return EX_CANTCREAT;
        }
        ::chmod(folder.c_str(), 0750);
        std::cout << "created folder " << folder.string() << " (0750)\n";
    }
    if (!fs::exists(s.master_key_file)) {
        auto created = directory::create_master_key_file(s.master_key_file);
        if (!created)
            return report_error(created.error(), "cannot create the master key");
        std::cout << "created master key " << s.master_key_file << " (0600, id " << (*created)->id()
                  << "); keep a copy offline, never beside database backups\n";
    }
    const bool existed = !path.empty() && fs::exists(path);
    directory::DirectoryOptions options;
    options.create = true;
    options.domains = s.domains;
    auto opened = directory::open_directory(s.database, options);
    if (!opened)
        return report_error(opened.error(), "cannot create the directory");
    std::cout << (existed ? "directory database " + path + " is ready (schema up to date)\n"
                          : "created directory database " + path + " (0640)\n");
    return EX_OK;
}

int run_directory_import(const config::DirectoryImport& command) {
    std::vector<Candidate> candidates;
    if (int code = load_candidates(command, candidates); code != EX_OK)
        return code;
    int exit_code = EX_OK;
    const bool needs_key = std::any_of(candidates.begin(), candidates.end(), [](const Candidate& c) { return c.identity.has_value(); });
    auto session = open_session(command.settings, needs_key ? KeyNeed::required : KeyNeed::none, Access::write, exit_code);
    if (!session)
        return exit_code;
    // Check every file against the domain rule before writing anything.
    std::vector<directory::ImportRequest> requests;
    for (const auto& candidate : candidates) {
        const smime::Certificate& cert = candidate.identity ? candidate.identity->certificate() : *candidate.certificate;
        directory::ImportRequest request{cert,
                                         candidate.identity ? candidate.identity->shared_private_key() : nullptr,
                                         candidate.chain,
                                         *directory::parse_certificate_kind(command.kind),
                                         {}};
        const auto emails = cert.email_addresses();
        request.owner.email = !command.owner.empty() ? command.owner : (emails.empty() ? std::string() : emails.front());
        request.owner.name = !command.name.empty() ? command.name : common_name(cert.subject());
        request.owner.nip = command.nip;
        request.owner.unit = command.unit;
        request.owner.login = command.login;
        for (const auto& email : emails) {
            const std::string domain = email.substr(email.rfind('@') + 1);
            if (std::none_of(command.settings.domains.begin(), command.settings.domains.end(),
                             [&](const std::string& d) { return d.size() == domain.size() && std::equal(d.begin(), d.end(), domain.begin(), [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b)); }); })) {
                std::cerr << "segel: " << candidate.path << ": " << email
                          << " is outside the internal domains; nothing was imported\n";
                return EX_DATAERR;
            }
        }
        requests.push_back(std::move(request));
    }
    std::vector<Row> rows;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        auto outcome = session->directory->import_certificate(requests[i], session->actor);
        if (!outcome) {
            if (!rows.empty())
                std::cout << format_table({"FILE", "SERIAL", "OWNER", "RESULT"}, rows);
            return report_error(outcome.error(), candidates[i].path + ": not imported" +
                                                     (i > 0 ? " (the files listed above were)" : std::string()));
        }
        std::string result = outcome->inserted ? "imported" : "already present";
        if (!outcome->superseded.empty())
            result += ", supersedes " + std::to_string(outcome->superseded.size());
        rows.push_back({candidates[i].path, requests[i].certificate.serial_hex(), requests[i].owner.email, result});
    }
    std::cout << format_table({"FILE", "SERIAL", "OWNER", "RESULT"}, rows);
    return EX_OK;
}

int run_directory_list(const config::DirectoryList& command) {
    int exit_code = EX_OK;
    auto session = open_session(command.settings, KeyNeed::none, Access::read, exit_code);
    if (!session)
        return exit_code;
    directory::CertificateQuery query;
    query.text = command.text;
    if (!command.status.empty())
        query.status = directory::parse_certificate_status(command.status);
    auto records = session->directory->find_certificates(query);
    if (!records)
        return report_error(records.error(), "cannot list certificates");
    return print_records(*records, command.json);
}

int run_directory_show(const config::DirectoryShow& command) {
    int exit_code = EX_OK;
    auto session = open_session(command.settings, KeyNeed::none, Access::read, exit_code);
    if (!session)
        return exit_code;
    auto record = session->directory->get_certificate(command.reference);
    if (!record)
        return report_error(record.error(), "cannot show " + command.reference);
    const auto now = std::chrono::system_clock::now();
    if (command.json) {
        std::cout << record_json(*record, now) << "\n";
        return EX_OK;
    }
    auto owner = session->directory->find_person(record->owner_email);
    std::string logins;
    for (const auto& login : record->authorised_logins)
        logins += (logins.empty() ? "" : ", ") + login;
    std::string emails;
    for (const auto& email : record->emails)
        emails += (emails.empty() ? "" : ", ") + email;
    std::cout << "fingerprint: " << record->fingerprint << "\n"
              << "serial:      " << record->serial << "\n"
              << "subject:     " << record->subject << "\n"
              << "issuer:      " << record->issuer << "\n"
              << "emails:      " << emails << "\n"
              << "valid:       " << smime::format_utc(record->not_before) << " to " << smime::format_utc(record->not_after) << "\n"
              << "kind:        " << directory::to_string(record->kind) << "\n"
              << "status:      " << status_text(*record, now);
    if (record->status_effective)
        std::cout << ", recorded " << directory::to_string(record->status) << " effective " << smime::format_utc(*record->status_effective);
    std::cout << "\n"
              << "owner:       " << record->owner_email;
    if (owner && *owner) {
        std::string about = (*owner)->name;
        for (const std::string& part : {(*owner)->unit, (*owner)->nip.empty() ? std::string() : "NIP " + (*owner)->nip})
            if (!part.empty())
                about += (about.empty() ? "" : ", ") + part;
        if (!about.empty())
            std::cout << " (" << about << ")";
    }
    std::cout << "\n"
              << "may sign:    " << (logins.empty() ? "nobody (authorise a login)" : logins) << "\n"
              << "private key: " << (record->has_private_key ? "stored, sealed" : "not stored") << "\n";
    return EX_OK;
}

int run_directory_authorise(const config::DirectoryAuthorise& command) {
    int exit_code = EX_OK;
    auto session = open_session(command.settings, KeyNeed::none, Access::write, exit_code);
    if (!session)
        return exit_code;
    auto done = command.remove ? session->directory->unauthorise(command.reference, command.login, session->actor)
                               : session->directory->authorise(command.reference, command.login, session->actor);
    if (!done)
        return report_error(done.error(), command.remove ? "cannot unauthorise" : "cannot authorise");
    std::cout << "login " << command.login << (command.remove ? " may no longer sign with " : " may sign with ")
              << command.reference << "\n";
    return EX_OK;
}

int run_directory_revoke(const config::DirectoryRevoke& command) {
    const auto reason = directory::parse_revocation_reason(command.reason);
    if (!reason) {
        std::cerr << "segel: --reason: \"" << command.reason << "\" is not a revocation reason (see --help)\n";
        return EX_USAGE;
    }
    auto effective = std::chrono::system_clock::now();
    if (!command.effective.empty()) {
        auto parsed = directory::parse_effective_date(command.effective);
        if (!parsed) {
            std::cerr << "segel: --effective: \"" << command.effective << "\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM with a zone\n";
            return EX_USAGE;
        }
        effective = *parsed;
    }
    int exit_code = EX_OK;
    auto session = open_session(command.settings, KeyNeed::none, Access::write, exit_code);
    if (!session)
        return exit_code;
    auto record = session->directory->get_certificate(command.reference);
    if (!record)
        return report_error(record.error(), "cannot revoke " + command.reference);
    if (record->status == directory::CertificateStatus::revoked) {
        std::cerr << "segel: certificate " << record->serial << " is already revoked ("
                  << directory::to_string(record->reason.value_or(directory::RevocationReason::unspecified)) << ")\n";
        return EX_DATAERR;
    }
    directory::ChangeSet changes{"revoke", {}, {{record->fingerprint, directory::CertificateStatus::revoked, *reason, effective}}};
    if (auto applied = session->directory->apply(changes, session->actor); !applied)
        return report_error(applied.error(), "cannot revoke " + command.reference);
    std::cout << "certificate " << record->serial << " (" << record->owner_email << ") revoked: "
              << directory::to_string(*reason) << " (RFC 5280 code " << directory::rfc5280_code(*reason)
              << "), effective " << smime::format_utc(effective) << "\n";
    return EX_OK;
}

int run_directory_expiring(const config::DirectoryExpiring& command) {
    int exit_code = EX_OK;
    auto session = open_session(command.settings, KeyNeed::none, Access::read, exit_code);
    if (!session)
        return exit_code;
    directory::CertificateQuery query;
    query.expiring_before = query.now + std::chrono::hours(24) * command.days;
    auto records = session->directory->find_certificates(query);
    if (!records)
        return report_error(records.error(), "cannot list certificates");
    std::sort(records->begin(), records->end(), [](const auto& a, const auto& b) { return a.not_after < b.not_after; });
    return print_records(*records, command.json);
}

int run_directory_rotate_key(const config::DirectoryRotateKey& command) {
    int exit_code = EX_OK;
    auto session = open_session(command.settings, KeyNeed::required, Access::write, exit_code);
    if (!session)
        return exit_code;
    auto new_key = fs::exists(command.new_key_file) ? directory::load_master_key_file(command.new_key_file)
                                                    : directory::create_master_key_file(command.new_key_file);
    if (!new_key)
        return report_error(new_key.error(), "cannot load the new master key");
    auto count = session->directory->reseal_keys(*new_key, session->actor);
    if (!count)
        return report_error(count.error(), "cannot rotate the master key");
    std::cout << "re-sealed " << *count << " private keys under master key " << (*new_key)->id() << " ("
              << command.new_key_file << ").\nNow set directory.master_key = " << command.new_key_file
              << " in the settings, restart segel-milter, and destroy " << command.settings.master_key_file << ".\n";
    return EX_OK;
}

} // namespace segel::tool
