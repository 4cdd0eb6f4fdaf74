#include "directory/ra_sync.hpp"

#include <algorithm>
#include <ctime>
#include <initializer_list>
#include <map>
#include <set>

#include "smime/certificate.hpp"

namespace segel::directory {

namespace {

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
        text.remove_suffix(1);
    return std::string(text);
}

// One CSV record (RFC 4180); a quoted field may span lines. Returns false at
// end of input; sets `error` for an unterminated quote.
bool read_record(std::istream& in, std::vector<std::string>& fields, int& line, std::string& error) {
    fields.clear();
    std::string field;
    bool quoted = false, any = false, field_was_quoted = false;
    char c = 0;
    while (in.get(c)) {
        any = true;
        if (quoted) {
            if (c == '"') {
                if (in.peek() == '"') {
                    in.get(c);
                    field += '"';
                } else {
                    quoted = false;
                }
            } else {
                if (c == '\n')
                    ++line;
                field += c;
            }
            continue;
        }
        if (c == '"' && trim(field).empty()) {
            quoted = true;
            field_was_quoted = true;
            field.clear();
        } else if (c == ',') {
            fields.push_back(field_was_quoted ? field : trim(field));
            field.clear();
            field_was_quoted = false;
        } else if (c == '\n') {
            ++line;
            fields.push_back(field_was_quoted ? field : trim(field));
            return true;
        } else {
            field += c;
        }
    }
    if (quoted) {
        error = "a quoted field is not closed";
        return false;
    }
    if (!any)
        return false;
    fields.push_back(field_was_quoted ? field : trim(field));
    ++line;
    return true;
}

const char* const k_columns[] = {"nip", "email", "name", "unit", "kind", "status", "reason", "effective_date", "certificate"};

bool plausible_email(std::string_view email) {
    const auto at = email.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < email.size() && email.find('@', at + 1) == std::string_view::npos &&
           std::none_of(email.begin(), email.end(), [](char c) { return c <= ' ' || c == ',' || c == '<' || c == '>'; });
}

} // namespace

std::optional<TimePoint> parse_effective_date(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    long offset_seconds = 7 * 3600; // WIB for a bare date
    const std::string value(text);
    int consumed = 0;
    // Digits only where digits belong: sscanf alone would take signs and spaces.
    const auto digits_at = [](std::string_view s, std::initializer_list<std::size_t> at) {
        return std::all_of(at.begin(), at.end(), [&](std::size_t i) {
            return i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]));
        });
    };
    if (!digits_at(value, {0, 1, 2, 3, 5, 6, 8, 9}) ||
        std::sscanf(value.c_str(), "%4d-%2d-%2d%n", &year, &month, &day, &consumed) != 3 || consumed != 10)
        return std::nullopt;
    std::string_view rest = std::string_view(value).substr(10);
    if (!rest.empty()) {
        if (rest.front() != 'T' && rest.front() != ' ')
            return std::nullopt;
        const std::string time(rest.substr(1));
        int n = 0;
        if (!digits_at(time, {0, 1, 3, 4}) || std::sscanf(time.c_str(), "%2d:%2d%n", &hour, &minute, &n) != 2 || n != 5)
            return std::nullopt;
        std::string_view zone = std::string_view(time).substr(5);
        if (!zone.empty() && zone.front() == ':') {
            const std::string secs(zone.substr(1, 2));
            if (secs.size() != 2 || !std::isdigit(static_cast<unsigned char>(secs[0])) || !std::isdigit(static_cast<unsigned char>(secs[1])))
                return std::nullopt;
            second = std::stoi(secs);
            zone.remove_prefix(3);
        }
        if (zone == "Z") {
            offset_seconds = 0;
        } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
            const int hh = std::atoi(std::string(zone.substr(1, 2)).c_str());
            const int mm = std::atoi(std::string(zone.substr(4, 2)).c_str());
            offset_seconds = (zone[0] == '+' ? 1 : -1) * (hh * 3600L + mm * 60L);
        } else {
            return std::nullopt; // a time needs an explicit zone
        }
    }
    // Years a certificate's status can change in, and that the clock's
    // nanoseconds can hold.
    if (year < 1970 || year > 2200 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
        second > 60)
        return std::nullopt;
    struct tm parts {};
    parts.tm_year = year - 1900;
    parts.tm_mon = month - 1;
    parts.tm_mday = day;
    parts.tm_hour = hour;
    parts.tm_min = minute;
    parts.tm_sec = second;
    const std::time_t utc = timegm(&parts);
    struct tm check {};
    gmtime_r(&utc, &check);
    if (check.tm_mday != day)
        return std::nullopt; // 2026-02-31 and the like
    return std::chrono::system_clock::from_time_t(utc - offset_seconds);
}

