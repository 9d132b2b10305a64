#pragma once
/// A small result table shared by every analytics report: named snake_case columns and rows of
/// typed cells, rendered as CSV or JSON by the faces (CLI, server, report).

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltv {

/// One cell: empty (written as an empty CSV field / JSON null), integer, real or text.
using AnalyticsCell = std::variant<std::monostate, std::int64_t, double, std::string>;

/// A table of results, one row per period / cohort / channel / ...
struct AnalyticsTable {
  std::string name;                              ///< e.g. "kpis", "cohorts"; used for file names
  std::vector<std::string> columns;              ///< snake_case header
  std::vector<std::vector<AnalyticsCell>> rows;  ///< each row has columns.size() cells
};

/// CSV text (RFC 4180 quoting, LF line ends, header first). Reals are written with up to 12
/// significant digits; non-finite reals are written as empty fields.
std::string to_csv(const AnalyticsTable& table);
/// JSON array of objects keyed by column name (in column order); empty cells and non-finite reals
/// become null.
nlohmann::ordered_json to_json(const AnalyticsTable& table);
/// A real cell, or an empty cell when `value` is NaN or infinite (never lets NaN out silently).
AnalyticsCell real_cell(double value);

}  // namespace ltv
