#include "ltv/io/csv.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/io/files.hpp"

namespace ltv {

Delimiter parse_delimiter(std::string_view text) {
  if (text == "auto" || text.empty()) return Delimiter::automatic;
  if (text == "," || text == "comma") return Delimiter::comma;
  if (text == ";" || text == "semicolon") return Delimiter::semicolon;
  if (text == "tab" || text == "\t" || text == "\\t") return Delimiter::tab;
  if (text == "|" || text == "pipe") return Delimiter::pipe;
  if (text == "whitespace" || text == "space" || text == " ") return Delimiter::whitespace;
  parameter_error("delimiter", std::string(text), "one of auto, ',', ';', tab, pipe, whitespace");
}

std::string_view to_string(Delimiter delimiter) noexcept {
  switch (delimiter) {
    case Delimiter::automatic:
      return "auto";
    case Delimiter::comma:
      return ",";
    case Delimiter::semicolon:
      return ";";
    case Delimiter::tab:
      return "tab";
    case Delimiter::pipe:
      return "pipe";
    case Delimiter::whitespace:
      return "whitespace";
  }
  return "auto";
}

namespace detail {

/// A stream of raw bytes: a file descriptor, an in-memory string, or a gzip decoder over either.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  /// Reads up to `size` bytes; returns 0 only at end of input. Throws InputError on I/O errors.
  virtual std::size_t read(char* data, std::size_t size) = 0;
  /// Bytes left to read when known exactly (an in-memory text), else SIZE_MAX.
  virtual std::size_t remaining() const noexcept { return SIZE_MAX; }
};

namespace {

class FdSource final : public ByteSource {
 public:
  FdSource(int fd, bool owned, std::string path) : fd_(fd), owned_(owned), path_(std::move(path)) {}
  ~FdSource() override {
    if (owned_) ::close(fd_);
  }
  std::size_t read(char* data, std::size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_, data, size);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno == EINTR) continue;
      input_error(SourceLocation{path_, 0, ""}, path_,
                  fmt::format("a readable file ({})", std::strerror(errno)));
    }
  }

 private:
  int fd_;
  bool owned_;
  std::string path_;
};

