#include "ltv/io/load.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>
#include <new>
#include <thread>
#include <type_traits>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <string_view>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/io/numbers.hpp"

namespace ltv {

ReturnsPolicy parse_returns_policy(std::string_view text) {
  if (text == "net") return ReturnsPolicy::net;
  if (text == "drop") return ReturnsPolicy::drop;
  parameter_error("returns", std::string(text), "net or drop");
}

ErrorPolicy parse_error_policy(std::string_view text) {
  if (text == "fail") return ErrorPolicy::fail;
  if (text == "skip") return ErrorPolicy::skip;
  parameter_error("on_error", std::string(text), "fail or skip");
}

std::int64_t LoadReport::rows_skipped() const noexcept {
  std::int64_t n = 0;
  for (const auto& s : skipped) n += s.count;
  return n;
}

std::string LoadReport::to_text() const {
  std::string out = fmt::format("loaded {} of {} rows from {}: {} customers", rows_loaded,
                                rows_read, source, customers);
  if (first_day && last_day) {
    out += fmt::format(", {} .. {}", format_date(*first_day), format_date(*last_day));
  }
  if (has_amount) out += fmt::format(", total amount {:.2f}", total_amount);
  out += fmt::format(" (delimiter '{}', dates {})\n", delimiter, date_format);
  if (rows_without_customer > 0) {
    out += fmt::format("  dropped {} rows without a customer id\n", rows_without_customer);
  }
  if (return_rows > 0) {
    out += fmt::format("  {} {} return/cancellation rows ({} with a 'C' order id){}\n",
                       returns == ReturnsPolicy::net ? "kept" : "dropped", return_rows,
                       cancellation_rows,
                       returns == ReturnsPolicy::net ? ", netted against purchases (--returns net)"
                                                     : " (--returns drop)");
  }
  for (const auto& w : warnings) out += fmt::format("  warning: {}\n", w);
  for (const auto& w : data_warnings) {
    out += fmt::format("  warning: {}", w.message);
    for (std::size_t i = 0; i < w.examples.size(); ++i) {
      out += fmt::format("{}{}", i == 0 ? ", e.g. " : "; ", w.examples[i]);
    }
    out += "\n";
  }
  if (!skipped.empty()) {
    out += fmt::format("  skipped {} rows with bad fields (--on-error skip):\n", rows_skipped());
    for (const auto& s : skipped) {
      out += fmt::format("    {} x {}, e.g.\n", s.count, s.reason);
      for (const auto& e : s.examples) out += fmt::format("      {}\n", e);
    }
  }
  return out;
}

namespace {

/// Fast non-cryptographic hash of a short string (8 bytes at a time, multiply-xorshift mixing).
std::uint64_t hash_text(std::string_view s) noexcept {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = 0x243F6A8885A308D3ull ^ (s.size() * kMul);
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, s.data() + i, s.size() - i);
  h = (h ^ tail) * kMul;
  h ^= h >> 32;
  h *= kMul;
  return h ^ (h >> 29);
}

/// Asks for the cache line of `p` (GCC 12 drops __builtin_prefetch in the inlined interner
/// below, so on x86-64 the instruction is written out).
inline void prefetch_line(const void* p) noexcept {
#if defined(__x86_64__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

/// Asks for transparent huge pages for elements [from, to) of the reserved capacity of `v` (the
/// whole 2 MiB pages in that range; by default, the whole capacity).
template <class T>
void advise_huge_pages(std::vector<T>& v, std::size_t from = 0,
                       std::size_t to = SIZE_MAX) noexcept {
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t kHuge = std::uintptr_t{2} << 20;
  to = std::min(to, v.capacity());
  const auto base = reinterpret_cast<std::uintptr_t>(v.data());
  const std::uintptr_t first = (base + from * sizeof(T) + kHuge - 1) & ~(kHuge - 1);
  const std::uintptr_t last = (base + to * sizeof(T)) & ~(kHuge - 1);
  if (v.data() != nullptr && last > first) {
    ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
  }
#else
  (void)v, (void)from, (void)to;
#endif
}

/// A fixed-size array of trivially copyable T whose elements start as all-zero bytes, in its own
/// anonymous mapping (zeroed by the kernel as pages are first touched, not all up front).
/// Tables of 2 MiB or more ask for transparent huge pages (MADV_HUGEPAGE): a hash table probed at
/// random places otherwise misses the TLB on almost every lookup (a page walk costs several
/// memory reads, more under virtualisation).
template <class T>
class HugeArray {
 public:
  HugeArray() = default;
  explicit HugeArray(std::size_t n) : size_(n) {
    static_assert(std::is_trivially_copyable_v<T>);
    if (n == 0) return;
    void* p = ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
    if (bytes() >= (std::size_t{2} << 20)) ::madvise(p, bytes(), MADV_HUGEPAGE);
#endif
    data_ = static_cast<T*>(p);
  }
  HugeArray(HugeArray&& other) noexcept {
    swap(other);
  }
  HugeArray& operator=(HugeArray&& other) noexcept {
    HugeArray(std::move(other)).swap(*this);
    return *this;
  }
  ~HugeArray() {
    if (data_) ::munmap(data_, bytes());
  }
  void swap(HugeArray& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }
  std::size_t size() const noexcept {
    return size_;
  }
  bool empty() const noexcept {
    return size_ == 0;
  }
  T* data() noexcept {
    return data_;
  }
  const T* data() const noexcept {
    return data_;
  }
  T& operator[](std::size_t i) noexcept {
    return data_[i];
  }
  const T& operator[](std::size_t i) const noexcept {
    return data_[i];
  }
  const T* begin() const noexcept {
    return data_;
  }
  const T* end() const noexcept {
    return data_ + size_;
  }

 private:
  std::size_t bytes() const noexcept {
    return size_ * sizeof(T);
  }
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// Dictionary encoder: text -> dense code in order of first appearance. Open addressing with
/// 8-byte slots holding 32 bits of the hash and the code: a new id (most lookups while millions of
/// customers are loaded) is told apart by the hash bits alone, touching one cache line, and the
/// table stays small (fresh memory is expensive: every page is zeroed when first touched). A
/// known id is confirmed by comparing its text.
class Interner {
 public:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  /// Where a text is looked up: its direct index, or else its hash. Computed once by key(),
  /// so that a caller can prefetch() the table entry some rows before it calls code(text, key).
  struct Key {
    std::uint64_t hash = 0;
    std::uint32_t direct = kNone;
  };
  static Key key(std::string_view text) noexcept {
    Key k;
    k.direct = direct_index(text);
    if (k.direct == kNone) k.hash = hash_text(text);
    return k;
  }
  /// Starts loading the table entry of `k` into the cache (a hint: lookups of millions of ids in
  /// random order wait on memory).
  void prefetch(const Key& k) const noexcept {
    if (k.direct != kNone) {
      if (k.direct < direct_.size()) prefetch_line(direct_.data() + k.direct);
    } else if (!slots_.empty()) {
      prefetch_line(slots_.data() + ((k.hash >> 32) & (slots_.size() - 1)));
    }
  }

  /// The code of `text` if it was interned before, else kNone (nothing is added).
  std::uint32_t find(std::string_view text, const std::vector<std::string>& values) const {
    return find(text, key(text), values);
  }
  /// find() of a text whose key() is `k`.
  std::uint32_t find(std::string_view text, const Key& k,
                     const std::vector<std::string>& values) const {
    const std::uint32_t index = k.direct;
    if (index != kNone) return index < direct_.size() ? direct_[index] : kNone;
    if (slots_.empty()) return kNone;
    const std::uint64_t h = k.hash;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = static_cast<std::size_t>(tag) & mask; slots_[i].code_plus_one != 0;
         i = (i + 1) & mask) {
      const Slot& slot = slots_[i];
      if (slot.tag == tag && values[slot.code_plus_one - 1] == text) return slot.code_plus_one - 1;
    }
    return kNone;
  }

  /// Releases the index (the codes handed out stay valid; later calls start afresh).
  void clear() {
    slots_ = HugeArray<Slot>();
    std::vector<std::uint32_t>().swap(direct_);
    hashed_ = 0;
    last_code_ = kNone;
  }

  std::uint32_t code(std::string_view text, std::vector<std::string>& values) {
    // Consecutive rows often repeat a value (lines of one order, one customer, one country).
    // (Compared with a private copy: values[last_code_] may be far away in memory.)
    if (last_code_ != kNone && text == last_text_) return last_code_;
    return remember(code(text, key(text), values), text);
  }

  /// The code of `text`, whose key() is `k` (adding it if new).
  std::uint32_t code(std::string_view text, const Key& k, std::vector<std::string>& values) {
    const std::uint32_t index = k.direct;
    if (index != kNone) {
      if (index >= direct_.size()) {
        direct_.resize(std::max<std::size_t>(index + 1, direct_.size() * 2), kNone);
      }
      std::uint32_t& entry = direct_[index];
      if (entry == kNone) {
        entry = static_cast<std::uint32_t>(values.size());
        values.emplace_back(text);
      }
      return entry;
    }
    if (slots_.empty()) slots_ = HugeArray<Slot>(1024);
    const std::uint64_t h = k.hash;
    const auto tag = static_cast<std::uint32_t>(h >> 32);
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(tag) & mask;
    while (slots_[i].code_plus_one != 0) {
      const Slot& slot = slots_[i];
      if (slot.tag == tag && values[slot.code_plus_one - 1] == text) return slot.code_plus_one - 1;
      i = (i + 1) & mask;
    }
    const auto c = static_cast<std::uint32_t>(values.size());
    values.emplace_back(text);
    slots_[i] = Slot{tag, c + 1};
    if (++hashed_ * 4 > slots_.size() * 3) grow();
    return c;
  }

 private:
  struct Slot {
    std::uint32_t tag = 0;
    std::uint32_t code_plus_one = 0;  // 0: empty (so a fresh, zeroed table is all empty)
  };
  static_assert(sizeof(Slot) == 8);
  /// Short decimal ids (00001, 17850, CRM integer keys) index a direct table: a lookup is one
  /// read in a table of 4 bytes per possible id. The digit count is part of the index, so
  /// "01" and "1" stay distinct: index = value + (10^len - 1) / 9. kNone for other text.
  static std::uint32_t direct_index(std::string_view text) noexcept {
    if (text.empty() || text.size() > 7) return kNone;
    std::uint32_t value = 0;
    std::uint32_t base = 0;
    bool digits = true;
    for (char ch : text) {
      const auto d = static_cast<unsigned>(ch - '0');
      digits = digits && d < 10;
      value = value * 10 + d;
      base = base * 10 + 1;
    }
    const std::uint32_t index = value + base - 1;
    return digits && index < kDirectLimit ? index : kNone;
  }
  /// Doubles the table. A slot's home position is its tag's low bits (the tag is the hash's
  /// upper half), so growing needs neither the text nor a stored hash.
  void grow() {
    HugeArray<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.code_plus_one == 0) continue;
      std::size_t i = static_cast<std::size_t>(s.tag) & mask;
      while (slots_[i].code_plus_one != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  HugeArray<Slot> slots_;
  std::size_t hashed_ = 0;  // entries in slots_
  std::uint32_t remember(std::uint32_t code, std::string_view text) {
    last_code_ = code;
    last_text_.assign(text);
    return code;
  }
  std::uint32_t last_code_ = kNone;
  std::string last_text_;
  static constexpr std::uint32_t kDirectLimit = 1u << 22;  // table of at most 16 MiB
  std::vector<std::uint32_t> direct_;                      // numeric id index -> code
};

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

constexpr int kAbsent = -1;

/// Resolves a column spec (name or 1-based position) against the header / field count.
int resolve(const std::string& spec, const char* option, const std::vector<std::string>& header,
            std::size_t width, const std::string& path) {
  if (spec.empty()) return kAbsent;
  std::string_view digits = spec;
  if (digits.starts_with('#')) digits.remove_prefix(1);
  std::size_t position = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
  if (!digits.empty() && ec == std::errc() && end == digits.data() + digits.size()) {
    if (position < 1 || position > width) {
      parameter_error(
          option, spec,
          fmt::format("a column number from 1 to {} ({} has {} columns)", width, path, width));
    }
    return static_cast<int>(position - 1);
  }
  if (header.empty()) {
    parameter_error(option, spec,
                    fmt::format("a 1-based column number: {} is read without a header", path));
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == spec) return static_cast<int>(i);
  }
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (iequals(header[i], spec)) return static_cast<int>(i);
  }
  std::string names;
  for (const auto& h : header) names += (names.empty() ? "" : ", ") + h;
  parameter_error(option, spec, fmt::format("a column of {}: {}", path, names));
}

struct Columns {
  int customer = kAbsent, date = kAbsent, amount = kAbsent, order = kAbsent, quantity = kAbsent,
      price = kAbsent, product = kAbsent, category = kAbsent, margin = kAbsent, cost = kAbsent,
      channel = kAbsent, region = kAbsent;
};

/// Thrown internally to abandon one row under --on-error skip.
struct RowSkipped {};

/// Net amounts of runs of consecutive rows of one customer, and the runs whose net is below zero
/// (returns exceeding purchases). A run at either end of a part of a parallel read may continue
/// in the next part: the first and the last run are kept open until the parts are joined.
struct NetRuns {
  struct Run {
    std::string customer;
    double net = 0;
    bool used = false;
  };
  Run first;  // the first run, once a second one started
  Run last;   // the current run
  std::int64_t negative = 0;
  std::vector<std::string> examples;

