#include "ltv/io/row_writer.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "ltv/error.hpp"

namespace ltv {

OutputFormat parse_output_format(std::string_view text) {
  if (text == "csv") return OutputFormat::csv;
  if (text == "json") return OutputFormat::json;
  parameter_error("format", std::string(text), "csv or json");
}

namespace {
void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}
}  // namespace

RowWriter::RowWriter(std::ostream& out, OutputFormat format, std::vector<std::string> columns)
    : out_(out), format_(format), columns_(std::move(columns)) {
  if (format_ == OutputFormat::csv) {
    csv_ = std::make_unique<CsvWriter>(out_);
    csv_->row(columns_);
  } else {
    json_.push_back('[');
  }
}

RowWriter::~RowWriter() {
  try {
    finish();
  } catch (...) {
  }
}

void RowWriter::key() {
  if (cell_ >= columns_.size()) {
    throw std::logic_error(
        fmt::format("RowWriter: more cells than the {} columns", columns_.size()));
  }
  if (format_ == OutputFormat::json) {
    json_ += cell_ == 0 ? (rows_ == 0 ? "\n{" : ",\n{") : ",";
    append_json_string(json_, columns_[cell_]);
    json_.push_back(':');
  }
  ++cell_;
}

RowWriter& RowWriter::text(std::string_view value) {
  key();
  if (csv_) {
    csv_->field(value);
  } else {
    append_json_string(json_, value);
  }
  return *this;
}

RowWriter& RowWriter::number(double value) {
  if (!std::isfinite(value)) return missing();
  key();
  if (csv_) {
    csv_->field(value);
  } else {
    json_ += format_number(value);
  }
  return *this;
}

RowWriter& RowWriter::integer(std::int64_t value) {
  key();
  if (csv_) {
    csv_->field(value);
  } else {
    fmt::format_to(std::back_inserter(json_), "{}", value);
  }
  return *this;
}

RowWriter& RowWriter::boolean(bool value) {
  key();
  if (csv_) {
    csv_->field(value ? "true" : "false");
  } else {
    json_ += value ? "true" : "false";
  }
  return *this;
}

RowWriter& RowWriter::missing() {
  key();
  if (csv_) {
    csv_->empty();
  } else {
    json_ += "null";
  }
  return *this;
}

void RowWriter::end_row() {
  if (cell_ != columns_.size()) {
    throw std::logic_error(
        fmt::format("RowWriter: row with {} cells for {} columns", cell_, columns_.size()));
  }
  cell_ = 0;
  ++rows_;
  if (csv_) {
    csv_->end_row();
  } else {
    json_.push_back('}');
    if (json_.size() >= (1 << 16)) {
      out_.write(json_.data(), static_cast<std::streamsize>(json_.size()));
      json_.clear();
    }
  }
}

void RowWriter::finish() {
  if (finished_) return;
  finished_ = true;
  if (csv_) {
    csv_->flush();
    return;
  }
  json_ += rows_ == 0 ? "]\n" : "\n]\n";
  out_.write(json_.data(), static_cast<std::streamsize>(json_.size()));
  json_.clear();
  out_.flush();
}

}  // namespace ltv