/// A borrowed byte range, copied into the reader's buffer as it is read. (It used to hand copied
/// pages of a memory-mapped input back to the kernel with MADV_PAGEOUT; that evicted the file
/// from the page cache, and the loader now reads ranges of files with pread instead.)
class RangeSource final : public ByteSource {
 public:
  explicit RangeSource(std::string_view data) : data_(data) {}
  std::size_t read(char* data, std::size_t size) override {
    const std::size_t n = std::min(size, data_.size() - pos_);
    std::memcpy(data, data_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

/// A byte range [begin, end) of an open regular file, read with pread into the reader's buffer:
/// no mapping, so the file's pages count in no process's resident size and stay in the page
/// cache (the descriptor is borrowed).
class FileRangeSource final : public ByteSource {
 public:
  FileRangeSource(int fd, std::uint64_t begin, std::uint64_t end, std::string path)
      : fd_(fd), pos_(begin), end_(end), path_(std::move(path)) {}
  std::size_t read(char* data, std::size_t size) override {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, end_ - pos_));
    if (want == 0) return 0;
    for (;;) {
      const ssize_t n = ::pread(fd_, data, want, static_cast<off_t>(pos_));
      if (n > 0) {
        pos_ += static_cast<std::uint64_t>(n);
        return static_cast<std::size_t>(n);
      }
      if (n < 0 && errno == EINTR) continue;
      input_error(SourceLocation{path_, 0, ""}, path_,
                  n == 0 ? std::string("a file that does not shrink while it is read")
                         : fmt::format("a readable file ({})", std::strerror(errno)));
    }
  }

 private:
  int fd_;
  std::uint64_t pos_;
  std::uint64_t end_;
  std::string path_;
};

class StringSource final : public ByteSource {
 public:
  explicit StringSource(std::string text) : text_(std::move(text)) {}
  std::size_t read(char* data, std::size_t size) override {
    const std::size_t n = std::min(size, text_.size() - pos_);
    std::memcpy(data, text_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  std::size_t remaining() const noexcept override { return text_.size() - pos_; }

 private:
  std::string text_;
  std::size_t pos_ = 0;
};

/// Bytes already read from a source while sniffing, then the rest of the source.
class PrefixedSource final : public ByteSource {
 public:
  PrefixedSource(std::string prefix, std::unique_ptr<ByteSource> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}
  std::size_t read(char* data, std::size_t size) override {
    if (pos_ < prefix_.size()) {
      const std::size_t n = std::min(size, prefix_.size() - pos_);
      std::memcpy(data, prefix_.data() + pos_, n);
      pos_ += n;
      return n;
    }
    return rest_->read(data, size);
  }
  std::size_t remaining() const noexcept override {
    const std::size_t rest = rest_->remaining();
    return rest == SIZE_MAX ? SIZE_MAX : rest + (prefix_.size() - pos_);
  }

 private:
  std::string prefix_;
  std::size_t pos_ = 0;
  std::unique_ptr<ByteSource> rest_;
};

/// gzip decoder (zlib inflate), handling concatenated gzip members.
class GzipSource final : public ByteSource {
 public:
  GzipSource(std::unique_ptr<ByteSource> raw, std::string path)
      : raw_(std::move(raw)), path_(std::move(path)), in_(1 << 18) {
    std::memset(&stream_, 0, sizeof(stream_));
    if (inflateInit2(&stream_, 16 + MAX_WBITS) != Z_OK) {
      input_error(SourceLocation{path_, 0, ""}, path_, "a gzip stream zlib can open");
    }
  }
  ~GzipSource() override { inflateEnd(&stream_); }
  std::size_t read(char* data, std::size_t size) override {
    if (done_) return 0;
    stream_.next_out = reinterpret_cast<Bytef*>(data);
    stream_.avail_out = static_cast<uInt>(std::min<std::size_t>(size, 1u << 30));
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0) {
        const std::size_t n = raw_->read(in_.data(), in_.size());
        if (n == 0) {
          if (!member_ended_) {
            input_error(SourceLocation{path_, 0, ""}, "end of file inside compressed data",
                        "a complete gzip file (the file looks truncated)");
          }
          done_ = true;
          break;
        }
        stream_.next_in = reinterpret_cast<Bytef*>(in_.data());
        stream_.avail_in = static_cast<uInt>(n);
      }
      if (member_ended_) {
        // Another gzip member follows (concatenated .gz files are valid gzip).
        if (inflateReset(&stream_) != Z_OK) break;
        member_ended_ = false;
      }
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      if (rc == Z_STREAM_END) {
        member_ended_ = true;
        if (stream_.avail_out < size) break;  // hand out what we have
        continue;
      }
      if (rc != Z_OK && rc != Z_BUF_ERROR) {
        input_error(SourceLocation{path_, 0, ""}, stream_.msg ? stream_.msg : "corrupt data",
                    "valid gzip-compressed data");
      }
      if (rc == Z_BUF_ERROR && stream_.avail_in != 0) break;
    }
    return size - stream_.avail_out;
  }

 private:
  std::unique_ptr<ByteSource> raw_;
  std::string path_;
  std::vector<char> in_;
  z_stream stream_;
  bool member_ended_ = false;
  bool done_ = false;
};

/// Wraps `raw` in a gzip decoder when its first bytes are the gzip magic.
std::unique_ptr<ByteSource> sniff_gzip(std::unique_ptr<ByteSource> raw, const std::string& path) {
  std::string prefix(2, '\0');
  std::size_t got = 0;
  while (got < 2) {
    const std::size_t n = raw->read(prefix.data() + got, 2 - got);
    if (n == 0) break;
    got += n;
  }
  prefix.resize(got);
  const bool gzip = got == 2 && static_cast<unsigned char>(prefix[0]) == 0x1f &&
                    static_cast<unsigned char>(prefix[1]) == 0x8b;
  auto source = std::make_unique<PrefixedSource>(std::move(prefix), std::move(raw));
  if (gzip) return std::make_unique<GzipSource>(std::move(source), path);
  return source;
}

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r';
}

