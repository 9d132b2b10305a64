#include "ltv/analytics/table.hpp"

#include <fmt/format.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace ltv {

namespace {

void append_csv_field(std::string& out, const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) {
    out += text;
    return;
  }
  out += '"';
  for (char ch : text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

std::string format_real(double v) {
  if (v == 0) return "0";  // also turns -0 into 0
  return fmt::format("{:.12g}", v);
}

}  // namespace

AnalyticsCell real_cell(double value) {
  if (!std::isfinite(value)) return std::monostate{};
  return value;
}

std::string to_csv(const AnalyticsTable& table) {
  std::string out;
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (i) out += ',';
    append_csv_field(out, table.columns[i]);
  }
  out += '\n';
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i) out += ',';
      const AnalyticsCell& cell = row[i];
      if (const auto* n = std::get_if<std::int64_t>(&cell)) {
        out += fmt::format("{}", *n);
      } else if (const auto* d = std::get_if<double>(&cell)) {
        if (std::isfinite(*d)) out += format_real(*d);
      } else if (const auto* s = std::get_if<std::string>(&cell)) {
        append_csv_field(out, *s);
      }
    }
    out += '\n';
  }
  return out;
}

nlohmann::ordered_json to_json(const AnalyticsTable& table) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const auto& row : table.rows) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (std::size_t i = 0; i < row.size() && i < table.columns.size(); ++i) {
      const AnalyticsCell& cell = row[i];
      nlohmann::ordered_json value;  // null
      if (const auto* n = std::get_if<std::int64_t>(&cell)) {
        value = *n;
      } else if (const auto* d = std::get_if<double>(&cell)) {
        if (std::isfinite(*d)) value = *d;
      } else if (const auto* s = std::get_if<std::string>(&cell)) {
        value = *s;
      }
      obj[table.columns[i]] = std::move(value);
    }
    rows.push_back(std::move(obj));
  }
  return rows;
}

}  // namespace ltv
