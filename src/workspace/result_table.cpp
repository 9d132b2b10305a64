#include "ltv/workspace/result_table.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "ltv/dates.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/numbers.hpp"

namespace ltv {

std::string_view to_string(ColumnType type) noexcept {
  switch (type) {
    case ColumnType::text:
      return "text";
    case ColumnType::integer:
      return "integer";
    case ColumnType::real:
      return "real";
    case ColumnType::date:
      return "date";
    case ColumnType::boolean:
      return "boolean";
  }
  return "text";
}

std::size_t TableSpec::find(std::string_view column) const noexcept {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) return i;
  }
  return columns.size();
}

std::size_t TableSpec::index(std::string_view column) const {
  const std::size_t i = find(column);
  if (i == columns.size()) {
    throw std::logic_error(fmt::format("table {} has no column {}", name, column));
  }
  return i;
}

ResultTable::ResultTable(TableSpec spec) : spec_(std::move(spec)), data_(spec_.columns.size()) {}

void ResultTable::check_column(std::size_t column, ColumnType type, const char* what) const {
  if (column >= spec_.columns.size()) {
    throw std::logic_error(fmt::format("{}: table {} has no column #{}", what, spec_.name, column));
  }
  const ColumnType have = spec_.columns[column].type;
  const bool ok = have == type || (type == ColumnType::integer &&
                                   (have == ColumnType::date || have == ColumnType::boolean));
  if (!ok) {
    throw std::logic_error(fmt::format("{}: column {}.{} is {}, not {}", what, spec_.name,
                                       spec_.columns[column].name, to_string(have),
                                       to_string(type)));
  }
}

void ResultTable::mark_null(Column& c, std::size_t row) {
  if (c.nulls.size() <= row) c.nulls.resize(row + 1, 0);
  c.nulls[row] = 1;
}

void ResultTable::append_row(std::span<const Cell> cells) {
  if (cells.size() != spec_.columns.size()) {
    throw std::logic_error(fmt::format("table {}: a row of {} cells for {} columns", spec_.name,
                                       cells.size(), spec_.columns.size()));
  }
  const std::size_t row = rows_;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    const Cell& cell = cells[k];
    Column& c = data_[k];
    const ColumnSpec& s = spec_.columns[k];
    const bool null =
        std::holds_alternative<std::monostate>(cell) ||
        (std::holds_alternative<double>(cell) && !std::isfinite(std::get<double>(cell)));
    if (null) mark_null(c, row);
    switch (s.type) {
      case ColumnType::text: {
        if (!null) {
          if (const auto* t = std::get_if<std::string>(&cell)) {
            c.chars += *t;
          } else if (const auto* i = std::get_if<std::int64_t>(&cell)) {
            c.chars += fmt::format("{}", *i);
          } else {
            throw std::logic_error(fmt::format("table {}: column {} is text", spec_.name, s.name));
          }
        }
        c.ends.push_back(c.chars.size());
        break;
      }
      case ColumnType::real: {
        double v = std::numeric_limits<double>::quiet_NaN();
        if (const auto* d = std::get_if<double>(&cell)) {
          v = *d;
        } else if (const auto* i = std::get_if<std::int64_t>(&cell)) {
          v = static_cast<double>(*i);
        } else if (!null) {
          throw std::logic_error(fmt::format("table {}: column {} is real", spec_.name, s.name));
        }
        c.reals.push_back(null ? std::numeric_limits<double>::quiet_NaN() : v);
        break;
      }
      case ColumnType::integer:
      case ColumnType::date:
      case ColumnType::boolean: {
        std::int64_t v = 0;
        if (const auto* i = std::get_if<std::int64_t>(&cell)) {
          v = *i;
        } else if (const auto* b = std::get_if<bool>(&cell)) {
          v = *b ? 1 : 0;
        } else if (const auto* d = std::get_if<double>(&cell);
                   d != nullptr && !null && *d == std::floor(*d) && std::abs(*d) < 9.0e18) {
          v = static_cast<std::int64_t>(*d);
        } else if (!null) {
          throw std::logic_error(
              fmt::format("table {}: column {} is {}", spec_.name, s.name, to_string(s.type)));
        }
        c.integers.push_back(v);
        break;
      }
    }
  }
  ++rows_;
}

void ResultTable::set_length(std::size_t column, std::size_t n) {
  bool first = true;
  for (std::size_t k = 0; k < data_.size(); ++k) {
    if (k == column) continue;
    const Column& c = data_[k];
    if (!c.reals.empty() || !c.integers.empty() || !c.ends.empty()) first = false;
  }
  if (!first && n != rows_) {
    throw std::logic_error(fmt::format("table {}: column {} has {} values for {} rows", spec_.name,
                                       spec_.columns[column].name, n, rows_));
  }
  rows_ = n;
}

void ResultTable::set_reals(std::size_t column, std::vector<double> values) {
  check_column(column, ColumnType::real, "set_reals");
  set_length(column, values.size());
  Column& c = data_[column];
  c.nulls.clear();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) mark_null(c, i);
  }
  c.reals = std::move(values);
}