std::string_view trim_blanks(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

/// Counts `c` outside double quotes in one line.
std::size_t count_outside_quotes(std::string_view line, char c) {
  std::size_t n = 0;
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"')
      quoted = !quoted;
    else if (ch == c && !quoted)
      ++n;
  }
  return n;
}

std::size_t count_blank_separated(std::string_view line) {
  std::size_t n = 0;
  bool in_token = false;
  for (char ch : line) {
    const bool blank = is_blank(ch);
    if (!blank && !in_token) ++n;
    in_token = !blank;
  }
  return n;
}

/// Picks a delimiter from the first lines of the input.
Delimiter detect_delimiter(std::string_view sample, bool complete) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  while (start < sample.size() && lines.size() < 30) {
    const std::size_t nl = sample.find('\n', start);
    if (nl == std::string_view::npos) {
      if (complete) lines.push_back(sample.substr(start));
      break;
    }
    lines.push_back(sample.substr(start, nl - start));
    start = nl + 1;
  }
  std::erase_if(lines, [](std::string_view l) { return trim_blanks(l).empty(); });
  if (lines.empty()) return Delimiter::comma;

  constexpr std::array<Delimiter, 4> candidates{Delimiter::comma, Delimiter::semicolon,
                                                Delimiter::tab, Delimiter::pipe};
  Delimiter best = Delimiter::automatic;
  std::size_t best_count = 0;
  for (Delimiter d : candidates) {
    const std::size_t first = count_outside_quotes(lines[0], static_cast<char>(d));
    if (first == 0) continue;
    const bool consistent = std::all_of(lines.begin(), lines.end(), [&](std::string_view l) {
      return count_outside_quotes(l, static_cast<char>(d)) == first;
    });
    if (consistent && first > best_count) best = d, best_count = first;
  }
  if (best != Delimiter::automatic) return best;

  // No consistent single-character delimiter: blank-separated columns (fixed-width exports)?
  const std::size_t tokens = count_blank_separated(lines[0]);
  if (tokens > 1 && std::all_of(lines.begin(), lines.end(), [&](std::string_view l) {
        return count_blank_separated(l) == tokens;
      })) {
    return Delimiter::whitespace;
  }
  // Ragged files (e.g. one basket per line): the candidate present on most lines.
  std::size_t best_lines = 0;
  best = Delimiter::comma;
  for (Delimiter d : candidates) {
    const auto n =
        static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](std::string_view l) {
          return count_outside_quotes(l, static_cast<char>(d)) > 0;
        }));
    if (n > best_lines) best = d, best_lines = n;
  }
  return best;
}

}  // namespace
}  // namespace detail

namespace {
constexpr std::size_t kBlockSize = 1 << 20;
constexpr std::size_t kPadding = 16;  // >= the widest load past the sentinel + 1

static_assert(std::endian::native == std::endian::little,
              "the 8-byte field scan assumes a little-endian machine");
constexpr std::uint64_t kOnes = 0x0101010101010101ull;
/// High bit set in each byte of `v` equal to the byte of `pattern` (the lowest set bit is exact;
/// bits above it may be spurious, which is fine for finding the first match).
inline std::uint64_t match_bytes(std::uint64_t v, std::uint64_t pattern) noexcept {
  const std::uint64_t x = v ^ pattern;
  return (x - kOnes) & ~x & (kOnes * 0x80);
}

/// Set bits of a 16-bit mask, branch-free (std::popcount is a libgcc call without -mpopcnt, and
/// a loop over the bits mispredicts as the number of delimiters per block varies).
inline unsigned popcount16(unsigned x) noexcept {
  x = x - ((x >> 1) & 0x5555u);
  x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
  x = (x + (x >> 4)) & 0x0F0Fu;
  return (x + (x >> 8)) & 0x1Fu;
}

/// The rest of a record from `i` when no quote comes before its line feed: the position of that
/// line feed (or of the '\n' sentinel at `end`) and the number of delimiters before it. Returns
/// false when a quote comes first (the caller tokenizes the record in full). 16 bytes at a time;
/// the buffer holds kPadding bytes after the sentinel.
inline bool scan_tail(const char* buf, std::size_t i, char delimiter, std::size_t& newline,
                      std::size_t& delimiters) noexcept {
  std::size_t count = 0;
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n');
  const __m128i dl = _mm_set1_epi8(delimiter);
  const __m128i qt = _mm_set1_epi8('"');
  for (;; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + i));
    const auto nls = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)));
    const auto dls = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, dl)));
    const auto qts = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, qt)));
    // Bits before the first line feed of this block (all 16 when there is none).
    const unsigned before = nls == 0 ? 0xFFFFu : (nls & (0u - nls)) - 1u;
    if ((qts & before) != 0) return false;
    count += popcount16(dls & before);
    if (nls != 0) {
      newline = i + static_cast<std::size_t>(std::countr_zero(nls));
      delimiters = count;
      return true;
    }
  }