  void add(std::string_view customer, double amount) {
    if (last.used && last.customer == customer) {
      last.net += amount;
      return;
    }
    if (last.used) {
      if (!first.used) {
        first = std::move(last);
      } else {
        count(last);
      }
    }
    last.customer.assign(customer);
    last.net = amount;
    last.used = true;
  }
  void count(const Run& run) {
    if (!run.used || !(run.net < 0)) return;
    ++negative;
    if (examples.size() < 5) {
      examples.push_back(fmt::format("customer {}: net amount {:.2f}", run.customer, run.net));
    }
  }
  /// Closes both open runs (the read had a single part, or this is the joined result).
  void finish() {
    count(first);
    count(last);
    first = Run{};
    last = Run{};
  }
  /// Appends the runs of the next part of the file (`next` started where this one ended).
  void join(NetRuns&& next) {
    Run& front = next.first.used ? next.first : next.last;
    if (!front.used) return;  // an empty part: the open run goes on into the part after it
    if (last.used && front.customer == last.customer) {
      front.net += last.net;  // one customer across the boundary
    } else {
      count(last);
    }
    if (next.first.used) count(next.first);  // closed: the part has a later run
    negative += next.negative;
    for (auto& e : next.examples) {
      if (examples.size() < 5) examples.push_back(std::move(e));
    }
    last = std::move(next.last);
  }
};

/// The report's warning about customers whose returns exceed their purchases.
void set_net_negative_warning(LoadReport& report, std::int64_t count,
                              std::vector<std::string> examples) {
  std::erase_if(report.data_warnings,
                [](const DataWarning& w) { return w.kind == "net_negative_customers"; });
  if (count == 0) return;
  report.data_warnings.push_back(
      DataWarning{"net_negative_customers",
                  fmt::format("{} customer{} whose returns exceed their purchases (net amount "
                              "below zero)",
                              count, count == 1 ? "" : "s"),
                  count, std::move(examples)});
}

/// Suspicious but valid: among at least kMinCustomers customers, one holding more than
/// kMaxShare of all rows (50 times the average share) is most likely a placeholder id ("guest",
/// "0", "unknown") that gathers the purchases of many people, or duplicated rows. Said, not
/// refused: the models treat it as one very frequent buyer.
void set_dominant_customer_warning(const TransactionLog& log, LoadReport& report) {
  constexpr std::size_t kMinCustomers = 1000;
  constexpr double kMaxShare = 0.05;
  std::erase_if(report.data_warnings,
                [](const DataWarning& w) { return w.kind == "dominant_customers"; });
  const std::size_t customers = log.customer_count();
  if (customers < kMinCustomers) return;
  std::vector<std::uint64_t> rows(customers, 0);
  for (std::size_t i = 0; i < log.size(); ++i) ++rows[log.customer[i]];
  const auto limit = static_cast<std::uint64_t>(kMaxShare * static_cast<double>(log.size()));
  std::int64_t count = 0;
  std::vector<std::string> examples;
  for (std::size_t c = 0; c < customers; ++c) {
    if (rows[c] <= limit) continue;
    ++count;
    if (examples.size() < 5) {
      examples.push_back(
          fmt::format("customer {}: {} rows ({:.1f}%)", log.customer_ids[c], rows[c],
                      100.0 * static_cast<double>(rows[c]) / static_cast<double>(log.size())));
    }
  }
  if (count == 0) return;
  report.data_warnings.push_back(DataWarning{
      "dominant_customers",
      fmt::format("{} customer{} with an implausible share of the rows (more than {:.0f}% each, "
                  "among {} customers: a placeholder id such as 'guest' or '0', or duplicated "
                  "rows?)",
                  count, count == 1 ? "" : "s", 100 * kMaxShare, customers),
      count, std::move(examples)});
}

/// The exact count for a log (customers in any order): net amount per customer.
void set_net_negative_warning(const TransactionLog& log, LoadReport& report) {
  set_dominant_customer_warning(log, report);
  if (!log.has_amount() || report.return_rows == 0 || report.returns == ReturnsPolicy::drop) {
    set_net_negative_warning(report, 0, {});
    return;
  }
  std::vector<double> net(log.customer_count(), 0.0);
  for (std::size_t i = 0; i < log.size(); ++i) net[log.customer[i]] += log.amount[i];
  std::int64_t count = 0;
  std::vector<std::string> examples;
  for (std::size_t c = 0; c < net.size(); ++c) {
    if (!(net[c] < 0)) continue;
    ++count;
    if (examples.size() < 5) {
      examples.push_back(
          fmt::format("customer {}: net amount {:.2f}", log.customer_ids[c], net[c]));
    }
  }
  set_net_negative_warning(report, count, std::move(examples));
}

class Loader {
 public:
  /// `header`: column names to use instead of the reader's (for a later chunk of a file).
  Loader(CsvReader& reader, const LoadOptions& options, LoadReport& report,
         const std::vector<std::string>* header = nullptr)
      : reader_(reader), options_(options), report_(report), header_override_(header) {}