void ResultTable::set_integers(std::size_t column, std::vector<std::int64_t> values) {
  check_column(column, ColumnType::integer, "set_integers");
  set_length(column, values.size());
  data_[column].nulls.clear();
  data_[column].integers = std::move(values);
}

void ResultTable::set_dates(std::size_t column, std::vector<std::int32_t> values) {
  check_column(column, ColumnType::date, "set_dates");
  set_length(column, values.size());
  data_[column].nulls.clear();
  data_[column].integers.assign(values.begin(), values.end());
}

namespace {
template <class Strings>
void fill_texts(std::string& chars, std::vector<std::uint64_t>& ends, const Strings& values) {
  std::size_t total = 0;
  for (const auto& v : values) total += v.size();
  chars.clear();
  chars.reserve(total);
  ends.clear();
  ends.reserve(values.size());
  for (const auto& v : values) {
    chars.append(v.data(), v.size());
    ends.push_back(chars.size());
  }
}
}  // namespace

void ResultTable::set_texts(std::size_t column, std::span<const std::string> values) {
  check_column(column, ColumnType::text, "set_texts");
  set_length(column, values.size());
  data_[column].nulls.clear();
  fill_texts(data_[column].chars, data_[column].ends, values);
}

void ResultTable::set_texts(std::size_t column, std::span<const std::string_view> values) {
  check_column(column, ColumnType::text, "set_texts");
  set_length(column, values.size());
  data_[column].nulls.clear();
  fill_texts(data_[column].chars, data_[column].ends, values);
}

void ResultTable::set_nulls(std::size_t column, std::vector<std::uint8_t> nulls) {
  if (column >= data_.size() || nulls.size() != rows_) {
    throw std::logic_error(fmt::format("set_nulls: table {}, column #{}", spec_.name, column));
  }
  data_[column].nulls = std::move(nulls);
}

bool ResultTable::is_null(std::size_t column, std::size_t row) const noexcept {
  const auto& n = data_[column].nulls;
  return row < n.size() && n[row] != 0;
}

std::string_view ResultTable::text(std::size_t column, std::size_t row) const {
  check_column(column, ColumnType::text, "text");
  const Column& c = data_[column];
  const std::uint64_t begin = row == 0 ? 0 : c.ends[row - 1];
  return std::string_view(c.chars).substr(begin, c.ends[row] - begin);
}

std::int64_t ResultTable::integer(std::size_t column, std::size_t row) const {
  check_column(column, ColumnType::integer, "integer");
  return data_[column].integers[row];
}

