#pragma once
/// Record-level CSV reading: the tokenizer every file input of ltvkit goes through.
///
/// Supported input:
///  - delimiters `,` `;` tab `|`, or runs of blanks (spaces/tabs; leading and trailing blanks
///    ignored, as in fixed-width files such as CDNOW_master.txt), or automatic detection from the
///    first lines;
///  - RFC 4180 quoting: `"a, ""b"""` is one field `a, "b"`; delimiters and newlines may appear
///    inside quotes (the physical line count stays right);
///  - UTF-8 byte order mark skipped, CRLF or LF line ends, blank lines skipped;
///  - gzip input (detected by its magic bytes, whatever the file name) and stdin (`-`).
///
/// Refused with an InputError that says what was found: a path that is not a regular file (a
/// directory, a FIFO, a device such as /dev/zero; `-` reads stdin), UTF-16 / UTF-32 text (by its
/// byte order mark), binary data (a NUL byte in the first block read, 1 MiB; e.g. UTF-16 without
/// a byte order mark, a ZIP/.xlsx file), and a record longer than CsvOptions::max_record_bytes.
///
/// The reader works on large blocks (1 MiB) and hands out records whose fields are
/// `std::string_view`s into its buffer: they stay valid until the next call to `next()`.
/// A reader can also run over a borrowed byte range starting at a given line number
/// (`from_range`) or a byte range of an open file (`from_file_range`); load_transactions() uses
/// the latter to parse a large file in two chunks in parallel.
///
/// Only the opening quote of a field makes it quoted (`ab"c` is the literal text `ab"c`); text
/// after a closing quote other than a delimiter or line end is an error.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ltv {

/// Field separator. `automatic` sniffs the first lines; `whitespace` splits on runs of blanks.
enum class Delimiter : char {
  automatic = 0,
  comma = ',',
  semicolon = ';',
  tab = '\t',
  pipe = '|',
  whitespace = ' ',
};

/// Parses `auto`, `,`/`comma`, `;`/`semicolon`, `tab`/`\t`, `|`/`pipe`, `whitespace`/`space`.
/// Throws InputError for option `--delimiter` otherwise.
Delimiter parse_delimiter(std::string_view text);
/// Name of a delimiter as accepted by parse_delimiter ("auto", ",", ";", "tab", "pipe",
/// "whitespace").
std::string_view to_string(Delimiter delimiter) noexcept;

/// How to read a delimited file.
struct CsvOptions {
  Delimiter delimiter = Delimiter::automatic;
  /// The first record is a header of column names.
  bool has_header = true;
  /// Accept records whose number of fields differs from the header (or the first record).
  /// When false, such a record throws InputError naming the line.
  bool allow_ragged = false;
  /// Longest record (line, or lines of one quoted field) in bytes: a longer one throws
  /// InputError naming the file, the line where it starts and the limit, so that input without
  /// line breaks (or with an unterminated quote) cannot grow the buffer without bound.
  std::size_t max_record_bytes = kDefaultMaxRecordBytes;
  /// Most fields in one record (a longer one throws InputError naming the line): bounds the
  /// columns of a table read from a file of, say, one line of commas.
  std::size_t max_record_fields = kDefaultMaxRecordFields;

  static constexpr std::size_t kDefaultMaxRecordBytes = std::size_t{16} << 20;
  static constexpr std::size_t kDefaultMaxRecordFields = 100000;
};

/// One record: fields as views into the reader's buffer (valid until the next `next()`).
struct CsvRecord {
  std::vector<std::string_view> fields;
  std::int64_t line = 0;  ///< 1-based physical line on which the record starts

  std::size_t size() const noexcept { return fields.size(); }
  std::string_view operator[](std::size_t i) const noexcept { return fields[i]; }
};

namespace detail {
class ByteSource;
}

/// Streaming reader of delimited text. Throws InputError (file, line, what was expected) for an
/// unopenable file, an unterminated quote, text after a closing quote, or a ragged record
/// (unless allowed).
class CsvReader {
 public:
  /// Opens `path` (`-` = stdin; gzip detected by magic bytes) and reads the header if
  /// `options.has_header`. Throws InputError if the file cannot be opened, is not a regular file,
  /// or does not start as UTF-8 text.
  explicit CsvReader(std::string path, CsvOptions options = {});
  /// Reads from an in-memory text; `name` is used in error messages.
  static CsvReader from_string(std::string text, CsvOptions options = {},
                               std::string name = "<text>");
  /// Reads a byte range that the caller keeps alive (no gzip detection, no BOM needed);
  /// `first_line` is the physical line number of its first byte. For chunked parallel parsing:
  /// give an explicit delimiter and has_header = false for every chunk but the first.
  static CsvReader from_range(std::string_view data, CsvOptions options, std::string name,
                              std::int64_t first_line = 1);
  /// Reads bytes [begin, end) of the open regular file `fd` (borrowed: kept open by the caller)
  /// with pread; otherwise as from_range. Throws InputError on a read error.
  static CsvReader from_file_range(int fd, std::uint64_t begin, std::uint64_t end,
                                   CsvOptions options, std::string name,
                                   std::int64_t first_line = 1);
  CsvReader(CsvReader&&) noexcept;
  CsvReader& operator=(CsvReader&&) noexcept;
  ~CsvReader();

