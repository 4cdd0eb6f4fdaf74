// What the page and the API both need: reading and checking a request's
// fields (each failure an invalid_request naming the field), a certificate's
// history from the audit log, its public PEM, an RA case's effect in words,
// and the overview's figures. No HTML and no JSON framing here, except the
// overview's and the report's JSON and CSV.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <httplib.h>

#include "directory/admin/operation_error.hpp"
#include "directory/admin/operator.hpp"
#include "directory/directory_service.hpp"
#include "directory/report.hpp"
#include "ra_cases.hpp"

namespace segel::web {

template <class T>
using Checked = directory::admin::OperationResult<T>;

// q (text, at most 200 characters), status, kind, unit (the owner's unit,
// whole, any case).
struct ListQuery {
    directory::CertificateQuery query;
    std::optional<directory::CertificateKind> kind;
    std::string text, status, kind_name, unit; // as given, for the form
};
Checked<ListQuery> certificate_query(const httplib::Request& request);
// The certificates the query finds, through the admin library.
Checked<std::vector<directory::CertificateRecord>> find_listed(directory::DirectoryService& directory,
                                                               const directory::admin::Operator& person,
                                                               const ListQuery& query);

// A whole number field from min to max; `fallback` when absent.
Checked<int> whole_number(const httplib::Request& request, const std::string& name, int fallback, int min, int max);

// case (ra_cases.hpp) and effective (YYYY-MM-DD in WIB, or
// YYYY-MM-DDTHH:MM with a zone; empty: now).
struct CaseRequest {
    RaCase ra_case;
    directory::TimePoint effective;
};
Checked<CaseRequest> case_request(const httplib::Request& request);
// "From EFFECTIVE, OWNER's mail is no longer signed with certificate SERIAL
// (reason R)", in the page's language.
std::string case_effect(const CaseRequest& request, const directory::CertificateRecord& record, const std::string& lang);

// An uploaded file (multipart field `field`, or a form field `content`):
// its name and content; refused when empty, over 8 MiB, or (an RA export,
// which is text) holding NUL bytes.
enum class UploadKind { ra_export, crl, certificate };
struct Upload {
    UploadKind kind = UploadKind::ra_export;
    std::string name, content;
};
Checked<Upload> uploaded_file(const httplib::Request& request, const std::string& field, UploadKind kind);

// Audit entries that name this certificate (its fingerprint or serial), oldest first.
Checked<std::vector<directory::AuditEntry>> certificate_history(directory::DirectoryService& directory,
                                                                 const directory::admin::Operator& person,
                                                                 const directory::CertificateRecord& record);
// The public certificate as PEM (never a key).
std::string pem_of(const directory::CertificateRecord& record);

struct Overview {
    std::map<std::string, int> by_status;   // status name -> certificates
    int expiring_30 = 0, expiring_60 = 0, expiring_90 = 0; // active ones
    directory::Report report;               // per unit: people without an active certificate (art. 10)
    int incidents_open = 0;                 // Cianjur art. 25
};
Checked<Overview> overview_figures(directory::DirectoryService& directory, const directory::admin::Operator& person);
std::string overview_json(const Overview& overview);
std::string report_csv(const directory::Report& report);

} // namespace segel::web