Result<std::vector<RaRow>> parse_ra_export(std::istream& in, const std::string& name) {
    std::vector<std::string> fields;
    int line = 0;
    std::string csv_error;
    if (!read_record(in, fields, line, csv_error))
        return make_error(ErrorKind::invalid_input, name + ": " + (csv_error.empty() ? "empty file; the header row is missing" : csv_error));
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const std::string header = lower(trim(fields[i]));
        if (std::find(std::begin(k_columns), std::end(k_columns), header) == std::end(k_columns))
            return make_error(ErrorKind::invalid_input, name + ":1: unknown column \"" + header + "\"");
        if (!column.emplace(header, i).second)
            return make_error(ErrorKind::invalid_input, name + ":1: column \"" + header + "\" appears twice");
    }
    for (const char* required : k_columns)
        if (column.count(required) == 0)
            return make_error(ErrorKind::invalid_input, name + ":1: the header lacks the column \"" + std::string(required) + "\"");

    std::vector<RaRow> rows;
    for (;;) {
        const int start_line = line + 1;
        if (!read_record(in, fields, line, csv_error)) {
            if (!csv_error.empty())
                return make_error(ErrorKind::invalid_input, name + ":" + std::to_string(start_line) + ": " + csv_error);
            break;
        }
        if (fields.size() == 1 && fields[0].empty())
            continue; // blank line
        const std::string where = name + ":" + std::to_string(start_line) + ": ";
        if (fields.size() != column.size())
            return make_error(ErrorKind::invalid_input, where + "has " + std::to_string(fields.size()) + " fields; the header has " +
                                                            std::to_string(column.size()));
        const auto get = [&](const char* key) { return fields[column.at(key)]; };
        RaRow row;
        row.line = start_line;
        row.nip = get("nip");
        row.email = lower(get("email"));
        row.name = get("name");
        row.unit = get("unit");
        row.certificate = get("certificate");
        if (!plausible_email(row.email))
            return make_error(ErrorKind::invalid_input, where + "\"" + get("email") + "\" is not an email address");
        if (!row.nip.empty() && !std::all_of(row.nip.begin(), row.nip.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            return make_error(ErrorKind::invalid_input, where + "NIP \"" + row.nip + "\" must be digits only");
        if (const auto kind = get("kind"); !kind.empty()) {
            row.kind = parse_certificate_kind(kind);
            if (!row.kind)
                return make_error(ErrorKind::invalid_input, where + "unknown kind \"" + kind + "\" (individual, position, system)");
        }
        if (const auto status = get("status"); !status.empty()) {
            row.status = parse_certificate_status(status);
            if (!row.status)
                return make_error(ErrorKind::invalid_input, where + "unknown status \"" + status + "\" (active, renewed, revoked, expired)");
        }
        if (const auto reason = get("reason"); !reason.empty()) {
            row.reason = parse_revocation_reason(reason);
            if (!row.reason)
                return make_error(ErrorKind::invalid_input, where + "unknown revocation reason \"" + reason + "\"");
        }
        if (const auto effective = get("effective_date"); !effective.empty()) {
            row.effective = parse_effective_date(effective);
            if (!row.effective)
                return make_error(ErrorKind::invalid_input, where + "effective_date \"" + effective +
                                                                "\" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM with a zone");
        }
        if (row.certificate.empty() && row.status)
            return make_error(ErrorKind::invalid_input, where + "a status needs a certificate (serial or fingerprint)");
        if (!row.certificate.empty() && !row.status)
            return make_error(ErrorKind::invalid_input, where + "a certificate row needs a status");
        if (row.status == CertificateStatus::revoked && !row.reason)
            return make_error(ErrorKind::invalid_input, where + "a revocation needs a reason");
        if (row.status != CertificateStatus::revoked && row.reason)
            return make_error(ErrorKind::invalid_input, where + "a reason is only for revoked certificates");
        rows.push_back(std::move(row));
    }
    return rows;
}

Result<SyncPlan> plan_ra_sync(CertificateDirectory& directory, const std::vector<RaRow>& rows,
                              const std::vector<std::string>& domains, TimePoint now, const std::string& source) {
    SyncPlan plan;
    plan.changes.description = "ra sync " + source;
    std::map<std::string, Person> people_seen;    // email -> merged row data
    std::map<std::string, int> certificate_lines; // fingerprint -> line that set it
    for (const auto& row : rows) {
        const std::string where = source + ":" + std::to_string(row.line) + ": ";
        if (!domains.empty()) {
            const std::string domain = row.email.substr(row.email.find('@') + 1);
            if (std::find(domains.begin(), domains.end(), domain) == domains.end())
                return make_error(ErrorKind::invalid_input, where + row.email + " is outside the internal domains");
        }
        // People: fill in what the row says, compare with what is stored.
        auto stored = directory.find_person(row.email);
        if (!stored)
            return stored.error();
        Person wanted = stored->value_or(Person{row.email, "", "", "", ""});
        const Person before = wanted;
        if (!row.name.empty())
            wanted.name = row.name;
        if (!row.nip.empty())
            wanted.nip = row.nip;
        if (!row.unit.empty())
            wanted.unit = row.unit;
        if (auto seen = people_seen.find(row.email); seen != people_seen.end()) {
            if ((seen->second.name != wanted.name && !row.name.empty()) || (seen->second.nip != wanted.nip && !row.nip.empty()) ||
                (seen->second.unit != wanted.unit && !row.unit.empty()))
                return make_error(ErrorKind::invalid_input, where + "contradicts an earlier row about " + row.email);
        } else if (!stored->has_value() || wanted.name != before.name || wanted.nip != before.nip || wanted.unit != before.unit) {
            plan.changes.people.push_back(wanted);
            plan.descriptions.push_back(stored->has_value()
                                            ? "person " + row.email + ": name \"" + before.name + "\" -> \"" + wanted.name +
                                                  "\", nip " + before.nip + " -> " + wanted.nip + ", unit \"" + before.unit +
                                                  "\" -> \"" + wanted.unit + "\""
                                            : "person " + row.email + ": new (" + wanted.name + ", " + wanted.unit + ")");
        }
        people_seen.emplace(row.email, wanted);

        if (row.certificate.empty())
            continue;
        std::string reference = row.certificate;
        for (const char* prefix : {"serial:", "sha256:"})
            if (lower(reference).rfind(prefix, 0) == 0)
                reference = reference.substr(std::string(prefix).size());
        auto record = directory.get_certificate(reference);
        if (!record)
            return make_error(record.error().kind == ErrorKind::not_found ? ErrorKind::invalid_input : record.error().kind,
                              where + record.error().detail + " (import it first)");
        const bool belongs = record->owner_email == row.email ||
                             std::find(record->emails.begin(), record->emails.end(), row.email) != record->emails.end();
        if (!belongs)
            return make_error(ErrorKind::invalid_input, where + "certificate " + record->serial + " belongs to " +
                                                            record->owner_email + ", not to " + row.email);
        if (row.kind && *row.kind != record->kind)
            return make_error(ErrorKind::invalid_input, where + "certificate " + record->serial + " is stored as " +
                                                            std::string(to_string(record->kind)) + ", the row says " +
                                                            std::string(to_string(*row.kind)));
        if (auto earlier = certificate_lines.find(record->fingerprint); earlier != certificate_lines.end())
            return make_error(ErrorKind::invalid_input, where + "certificate " + record->serial + " already appears on line " +
                                                            std::to_string(earlier->second));
        certificate_lines.emplace(record->fingerprint, row.line);

        const bool was_revoked = record->status == CertificateStatus::revoked;
        if (was_revoked && *row.status != CertificateStatus::revoked &&
            record->reason != RevocationReason::certificate_hold)
            return make_error(ErrorKind::invalid_input, where + "certificate " + record->serial + " is revoked (" +
                                                            std::string(to_string(record->reason.value_or(RevocationReason::unspecified))) +
                                                            "); only a hold can be lifted (RFC 5280 §5.3.1)");
        const bool same = record->status == *row.status && record->reason == row.reason &&
                          (!row.effective || record->status_effective == row.effective);
        if (same)
            continue;
        // The row's effective time is stored whatever the status, so that the
        // same row matches next time (an active row too: RA sync is idempotent).
        StatusChange change{record->fingerprint, *row.status, row.reason,
                            row.effective ? row.effective
                                          : *row.status == CertificateStatus::active ? std::nullopt
                                                                                     : std::optional<TimePoint>(now)};
        std::string description = "certificate " + record->serial + " (" + row.email + "): " +
                                  std::string(to_string(record->status)) + " -> " + std::string(to_string(*row.status));
        if (row.reason)
            description += " (" + std::string(to_string(*row.reason)) + ", RFC 5280 code " +
                           std::to_string(rfc5280_code(*row.reason)) + ")";
        if (change.effective)
            description += " effective " + smime::format_utc(*change.effective);
        plan.changes.statuses.push_back(std::move(change));
        plan.descriptions.push_back(std::move(description));
    }
    return plan;
}

} // namespace segel::directory