  /// Reads every row into a TransactionLog.
  TransactionLog run();
  /// Hands every loaded row to `sink` (report_.customers is left to the caller); false when the
  /// sink declined the input (the read stopped there).
  bool run(RowSink& sink);
  /// Number of fields per record (from the header or the first record; 0 before any).
  std::size_t width() const { return width_; }
  /// Hint: about how many rows the input holds (0 = unknown).
  void expect_rows(std::size_t rows) { expected_rows_ = rows; }
  /// The index of the customer ids run() interned (for merging another chunk's ids).
  Interner& customer_index() { return customers_; }
  /// Frees that index.
  void release_customer_index() { customers_.clear(); }
  /// Net amounts of the runs of each customer's consecutive rows (see NetRuns).
  NetRuns& net_runs() { return net_runs_; }
  /// The date format used, when one was detected or given.
  std::optional<DateFormat> date_format() const {
    return date_detected_ ? std::optional<DateFormat>(date_format_) : std::nullopt;
  }

 private:
  class LogSink;
  struct ForwardSink;
  /// The row loop: validates each record and hands the loaded rows to `sink` (LogSink or
  /// ForwardSink); false when the sink declined.
  template <class Sink>
  bool parse(Sink& sink);
  void setup(std::size_t width);
  void track_net(std::string_view customer, double amount) { net_runs_.add(customer, amount); }
  RowLayout layout() const {
    return RowLayout{col_.amount != kAbsent || col_.price != kAbsent, col_.quantity != kAbsent,
                     col_.margin != kAbsent || col_.cost != kAbsent, col_.order != kAbsent,
                     expected_rows_};
  }
  [[noreturn]] void problem(const std::string& reason, std::int64_t line, int column,
                            std::string_view found, const std::string& expected);
  double number(const CsvRecord& r, int column, const char* what);
  DateTime date(const CsvRecord& r);
  std::string column_name(int column) const {
    const auto c = static_cast<std::size_t>(column);
    return c < header_.size() ? header_[c] : fmt::format("#{}", column + 1);
  }