double ResultTable::real(std::size_t column, std::size_t row) const {
  if (column >= data_.size()) throw std::logic_error("real: no such column");
  if (is_null(column, row)) return std::numeric_limits<double>::quiet_NaN();
  switch (spec_.columns[column].type) {
    case ColumnType::real:
      return data_[column].reals[row];
    case ColumnType::integer:
    case ColumnType::date:
    case ColumnType::boolean:
      return static_cast<double>(data_[column].integers[row]);
    case ColumnType::text:
      break;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

std::int32_t ResultTable::date(std::size_t column, std::size_t row) const {
  check_column(column, ColumnType::date, "date");
  return static_cast<std::int32_t>(data_[column].integers[row]);
}

bool ResultTable::boolean(std::size_t column, std::size_t row) const {
  check_column(column, ColumnType::boolean, "boolean");
  return data_[column].integers[row] != 0;
}

namespace {

/// Appends the text of cell (column, row) of `t` (unquoted; nothing for null).
void append_cell(std::string& out, const ResultTable& t, std::size_t column, std::size_t row) {
  if (t.is_null(column, row)) return;
  const ColumnSpec& s = t.spec().columns[column];
  switch (s.type) {
    case ColumnType::text:
      out += t.text(column, row);
      return;
    case ColumnType::integer:
      fmt::format_to(std::back_inserter(out), "{}", t.integer(column, row));
      return;
    case ColumnType::date:
      out += format_date(t.date(column, row));
      return;
    case ColumnType::boolean:
      out += t.boolean(column, row) ? "true" : "false";
      return;
    case ColumnType::real: {
      const double v = t.real(column, row);
      if (!std::isfinite(v)) return;
      if (s.digits <= 0) {
        append_number(out, v);
      } else if (v == 0) {
        out += '0';  // also for -0
      } else {
        fmt::format_to(std::back_inserter(out), "{:.{}g}", v, s.digits);
      }
      return;
    }
  }
}

}  // namespace

std::string ResultTable::cell_text(std::size_t column, std::size_t row) const {
  std::string out;
  append_cell(out, *this, column, row);
  return out;
}

void write_csv(std::ostream& out, const ResultTable& table) {
  std::string buffer;
  buffer.reserve(1 << 16);
  const std::size_t columns = table.columns();
  for (std::size_t k = 0; k < columns; ++k) {
    if (k) buffer += ',';
    append_csv_field(buffer, table.spec().columns[k].name);
  }
  buffer += '\n';
  std::string cell;
  for (std::size_t r = 0; r < table.rows(); ++r) {
    for (std::size_t k = 0; k < columns; ++k) {
      if (k) buffer += ',';
      if (table.spec().columns[k].type == ColumnType::text) {
        if (!table.is_null(k, r)) append_csv_field(buffer, table.text(k, r));
      } else {
        append_cell(buffer, table, k, r);
      }
    }
    buffer += '\n';
    if (buffer.size() >= (1 << 16)) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
}

void write_table(std::ostream& out, const ResultTable& table, OutputFormat format) {
  if (format == OutputFormat::csv) {
    write_csv(out, table);
    return;
  }
  std::vector<std::string> names;
  for (const auto& c : table.spec().columns) names.push_back(c.name);
  RowWriter w(out, format, std::move(names));
  for (std::size_t r = 0; r < table.rows(); ++r) {
    for (std::size_t k = 0; k < table.columns(); ++k) {
      const ColumnSpec& s = table.spec().columns[k];
      if (table.is_null(k, r)) {
        w.missing();
        continue;
      }
      switch (s.type) {
        case ColumnType::text:
          w.text(table.text(k, r));
          break;
        case ColumnType::integer:
          w.integer(table.integer(k, r));
          break;
        case ColumnType::real:
          w.number(s.digits > 0 ? round_significant(table.real(k, r), s.digits) : table.real(k, r));
          break;
        case ColumnType::date:
          w.text(format_date(table.date(k, r)));
          break;
        case ColumnType::boolean:
          w.boolean(table.boolean(k, r));
          break;
      }
    }
    w.end_row();
  }
  w.finish();
}

std::string to_csv(const ResultTable& table) {
  std::ostringstream out;
  write_csv(out, table);
  return out.str();
}

nlohmann::ordered_json to_json(const ResultTable& table) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (std::size_t r = 0; r < table.rows(); ++r) {
    nlohmann::ordered_json obj = nlohmann::ordered_json::object();
    for (std::size_t k = 0; k < table.columns(); ++k) {
      const ColumnSpec& s = table.spec().columns[k];
      nlohmann::ordered_json value;  // null
      if (!table.is_null(k, r)) {
        switch (s.type) {
          case ColumnType::text:
            value = std::string(table.text(k, r));
            break;
          case ColumnType::integer:
            value = table.integer(k, r);
            break;
          case ColumnType::real:
            value = table.real(k, r);
            break;
          case ColumnType::date:
            value = format_date(table.date(k, r));
            break;
          case ColumnType::boolean:
            value = table.boolean(k, r);
            break;
        }
      }
      obj[s.name] = std::move(value);
    }
    rows.push_back(std::move(obj));
  }
  return rows;
}

ResultTable read_csv(std::string_view text, TableSpec spec, const std::string& source) {
  CsvOptions options;
  options.delimiter = Delimiter::comma;
  CsvReader reader = CsvReader::from_string(std::string(text), options, source);
  const auto& header = reader.header();
  std::vector<std::ptrdiff_t> from(spec.columns.size(), -1);
  for (std::size_t k = 0; k < spec.columns.size(); ++k) {
    for (std::size_t h = 0; h < header.size(); ++h) {
      if (header[h] == spec.columns[k].name) from[k] = static_cast<std::ptrdiff_t>(h);
    }
  }
  ResultTable table(std::move(spec));
  const TableSpec& s = table.spec();
  CsvRecord record;
  std::vector<Cell> cells(s.columns.size());
  while (reader.next(record)) {
    for (std::size_t k = 0; k < s.columns.size(); ++k) {
      cells[k] = std::monostate{};
      if (from[k] < 0 || static_cast<std::size_t>(from[k]) >= record.size()) continue;
      const std::string_view field = record[static_cast<std::size_t>(from[k])];
      if (field.empty()) continue;
      const ColumnSpec& c = s.columns[k];
      const auto bad = [&](const char* expected) {
        input_error(SourceLocation{source, record.line, c.name}, std::string(field), expected);
      };
      switch (c.type) {
        case ColumnType::text:
          cells[k] = std::string(field);
          break;
        case ColumnType::real: {
          const auto v = parse_number(field);
          if (!v) bad("a number");
          cells[k] = *v;
          break;
        }
        case ColumnType::integer: {
          const auto v = parse_number(field);
          if (!v || *v != std::floor(*v)) bad("a whole number");
          cells[k] = static_cast<std::int64_t>(*v);
          break;
        }
        case ColumnType::date: {
          const auto d = parse_datetime(field, DateFormat{DateFormat::Kind::iso, {}});
          if (!d) bad("a date YYYY-MM-DD");
          cells[k] = std::int64_t{d->day};
          break;
        }
        case ColumnType::boolean:
          if (field == "true" || field == "1") {
            cells[k] = true;
          } else if (field == "false" || field == "0") {
            cells[k] = false;
          } else {
            bad("true or false");
          }
          break;
      }
    }
    table.append_row(cells);
  }
  return table;
}

}  // namespace ltv
