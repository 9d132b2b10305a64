#pragma once
/// CSV output shared by every command: RFC 4180 quoting when needed, doubles in their shortest
/// round-trip form (fmt `{}`: 0.1 -> "0.1", 30.428571428571427 stays exact), buffered writes to a
/// file or stdout.

#include <concepts>
#include <cstdint>
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

/// Room that write_number and write_rounded need: they write at most this many characters.
inline constexpr std::size_t kNumberChars = 32;
/// Writes the text of append_number at `out`; returns the end of it.
char* write_number(char* out, double value);

/// Appends `text` as a CSV field to `out`: quoted when it contains `delimiter`, a quote, CR/LF
/// or edge blanks (the form CsvWriter::field writes).
void append_csv_field(std::string& out, std::string_view text, char delimiter = ',');
/// Writes the text of append_csv_field at `out` (at most 2 * text.size() + 2 characters);
/// returns the end of it.
char* write_csv_field(char* out, std::string_view text, char delimiter = ',');

/// `value` rounded to `digits` significant decimal digits (for money sums: 74.02000000000001 ->
/// 74.02 at 12 digits). Non-finite values are returned unchanged.
double round_significant(double value, int digits);

/// Appends the text of append_number(out, round_significant(value, digits)), without formatting
/// the number twice.
void append_rounded(std::string& out, double value, int digits);
/// Writes the text of append_rounded at `out` (at most kNumberChars characters); returns the end.
char* write_rounded(char* out, double value, int digits);

namespace detail {
class FileBuffer;
}

/// Where command output goes: a file or stdout for "" and "-".
///
/// A file is written atomically: to a temporary file beside it (`.NAME.ltv-tmp-PID-N`, same
/// folder, same permissions as the file it replaces) that close() renames over the target once
/// everything is written. An Output destroyed without close() (an exception, a failed write)
/// removes its temporary file and leaves the previous file untouched; so does a process killed
/// while writing (only the hidden temporary file remains). A path that is a device or a pipe
/// (/dev/null, /dev/stdout) is written in place; a symbolic link is followed.
///
/// A file is written through an 8 MiB buffer. Small outputs go through the page cache in one
/// write when closed. Once an output outgrows the buffer, its full blocks are written with
/// O_DIRECT where the file system supports it: a large output (the 1.45 GB summary of 20M
/// customers) then costs a DMA transfer instead of the kernel copying it into freshly allocated
/// page cache (0.3-0.6 GB/s of CPU time on this VM, against 1 GB/s of disk), and it does not push
/// the input file out of the cache. Only the tail after the last full 4 KiB block is written
/// through the page cache.
class Output {
 public:
  /// Opens the target. Throws InputError (option `-o`) when the path is a directory or its
  /// temporary file cannot be created (a missing or read-only folder).
  explicit Output(const std::string& path);
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  /// Without close(): discards the output (the temporary file is removed, the target untouched).
  ~Output();
  /// The stream to write to.
  std::ostream& stream() noexcept { return file_ ? *file_ : *stdout_; }
  /// "-" for stdout, else the file name.
  const std::string& path() const noexcept { return path_; }
  /// Writes everything out, closes the file and renames it into place; throws SystemError if
  /// writing or renaming failed (disk full, closed pipe...), with the system's reason (the target
  /// is then untouched).
  void close();

 private:
  std::string path_;
  std::string target_;     // the file replaced by close() (symbolic links resolved)
  std::string temporary_;  // the file being written; empty for stdout, devices and pipes
  std::unique_ptr<detail::FileBuffer> buffer_;
  std::unique_ptr<std::ostream> file_;
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