#else
  for (;; ++i) {
    if (buf[i] == '"') return false;
    if (buf[i] == '\n') {
      newline = i;
      delimiters = count;
      return true;
    }
    count += buf[i] == delimiter;
  }
#endif
}

struct FieldSpan {
  std::size_t begin;
  std::size_t end;
  bool escaped;  // contains doubled quotes to collapse
};

/// Result of trying to tokenize one record from the buffer.
enum class Scan { complete, blank, need_more, end };
}  // namespace

CsvReader::CsvReader(std::string path, CsvOptions options)
    : path_(std::move(path)), options_(options) {
  std::unique_ptr<detail::ByteSource> raw;
  if (path_ == "-") {
    raw = std::make_unique<detail::FdSource>(0, false, path_);
  } else {
    // A regular file only: a FIFO could block for ever and /dev/zero never ends.
    raw = std::make_unique<detail::FdSource>(open_input_file(path_), true, path_);
  }
  source_ = detail::sniff_gzip(std::move(raw), path_);
  init();
}

CsvReader::CsvReader(std::unique_ptr<detail::ByteSource> source, std::string path,
                     CsvOptions options, std::int64_t first_line, bool at_start)
    : source_(std::move(source)),
      path_(std::move(path)),
      options_(options),
      line_(first_line),
      at_start_(at_start) {
  init();
}

CsvReader CsvReader::from_range(std::string_view data, CsvOptions options, std::string name,
                                std::int64_t first_line) {
  CsvReader reader(std::make_unique<detail::RangeSource>(data), std::move(name), options,
                   first_line, first_line == 1);
  return reader;
}

CsvReader CsvReader::from_file_range(int fd, std::uint64_t begin, std::uint64_t end,
                                     CsvOptions options, std::string name,
                                     std::int64_t first_line) {
  CsvReader reader(std::make_unique<detail::FileRangeSource>(fd, begin, end, name), std::move(name),
                   options, first_line, begin == 0);
  return reader;
}

CsvReader CsvReader::from_string(std::string text, CsvOptions options, std::string name) {
  auto source = detail::sniff_gzip(std::make_unique<detail::StringSource>(std::move(text)), name);
  return CsvReader(std::move(source), std::move(name), options, 1, true);
}

CsvReader::CsvReader(CsvReader&&) noexcept = default;
CsvReader& CsvReader::operator=(CsvReader&&) noexcept = default;
CsvReader::~CsvReader() = default;

void CsvReader::init() {
  // A short in-memory text (a side file, an HTTP upload, a fuzz input) gets a buffer of its size
  // rather than a whole block; the buffer grows as needed either way.
  const std::size_t known = source_->remaining();
  const std::size_t capacity =
      known < kBlockSize ? std::max<std::size_t>(known, 64) + 1 : kBlockSize;
  buffer_.resize(capacity + kPadding);
  fill();
  if (at_start_) check_text();
  // UTF-8 byte order mark.
  if (end_ - pos_ >= 3 && std::memcmp(buffer_.data() + pos_, "\xEF\xBB\xBF", 3) == 0) pos_ += 3;
  delimiter_ = options_.delimiter;
  if (delimiter_ == Delimiter::automatic) {
    delimiter_ = detail::detect_delimiter(
        std::string_view(buffer_.data() + pos_, std::min<std::size_t>(end_ - pos_, 1 << 16)),
        eof_ && end_ - pos_ <= (1 << 16));
  }
  // Bytes that stop an unquoted field.
  stop_.fill(false);
  stop_[static_cast<unsigned char>('\n')] = true;
  if (delimiter_ == Delimiter::whitespace) {
    stop_[static_cast<unsigned char>(' ')] = stop_[static_cast<unsigned char>('\t')] = true;
    stop_[static_cast<unsigned char>('\r')] = true;
  } else {
    stop_[static_cast<unsigned char>(static_cast<char>(delimiter_))] = true;
  }
  if (options_.has_header) {
    CsvRecord record;
    if (read_record(record)) {
      header_.reserve(record.size());
      for (std::string_view f : record.fields) header_.emplace_back(detail::trim_blanks(f));
      expected_fields_ = header_.size();
    }
  }
}

