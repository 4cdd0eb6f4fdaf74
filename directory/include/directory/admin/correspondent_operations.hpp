// Admin operations on correspondents' certificates (issue 12, ENC-01):
// import from files (PEM, DER, PKCS#7 certs-only, PKCS#12 without using its
// key; one file or a folder), list, remove. Every file is read before
// anything is stored. Role checks as in certificate_operations.hpp.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "directory/admin/operation_error.hpp"
#include "directory/admin/operator.hpp"
#include "directory/directory_service.hpp"

namespace segel::directory::admin {

struct CorrespondentFiles {
    std::vector<std::string> paths; // files, or folders of them
    std::string domain;             // set: each certificate stands for this domain (a domain certificate)
    std::string passphrase_file;    // for PKCS#12 files
};

struct ImportedCorrespondent {
    std::string file, fingerprint, serial;
    std::string covers; // its addresses, or "domain D"
    bool inserted = false;
};

struct CorrespondentImportOutcome {
    std::vector<ImportedCorrespondent> imported;
    std::optional<Failure> stopped; // a certificate was refused: those before it were stored
};

OperationResult<CorrespondentImportOutcome> import_correspondents(DirectoryService& directory, const Operator& person,
                                                                  const CorrespondentFiles& files);
OperationResult<std::vector<CorrespondentRecord>> list_correspondents(DirectoryService& directory,
                                                                      const Operator& person, const std::string& text);
OperationResult<CorrespondentRecord> remove_correspondent(DirectoryService& directory, const Operator& person,
                                                          const std::string& reference);
// A harvested certificate waiting for review may be used from now on.
OperationResult<CorrespondentRecord> approve_correspondent(DirectoryService& directory, const Operator& person,
                                                           const std::string& reference);

} // namespace segel::directory::admin
