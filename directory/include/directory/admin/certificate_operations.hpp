// Admin operations on certificates: create the directory, import, list and
// search, show, authorise a login, revoke, list what expires, rotate the
// master key. Each takes a typed request and the operator, checks the
// operator's role (operator.hpp), and returns a typed outcome or a Failure;
// none prints or exits. The segel tool and the web page are front ends over
// these (Tangerang art. 8-9, 16-18, 20-23; Cianjur art. 7).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "directory/admin/directory_access.hpp"
#include "directory/directory_copy.hpp"
#include "directory/admin/operator.hpp"
#include "smime/signing_identity.hpp"

namespace segel::directory::admin {

// --- create -----------------------------------------------------------------

struct InitOutcome {
    std::string created_folder; // empty: it existed
    std::string created_key_id; // empty: the master key file existed
    std::string database_path;  // the SQLite file ("" for other backends)
    bool existed = false;       // the database was there already (its schema is now current)
};
// Creates what is missing: the database folder (0750), the master key file
// (0600) and the database (0640, schema current).
OperationResult<InitOutcome> init_directory(const Operator& person, const DirectoryLocation& location);

// Moving a site: copies the whole directory at `from` into the empty one at
// `to` (directory_copy.hpp), with the location's timeouts. Administrators.
struct MigrateDirectory {
    std::string from, to; // directory URLs
};
OperationResult<CopySummary> migrate_directory(const Operator& person, const DirectoryLocation& location,
                                               const MigrateDirectory& request);

// --- import -----------------------------------------------------------------

// Certificate files as an operator names them: PKCS#12 files (.p12, .pfx),
// folders of them, or PEM certificates with their key file.
struct ImportFiles {
    std::vector<std::string> paths;
    std::string passphrase_file;    // for PKCS#12 files and an encrypted PEM key
    std::string key_file;           // PEM: the private key of the one certificate
    std::string chain_file;         // PEM: its issuing CAs
    bool certificate_only = false;  // store no private key
    // Asked once when a PKCS#12 file needs a passphrase and there is no
    // passphrase file; may be empty (then the import is not permitted).
    std::function<std::optional<smime::Passphrase>(const std::string& file)> ask_passphrase;
};

// One certificate to import, loaded and checked before anything is written.
struct ImportItem {
    std::string name;                              // the file it came from
    std::optional<smime::SigningIdentity> identity; // with its key
    std::optional<smime::Certificate> certificate;  // certificate only
    std::vector<smime::Certificate> chain;
    bool has_key() const { return identity.has_value(); }
    const smime::Certificate& cert() const { return identity ? identity->certificate() : *certificate; }
};

// Reads every file; a file that cannot be used refuses the whole import. A
// PKCS#12 file readable by others is refused (it holds a private key).
OperationResult<std::vector<ImportItem>> load_import_files(const ImportFiles& files);

struct ImportCertificates {
    std::vector<ImportItem> items;
    CertificateKind kind = CertificateKind::individual;
    // Overrides of what the certificate says (owner: its first address;
    // name: its CN); nip, unit and login are the owner's record.
    std::string owner, name, nip, unit, login;
    std::vector<std::string> domains; // every address must be in one (art. 15 c)
};

struct ImportedCertificate {
    std::string name, serial, owner;
    bool inserted = false;      // false: it was already present
    std::size_t superseded = 0; // older certificates it superseded
};

struct ImportOutcome {
    std::vector<ImportedCertificate> imported;
    std::optional<Failure> stopped; // an item failed: those in `imported` were stored, none after
};
// Every item's addresses are checked against the domains before anything is
// written; then each item is stored in its own transaction.
OperationResult<ImportOutcome> import_certificates(DirectoryService& directory, const Operator& person,
                                                   const ImportCertificates& request);

// --- read -------------------------------------------------------------------

OperationResult<std::vector<CertificateRecord>> list_certificates(DirectoryService& directory, const Operator& person,
                                                                  const CertificateQuery& query);
// The people the directory knows (owners of certificates), by unit.
OperationResult<std::vector<Person>> list_people(DirectoryService& directory, const Operator& person);
// Certificates whose notAfter falls within `days` of now, soonest first.
OperationResult<std::vector<CertificateRecord>> expiring_certificates(DirectoryService& directory,
                                                                      const Operator& person, int days, TimePoint now);

struct CertificateDetail {
    CertificateRecord record;
    std::optional<Person> owner;
};
// REF: a fingerprint (8+ hex digits) or a serial.
OperationResult<CertificateDetail> show_certificate(DirectoryService& directory, const Operator& person,
                                                    const std::string& reference);

// --- change -----------------------------------------------------------------

struct Authorisation {
    std::string reference, login;
    bool remove = false; // unauthorise
};
OperationResult<void> authorise(DirectoryService& directory, const Operator& person, const Authorisation& request);

struct Revocation {
    std::string reference;
    RevocationReason reason = RevocationReason::unspecified;
    TimePoint effective;
};
struct RevokeOutcome {
    CertificateRecord record; // as it was before
    RevocationReason reason;
    TimePoint effective;
};
// A certificate already revoked is refused (invalid_input), naming its reason.
OperationResult<RevokeOutcome> revoke(DirectoryService& directory, const Operator& person, const Revocation& request);

struct RotateKeyOutcome {
    int resealed = 0;
    std::string key_id; // of the new master key
};
// Re-seals every private key under the key in `new_key_file` (created, 0600,
// when it does not exist) in one transaction.
OperationResult<RotateKeyOutcome> rotate_master_key(DirectoryService& directory, const Operator& person,
                                                    const std::string& new_key_file);

} // namespace segel::directory::admin