  /// Reads the next non-blank record. Returns false at end of input.
  bool next(CsvRecord& record);

  /// From the next record on, only the first `fields` fields of a record are returned with
  /// their text: the others are counted (record.size() stays the true field count) and read as
  /// empty. A record with a quote after those fields is tokenized in full, so errors are the same.
  void set_field_limit(std::size_t fields) noexcept { field_limit_ = fields == 0 ? 1 : fields; }
  /// Column names (empty when the file has no header). Names are trimmed of blanks.
  const std::vector<std::string>& header() const noexcept { return header_; }
  /// The delimiter in use (after auto-detection).
  Delimiter delimiter() const noexcept { return delimiter_; }
  /// The file name as given ("-" for stdin).
  const std::string& path() const noexcept { return path_; }
  /// Number of fields expected per record: the header width, else the first record's width
  /// (0 before the first record).
  std::size_t expected_fields() const noexcept { return expected_fields_; }
  /// Total bytes consumed from the (decompressed) input so far.
  std::uint64_t bytes_read() const noexcept { return bytes_consumed_; }

 private:
  CsvReader(std::unique_ptr<detail::ByteSource> source, std::string path, CsvOptions options,
            std::int64_t first_line, bool at_start);
  void init();
  void check_text() const;  // the first block read: UTF-8 text, not UTF-16/32 or binary data
  [[noreturn]] void record_too_long() const;  // the record starting at line_ passed the limit
  bool fill();  // moves the unread tail to the front and reads more; false at end of input
  bool read_record(CsvRecord& record);

  std::unique_ptr<detail::ByteSource> source_;
  std::string path_;
  CsvOptions options_;
  Delimiter delimiter_ = Delimiter::comma;
  std::vector<std::string> header_;
  std::size_t expected_fields_ = 0;
  std::vector<char> buffer_;
  std::size_t pos_ = 0;    // next unread byte
  std::size_t end_ = 0;    // end of valid bytes
  bool eof_ = false;       // source exhausted
  std::int64_t line_ = 1;  // physical line of buffer_[pos_]
  std::uint64_t bytes_consumed_ = 0;
  std::array<bool, 256> stop_{};        // bytes that end an unquoted field
  std::size_t field_limit_ = SIZE_MAX;  // fields returned with their text (set_field_limit)
  bool at_start_ = true;                // the input starts at the file's first byte
};

/// Reads a whole file into records of owned strings (convenience for small files and tests).
std::vector<std::vector<std::string>> read_all_records(const std::string& path,
                                                       CsvOptions options = {});

/// A plain (not gzip) regular file prepared for parsing in two halves on two threads with
/// CsvReader::from_file_range: split at the first line break at or after its middle. Everything is
/// read with pread, so the page cache is left as it is and the file's pages never count in the
/// resident size. The first half starts at the file's true beginning: when it parses cleanly up
/// to split(), the split is a real record boundary (a split inside a quoted field shows there as
/// an error, after which the caller reads the file sequentially).
class FileHalves {
 public:
  /// Empty when `path` is stdin, cannot be opened, is not a regular file, is smaller than
  /// `min_bytes`, starts with gzip's magic bytes, or has no line break after its middle.
  static std::optional<FileHalves> open(const std::string& path, std::size_t min_bytes);
  FileHalves(FileHalves&& other) noexcept;
  FileHalves& operator=(FileHalves&&) = delete;
  FileHalves(const FileHalves&) = delete;
  ~FileHalves();

  int fd() const noexcept { return fd_; }
  std::size_t size() const noexcept { return size_; }
  /// Byte offset where the second half starts.
  std::size_t split() const noexcept { return split_; }
  /// The offset just after the first line break at or after `offset` (size() when there is none
  /// or on a read error): where a part of the file that is not the first starts.
  std::size_t line_start_after(std::size_t offset) const;
  /// Lines expected in `bytes` bytes of the file (+5%), from the line density of its first 4 MiB:
  /// for reserving columns.
  std::size_t lines_in(std::size_t bytes) const noexcept;
  /// Up to `n` bytes from `offset` (fewer at the end of the file or on a read error).
  std::string read(std::size_t offset, std::size_t n) const;

 private:
  FileHalves(int fd, std::size_t size) : fd_(fd), size_(size) {}
  int fd_ = -1;
  std::size_t size_ = 0;
  std::size_t split_ = 0;
  double lines_per_byte_ = 0;
};

}  // namespace ltv