  CsvReader& reader_;
  const LoadOptions& options_;
  LoadReport& report_;
  const std::vector<std::string>* header_override_;
  std::vector<std::string> header_;
  std::size_t width_ = 0;
  Columns col_;
  DateFormat date_format_;
  bool date_detected_ = false;
  std::vector<int> extra_columns_;
  std::size_t expected_rows_ = 0;
  std::string last_date_text_;
  DateTime last_date_;
  struct DateCacheEntry {
    std::uint64_t words[2] = {0, 0};  // the first and the last 8 bytes of the text
    std::uint8_t size = 0;            // its length (8 to 16); 0 = empty
    DateTime date;
  };
  static constexpr std::size_t kDateCacheSize = 4096;  // 2^12: indexed by 12 hash bits
  std::vector<DateCacheEntry> date_cache_;
  Interner customers_;
  NetRuns net_runs_;
};

void Loader::problem(const std::string& reason, std::int64_t line, int column,
                     std::string_view found, const std::string& expected) {
  SourceLocation where{reader_.path(), line, column == kAbsent ? "" : column_name(column)};
  if (options_.on_error == ErrorPolicy::fail) input_error(where, std::string(found), expected);
  auto it = std::find_if(report_.skipped.begin(), report_.skipped.end(),
                         [&](const SkippedRows& s) { return s.reason == reason; });
  if (it == report_.skipped.end()) {
    report_.skipped.push_back(SkippedRows{reason, 0, {}});
    it = report_.skipped.end() - 1;
  }
  ++it->count;
  if (it->examples.size() < options_.max_examples) {
    it->examples.push_back(format_input_message(where, std::string(found), expected));
  }
  if (options_.keep_rejected) {
    report_.rejected.push_back(
        RejectedRow{line, where.column, std::string(found), reason, expected});
  }
  throw RowSkipped{};
}

double Loader::number(const CsvRecord& r, int column, const char* what) {
  const std::string_view text = r[static_cast<std::size_t>(column)];
  if (auto v = parse_number(text, options_.decimal_comma)) {
    // Bounded, so that no sum of loaded values can overflow to infinity (see max_abs_value).
    if (std::abs(*v) <= options_.max_abs_value) return *v;
    problem(fmt::format("{} out of range", what), r.line, column, text,
            fmt::format("a number of at most {:g} in magnitude", options_.max_abs_value));
  }
  problem(fmt::format("invalid {}", what), r.line, column, text,
          options_.decimal_comma ? "a number like 1 234,56 (--decimal-comma)"
                                 : "a number like 1234.56");
}

DateTime Loader::date(const CsvRecord& r) {
  const std::string_view text = trim(r[static_cast<std::size_t>(col_.date)]);
  if (text.empty()) problem("missing date", r.line, col_.date, text, describe(date_format_));
  if (!date_detected_) {
    const std::string_view samples[] = {text};
    auto detected = detect_date_format(samples);
    if (!detected) {
      problem("undetectable date format", r.line, col_.date, text,
              "a date like YYYY-MM-DD, YYYYMMDD, DD.MM.YYYY or MM/DD/YYYY; set --date-format "
              "(e.g. %d/%m/%Y) for other or ambiguous formats");
    }
    date_format_ = *detected;
    date_detected_ = true;
  }
  // A file holds few distinct dates: texts of 8 to 16 bytes (YYYY-MM-DD, with a time) are looked
  // up in a small direct-mapped cache of parsed dates. The first and the last 8 bytes (which
  // overlap for shorter texts) and the length identify the text.
  DateCacheEntry* cached = nullptr;
  std::uint64_t words[2] = {0, 0};
  if (text.size() >= 8 && text.size() <= 16) {
    std::memcpy(&words[0], text.data(), 8);
    std::memcpy(&words[1], text.data() + text.size() - 8, 8);
    // The top bits of the product depend on every byte of the text.
    const std::uint64_t h =
        (words[0] ^ (words[1] * 0xC2B2AE3D27D4EB4Full) ^ text.size()) * 0x9E3779B97F4A7C15ull;
    if (date_cache_.empty()) date_cache_.resize(kDateCacheSize);
    cached = &date_cache_[static_cast<std::size_t>(h >> 52)];
    if (cached->size == text.size() && cached->words[0] == words[0] &&
        cached->words[1] == words[1]) {
      return cached->date;
    }
  } else if (!last_date_text_.empty() && text == last_date_text_) {
    // Consecutive rows often carry the same date text (the lines of one order).
    return last_date_;
  }
  if (auto dt = parse_datetime(text, date_format_, options_.time_zone_minutes)) {
    if (dt->day < options_.min_day || dt->day > options_.max_day) {
      problem("date out of range", r.line, col_.date, text,
              fmt::format("a date from {} to {} (--date-window)", format_date(options_.min_day),
                          format_date(options_.max_day)));
    }
    if (cached) {
      cached->words[0] = words[0];
      cached->words[1] = words[1];
      cached->size = static_cast<std::uint8_t>(text.size());
      cached->date = *dt;
    } else {
      last_date_text_.assign(text);
      last_date_ = *dt;
    }
    return *dt;
  }
  problem("invalid date", r.line, col_.date, text, describe(date_format_));
}

void Loader::setup(std::size_t width) {
  width_ = width;
  const ColumnMapping& m = options_.columns;
  const std::string& p = reader_.path();
  if (options_.require_customer && m.customer.empty()) {
    parameter_error("customer", "", "the column of the customer id (a header name or a number)");
  }
  if (options_.require_date && m.date.empty()) {
    parameter_error("date", "", "the column of the purchase date (a header name or a number)");
  }
  if (!m.margin.empty() && !m.cost.empty()) {
    parameter_error("cost", m.cost, "either --margin or --cost, not both");
  }
  col_.customer = resolve(m.customer, "--customer", header_, width, p);
  col_.date = resolve(m.date, "--date", header_, width, p);
  col_.amount = resolve(m.amount, "--amount", header_, width, p);
  col_.order = resolve(m.order, "--order", header_, width, p);
  col_.quantity = resolve(m.quantity, "--quantity", header_, width, p);
  col_.price = resolve(m.price, "--price", header_, width, p);
  col_.product = resolve(m.product, "--product", header_, width, p);
  col_.category = resolve(m.category, "--category", header_, width, p);
  col_.margin = resolve(m.margin, "--margin", header_, width, p);
  col_.cost = resolve(m.cost, "--cost", header_, width, p);
  col_.channel = resolve(m.channel, "--channel", header_, width, p);
  col_.region = resolve(m.region, "--region", header_, width, p);
  if (col_.price != kAbsent && col_.amount == kAbsent && col_.quantity == kAbsent) {
    parameter_error("price", m.price, "--quantity as well (amount = quantity x price)");
  }
  if (col_.cost != kAbsent && col_.amount == kAbsent && col_.price == kAbsent) {
    parameter_error("cost", m.cost, "--amount (or --quantity and --price) as well");
  }
  // A header whose date or amount name is itself a date or a number is probably data.
  if (!header_.empty()) {
    const bool date_like =
        col_.date != kAbsent &&
        parse_datetime(header_[static_cast<std::size_t>(col_.date)], DateFormat{});
    const bool number_like =
        col_.amount != kAbsent && parse_number(header_[static_cast<std::size_t>(col_.amount)]);
    if (date_like || number_like) {
      report_.warnings.push_back(fmt::format(
          "the header line of {} looks like data ('{}'); if the file has no header, use "
          "--no-header",
          reader_.path(), header_[static_cast<std::size_t>(date_like ? col_.date : col_.amount)]));
    }
  }
  if (options_.date_format.kind != DateFormat::Kind::automatic) {
    date_format_ = options_.date_format;
    date_detected_ = true;
  }
  const int mapped[] = {col_.customer, col_.date,  col_.amount,  col_.order,
                        col_.quantity, col_.price, col_.product, col_.category,
                        col_.margin,   col_.cost,  col_.channel, col_.region};
  if (options_.keep_extra_columns) {
    for (std::size_t c = 0; c < width; ++c) {
      if (std::find(std::begin(mapped), std::end(mapped), static_cast<int>(c)) ==
          std::end(mapped)) {
        extra_columns_.push_back(static_cast<int>(c));
      }
    }
  }
  // Columns after the last one read are only counted by the reader (for the width check).
  int last = *std::max_element(std::begin(mapped), std::end(mapped));
  if (!extra_columns_.empty()) last = std::max(last, extra_columns_.back());
  reader_.set_field_limit(static_cast<std::size_t>(last + 1));
}

/// Builds the TransactionLog of a load: the sink of Loader::run().
class Loader::LogSink {
 public:
  explicit LogSink(Loader& loader) : loader_(loader), customers_(loader.customers_) {}

