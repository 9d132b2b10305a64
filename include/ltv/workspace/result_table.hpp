#pragma once
/// Result tables: every table the engine produces (customers with scores, segments, actions,
/// analytics, ...) is a ResultTable — named, typed columns stored column by column — described by
/// a TableSpec defined once in the table catalogue (ltv/workspace/tables.hpp). Faces render the
/// same table as a CSV file (the CLI), JSON (the server), a database table (the store) or a
/// DataFrame (Python).

#include <cstdint>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ltv/io/row_writer.hpp"

namespace ltv {

/// Type of a column. Dates are day numbers (days since 1970-01-01), rendered `YYYY-MM-DD`.
enum class ColumnType : std::uint8_t { text, integer, real, date, boolean };

/// "text", "integer", "real", "date", "boolean".
std::string_view to_string(ColumnType type) noexcept;

/// One column of a table: its name, type and how reals are rendered as text.
struct ColumnSpec {
  std::string name;
  ColumnType type = ColumnType::text;
  /// Reals only: 0 = the shortest text that reads back to the same double; N > 0 = at most N
  /// significant digits (`%.Ng`, zero written as `0`), for derived figures whose last digits are
  /// float noise (analytics tables use 12).
  int digits = 0;
  std::string description;  ///< one line, for docs and API schemas (may be empty)
};

/// A table's name and columns. `name` is a path-like key ("customers", "analytics/kpis"); the CLI
/// writes it as `<name>.csv`.
struct TableSpec {
  std::string name;
  std::vector<ColumnSpec> columns;
  std::string description;
  /// Index of column `column`; throws std::logic_error (a programmer error) when absent.
  std::size_t index(std::string_view column) const;
  /// Index of column `column`, or columns.size() when absent.
  std::size_t find(std::string_view column) const noexcept;
};

/// One cell given row-wise: empty (null), integer, real, text or boolean. A real that is NaN or
/// infinite is stored as null (never lets NaN out silently).
using Cell = std::variant<std::monostate, std::int64_t, double, std::string, bool>;

/// A table of typed columns. Built row by row (append_row / the RowAppender) or column by column
/// (set_*), read by (column, row).
class ResultTable {
 public:
  ResultTable() = default;
  explicit ResultTable(TableSpec spec);

  const TableSpec& spec() const noexcept { return spec_; }
  const std::string& name() const noexcept { return spec_.name; }
  std::size_t rows() const noexcept { return rows_; }
  std::size_t columns() const noexcept { return spec_.columns.size(); }

  /// Appends a row of cells in column order; cells are converted to the column's type (an
  /// integer into a real column, a day number into a date column). Throws std::logic_error when
  /// the number of cells or a cell's type does not fit (a programmer error).
  void append_row(std::span<const Cell> cells);
  void append_row(std::initializer_list<Cell> cells) {
    append_row(std::span<const Cell>(cells.begin(), cells.size()));
  }

  /// Fills a whole column at once (all columns set this way must have the same length; the
  /// table's row count is the length). Non-finite reals become nulls.
  void set_reals(std::size_t column, std::vector<double> values);
  void set_integers(std::size_t column, std::vector<std::int64_t> values);
  void set_dates(std::size_t column, std::vector<std::int32_t> values);
  void set_texts(std::size_t column, std::span<const std::string> values);
  void set_texts(std::size_t column, std::span<const std::string_view> values);
  /// Marks rows of a column as null (values.size() == rows()).
  void set_nulls(std::size_t column, std::vector<std::uint8_t> nulls);

  bool is_null(std::size_t column, std::size_t row) const noexcept;
  /// The value of a cell (its column must have that type; null cells give 0 / "" / NaN).
  std::string_view text(std::size_t column, std::size_t row) const;
  std::int64_t integer(std::size_t column, std::size_t row) const;
  /// A real, integer or date column as a double; NaN for a null cell or a text column.
  double real(std::size_t column, std::size_t row) const;
  std::int32_t date(std::size_t column, std::size_t row) const;
  bool boolean(std::size_t column, std::size_t row) const;
  /// The cell as its CSV text (empty for null), exactly as write_csv writes it (unquoted).
  std::string cell_text(std::size_t column, std::size_t row) const;

 private:
  struct Column {
    std::vector<double> reals;
    std::vector<std::int64_t> integers;  // integer, date, boolean
    std::string chars;                   // text: concatenated
    std::vector<std::uint64_t> ends;     // text: end offset of each value in chars
    std::vector<std::uint8_t> nulls;     // empty = no nulls
  };
  void check_column(std::size_t column, ColumnType type, const char* what) const;
  void mark_null(Column& c, std::size_t row);
  void set_length(std::size_t column, std::size_t n);

  TableSpec spec_;
  std::vector<Column> data_;
  std::size_t rows_ = 0;
};

/// Writes the table as CSV: header, then one line per row (RFC 4180 quoting, LF line ends),
/// nulls as empty fields, dates as YYYY-MM-DD, booleans as true/false, reals per their spec.
void write_csv(std::ostream& out, const ResultTable& table);
/// Writes the table as CSV (write_csv) or as a JSON array of objects, one per row (numbers in
/// shortest form, reals with digits rounded to them, dates as "YYYY-MM-DD", nulls as null), the
/// `--format json` of the command line.
void write_table(std::ostream& out, const ResultTable& table, OutputFormat format);
/// The CSV text of write_csv.
std::string to_csv(const ResultTable& table);
/// A JSON array of objects keyed by column name (in column order); nulls as null.
nlohmann::ordered_json to_json(const ResultTable& table);

/// Reads CSV text with a header into a table of `spec` (columns matched by name; columns of the
/// spec missing from the text are null, extra columns are ignored). Throws InputError naming
/// `source`, the line and the column for a cell that does not parse as its type.
ResultTable read_csv(std::string_view text, TableSpec spec, const std::string& source);

}  // namespace ltv
