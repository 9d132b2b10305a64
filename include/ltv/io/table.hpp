#pragma once
/// A small delimited file read whole into named text columns, with typed accessors that report
/// bad values as InputError (file, line, column, text, what was expected). For spend files,
/// survey answers, customer summaries (frequency,recency,T,...) and similar side inputs; large
/// transaction files go through load_transactions() instead.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/io/csv.hpp"
#include "ltv/io/dates.hpp"

namespace ltv {

struct Table {
  std::string source;                             ///< file name, for messages
  std::vector<std::string> names;                 ///< column names ("#1", "#2"... without header)
  std::vector<std::vector<std::string>> columns;  ///< columns[c][row]
  std::vector<std::int64_t> lines;                ///< physical line of each row

  std::size_t rows() const noexcept { return lines.size(); }
  /// Index of a column: exact name, then case-insensitive, then "#N"/"N" as 1-based position.
  std::optional<std::size_t> find(std::string_view name) const;
  /// Like find(); throws InputError listing the available columns when absent.
  std::size_t require(std::string_view name) const;
  /// The text of a column (throws like require()).
  const std::vector<std::string>& column(std::string_view name) const;
  /// A column as numbers. Empty cells become `missing` when given, else throw; other bad text
  /// (garbage, nan, inf) throws InputError naming the line.
  std::vector<double> numbers(std::string_view name, std::optional<double> missing = std::nullopt,
                              bool decimal_comma = false) const;
  /// A column as whole numbers (e.g. counts); `3.0` is accepted, `3.5` is not.
  std::vector<std::int64_t> integers(std::string_view name) const;
  /// A column as day numbers; the format is detected from the column unless given.
  std::vector<std::int32_t> dates(std::string_view name, DateFormat format = {}) const;
  /// Throws InputError at (row, column) with the cell text and what was expected.
  [[noreturn]] void fail(std::size_t row, std::size_t column, std::string expected) const;
};

/// Reads a whole file (header by default). Throws InputError for unreadable or malformed files.
Table read_table(const std::string& path, CsvOptions options = {});
/// Same from in-memory text (tests, HTTP uploads); `name` is used in messages.
Table read_table_text(std::string text, CsvOptions options = {}, std::string name = "<text>");

}  // namespace ltv