  bool start(const RowLayout& layout) {
    layout_ = layout;
    const Columns& col = loader_.col_;
    auto add_cat = [&](int column, std::optional<CategoricalColumn>& slot) {
      if (column == kAbsent) return;
      slot.emplace();
      slot->name = loader_.column_name(column);
    };
    add_cat(col.order, log_.order);
    add_cat(col.product, log_.product);
    add_cat(col.category, log_.category);
    add_cat(col.channel, log_.channel);
    add_cat(col.region, log_.region);
    const std::vector<int>& extra = loader_.extra_columns_;
    log_.extra.resize(extra.size());
    // Pointers into log_ are stable from here on (no more resizes of log_.extra).
    auto bind = [&](int column, std::optional<CategoricalColumn>& slot) {
      if (column != kAbsent) cats_.push_back(Cat{column, &*slot, {}});
    };
    bind(col.order, log_.order);
    bind(col.product, log_.product);
    bind(col.category, log_.category);
    bind(col.channel, log_.channel);
    bind(col.region, log_.region);
    for (std::size_t k = 0; k < extra.size(); ++k) {
      log_.extra[k].name = loader_.column_name(extra[k]);
      cats_.push_back(Cat{extra[k], &log_.extra[k], {}});
    }
    // Reserve for the expected rows: fewer reallocations, copies and page faults (which two
    // loader threads would otherwise contend for).
    if (const std::size_t n = loader_.expected_rows_; n > 0) {
      log_.customer.reserve(n);
      log_.day.reserve(n);
      // At most one customer per row: room for them all, so that the ids (32 bytes each) are
      // never copied to a larger array (capped: reserved memory is only address space, but
      // not unlimited).
      log_.customer_ids.reserve(std::min<std::size_t>(n, std::size_t{1} << 26));
      if (layout.amount) log_.amount.reserve(n);
      if (layout.quantity) log_.quantity.reserve(n);
      if (layout.profit) log_.profit.reserve(n);
      for (Cat& c : cats_) c.target->codes.reserve(n);
      // Columns of hundreds of MB are written once, front to back: 2 MiB pages fault 512 times
      // less often than 4 KiB ones.
      advise_huge_pages(log_.customer_ids);
      advise_huge_pages(log_.customer);
      advise_huge_pages(log_.day);
      advise_huge_pages(log_.amount);
      advise_huge_pages(log_.quantity);
      advise_huge_pages(log_.profit);
      for (Cat& c : cats_) advise_huge_pages(c.target->codes);
    }
    return true;
  }

  bool add(const LoadedRow& row, const CsvRecord& r) {
    if (loader_.col_.customer == kAbsent) {
      log_.customer.push_back(customers_.code("", log_.customer_ids));
    } else {
      append_customer(row.customer);
    }
    if (row.has_time && !any_time_) {
      if (loader_.expected_rows_ > 0) log_.second_of_day.reserve(loader_.expected_rows_);
      log_.second_of_day.assign(log_.day.size(), 0);  // earlier rows had no time of day
      any_time_ = true;
    }
    log_.day.push_back(row.day);
    if (loader_.options_.keep_lines) log_.line.push_back(r.line);
    if (any_time_) log_.second_of_day.push_back(row.second);
    if (layout_.amount) log_.amount.push_back(row.amount);
    if (layout_.quantity) log_.quantity.push_back(row.quantity);
    if (layout_.profit) log_.profit.push_back(row.profit);
    for (Cat& c : cats_) {
      c.target->codes.push_back(
          c.interner.code(trim(r[static_cast<std::size_t>(c.column)]), c.target->values));
    }
    return true;
  }

  TransactionLog finish() {
    while (pending_size_ > 0) {
      intern_oldest(pending_size_ > 1 ? pending_[(pending_begin_ + 1) % kLookahead].first_row
                                      : log_.customer.size());
    }
    return std::move(log_);
  }

 private:
  // Customer ids are interned a few runs late: a run of rows with the same id gets its key
  // (hash) and a prefetch of its table entry when it starts, and its code kLookahead runs later
  // (millions of new ids hit the table at random places: each lookup would otherwise wait on
  // memory). Runs are interned in input order, so codes are those of a row-by-row read.
  static constexpr std::size_t kLookahead = 8;
  struct PendingRun {
    std::string text;
    Interner::Key key;
    std::size_t first_row = 0;
  };
  // Codes the oldest pending run and writes them into its rows (up to `end_row`).
  void intern_oldest(std::size_t end_row) {
    PendingRun& run = pending_[pending_begin_];
    const std::uint32_t code = customers_.code(run.text, run.key, log_.customer_ids);
    std::fill(log_.customer.begin() + static_cast<std::ptrdiff_t>(run.first_row),
              log_.customer.begin() + static_cast<std::ptrdiff_t>(end_row), code);
    pending_begin_ = (pending_begin_ + 1) % kLookahead;
    --pending_size_;
  }
  void append_customer(std::string_view text) {
    const std::size_t row = log_.customer.size();
    log_.customer.push_back(Interner::kNone);  // set by intern_oldest()
    if (pending_size_ > 0 &&
        pending_[(pending_begin_ + pending_size_ - 1) % kLookahead].text == text) {
      return;  // the run goes on
    }
    if (pending_size_ == kLookahead) {
      intern_oldest(pending_[(pending_begin_ + 1) % kLookahead].first_row);
    }
    PendingRun& run = pending_[(pending_begin_ + pending_size_) % kLookahead];
    run.text.assign(text);
    run.key = Interner::key(text);
    run.first_row = row;
    customers_.prefetch(run.key);
    ++pending_size_;
  }

