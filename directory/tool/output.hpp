// Output helpers for the segel tool: aligned text tables, CSV and JSON
// escaping. Pure functions.
#pragma once

#include <string>
#include <vector>

namespace segel::tool {

using Row = std::vector<std::string>;

// Columns padded to their widest cell; the header is underlined.
std::string format_table(const Row& header, const std::vector<Row>& rows);
// RFC 4180 CSV with a header row.
std::string format_csv(const Row& header, const std::vector<Row>& rows);
// A JSON string literal, quotes included.
std::string json_string(const std::string& text);
// A JSON array of strings.
std::string json_string_array(const std::vector<std::string>& items);

} // namespace segel::tool
