#include "ltv/io/csv_writer.hpp"

#include <charconv>
#include <cmath>
#include <iostream>

#include <fmt/format.h>

#include "ltv/error.hpp"

namespace ltv {

std::string format_number(double value) {
  if (!std::isfinite(value)) return {};
  if (value == 0) return "0";  // also for -0.0
  return fmt::format("{}", value);
}

double round_significant(double value, int digits) {
  if (!std::isfinite(value) || value == 0) return value;
  // Formatted into a stack buffer and read back with from_chars (correctly rounded, like
  // strtod, without an allocation or the locale): this runs for every money cell written.
  char text[64];
  const auto end = fmt::format_to_n(text, sizeof(text), "{:.{}g}", value, digits).out;
  double rounded = value;
  std::from_chars(text, end, rounded);
  return rounded;
}

Output::Output(const std::string& path) : path_(path.empty() ? "-" : path) {
  if (path_ == "-") {
    stdout_ = &std::cout;
    return;
  }
  file_ = std::make_unique<std::ofstream>(path_, std::ios::binary | std::ios::trunc);
  if (!*file_) option_error("-o", path_, "a file that can be created for writing");
}

void Output::close() {
  stream().flush();
  if (!stream()) throw Error(fmt::format("could not write output to '{}'", path_));
  if (file_) file_->close();
}

CsvWriter::CsvWriter(std::ostream& out, char delimiter) : out_(out), delimiter_(delimiter) {
  buffer_.reserve(1 << 16);
}

CsvWriter::~CsvWriter() {
  try {
    flush();
  } catch (...) {  // destructors must not throw; Output::close() reports write failures
  }
}

void CsvWriter::separator() {
  if (row_started_) buffer_.push_back(delimiter_);
  row_started_ = true;
}

void CsvWriter::row(std::initializer_list<std::string_view> fields) {
  for (std::string_view f : fields) field(f);
  end_row();
}

void CsvWriter::row(const std::vector<std::string>& fields) {
  for (const std::string& f : fields) field(std::string_view(f));
  end_row();
}

CsvWriter& CsvWriter::field(std::string_view text) {
  separator();
  bool needs_quotes = !text.empty() && (text.front() == ' ' || text.back() == ' ');
  for (char c : text) {
    if (c == delimiter_ || c == '"' || c == '\n' || c == '\r') {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    buffer_.append(text);
    return *this;
  }
  buffer_.push_back('"');
  for (char c : text) {
    if (c == '"') buffer_.push_back('"');
    buffer_.push_back(c);
  }
  buffer_.push_back('"');
  return *this;
}

CsvWriter& CsvWriter::field(double value) {
  separator();
  if (!std::isfinite(value)) return *this;
  if (value == 0) {
    buffer_.push_back('0');
  } else {
    fmt::format_to(std::back_inserter(buffer_), "{}", value);
  }
  return *this;
}

void CsvWriter::append_integer(std::int64_t value) {
  fmt::format_to(std::back_inserter(buffer_), "{}", value);
}

CsvWriter& CsvWriter::empty() {
  separator();
  return *this;
}

void CsvWriter::end_row() {
  buffer_.push_back('\n');
  row_started_ = false;
  if (buffer_.size() >= (1 << 16)) flush();
}

void CsvWriter::flush() {
  if (!buffer_.empty()) {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
  out_.flush();
}

}  // namespace ltv