void CsvReader::check_text() const {
  const auto* b = reinterpret_cast<const unsigned char*>(buffer_.data() + pos_);
  const std::size_t n = end_ - pos_;
  auto starts = [&](std::initializer_list<unsigned char> bytes) {
    return n >= bytes.size() && std::equal(bytes.begin(), bytes.end(), b);
  };
  const char* found = nullptr;
  if (starts({0x00, 0x00, 0xFE, 0xFF})) {
    found = "UTF-32BE text (byte order mark 00 00 FE FF)";
  } else if (starts({0xFF, 0xFE, 0x00, 0x00})) {
    found = "UTF-32LE text (byte order mark FF FE 00 00)";
  } else if (starts({0xFF, 0xFE})) {
    found = "UTF-16LE text (byte order mark FF FE)";
  } else if (starts({0xFE, 0xFF})) {
    found = "UTF-16BE text (byte order mark FE FF)";
  }
  if (found != nullptr) {
    input_error(SourceLocation{path_, line_, ""}, found,
                "UTF-8 text (convert it first, e.g. iconv -f UTF-16 -t UTF-8)");
  }
  const void* nul = std::memchr(b, 0, n);
  if (nul == nullptr) return;
  const auto at = static_cast<std::size_t>(static_cast<const unsigned char*>(nul) - b);
  const std::int64_t line = line_ + std::count(b, b + at, '\n');
  // Text in UTF-16 without a byte order mark: a NUL in every other byte of a line of ASCII.
  std::size_t even = 0, odd = 0;
  for (std::size_t i = 0; i < std::min<std::size_t>(n, 256); ++i) (i % 2 ? odd : even) += b[i] == 0;
  const std::size_t sample = std::min<std::size_t>(n, 256) / 2;
  if (starts({'P', 'K', 0x03, 0x04})) {
    found = "a ZIP archive (an Excel .xlsx workbook?)";
  } else if (sample >= 4 && ((even * 4 >= sample * 3 && odd * 4 <= sample) ||
                             (odd * 4 >= sample * 3 && even * 4 <= sample))) {
    found = "NUL bytes between the characters (UTF-16 text without a byte order mark?)";
  } else {
    found = "a NUL byte (binary data, not text)";
  }
  input_error(SourceLocation{path_, line, ""}, found,
              "UTF-8 text: a delimited file such as CSV (export spreadsheets as CSV, convert "
              "UTF-16 with iconv)");
}

void CsvReader::record_too_long() const {
  input_error(SourceLocation{path_, line_, ""},
              fmt::format("a record of more than {} bytes", options_.max_record_bytes),
              fmt::format("records (lines) of at most {} bytes: line breaks between records, and "
                          "a closing quote for every quoted field",
                          options_.max_record_bytes));
}

