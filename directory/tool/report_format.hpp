// The supervision report (directory/report.hpp) as table rows and as JSON,
// as `segel report` and the web page give it.
#pragma once

#include <string>
#include <vector>

#include "directory/report.hpp"
#include "output.hpp"

namespace segel::tool {

Row report_header();
// One row per unit: unit, people, active, without active, expiring, revoked by reason.
std::vector<Row> report_rows(const directory::Report& report);
std::string report_json(const directory::Report& report);

} // namespace segel::tool
