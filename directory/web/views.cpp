#include "views.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <openssl/evp.h>

#include "../tool/output.hpp"
#include "../tool/report_format.hpp"
#include "directory/admin/certificate_operations.hpp"
#include "directory/admin/incident_operations.hpp"
#include "directory/admin/supervision_operations.hpp"
#include "directory/ra_sync.hpp"
#include "html.hpp"
#include "smime/certificate.hpp"

namespace segel::web {
namespace {

using directory::admin::Failure;
using directory::admin::FailureKind;

constexpr std::size_t k_max_upload = 8 * 1024 * 1024;

Failure bad(const std::string& message) { return Failure{FailureKind::invalid_request, message}; }

} // namespace

Checked<ListQuery> certificate_query(const httplib::Request& request) {
    ListQuery out;
    out.text = request.get_param_value("q");
    out.status = request.get_param_value("status");
    out.kind_name = request.get_param_value("kind");
    out.unit = request.get_param_value("unit");
    if (out.text.size() > 200)
        return bad("q: at most 200 characters");
    if (out.unit.size() > 200)
        return bad("unit: at most 200 characters");
    out.query.text = out.text;
    if (!out.status.empty()) {
        out.query.status = directory::parse_certificate_status(out.status);
        if (!out.query.status)
            return bad("status: \"" + out.status + "\" is not active, superseded, revoked or expired");
    }
    if (!out.kind_name.empty()) {
        out.kind = directory::parse_certificate_kind(out.kind_name);
        if (!out.kind)
            return bad("kind: \"" + out.kind_name + "\" is not individual, position or system");
    }
    return out;
}

namespace {

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

} // namespace

Checked<std::vector<directory::CertificateRecord>> find_listed(directory::DirectoryService& directory,
                                                               const directory::admin::Operator& person,
                                                               const ListQuery& query) {
    auto records = directory::admin::list_certificates(directory, person, query.query);
    if (!records)
        return records.error();
    std::set<std::string> owners_in_unit;
    if (!query.unit.empty()) {
        auto people = directory::admin::list_people(directory, person);
        if (!people)
            return people.error();
        for (const auto& p : *people)
            if (lower(p.unit) == lower(query.unit))
                owners_in_unit.insert(lower(p.email));
    }
    std::vector<directory::CertificateRecord> out;
    for (auto& r : *records)
        if ((!query.kind || r.kind == *query.kind) && (query.unit.empty() || owners_in_unit.count(lower(r.owner_email))))
            out.push_back(std::move(r));
    return out;
}

Checked<int> whole_number(const httplib::Request& request, const std::string& name, int fallback, int min, int max) {
    if (!request.has_param(name))
        return fallback;
    const std::string text = request.get_param_value(name);
    char* end = nullptr;
    const long value = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || *end != '\0' || value < min || value > max)
        return bad(name + ": \"" + text + "\" is not a whole number from " + std::to_string(min) + " to " +
                   std::to_string(max));
    return static_cast<int>(value);
}

Checked<CaseRequest> case_request(const httplib::Request& request) {
    const std::string key = request.get_param_value("case");
    auto found = find_ra_case(key);
    if (!found)
        return bad("case: \"" + key + "\" is not one of mutasi_rotasi, pensiun_berhenti, perubahan_data, "
                   "kunci_hilang, sanksi, ditangguhkan");
    CaseRequest out{*found, std::chrono::system_clock::now()};
    const std::string effective = request.get_param_value("effective");
    if (!effective.empty()) {
        auto parsed = directory::parse_effective_date(effective);
        if (!parsed)
            return bad("effective: \"" + effective + "\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM with a zone");
        out.effective = *parsed;
    }
    return out;
}

std::string case_effect(const CaseRequest& request, const directory::CertificateRecord& record,
                        const std::string& lang) {
    const std::string when = smime::format_utc(request.effective);
    if (lang == "en")
        return "From " + when + " mail from " + record.owner_email + " is no longer signed with certificate " +
               record.serial + " (revoked: " + request.ra_case.english + ", reason " +
               std::string(directory::to_string(request.ra_case.reason)) + "); until a new certificate is imported, " +
               "their next message is refused for signing.";
    return "Mulai " + when + " surat dari " + record.owner_email + " tidak lagi ditandatangani dengan sertifikat " +
           record.serial + " (dicabut: " + request.ra_case.indonesian + ", alasan " +
           std::string(directory::to_string(request.ra_case.reason)) + "); sampai sertifikat baru diimpor, " +
           "pesan berikutnya ditolak untuk ditandatangani.";
}

