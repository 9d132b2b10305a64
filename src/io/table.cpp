#include "ltv/io/table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/io/numbers.hpp"

namespace ltv {

namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

Table read_from(CsvReader& reader) {
  Table t;
  t.source = reader.path();
  t.names = reader.header();
  CsvRecord record;
  while (reader.next(record)) {
    if (t.columns.empty()) {
      if (t.names.empty()) {
        for (std::size_t i = 0; i < record.size(); ++i)
          t.names.push_back(fmt::format("#{}", i + 1));
      }
      t.columns.resize(t.names.size());
    }
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      t.columns[c].emplace_back(c < record.size() ? record[c] : std::string_view());
    }
    t.lines.push_back(record.line);
  }
  t.columns.resize(t.names.size());
  return t;
}
}  // namespace

std::optional<std::size_t> Table::find(std::string_view name) const {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (iequals(names[i], name)) return i;
  }
  std::string_view digits = name;
  if (digits.starts_with('#')) digits.remove_prefix(1);
  std::size_t position = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
  if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size() &&
      position >= 1 && position <= names.size()) {
    return position - 1;
  }
  return std::nullopt;
}

std::size_t Table::require(std::string_view name) const {
  if (auto i = find(name)) return *i;
  std::string available;
  for (const auto& n : names) available += (available.empty() ? "" : ", ") + n;
  input_error(SourceLocation{source, 0, ""}, std::string(name),
              fmt::format("a column named one of: {}", available));
}

const std::vector<std::string>& Table::column(std::string_view name) const {
  return columns[require(name)];
}

void Table::fail(std::size_t row, std::size_t column, std::string expected) const {
  input_error(SourceLocation{source, lines[row], names[column]}, columns[column][row],
              std::move(expected));
}

std::vector<double> Table::numbers(std::string_view name, std::optional<double> missing,
                                   bool decimal_comma) const {
  const std::size_t c = require(name);
  std::vector<double> out(rows());
  for (std::size_t r = 0; r < rows(); ++r) {
    const std::string& text = columns[c][r];
    if (auto v = parse_number(text, decimal_comma)) {
      out[r] = *v;
    } else if (missing && text.find_first_not_of(" \t") == std::string::npos) {
      out[r] = *missing;
    } else {
      fail(r, c, "a finite number");
    }
  }
  return out;
}

std::vector<std::int64_t> Table::integers(std::string_view name) const {
  const std::size_t c = require(name);
  std::vector<std::int64_t> out(rows());
  for (std::size_t r = 0; r < rows(); ++r) {
    auto v = parse_number(columns[c][r]);
    if (!v || *v != std::floor(*v) || std::fabs(*v) > 9.0e15) fail(r, c, "a whole number");
    out[r] = static_cast<std::int64_t>(*v);
  }
  return out;
}

std::vector<std::int32_t> Table::dates(std::string_view name, DateFormat format) const {
  const std::size_t c = require(name);
  if (format.kind == DateFormat::Kind::automatic) {
    std::vector<std::string_view> samples;
    for (std::size_t r = 0; r < rows() && samples.size() < 200; ++r)
      samples.push_back(columns[c][r]);
    if (auto detected = detect_date_format(samples)) format = *detected;
  }
  std::vector<std::int32_t> out(rows());
  for (std::size_t r = 0; r < rows(); ++r) {
    auto dt = parse_datetime(columns[c][r], format, 0);
    if (!dt) fail(r, c, describe(format));
    out[r] = dt->day;
  }
  return out;
}

Table read_table(const std::string& path, CsvOptions options) {
  CsvReader reader(path, options);
  return read_from(reader);
}

Table read_table_text(std::string text, CsvOptions options, std::string name) {
  CsvReader reader = CsvReader::from_string(std::move(text), options, std::move(name));
  return read_from(reader);
}

}  // namespace ltv
