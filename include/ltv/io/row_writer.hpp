#pragma once
/// Tabular output in either CSV (header + rows) or JSON (an array of objects, one per row), so a
/// command writes its rows once and honours `--format csv|json`.

#include <cstdint>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/io/csv_writer.hpp"

namespace ltv {

enum class OutputFormat { csv, json };

/// Parses "csv"/"json"; throws InputError for option --format.
OutputFormat parse_output_format(std::string_view text);

/// Writes rows of named columns. Cells are given in column order; each row must have exactly
/// one cell per column (checked: a programmer error throws std::logic_error).
/// Numbers use the shortest round-trip form; non-finite numbers are written as missing
/// (empty CSV field, JSON null).
class RowWriter {
 public:
  RowWriter(std::ostream& out, OutputFormat format, std::vector<std::string> columns);
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;
  ~RowWriter();

  RowWriter& text(std::string_view value);
  RowWriter& number(double value);
  RowWriter& integer(std::int64_t value);
  /// true / false (JSON booleans; `true` / `false` in CSV).
  RowWriter& boolean(bool value);
  RowWriter& missing();
  void end_row();
  /// Closes the JSON array and flushes (called by the destructor if not called before).
  void finish();

 private:
  void key();
  std::ostream& out_;
  OutputFormat format_;
  std::vector<std::string> columns_;
  std::unique_ptr<CsvWriter> csv_;
  std::string json_;
  std::size_t cell_ = 0;
  std::size_t rows_ = 0;
  bool finished_ = false;
};

}  // namespace ltv