bool CsvReader::fill() {
  if (pos_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
    end_ -= pos_;
    pos_ = 0;
  }
  // The unread bytes are the start of one record that is not complete yet.
  if (!eof_ && end_ >= options_.max_record_bytes) record_too_long();
  if (eof_) {
    buffer_[end_] = '\n';
    return false;
  }
  // kPadding bytes after the valid ones: a sentinel '\n' at end_ (so the unquoted-field scan
  // needs no bounds check) and room for its 8-byte loads.
  const std::size_t capacity = buffer_.size() - kPadding;
  if (end_ == capacity) buffer_.resize(capacity * 2 + kPadding);  // a record longer than a block
  std::size_t total = 0;
  while (end_ < buffer_.size() - kPadding) {
    const std::size_t n = source_->read(buffer_.data() + end_, buffer_.size() - kPadding - end_);
    if (n == 0) {
      eof_ = true;
      break;
    }
    end_ += n;
    total += n;
    if (total >= kBlockSize / 2) break;
  }
  buffer_[end_] = '\n';
  return total > 0;
}

bool CsvReader::read_record(CsvRecord& record) {
  static thread_local std::vector<FieldSpan> spans;
  const char quote = '"';
  const bool blanks = delimiter_ == Delimiter::whitespace;
  const char delim = static_cast<char>(delimiter_);
  const auto& stop = stop_;

  for (;;) {
    spans.clear();
    const char* const buf = buffer_.data();
    std::size_t i = pos_;
    const std::size_t end = end_;
    std::int64_t newlines = 0;  // physical line breaks consumed by this record
    Scan scan = Scan::complete;
    std::int64_t quote_line = 0;
    bool full_record = false;        // a quote after field_limit_ fields: tokenize them all
    std::size_t skipped_fields = 0;  // fields after the first field_limit_, counted only

    if (i >= end) {
      if (eof_) return false;
      if (!fill()) return false;
      continue;
    }
    // Tokenize fields until end of record.
    for (;;) {
      if (blanks) {
        while (i < end && detail::is_blank(buf[i])) ++i;
        if (i >= end) {
          scan = eof_ ? (spans.empty() ? Scan::end : Scan::complete) : Scan::need_more;
          break;
        }
        if (buf[i] == '\n') {
          ++newlines;
          ++i;
          scan = spans.empty() ? Scan::blank : Scan::complete;
          break;
        }
      }
      if (i < end && buf[i] == quote) {
        quote_line = line_ + newlines;
        std::size_t j = i + 1;
        bool escaped = false;
        bool closed = false;
        std::size_t close = 0;
        while (true) {
          const void* q = std::memchr(buf + j, quote, end - j);
          const std::size_t qpos =
              q ? static_cast<std::size_t>(static_cast<const char*>(q) - buf) : end;
          newlines += std::count(buf + j, buf + qpos, '\n');
          if (q == nullptr) break;
          if (qpos + 1 < end && buf[qpos + 1] == quote) {
            escaped = true;
            j = qpos + 2;
            continue;
          }
          if (qpos + 1 == end && !eof_) break;  // cannot tell "" from " yet
          closed = true;
          close = qpos;
          break;
        }
        if (!closed) {
          if (!eof_) {
            scan = Scan::need_more;
            break;
          }
          input_error(SourceLocation{path_, quote_line, ""},
                      std::string(buf + i, std::min<std::size_t>(end - i, 40)),
                      fmt::format("a closing quote for the field opened on line {}", quote_line));
        }
        spans.push_back({i + 1, close, escaped});
        i = close + 1;
        // After the closing quote: a delimiter, the end of the line, or the end of input.
        if (blanks) {
          while (i < end && (buf[i] == ' ' || buf[i] == '\t')) ++i;
        }
        if (i < end && buf[i] == '\r') {
          if (i + 1 >= end && !eof_) {
            scan = Scan::need_more;
            break;
          }
          if (i + 1 < end && buf[i + 1] == '\n') ++i;
        }
        if (i >= end) {
          scan = eof_ ? Scan::complete : Scan::need_more;
          break;
        }
        if (buf[i] == '\n') {
          ++newlines;
          ++i;
          scan = Scan::complete;
          break;
        }
        if (blanks) continue;  // next blank-separated field
        if (buf[i] == delim) {
          ++i;
          if (i >= end && eof_) {
            spans.push_back({i, i, false});  // trailing delimiter at end of input
            scan = Scan::complete;
            break;
          }
          continue;
        }
        input_error(SourceLocation{path_, line_ + newlines, ""},
                    std::string(buf + spans.back().begin - 1,
                                std::min<std::size_t>(i - spans.back().begin + 2, 40)),
                    fmt::format("'{}' or the end of the line after a closing quote",
                                to_string(delimiter_)));
      }
      // Unquoted field.
      const std::size_t start = i;
      if (blanks) {
        while (!stop[static_cast<unsigned char>(buf[i])]) ++i;  // buf[end] is a '\n' sentinel
      } else {
        // 16 (SSE2) or 8 bytes at a time: the first delimiter or line feed (buf[end] is a '\n'
        // sentinel and kPadding bytes follow it, so the loads stay inside the buffer).
#if defined(__SSE2__)
        const __m128i delims = _mm_set1_epi8(delim);
        const __m128i newlines = _mm_set1_epi8('\n');
        for (;;) {
          const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(buf + i));
          const auto hits = static_cast<unsigned>(_mm_movemask_epi8(
              _mm_or_si128(_mm_cmpeq_epi8(v, delims), _mm_cmpeq_epi8(v, newlines))));
          if (hits != 0) {
            i += static_cast<std::size_t>(std::countr_zero(hits));
            break;
          }
          i += 16;
        }
#else
        const std::uint64_t delims = kOnes * static_cast<unsigned char>(delim);
        const std::uint64_t newlines = kOnes * static_cast<unsigned char>('\n');
        for (;;) {
          std::uint64_t word;
          std::memcpy(&word, buf + i, 8);
          const std::uint64_t hits = match_bytes(word, delims) | match_bytes(word, newlines);
          if (hits != 0) {
            i += static_cast<std::size_t>(std::countr_zero(hits)) / 8;
            break;
          }
          i += 8;
        }
#endif
      }
      if (i >= end && !eof_) {
        scan = Scan::need_more;
        break;
      }
      std::size_t field_end = i;
      if (i >= end) {  // end of input
        if (!blanks && field_end > start && buf[field_end - 1] == '\r') --field_end;
        if (spans.empty() && field_end == start) {
          scan = Scan::end;
          break;
        }
        spans.push_back({start, field_end, false});
        scan = Scan::complete;
        break;
      }
      if (buf[i] == '\n') {
        if (!blanks && field_end > start && buf[field_end - 1] == '\r') --field_end;
        ++newlines;
        ++i;
        if (spans.empty() && field_end == start) {
          scan = Scan::blank;
          break;
        }
        spans.push_back({start, field_end, false});
        scan = Scan::complete;
        break;
      }
      spans.push_back({start, field_end, false});
      if (blanks) continue;
      ++i;  // the delimiter
      if (i >= end && eof_) {
        spans.push_back({i, i, false});
        scan = Scan::complete;
        break;
      }
      if (spans.size() == field_limit_ && !full_record) {
        // The caller reads no further field: only count the rest (unless a quote comes first,
        // then the record is tokenized in full).
        std::size_t newline = 0, delimiters = 0;
        if (!scan_tail(buf, i, delim, newline, delimiters)) {
          full_record = true;
          spans.clear();
          i = pos_;
          newlines = 0;
          continue;
        }
        if (newline >= end && !eof_) {
          scan = Scan::need_more;
          break;
        }
        skipped_fields = delimiters + 1;
        if (newline < end) ++newlines;
        i = newline < end ? newline + 1 : end;
        scan = Scan::complete;
        break;
      }
    }

    if (scan == Scan::need_more) {
      fill();  // at end of input this sets eof_, and the re-scan completes the record
      continue;
    }
    if (scan == Scan::end) {
      pos_ = end_;
      return false;
    }
    if (i - pos_ > options_.max_record_bytes) record_too_long();
    record.line = line_;
    bytes_consumed_ += i - pos_;
    pos_ = i;
    line_ += newlines;
    if (scan == Scan::blank) continue;
    if (spans.size() + skipped_fields > options_.max_record_fields) {
      input_error(SourceLocation{path_, record.line, ""},
                  fmt::format("{} fields", spans.size() + skipped_fields),
                  fmt::format("records of at most {} fields (delimiter '{}')",
                              options_.max_record_fields, to_string(delimiter_)));
    }

    // Materialize the fields (collapsing doubled quotes in place); fields past the limit are
    // left empty.
    record.fields.resize(spans.size() + skipped_fields);
    const std::size_t materialized = std::min(spans.size(), field_limit_);
    std::fill(record.fields.begin() + static_cast<std::ptrdiff_t>(materialized),
              record.fields.end(), std::string_view());
    char* mbuf = buffer_.data();
    for (std::size_t k = 0; k < materialized; ++k) {
      const FieldSpan& s = spans[k];
      if (!s.escaped) {
        record.fields[k] = std::string_view(mbuf + s.begin, s.end - s.begin);
        continue;
      }
      std::size_t out = s.begin;
      for (std::size_t in = s.begin; in < s.end; ++in) {
        mbuf[out++] = mbuf[in];
        if (mbuf[in] == quote) ++in;  // skip the second quote of a pair
      }
      record.fields[k] = std::string_view(mbuf + s.begin, out - s.begin);
    }
    return true;
  }
}