  struct Cat {
    int column;
    CategoricalColumn* target;
    Interner interner;
  };
  Loader& loader_;
  Interner& customers_;
  TransactionLog log_;
  RowLayout layout_;
  bool any_time_ = false;  // second_of_day is filled only from the first row with a time on
  std::vector<Cat> cats_;
  std::array<PendingRun, kLookahead> pending_;
  std::size_t pending_begin_ = 0, pending_size_ = 0;
};

/// Hands rows to a RowSink (the sink of Loader::run(RowSink&)).
struct Loader::ForwardSink {
  RowSink& sink;
  bool start(const RowLayout& layout) { return sink.start(layout); }
  bool add(const LoadedRow& row, const CsvRecord&) { return sink.add(row); }
};

template <class Sink>
bool Loader::parse(Sink& sink) {
  report_ = LoadReport{};
  net_runs_ = NetRuns{};
  report_.source = reader_.path();
  report_.returns = options_.returns;
  report_.delimiter = std::string(to_string(reader_.delimiter()));
  header_ = header_override_ ? *header_override_ : reader_.header();
  CsvRecord r;
  bool ready = false;
  auto prepare = [&](std::size_t width) {
    setup(width);
    ready = true;
    return sink.start(layout());
  };
  if (!header_.empty() && !prepare(header_.size())) return false;
  while (reader_.next(r)) {
    if (!ready && !prepare(r.size())) return false;
    ++report_.rows_read;
    try {
      if (r.size() != width_) {
        problem(
            "wrong number of fields", r.line, kAbsent,
            fmt::format("{} field{}", r.size(), r.size() == 1 ? "" : "s"),
            fmt::format("{} fields like the {} (delimiter {})", width_,
                        header_.empty() ? "first line" : "header", to_string(reader_.delimiter())));
      }
      LoadedRow row;
      if (col_.customer != kAbsent) {
        row.customer = trim(r[static_cast<std::size_t>(col_.customer)]);
        if (row.customer.empty()) {
          ++report_.rows_without_customer;
          if (options_.keep_rejected) {
            report_.rejected.push_back(RejectedRow{r.line, column_name(col_.customer), "",
                                                   "missing customer id", "a customer id"});
          }
          continue;
        }
      }
      if (col_.date != kAbsent) {
        const DateTime dt = date(r);
        row.day = dt.day;
        row.second = dt.second;
        row.has_time = dt.has_time;
      }
      double price = 0;
      if (col_.amount != kAbsent) row.amount = number(r, col_.amount, "amount");
      if (col_.quantity != kAbsent) row.quantity = number(r, col_.quantity, "quantity");
      if (col_.price != kAbsent) price = number(r, col_.price, "price");
      if (col_.amount == kAbsent && col_.price != kAbsent) row.amount = row.quantity * price;
      if (col_.margin != kAbsent) row.profit = number(r, col_.margin, "margin");
      if (col_.cost != kAbsent) row.profit = row.amount - number(r, col_.cost, "cost");
      if (!std::isfinite(row.amount) || !std::isfinite(row.profit)) {  // e.g. 1e200 x 1e200
        problem("invalid amount", r.line, col_.price != kAbsent ? col_.price : col_.cost,
                r[static_cast<std::size_t>(col_.price != kAbsent ? col_.price : col_.cost)],
                "values whose product / difference is a finite number");
      }
      if (std::abs(row.amount) > options_.max_abs_value ||
          std::abs(row.profit) > 2 * options_.max_abs_value) {  // quantity x price, amount - cost
        const int column = std::abs(row.amount) > options_.max_abs_value ? col_.price : col_.cost;
        problem("amount out of range", r.line, column, r[static_cast<std::size_t>(column)],
                fmt::format("values whose product / difference is at most {:g} in magnitude",
                            options_.max_abs_value));
      }

      bool cancellation = false;
      if (col_.order != kAbsent) {
        row.order = trim(r[static_cast<std::size_t>(col_.order)]);
        cancellation = row.order.size() >= 2 && row.order[0] == 'C' && row.order[1] >= '0' &&
                       row.order[1] <= '9';
      }
      const bool is_return = cancellation || row.amount < 0 || row.quantity < 0;
      if (is_return) {
        ++report_.return_rows;
        report_.cancellation_rows += cancellation;
        if (options_.returns == ReturnsPolicy::drop) continue;
      }

      // The row is valid: hand it on.
      if (!sink.add(row, r)) return false;
      if (col_.amount != kAbsent || col_.price != kAbsent) {
        report_.total_amount += row.amount;
        // Cannot overflow with the default max_abs_value (a sum of 2^32 rows stays below 1e25);
        // checked all the same, as the bound is an option.
        if (!std::isfinite(report_.total_amount)) {
          input_error(
              SourceLocation{reader_.path(), r.line,
                             column_name(col_.amount != kAbsent ? col_.amount : col_.price)},
              fmt::format("{}", row.amount),
              "amounts whose total is a finite number (the sum overflows here)");
        }
        if (col_.customer != kAbsent) track_net(row.customer, row.amount);
      }
      if (!report_.first_day || row.day < *report_.first_day) report_.first_day = row.day;
      if (!report_.last_day || row.day > *report_.last_day) report_.last_day = row.day;
      ++report_.rows_loaded;
    } catch (const RowSkipped&) {
    }
  }
  report_.has_amount = col_.amount != kAbsent || col_.price != kAbsent;
  report_.date_format = col_.date == kAbsent ? "none" : "auto (no date read)";
  if (date_format_.kind == DateFormat::Kind::iso) report_.date_format = "iso";
  if (date_format_.kind == DateFormat::Kind::yyyymmdd) report_.date_format = "yyyymmdd";
  if (date_format_.kind == DateFormat::Kind::dd_mm_yyyy) report_.date_format = "dd.mm.yyyy";
  if (date_format_.kind == DateFormat::Kind::pattern) report_.date_format = date_format_.pattern;
  return true;
}

TransactionLog Loader::run() {
  LogSink sink(*this);
  parse(sink);
  TransactionLog log = sink.finish();
  report_.customers = log.customer_count();
  return log;
}

bool Loader::run(RowSink& sink) {
  ForwardSink forward{sink};
  return parse(forward) && sink.finish();
}
}  // namespace

TransactionLog load_transactions(CsvReader& reader, const LoadOptions& options,
                                 LoadReport& report) {
  Loader loader(reader, options, report);
  TransactionLog log = loader.run();
  set_net_negative_warning(log, report);
  return log;
}

