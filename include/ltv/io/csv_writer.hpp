#pragma once
/// CSV output shared by every command: RFC 4180 quoting when needed, doubles in their shortest
/// round-trip form (fmt `{}`: 0.1 -> "0.1", 30.428571428571427 stays exact), buffered writes to a
/// file or stdout.

#include <concepts>
#include <cstdint>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace ltv {

/// Shortest text that reads back to the same double ("1", "0.1", "30.428571428571427").
/// Non-finite values give an empty string (a missing value), never "nan"/"inf".
std::string format_number(double value);

/// Appends format_number(value) to `out` (nothing for a non-finite value), without allocating.
void append_number(std::string& out, double value);

/// Appends `text` as a CSV field to `out`: quoted when it contains `delimiter`, a quote, CR/LF
/// or edge blanks (the form CsvWriter::field writes).
void append_csv_field(std::string& out, std::string_view text, char delimiter = ',');

/// `value` rounded to `digits` significant decimal digits (for money sums: 74.02000000000001 ->
/// 74.02 at 12 digits). Non-finite values are returned unchanged.
double round_significant(double value, int digits);

/// Appends the text of append_number(out, round_significant(value, digits)), without formatting
/// the number twice.
void append_rounded(std::string& out, double value, int digits);

/// Where command output goes: a file (created or truncated) or stdout for "" and "-".
class Output {
 public:
  /// Opens the target. Throws InputError (option `-o`) when the file cannot be created.
  explicit Output(const std::string& path);
  /// The stream to write to.
  std::ostream& stream() noexcept { return file_ ? *file_ : *stdout_; }
  /// "-" for stdout, else the file name.
  const std::string& path() const noexcept { return path_; }
  /// Flushes; throws ltv::Error if writing failed (disk full, closed pipe...).
  void close();

 private:
  std::string path_;
  std::unique_ptr<std::ofstream> file_;
  std::ostream* stdout_ = nullptr;
};

/// Row-by-row CSV writer over a stream. Buffers internally; flushes on `flush()` and in the
/// destructor.
class CsvWriter {
 public:
  explicit CsvWriter(std::ostream& out, char delimiter = ',');
  CsvWriter(const CsvWriter&) = delete;
  CsvWriter& operator=(const CsvWriter&) = delete;
  ~CsvWriter();

  /// Writes a whole row of text fields (e.g. the header).
  void row(std::initializer_list<std::string_view> fields);
  /// Writes a whole row of text fields.
  void row(const std::vector<std::string>& fields);

  /// Appends a text field, quoted when it contains the delimiter, a quote, CR/LF or edge blanks.
  CsvWriter& field(std::string_view text);
  CsvWriter& field(const char* text) { return field(std::string_view(text)); }
  CsvWriter& field(const std::string& text) { return field(std::string_view(text)); }
  /// Appends a number in shortest round-trip form (empty when not finite).
  CsvWriter& field(double value);
  /// Appends an integer.
  template <std::integral T>
  requires(!std::same_as<T, bool> && !std::same_as<T, char>) CsvWriter& field(T value) {
    separator();
    append_integer(static_cast<std::int64_t>(value));
    return *this;
  }
  /// Appends an empty (missing) field.
  CsvWriter& empty();
  /// Ends the current row.
  void end_row();
  /// Writes buffered text to the stream.
  void flush();

 private:
  void separator();
  void append_integer(std::int64_t value);

  std::ostream& out_;
  char delimiter_;
  bool row_started_ = false;
  std::string buffer_;
};

}  // namespace ltv