bool CsvReader::next(CsvRecord& record) {
  if (!read_record(record)) return false;
  if (!options_.allow_ragged) {
    if (expected_fields_ == 0) {
      expected_fields_ = record.size();
    } else if (record.size() != expected_fields_) {
      input_error(
          SourceLocation{path_, record.line, ""},
          fmt::format("{} field{}", record.size(), record.size() == 1 ? "" : "s"),
          fmt::format("{} fields like the {} (delimiter '{}')", expected_fields_,
                      options_.has_header ? "header" : "first line", to_string(delimiter_)));
    }
  } else if (expected_fields_ == 0) {
    expected_fields_ = record.size();
  }
  return true;
}

std::vector<std::vector<std::string>> read_all_records(const std::string& path,
                                                       CsvOptions options) {
  CsvReader reader(path, options);
  std::vector<std::vector<std::string>> rows;
  CsvRecord record;
  while (reader.next(record)) {
    rows.emplace_back(record.fields.begin(), record.fields.end());
  }
  return rows;
}

std::optional<FileHalves> FileHalves::open(const std::string& path, std::size_t min_bytes) {
  if (path == "-") return std::nullopt;
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it is refused as not regular below,
  // and again, by name, by the reader). It changes nothing for a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  FileHalves file(fd, static_cast<std::size_t>(st.st_size));
  if (file.size_ == 0 || file.size_ < min_bytes) return std::nullopt;
  const std::string magic = file.read(0, 2);
  if (magic.size() == 2 && static_cast<unsigned char>(magic[0]) == 0x1f &&
      static_cast<unsigned char>(magic[1]) == 0x8b) {
    return std::nullopt;  // gzip
  }
  file.split_ = file.line_start_after(file.size_ / 2);
  if (file.split_ >= file.size_) return std::nullopt;
  const std::string sample = file.read(0, std::min(file.split_, std::size_t{4} << 20));
  if (sample.empty()) return std::nullopt;
  file.lines_per_byte_ = static_cast<double>(std::count(sample.begin(), sample.end(), '\n') + 1) /
                         static_cast<double>(sample.size());
  return file;
}

FileHalves::FileHalves(FileHalves&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      size_(other.size_),
      split_(other.split_),
      lines_per_byte_(other.lines_per_byte_) {}

FileHalves::~FileHalves() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t FileHalves::lines_in(std::size_t bytes) const noexcept {
  return static_cast<std::size_t>(lines_per_byte_ * static_cast<double>(bytes) * 1.05) + 1;
}

std::size_t FileHalves::line_start_after(std::size_t offset) const {
  for (std::size_t pos = offset; pos < size_; pos += std::size_t{1} << 16) {
    const std::string block = read(pos, std::size_t{1} << 16);
    if (block.empty()) return size_;
    const std::size_t nl = block.find('\n');
    if (nl != std::string::npos) return pos + nl + 1;
  }
  return size_;
}

std::string FileHalves::read(std::size_t offset, std::size_t n) const {
  std::string text(n, '\0');
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::pread(fd_, text.data() + got, n - got, static_cast<off_t>(offset + got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  text.resize(got);
  return text;
}

}  // namespace ltv
