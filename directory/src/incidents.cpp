#include "directory/incidents.hpp"

#include <algorithm>
#include <map>

namespace segel::directory {
namespace {

// The value of "NAME=" in a "a=1; b=2" detail, up to the next "; ".
std::string field(std::string_view detail, std::string_view name, bool to_end = false) {
    const std::string key = std::string(name) + "=";
    std::size_t at = 0;
    while ((at = detail.find(key, at)) != std::string_view::npos) {
        if (at == 0 || detail[at - 1] == ' ')
            break;
        ++at;
    }
    if (at == std::string_view::npos)
        return "";
    const auto start = at + key.size();
    const auto end = to_end ? detail.size() : std::min(detail.find("; ", start), detail.size());
    return std::string(detail.substr(start, end - start));
}

std::optional<std::string> incident_kind(const AuditEntry& e) {
    if (e.action == "incident")
        return field(e.detail, "kind");
    if (e.action == "status" && field(e.detail, "reason") == "key_compromise")
        return std::string("key_compromise");
    if (e.action == "decrypt" && field(e.detail, "released") == "no")
        return std::string("decryption_not_released");
    return std::nullopt;
}

} // namespace

std::string_view to_string(IncidentStatus status) noexcept {
    return status == IncidentStatus::handled ? "handled" : "open";
}

std::optional<IncidentStatus> parse_incident_status(std::string_view text) {
    if (text == "open")
        return IncidentStatus::open;
    if (text == "handled")
        return IncidentStatus::handled;
    return std::nullopt;
}

std::string incident_detail(std::string_view kind, std::string_view detail) {
    return "kind=" + std::string(kind) + "; " + std::string(detail);
}

std::string incident_status_detail(std::int64_t seq, IncidentStatus status, std::string_view note) {
    return "seq=" + std::to_string(seq) + "; status=" + std::string(to_string(status)) + "; note=" + std::string(note);
}

std::vector<Incident> incidents_from(const std::vector<AuditEntry>& entries) {
    std::vector<Incident> found;
    std::map<std::int64_t, std::size_t> by_seq;
    for (const auto& e : entries) {
        if (auto kind = incident_kind(e)) {
            by_seq[e.seq] = found.size();
            found.push_back(Incident{e.seq, e.at, e.actor, *kind, e.detail, IncidentStatus::open, "", "", std::nullopt});
            continue;
        }
        if (e.action != "incident_status")
            continue;
        const auto seq = std::strtoll(field(e.detail, "seq").c_str(), nullptr, 10);
        auto status = parse_incident_status(field(e.detail, "status"));
        auto it = by_seq.find(seq);
        if (it == by_seq.end() || !status)
            continue;
        Incident& incident = found[it->second];
        incident.status = *status;
        incident.handled_by = e.actor;
        incident.note = field(e.detail, "note", true);
        incident.status_at = e.at;
    }
    std::reverse(found.begin(), found.end());
    return found;
}

} // namespace segel::directory