namespace {

/// Appends `part` to `whole`, re-encoding part's dictionary codes into whole's dictionaries.
void append_column(CategoricalColumn& whole, const CategoricalColumn& part) {
  Interner interner;
  std::vector<std::string> values = std::move(whole.values);
  whole.values.clear();
  for (const auto& v : values) interner.code(v, whole.values);  // rebuild the index
  std::vector<std::uint32_t> map(part.values.size());
  for (std::size_t c = 0; c < part.values.size(); ++c) {
    map[c] = interner.code(part.values[c], whole.values);
  }
  whole.codes.reserve(whole.codes.size() + part.codes.size());
  for (std::uint32_t c : part.codes) whole.codes.push_back(map[c]);
}

/// Appends `part` to `whole` and frees `part` (whole's capacity is usually reserved for both).
template <class T>
void append_values(std::vector<T>& whole, std::vector<T>& part) {
  whole.insert(whole.end(), part.begin(), part.end());
  std::vector<T>().swap(part);
}

/// Codes in `index` (over `values`) of ids[begin .. end) into map[begin .. end) (kNone for ids
/// it does not hold). Read-only on the index: two threads may look up halves at once.
void find_codes(const Interner& index, const std::vector<std::string>& values,
                const std::vector<std::string>& ids, std::size_t begin, std::size_t end,
                std::uint32_t* map) {
  // Each lookup waits on memory: the table entry of the id kLookahead places ahead is
  // prefetched.
  constexpr std::size_t kLookahead = 16;
  std::array<Interner::Key, kLookahead> keys;
  for (std::size_t c = begin; c < std::min(begin + kLookahead, end); ++c) {
    keys[c % kLookahead] = Interner::key(ids[c]);
    index.prefetch(keys[c % kLookahead]);
  }
  for (std::size_t c = begin; c < end; ++c) {
    const Interner::Key k = keys[c % kLookahead];
    if (c + kLookahead < end) {
      keys[c % kLookahead] = Interner::key(ids[c + kLookahead]);
      index.prefetch(keys[c % kLookahead]);
    }
    map[c] = index.find(ids[c], k, values);
  }
}

/// Appends chunk `b` to chunk `a`, freeing b's columns one by one, so the peak is about one
/// column of b above the merged log. `index_a` finds a's customer ids: b's ids that a does not
/// know get the next codes in b's order of first appearance, as a sequential read would.
void merge_logs(TransactionLog& a, TransactionLog&& b, Interner& index_a) {
  const std::size_t rows_a = a.day.size();
  if (a.second_of_day.empty() != b.second_of_day.empty()) {
    if (a.second_of_day.empty()) a.second_of_day.assign(rows_a, 0);
    if (b.second_of_day.empty()) b.second_of_day.assign(b.day.size(), 0);
  }
  // b's customer ids are looked up in a's index on two threads (half each: the lookups wait on
  // memory, and they were the longest step of the merge); then the columns are appended on both.
  const std::vector<std::string>& ids = b.customer_ids;
  std::vector<std::uint32_t> map(ids.size());
  const std::size_t half = ids.size() / 2;
  std::exception_ptr error;
  std::thread helper([&] {
    try {
      find_codes(index_a, a.customer_ids, ids, half, ids.size(), map.data());
    } catch (...) {
      error = std::current_exception();
    }
  });
  try {
    find_codes(index_a, a.customer_ids, ids, 0, half, map.data());
  } catch (...) {
    helper.join();
    throw;
  }
  helper.join();
  if (error) std::rethrow_exception(error);
  // b's new ids get the next codes, in b's order of first appearance.
  const std::size_t known = a.customer_ids.size();
  std::size_t added = 0;
  for (std::uint32_t& code : map) {
    if (code == Interner::kNone) code = static_cast<std::uint32_t>(known + added++);
  }
  index_a.clear();  // freed before a's columns grow
  // The amounts (the largest column) are appended on the second thread, the other columns here.
  helper = std::thread([&] { append_values(a.amount, b.amount); });
  try {
    a.customer.reserve(a.customer.size() + b.customer.size());
    for (std::uint32_t c : b.customer) a.customer.push_back(map[c]);
    std::vector<std::uint32_t>().swap(b.customer);
    append_values(a.day, b.day);
    append_values(a.line, b.line);
    append_values(a.second_of_day, b.second_of_day);
    append_values(a.quantity, b.quantity);
    append_values(a.profit, b.profit);
  } catch (...) {
    helper.join();
    throw;
  }
  helper.join();
  // The new ids are moved last, once b's numeric columns are freed (a lower peak). They fill
  // fresh pages of a's reserved capacity: 2 MiB pages fault 512 times less often (asked only for
  // that range: the part of the array already resident keeps its pages).
  a.customer_ids.reserve(known + added);
  advise_huge_pages(a.customer_ids, known, known + added);
  for (std::size_t c = 0; c < b.customer_ids.size(); ++c) {
    if (map[c] >= known) a.customer_ids.push_back(std::move(b.customer_ids[c]));
  }
  std::vector<std::string>().swap(b.customer_ids);
  auto merge_optional = [](std::optional<CategoricalColumn>& x,
                           std::optional<CategoricalColumn>& y) {
    if (x && y) append_column(*x, *y);
    y.reset();
  };
  merge_optional(a.order, b.order);
  merge_optional(a.product, b.product);
  merge_optional(a.category, b.category);
  merge_optional(a.channel, b.channel);
  merge_optional(a.region, b.region);
  for (std::size_t k = 0; k < a.extra.size() && k < b.extra.size(); ++k) {
    append_column(a.extra[k], b.extra[k]);
    b.extra[k] = CategoricalColumn{};
  }
}

void merge_reports(LoadReport& a, const LoadReport& b, std::size_t max_examples) {
  a.rows_read += b.rows_read;
  a.rows_loaded += b.rows_loaded;
  a.rows_without_customer += b.rows_without_customer;
  a.return_rows += b.return_rows;
  a.cancellation_rows += b.cancellation_rows;
  a.total_amount += b.total_amount;
  a.has_amount = a.has_amount || b.has_amount;  // warnings: chunk a's (same header)
  if (b.first_day && (!a.first_day || *b.first_day < *a.first_day)) a.first_day = b.first_day;
  if (b.last_day && (!a.last_day || *b.last_day > *a.last_day)) a.last_day = b.last_day;
  a.rejected.insert(a.rejected.end(), b.rejected.begin(), b.rejected.end());
  for (const SkippedRows& s : b.skipped) {
    auto it = std::find_if(a.skipped.begin(), a.skipped.end(),
                           [&](const SkippedRows& x) { return x.reason == s.reason; });
    if (it == a.skipped.end()) {
      a.skipped.push_back(s);
      continue;
    }
    it->count += s.count;
    for (const auto& e : s.examples) {
      if (it->examples.size() < max_examples) it->examples.push_back(e);
    }
  }
}

/// Newlines in bytes [begin, end) of the file, read with pread in blocks: no mapping, so counting
/// adds nothing to the resident size (touching the mapped first half to count its lines made 4 GB
/// of file pages resident before any row was parsed). -1 on a read error.
std::int64_t count_newlines(int fd, std::size_t begin, std::size_t end) {
  constexpr std::size_t kBlock = std::size_t{1} << 20;
  std::vector<char> buffer(kBlock);
  std::int64_t lines = 0;
  std::size_t pos = begin;
  while (pos < end) {
    const ssize_t n =
        ::pread(fd, buffer.data(), std::min(kBlock, end - pos), static_cast<off_t>(pos));
    if (n <= 0) return -1;  // a read error: the caller falls back to a sequential read
    lines += std::count(buffer.data(), buffer.data() + n, '\n');
    pos += static_cast<std::size_t>(n);
  }
  return lines;
}

/// Read of a regular file in `parts` consecutive parts (2 or more), split after line breaks, on
/// two threads: the first thread starts with part 0, the second with part 1, and each then takes
/// the next part not yet taken, so that neither idles while the other still has more than a part
/// to read. `read_part(loader, k, again)` reads part k with a Loader and returns its result (a
/// log, or whether the part's sink took every row); `again` is set when a part already read once
/// is parsed again for the true line numbers of its messages (the same rows). Returns nullopt when
/// the result might differ from a sequential read (a split inside a quoted field, differing date
/// formats, an error in any part but the last); `report` is then untouched. Part 0 starts at the
/// true beginning of the file: when parts 0 .. k-1 end cleanly, the start of part k is a real
/// record boundary and part k is parsed exactly as a sequential read would. Every part is read with
/// pread (no mapping: the page cache is left as it was, and file pages never count in the resident
/// size). The merged report's `customers` is left to the caller.
template <class Result, class ReadPart>
std::optional<std::vector<Result>> read_parallel(const std::string& path, const FileHalves& file,
                                                 int parts, const LoadOptions& options,
                                                 LoadReport& report, ReadPart read_part) {
  CsvOptions csv = options.csv;
  csv.allow_ragged = true;
  const std::size_t size = file.size();
  const auto n = static_cast<std::size_t>(std::max(parts, 2));
  std::vector<std::size_t> begin(n + 1, size);
  begin[0] = 0;
  for (std::size_t k = 1; k < n; ++k) {
    begin[k] = std::max(begin[k - 1], file.line_start_after(size / n * k));
  }
  // The first part's reader detects the delimiter and reads the header.
  std::vector<std::optional<CsvReader>> readers(n);
  std::vector<std::optional<Loader>> loaders(n);
  std::vector<LoadReport> reports(n);
  std::vector<std::optional<Result>> results(n);
  std::vector<std::exception_ptr> errors(n);
  readers[0].emplace(CsvReader::from_file_range(file.fd(), 0, begin[1], csv, path));
  CsvOptions later_csv = csv;
  later_csv.delimiter = readers[0]->delimiter();
  later_csv.has_header = false;
  const std::vector<std::string> header = readers[0]->header();
  loaders[0].emplace(*readers[0], options, reports[0]);
  // Part 0 reserves room for the whole file, so that the other parts' logs are appended to its
  // own without reallocating (reserved pages cost no memory until written).
  loaders[0]->expect_rows(file.lines_in(size));
  // Parts after the first are parsed with line numbers counted from their own start: they appear
  // only in error messages and skipped-row examples, and when a part has any, it is parsed again
  // below with its true first line. When lines are kept (or every rejected row), each part is
  // parsed with its true first line from the start: its lines are counted first.
  const bool true_lines = options.keep_lines || options.keep_rejected;
  std::vector<std::int64_t> first_line(n, 1);
  if (true_lines) {
    std::int64_t lines_before = 0;
    for (std::size_t k = 1; k < n; ++k) {
      const std::int64_t lines = count_newlines(file.fd(), begin[k - 1], begin[k]);
      if (lines < 0) return std::nullopt;  // a read error: let the sequential reader report it
      lines_before += lines;
      first_line[k] = 1 + lines_before;
    }
  }
  auto parse = [&](std::size_t k, std::int64_t first_line, bool again) {
    reports[k] = LoadReport{};
    loaders[k].reset();
    readers[k].emplace(
        CsvReader::from_file_range(file.fd(), begin[k], begin[k + 1], later_csv, path, first_line));
    loaders[k].emplace(*readers[k], options, reports[k], &header);
    loaders[k]->expect_rows(file.lines_in(begin[k + 1] - begin[k]));
    results[k] = read_part(*loaders[k], static_cast<int>(k), again);
  };
  std::atomic<std::size_t> next{2};
  auto work = [&](std::size_t k) {
    for (; k < n; k = next.fetch_add(1)) {
      try {
        if (k == 0) {
          results[0] = read_part(*loaders[0], 0, false);
        } else {
          parse(k, first_line[k], false);
        }
      } catch (...) {
        errors[k] = std::current_exception();
      }
    }
  };
  std::thread worker(work, std::size_t{1});
  work(0);
  worker.join();
  // The first part with an error decides: before the last part, the error may come from a split
  // inside a quoted field; the sequential reader then reports what is really there.
  for (std::size_t k = 0; k + 1 < n; ++k) {
    if (errors[k]) return std::nullopt;
  }
  // Line numbers are in the messages: parts with any are parsed again from their true first line.
  std::int64_t lines_before = 0;
  std::size_t counted_to = 0;
  for (std::size_t k = 1; k < n && !true_lines; ++k) {
    if (!errors[k] && reports[k].skipped.empty()) continue;
    const std::int64_t lines = count_newlines(file.fd(), counted_to, begin[k]);
    if (lines < 0) return std::nullopt;  // a read error: let the sequential reader report it
    lines_before += lines;
    counted_to = begin[k];
    errors[k] = nullptr;
    try {
      parse(k, 1 + lines_before, true);
    } catch (...) {
      errors[k] = std::current_exception();
    }
  }
  std::optional<DateFormat> format;  // the first part's that detected one
  for (std::size_t k = 0; k < n; ++k) {
    if (!loaders[k]) return std::nullopt;  // a reader could not be created: read sequentially
    // Without a header, the width comes from the file's first record.
    if (header.empty() && loaders[k]->width() != loaders[0]->width() && loaders[k]->width() != 0) {
      return std::nullopt;
    }
    const auto f = loaders[k]->date_format();
    if (format && f && (f->kind != format->kind || f->pattern != format->pattern)) {
      return std::nullopt;
    }
    // Rows a sequential read would have judged by the format detected before them.
    for (const auto& s : reports[k].skipped) {
      if (s.reason == "undetectable date format" && format) return std::nullopt;
    }
    if (!format && f) {
      format = f;
      reports[0].date_format = reports[k].date_format;
    }
  }
  if (errors[n - 1]) std::rethrow_exception(errors[n - 1]);  // the parts before were clean
  for (std::size_t k = 1; k < n; ++k) merge_reports(reports[0], reports[k], options.max_examples);
  NetRuns runs = std::move(loaders[0]->net_runs());
  for (std::size_t k = 1; k < n; ++k) runs.join(std::move(loaders[k]->net_runs()));
  runs.finish();
  set_net_negative_warning(reports[0], runs.negative, std::move(runs.examples));
  report = std::move(reports[0]);
  std::vector<Result> out;
  out.reserve(n);
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

/// Takes every row and keeps none (a part parsed again only for its messages).
class DiscardSink : public RowSink {
 public:
  bool start(const RowLayout&) override { return true; }
  bool add(const LoadedRow&) override { return true; }
};

/// A part of a two-part load: its log and, for the first part, the index of its customer ids.
struct LogPart {
  TransactionLog log;
  Interner index;
};

std::optional<TransactionLog> load_parallel(const std::string& path, const FileHalves& file,
                                            const LoadOptions& options, LoadReport& report) {
  auto parts = read_parallel<LogPart>(
      path, file, 2, options, report, [](Loader& loader, int part, bool /*again*/) {
        LogPart p;
        p.log = loader.run();
        if (part == 0) p.index = std::move(loader.customer_index());
        loader.release_customer_index();  // part b's index is not needed for the merge
        return p;
      });
  if (!parts) return std::nullopt;
  TransactionLog& log = (*parts)[0].log;
  merge_logs(log, std::move((*parts)[1].log), (*parts)[0].index);
  report.customers = log.customer_count();
  set_net_negative_warning(log, report);
  return std::move(log);
}

}  // namespace

int stream_transactions(const std::string& path, const LoadOptions& options, LoadReport& report,
                        const std::function<RowSink&(int)>& sink) {
  if (path == "-") return 0;  // stdin cannot be read again when a sink declines
  if (options.threads != 1) {
    if (const auto file = FileHalves::open(path, options.parallel_min_bytes)) {
      const std::size_t chunk = std::max<std::size_t>(options.part_bytes, 1);
      const int n = static_cast<int>(std::clamp<std::size_t>(file->size() / chunk, 2, 64));
      std::vector<RowSink*> sinks;
      for (int k = 0; k < n; ++k) sinks.push_back(&sink(k));
      // A part parsed again (for the line numbers of its messages) yields the rows its sink
      // already took: they go nowhere. When its first read threw, the sink holds part of the
      // rows: the part counts as not taken (the caller reads a log).
      std::vector<char> taken(static_cast<std::size_t>(n), 0);
      auto parts = read_parallel<bool>(path, *file, n, options, report,
                                       [&](Loader& loader, int k, bool again) {
                                         const auto part = static_cast<std::size_t>(k);
                                         if (again) {
                                           DiscardSink discard;
                                           loader.run(discard);
                                           return taken[part] != 0;
                                         }
                                         taken[part] = loader.run(*sinks[k]) ? 1 : 0;
                                         return taken[part] != 0;
                                       });
      if (parts) {
        const bool taken = std::all_of(parts->begin(), parts->end(), [](bool b) { return b; });
        return taken ? n : 0;
      }
    }
  }
  CsvOptions csv = options.csv;
  csv.allow_ragged = true;  // the loader counts or rejects ragged rows itself
  CsvReader reader(path, csv);
  Loader loader(reader, options, report);
  if (!loader.run(sink(0))) return 0;
  NetRuns& runs = loader.net_runs();
  runs.finish();
  set_net_negative_warning(report, runs.negative, std::move(runs.examples));
  return 1;
}

TransactionLog load_transactions(const std::string& path, const LoadOptions& options,
                                 LoadReport& report) {
  CsvOptions csv = options.csv;
  csv.allow_ragged = true;  // the loader counts or rejects ragged rows itself
  if (options.threads != 1) {
    if (const auto file = FileHalves::open(path, options.parallel_min_bytes)) {
      if (auto log = load_parallel(path, *file, options, report)) return std::move(*log);
    }
  }
  CsvReader reader(path, csv);
  return load_transactions(reader, options, report);
}

}  // namespace ltv