Checked<Upload> uploaded_file(const httplib::Request& request, const std::string& field, UploadKind kind) {
    Upload out;
    out.kind = kind;
    if (request.is_multipart_form_data() && request.has_file(field)) {
        const auto& file = request.get_file_value(field);
        out.name = file.filename.empty() ? "upload" : file.filename;
        out.content = file.content;
    } else if (request.has_param("content")) {
        out.name = "upload";
        out.content = request.get_param_value("content");
    } else {
        return bad(field + ": no file was uploaded");
    }
    if (out.content.empty())
        return bad(field + ": the file is empty");
    if (out.content.size() > k_max_upload)
        return bad(field + ": the file is larger than 8 MiB");
    if (kind == UploadKind::ra_export && out.content.find('\0') != std::string::npos)
        return bad(field + ": " + out.name + " is not a text file");
    out.name = out.name.substr(0, 200);
    return out;
}

Checked<std::vector<directory::AuditEntry>> certificate_history(directory::DirectoryService& directory,
                                                                 const directory::admin::Operator& person,
                                                                 const directory::CertificateRecord& record) {
    auto entries = directory::admin::audit_entries(directory, person);
    if (!entries)
        return entries.error();
    std::vector<directory::AuditEntry> out;
    for (const auto& e : *entries)
        if (e.detail.find(record.fingerprint) != std::string::npos ||
            e.detail.find("serial " + record.serial) != std::string::npos ||
            e.detail.find("serial=" + record.serial) != std::string::npos)
            out.push_back(e);
    return out;
}

std::string pem_of(const directory::CertificateRecord& record) {
    const auto& der = record.der;
    std::string base64(4 * ((der.size() + 2) / 3) + 1, '\0');
    const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(base64.data()),
                                       reinterpret_cast<const unsigned char*>(der.data()), static_cast<int>(der.size()));
    base64.resize(static_cast<std::size_t>(std::max(length, 0)));
    std::string pem = "-----BEGIN CERTIFICATE-----\n";
    for (std::size_t at = 0; at < base64.size(); at += 64)
        pem += base64.substr(at, 64) + "\n";
    return pem + "-----END CERTIFICATE-----\n";
}

Checked<Overview> overview_figures(directory::DirectoryService& directory, const directory::admin::Operator& person) {
    const auto now = std::chrono::system_clock::now();
    directory::CertificateQuery all;
    all.now = now;
    auto records = directory::admin::list_certificates(directory, person, all);
    if (!records)
        return records.error();
    Overview out;
    for (const auto& r : *records) {
        const auto status = r.status_at(now);
        ++out.by_status[std::string(directory::to_string(status))];
        if (status != directory::CertificateStatus::active)
            continue;
        const auto left = r.not_after - now;
        out.expiring_30 += left <= std::chrono::hours(24 * 30);
        out.expiring_60 += left <= std::chrono::hours(24 * 60);
        out.expiring_90 += left <= std::chrono::hours(24 * 90);
    }
    auto report = directory::admin::supervision_report(directory, person, now, 30);
    if (!report)
        return report.error();
    out.report = std::move(*report);
    auto incidents = directory::admin::list_incidents(directory, person);
    if (!incidents)
        return incidents.error();
    out.incidents_open = static_cast<int>(std::count_if(incidents->begin(), incidents->end(), [](const auto& i) {
        return i.status == directory::IncidentStatus::open;
    }));
    return out;
}

std::string overview_json(const Overview& overview) {
    std::string by_status = "{";
    for (const auto& [status, count] : overview.by_status)
        by_status += (by_status.size() > 1 ? ", " : "") + tool::json_string(status) + ": " + std::to_string(count);
    std::string without = "{";
    for (const auto& unit : overview.report.units)
        if (!unit.without_active_certificate.empty())
            without += (without.size() > 1 ? ", " : "") + tool::json_string(unit.unit) + ": " +
                       tool::json_string_array(unit.without_active_certificate);
    return "{\"by_status\": " + by_status + "}, \"expiring\": {\"30\": " + std::to_string(overview.expiring_30) +
           ", \"60\": " + std::to_string(overview.expiring_60) + ", \"90\": " + std::to_string(overview.expiring_90) +
           "}, \"without_active_certificate\": " + without + "}, \"incidents_open\": " +
           std::to_string(overview.incidents_open) + "}";
}

std::string report_csv(const directory::Report& report) {
    return tool::format_csv(tool::report_header(), tool::report_rows(report));
}

} // namespace segel::web
