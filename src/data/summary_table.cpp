// SummaryTable: customer summaries of a file in any row order, kept per customer in a hash table
// while the file is read.
//
// Layout. The customers are split by the top bits of their id's hash into kShards shards, each
// with its own lock, open-addressing table and records. A record is one cache line: the id
// (inline up to 15 bytes) and the calibration PeriodDays (first, second, last purchase day, days,
// exact sums of the purchases and of the first day's). Holdout days and profit live in parallel
// arrays when the summary needs them; the purchase days other than first/second/last (only for
// customers with 4 or more) in a per-shard hash set; return lines in a per-shard list.
//
// Reading. Each part's sink hashes a row's id and appends the row to its batch for the row's
// shard; a full batch is taken into the shard under its lock (try-lock first, so that the two
// reading threads take in other shards' batches meanwhile). A batch is taken in three passes:
// find every row's slot (prefetched), find the candidate record (prefetched), then compare and
// update, so that the cache misses of a batch overlap instead of following each other.
//
// End. Each record becomes its result in place (same 64 bytes), and the results are sorted by id.
#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <exception>
#include <mutex>
#include <new>
#include <thread>

#include "ltv/data/summary.hpp"
#include "summary_detail.hpp"

namespace ltv {

namespace {

constexpr int kShardBits = 3;
constexpr std::size_t kShards = std::size_t{1} << kShardBits;
constexpr int kRecordBits = 28;      // a reference is (shard << kRecordBits) | record
constexpr std::size_t kBatch = 256;  // rows taken into a shard at once

/// Hash of an id (8 bytes at a time, multiply-xorshift mixing): the top bits choose the shard,
/// the low 32 bits are the tag and home slot in the shard's table.
/// 8 (4) bytes at p, in the machine's byte order.
inline std::uint64_t load64(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline std::uint64_t load32(const char* p) noexcept {
  std::uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}
/// The `size` (< 8) bytes at p as a little-endian word, zero above, reading only those bytes
/// (overlapping loads instead of a variable-length copy).
inline std::uint64_t load_short(const char* p, std::size_t size) noexcept {
  if (size >= 4) return load32(p) | (load32(p + size - 4) << (8 * (size - 4)));
  if (size == 0) return 0;
  const auto byte = [p](std::size_t i) { return std::uint64_t{static_cast<unsigned char>(p[i])}; };
  return byte(0) | byte(size / 2) << (8 * (size / 2)) | byte(size - 1) << (8 * (size - 1));
}

std::uint64_t hash_id(std::string_view s) noexcept {
  constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ull;
  const std::size_t n = s.size();
  std::uint64_t h = 0x243F6A8885A308D3ull ^ (n * kMul);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    h = (h ^ load64(s.data() + i)) * kMul;
    h ^= h >> 29;
  }
  // The last bytes: the 8 that end the id (overlapping the word before), or all of a short id.
  const std::uint64_t tail =
      i == n ? 0 : (n >= 8 ? load64(s.data() + n - 8) : load_short(s.data(), n));
  h = (h ^ tail) * kMul;
  h ^= h >> 32;
  h *= kMul;
  return h ^ (h >> 29);
}

inline void prefetch(const void* p) noexcept {
#if defined(__x86_64__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
#endif
}

/// Anonymous memory of `bytes` (zeroed by the kernel as it is first touched), asking for huge
/// pages when large.
void* map_memory(std::size_t bytes) {
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
#ifdef MADV_HUGEPAGE
  if (bytes >= (std::size_t{2} << 20)) ::madvise(p, bytes, MADV_HUGEPAGE);
#endif
  return p;
}

/// An array of zero-initialised trivially copyable T that grows a chunk (2^16 elements) at a
/// time, so that growing never copies, and whose chunks can be released one by one.
template <class T>
class ChunkedArray {
 public:
  static constexpr std::size_t kChunkBits = 16;
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkBits;
  ChunkedArray() = default;
  ChunkedArray(const ChunkedArray&) = delete;
  ChunkedArray& operator=(const ChunkedArray&) = delete;
  ~ChunkedArray() { clear(); }

  std::size_t size() const noexcept { return size_; }
  T& operator[](std::size_t i) noexcept { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
  const T& operator[](std::size_t i) const noexcept {
    return chunks_[i >> kChunkBits][i & (kChunk - 1)];
  }
  /// Appends a zeroed element; returns its index.
  std::size_t grow() {
    if ((size_ & (kChunk - 1)) == 0) chunks_.push_back(static_cast<T*>(map_memory(bytes())));
    return size_++;
  }
  /// Releases chunk k (its elements must not be used again).
  void release_chunk(std::size_t k) noexcept {
    if (k < chunks_.size() && chunks_[k] != nullptr) {
      ::munmap(chunks_[k], bytes());
      chunks_[k] = nullptr;
    }
  }
  std::size_t chunks() const noexcept { return chunks_.size(); }
  void clear() noexcept {
    for (std::size_t k = 0; k < chunks_.size(); ++k) release_chunk(k);
    chunks_.clear();
    size_ = 0;
  }

 private:
  static constexpr std::size_t bytes() noexcept { return kChunk * sizeof(T); }
  std::vector<T*> chunks_;
  std::size_t size_ = 0;
};

/// A customer's id as kept in its record: byte 0 is the length (up to 15, the bytes follow,
/// zero-padded), or kLongId followed by the first 7 bytes and the offset of the whole id in the
/// shard's store of long ids.
struct InlineId {
  static constexpr unsigned char kLongId = 16;
  alignas(8) unsigned char bytes[16];

  /// The inline form of `id` (for a long id: without the offset).
  static InlineId of(std::string_view id) noexcept {
    InlineId k{};
    const std::size_t size = id.size();
    if constexpr (std::endian::native == std::endian::little) {
      // Two words from overlapping loads (a copy of variable length would be a call, and reading
      // its result back as words would stall on store forwarding): byte 0 the length, then the
      // id, zero-padded.
      const char* p = id.data();
      std::uint64_t first = 0, second = 0;
      if (size > 15) {
        first = kLongId | load64(p) << 8;
      } else {
        const std::uint64_t low = size >= 8 ? load64(p) : load_short(p, size);
        const std::uint64_t high = size > 8 ? load64(p + size - 8) >> (8 * (16 - size)) : 0;
        first = size | low << 8;
        second = low >> 56 | high << 8;
      }
      std::memcpy(k.bytes, &first, 8);
      std::memcpy(k.bytes + 8, &second, 8);
    } else if (size <= 15) {
      k.bytes[0] = static_cast<unsigned char>(size);
      std::memcpy(k.bytes + 1, id.data(), size);
    } else {
      k.bytes[0] = kLongId;
      std::memcpy(k.bytes + 1, id.data(), 7);
    }
    return k;
  }
  bool is_long() const noexcept { return bytes[0] == kLongId; }
  std::uint64_t word(int k) const noexcept {
    std::uint64_t w;
    std::memcpy(&w, bytes + 8 * k, 8);
    return w;
  }
  std::uint64_t long_offset() const noexcept { return word(1); }
  void set_long_offset(std::uint64_t offset) noexcept { std::memcpy(bytes + 8, &offset, 8); }
};

/// A row on its way into a shard.
struct BatchRow {
  std::uint64_t hash;
  InlineId id;
  double amount;
  double profit;
  std::int32_t day;
  std::uint32_t is_return;
  std::uint32_t long_offset;  // long ids: offset of the text in the batch's long_text
  std::uint32_t long_size;
};

using Days = PeriodDays<ExactSum>;

/// A customer while the file is read (one cache line).
struct alignas(64) Record {
  InlineId id;
  Days calibration;
};
static_assert(sizeof(Record) == 64);

}  // namespace

/// A customer's summary after the read, in place of its Record (one cache line).
struct SummaryTable::Result {
  InlineId id;
  std::int32_t first_purchase;
  std::int32_t last_purchase;
  std::uint32_t purchase_days;  // 0: no calibration purchase (no row)
  std::uint32_t holdout_days;
  double monetary_value;
  double revenue;
  double profit;
  double monetary_value_holdout;
};

/// The customers whose hash falls in one shard.
class SummaryTable::Shard {
  static_assert(sizeof(Result) == sizeof(Record));

 public:
  std::mutex mutex;

  void configure(const SummaryPeriods& periods, bool profit, bool holdout) {
    periods_ = periods;
    has_profit_ = profit;
    has_holdout_ = holdout;
  }
  bool refused() const noexcept { return refused_; }
  std::size_t size() const noexcept { return records_.size(); }

  /// Takes in rows [0, n) (under the lock).
  void take(const BatchRow* rows, std::size_t n, const std::string& long_text) {
    if (refused_ || n == 0) return;
    if (slots_ == nullptr) resize_slots(std::size_t{1} << 12);
    std::array<std::uint32_t, 2 * kBatch> candidate;
    // Pass 1: the home slot of every row.
    for (std::size_t i = 0; i < n; ++i) prefetch(slots_ + (rows[i].hash & mask_));
    // Pass 2: the first slot with the row's tag, and its record.
    for (std::size_t i = 0; i < n; ++i) {
      const auto tag = static_cast<std::uint32_t>(rows[i].hash);
      candidate[i] = kNone;
      for (std::size_t s = tag & mask_;; s = (s + 1) & mask_) {
        const std::uint64_t slot = slots_[s];
        if (slot == 0) break;
        if (static_cast<std::uint32_t>(slot >> 32) == tag) {
          candidate[i] = static_cast<std::uint32_t>(slot) - 1;
          prefetch(&records_[candidate[i]]);
          break;
        }
      }
    }
    // Pass 3: confirm (or find, or add) each row's record and take the row in, except that
    // the set of other days is only written to later (pending_) and a row that must look a day
    // up in it waits (deferred_): both hit the set at random places.
    pending_.clear();
    deferred_.clear();
    for (std::size_t i = 0; i < n && !refused_; ++i) {
      const BatchRow& row = rows[i];
      const std::string_view long_id =
          row.id.is_long() ? std::string_view(long_text).substr(row.long_offset, row.long_size)
                           : std::string_view();
      std::uint32_t record = candidate[i];
      if (record == kNone || !same_id(records_[record].id, row.id, long_id)) {
        record = find_or_add(row, long_id);
        if (refused_) break;
      }
      if (!take_row(record, row, /*defer=*/true)) deferred_.emplace_back(i, record);
    }
    if (pending_.empty() && deferred_.empty()) return;
    // Pass 4: room in the set, and its slots asked for. Pass 5: the set's work, in order.
    reserve_others(pending_.size() + deferred_.size());
    for (std::uint64_t key : pending_) prefetch(others_.data() + other_home(key));
    for (const auto& [i, record] : deferred_) {
      prefetch(others_.data() + other_home(other_key(record, rows[i].day)));
    }
    for (std::uint64_t key : pending_) insert_other(key);
    for (const auto& [i, record] : deferred_) {
      if (refused_) break;
      take_row(record, rows[i], /*defer=*/false);
    }
  }

  /// After the read: every record becomes its result in place; the table, the other days and
  /// the return lines are freed as they are used. Returns false when a sum overflowed.
  bool finish() {
    release_slots();
    std::sort(returns_.begin(), returns_.end(),
              [](const ReturnRow& a, const ReturnRow& b) { return a.record < b.record; });
    std::vector<ReturnLine<ExactSum>> lines;
    std::size_t next_return = 0;
    const Days no_days{};
    const ExactSum no_profit{};
    const std::size_t n = records_.size();
    for (std::size_t r = 0; r < n; ++r) {
      lines.clear();
      for (; next_return < returns_.size() && returns_[next_return].record == r; ++next_return) {
        lines.push_back(
            ReturnLine<ExactSum>{returns_[next_return].day, returns_[next_return].amount});
      }
      Record& record = records_[r];
      CustomerTotals t;
      if (!customer_totals<ExactSum>(record.calibration, has_holdout_ ? holdout_[r] : no_days,
                                     has_profit_ ? profit_[r] : no_profit, lines, periods_, t)) {
        refused_ = true;
      }
      const Result result{record.id,       t.first_purchase, t.last_purchase,
                          t.purchase_days, t.holdout_days,   t.monetary_value,
                          t.revenue,       t.profit,         t.monetary_value_holdout};
      std::memcpy(static_cast<void*>(&record), &result, sizeof(Result));
      // The holdout days and profits of a chunk of records are not needed once it is done.
      if (((r + 1) & (ChunkedArray<Record>::kChunk - 1)) == 0 || r + 1 == n) {
        const std::size_t chunk = r >> ChunkedArray<Record>::kChunkBits;
        holdout_.release_chunk(chunk);
        profit_.release_chunk(chunk);
      }
    }
    std::vector<ReturnRow>().swap(returns_);
    std::vector<std::uint64_t>().swap(others_);
    return !refused_;
  }

  const Result& result(std::size_t r) const noexcept {
    return *std::launder(reinterpret_cast<const Result*>(&records_[r]));
  }
  std::string_view id(const InlineId& id) const noexcept {
    if (!id.is_long()) {
      return std::string_view(reinterpret_cast<const char*>(id.bytes + 1), id.bytes[0]);
    }
    std::uint32_t size;
    std::memcpy(&size, long_ids_.data() + id.long_offset(), 4);
    return std::string_view(long_ids_).substr(id.long_offset() + 4, size);
  }

  /// Forgets every customer (a read that starts over).
  void clear() {
    release_slots();
    records_.clear();
    holdout_.clear();
    profit_.clear();
    std::vector<std::uint64_t>().swap(others_);
    others_used_ = 0;
    others_shift_ = 64;
    std::vector<ReturnRow>().swap(returns_);
    long_ids_.clear();
    refused_ = false;
  }

  ~Shard() { release_slots(); }

 private:
  static constexpr std::uint32_t kNone = UINT32_MAX;

  struct ReturnRow {
    std::uint32_t record;
    std::int32_t day;
    ExactSum amount;
  };

  bool same_id(const InlineId& stored, const InlineId& wanted,
               std::string_view long_id) const noexcept {
    if (stored.word(0) != wanted.word(0)) return false;
    if (!stored.is_long()) return stored.word(1) == wanted.word(1);
    return id(stored) == long_id;
  }

  std::uint32_t find_or_add(const BatchRow& row, std::string_view long_id) {
    const auto tag = static_cast<std::uint32_t>(row.hash);
    std::size_t s = tag & mask_;
    for (;; s = (s + 1) & mask_) {
      const std::uint64_t slot = slots_[s];
      if (slot == 0) break;
      if (static_cast<std::uint32_t>(slot >> 32) == tag) {
        const auto record = static_cast<std::uint32_t>(slot) - 1;
        if (same_id(records_[record].id, row.id, long_id)) return record;
      }
    }
    // A new customer.
    if (records_.size() >= (std::size_t{1} << kRecordBits) - 1) {
      refused_ = true;  // more than 268M customers in one shard
      return 0;
    }
    const auto record = static_cast<std::uint32_t>(records_.grow());
    if (has_holdout_) holdout_.grow();
    if (has_profit_) profit_.grow();
    InlineId id = row.id;
    if (id.is_long()) {
      id.set_long_offset(long_ids_.size());
      const auto size = static_cast<std::uint32_t>(long_id.size());
      long_ids_.append(reinterpret_cast<const char*>(&size), 4);
      long_ids_.append(long_id);
    }
    records_[record].id = id;
    slots_[s] = (std::uint64_t{tag} << 32) | (record + 1);
    if (++used_ * 4 > (mask_ + 1) * 3) resize_slots(2 * (mask_ + 1));
    return record;
  }

  /// The row `row` of customer `record`. With `defer`, a row whose day must be looked up among
  /// the other days is left untouched (false) and a day that becomes an other day is added to
  /// pending_ instead of the set (the caller adds it before the next lookup).
  bool take_row(std::uint32_t record, const BatchRow& row, bool defer) {
    const std::int32_t day = row.day;
    if (day > periods_.observation_end) return true;
    const bool calibration = day <= periods_.calibration_end;
    Days& p = calibration ? records_[record].calibration : holdout_[record];
    const bool lookup = row.is_return == 0 && !p.is_named(day) && p.may_be_other(day);
    if (defer && lookup) return false;
    ExactSum amount;
    if (!ExactSum::from(row.amount, amount)) {
      refused_ = true;
      return true;
    }
    if (calibration && has_profit_ && !profit_[record].add(row.profit)) {
      refused_ = true;
      return true;
    }
    if (row.is_return != 0) {
      if (!amount.is_zero()) returns_.push_back(ReturnRow{record, day, amount});
      return true;
    }
    const bool known = p.is_named(day) || (lookup && has_other(record, day));
    bool ok = false;
    const std::int32_t other = p.add_purchase(day, amount, !known, ok);
    if (!ok) {
      refused_ = true;
      return true;
    }
    if (other != Days::kNoDay) {
      if (defer) {
        pending_.push_back(other_key(record, other));
      } else {
        reserve_others(1);
        insert_other(other_key(record, other));
      }
    }
    return true;
  }

  // The other purchase days: a set of (record + 1) << 32 | day, open addressing (0 = empty).
  static std::uint64_t other_key(std::uint32_t record, std::int32_t day) noexcept {
    return (std::uint64_t{record} + 1) << 32 | static_cast<std::uint32_t>(day);
  }
  /// The home slot of `key` (the top bits of a multiplicative hash).
  std::size_t other_home(std::uint64_t key) const noexcept {
    return static_cast<std::size_t>((key * 0x9E3779B97F4A7C15ull) >> others_shift_);
  }
  bool has_other(std::uint32_t record, std::int32_t day) const noexcept {
    if (others_.empty()) return false;
    const std::uint64_t key = other_key(record, day);
    const std::size_t mask = others_.size() - 1;
    for (std::size_t s = other_home(key);; s = (s + 1) & mask) {
      if (others_[s] == key) return true;
      if (others_[s] == 0) return false;
    }
  }
  /// Room for `more` keys (the set is at most 4/5 full: at 20M customers it holds tens of
  /// millions of days, and linear probing over 8-key cache lines stays short).
  void reserve_others(std::size_t more) {
    if ((others_used_ + more) * 5 <= others_.size() * 4) return;
    std::size_t size = std::max<std::size_t>(1024, others_.size());
    while ((others_used_ + more) * 5 > size * 4) size *= 2;
    std::vector<std::uint64_t> old(size, 0);
    old.swap(others_);
    others_shift_ = 64 - std::countr_zero(size);
    others_used_ = 0;
    for (std::uint64_t key : old) {
      if (key != 0) insert_other(key);
    }
  }
  void insert_other(std::uint64_t key) {
    const std::size_t mask = others_.size() - 1;
    std::size_t s = other_home(key);
    while (others_[s] != 0) s = (s + 1) & mask;
    others_[s] = key;
    ++others_used_;
  }

  /// A table of `size` slots (a power of two) holding every record.
  void resize_slots(std::size_t size) {
    auto* fresh = static_cast<std::uint64_t*>(map_memory(size * sizeof(std::uint64_t)));
    const std::size_t mask = size - 1;
    for (std::size_t s = 0; slots_ != nullptr && s <= mask_; ++s) {
      const std::uint64_t slot = slots_[s];
      if (slot == 0) continue;
      std::size_t t = static_cast<std::uint32_t>(slot >> 32) & mask;
      while (fresh[t] != 0) t = (t + 1) & mask;
      fresh[t] = slot;
    }
    release_slots();
    slots_ = fresh;
    mask_ = mask;
  }
  void release_slots() noexcept {
    if (slots_ != nullptr) ::munmap(slots_, (mask_ + 1) * sizeof(std::uint64_t));
    slots_ = nullptr;
    mask_ = 0;
    if (records_.size() == 0) used_ = 0;
  }

  SummaryPeriods periods_;
  bool has_profit_ = false, has_holdout_ = false;
  bool refused_ = false;  // a value or sum an ExactSum cannot hold
  // Slots: tag (the hash's low 32 bits) << 32 | record + 1; 0 = empty.
  std::uint64_t* slots_ = nullptr;
  std::size_t mask_ = 0;
  std::size_t used_ = 0;
  ChunkedArray<Record> records_;
  ChunkedArray<Days> holdout_;
  ChunkedArray<ExactSum> profit_;
  std::vector<std::uint64_t> others_;
  std::size_t others_used_ = 0;
  int others_shift_ = 64;
  // Work of the batch being taken: other days to add, rows waiting for a lookup.
  std::vector<std::uint64_t> pending_;
  std::vector<std::pair<std::size_t, std::uint32_t>> deferred_;
  std::vector<ReturnRow> returns_;
  std::string long_ids_;  // each: 4-byte length, then the bytes
};

/// The rows of one part of the file, batched by shard.
class SummaryTable::Part : public RowSink {
 public:
  Part(SummaryTable& table, int index) : table_(table), index_(index) {}

  bool start(const RowLayout& layout) override {
    // Order ids would need a distinct count per customer: such input is read into a log.
    if (layout.order) return decline();
    // Part 0 starts again only when a parallel read is repeated sequentially (no other part
    // is being read then): every customer taken so far is forgotten.
    if (index_ == 0 && started_) {
      for (auto& shard : table_.shards_) shard->clear();
    }
    started_ = true;
    layout_ = layout;
    for (Batch& b : batches_) b.clear();
    // Every part has the same layout: the shards learn what to keep before this part's rows.
    for (auto& shard : table_.shards_) {
      const std::lock_guard lock(shard->mutex);
      shard->configure(table_.periods_, layout.profit, table_.has_holdout_);
    }
    return !table_.declined_.load(std::memory_order_relaxed);
  }

  bool add(const LoadedRow& row) override {
    const std::uint64_t hash = hash_id(row.customer);
    const std::size_t s = hash >> (64 - kShardBits);
    Batch& batch = batches_[s];
    BatchRow& r = batch.rows[batch.size++];
    r.hash = hash;
    r.id = InlineId::of(row.customer);
    r.amount = row.amount;
    r.profit = row.profit;
    r.day = row.day;
    r.is_return = row.amount < 0 || row.quantity < 0;
    if (row.customer.size() > 15) {
      r.long_offset = static_cast<std::uint32_t>(batch.long_text.size());
      r.long_size = static_cast<std::uint32_t>(row.customer.size());
      batch.long_text.append(row.customer);
    }
    if (batch.size >= kBatch) {
      flush(s, batch.size >= 2 * kBatch);
      return !table_.declined_.load(std::memory_order_relaxed);
    }
    return true;
  }

  bool finish() override {
    for (std::size_t s = 0; s < kShards; ++s) flush(s, true);
    return !table_.declined_.load(std::memory_order_relaxed);
  }

  const RowLayout& layout() const noexcept { return layout_; }

 private:
  struct Batch {
    std::array<BatchRow, 2 * kBatch> rows;
    std::size_t size = 0;
    std::string long_text;
    void clear() noexcept {
      size = 0;
      long_text.clear();
    }
  };

  bool decline() {
    table_.declined_.store(true, std::memory_order_relaxed);
    return false;
  }

  /// Takes batch s into its shard: when `wait`, or else only when the shard is free (the batch
  /// has room for as many rows again).
  void flush(std::size_t s, bool wait) {
    Batch& batch = batches_[s];
    if (batch.size == 0) return;
    Shard& shard = *table_.shards_[s];
    std::unique_lock lock(shard.mutex, std::defer_lock);
    if (wait) {
      lock.lock();
    } else if (!lock.try_lock()) {
      return;
    }
    shard.take(batch.rows.data(), batch.size, batch.long_text);
    if (shard.refused()) decline();
    batch.clear();
  }

  SummaryTable& table_;
  int index_;
  bool started_ = false;
  RowLayout layout_;
  std::array<Batch, kShards> batches_;
};

SummaryTable::SummaryTable(const SummaryOptions& options) : options_(options) {
  periods_.calibration_end = options.calibration_end.value_or(INT32_MAX);
  periods_.observation_end = options.observation_end.value_or(INT32_MAX);
  has_holdout_ = options.calibration_end.has_value();
  for (std::size_t s = 0; s < kShards; ++s) shards_.push_back(std::make_unique<Shard>());
  part(0);
}

SummaryTable::~SummaryTable() = default;

RowSink& SummaryTable::part(int k) {
  const auto index = static_cast<std::size_t>(std::max(k, 0));
  while (parts_.size() <= index) {
    parts_.push_back(std::make_unique<Part>(*this, static_cast<int>(parts_.size())));
  }
  return *parts_[index];
}

bool SummaryTable::join(int parts) {
  if (parts < 1 || static_cast<std::size_t>(parts) > parts_.size() || declined_.load()) {
    return false;
  }
  has_profit_ = parts_[0]->layout().profit;
  // Records become results, shard by shard on two threads.
  std::atomic<bool> exact{true};
  auto finish_shards = [&](std::size_t from) {
    for (std::size_t s = from; s < kShards; s += 2) {
      if (!shards_[s]->finish()) exact = false;
    }
  };
  std::thread helper(finish_shards, std::size_t{1});
  finish_shards(0);
  helper.join();
  if (!exact) return false;
  customers_loaded_ = 0;
  for (const auto& shard : shards_) customers_loaded_ += shard->size();
  // The customers with a calibration purchase, sorted by id.
  std::size_t stored = 0;
  for (std::size_t s = 0; s < kShards; ++s) {
    for (std::size_t r = 0; r < shards_[s]->size(); ++r) {
      stored += shards_[s]->result(r).purchase_days > 0;
    }
  }
  std::vector<std::uint32_t> refs;
  refs.reserve(stored);
  for (std::size_t s = 0; s < kShards; ++s) {
    for (std::size_t r = 0; r < shards_[s]->size(); ++r) {
      if (shards_[s]->result(r).purchase_days > 0) {
        refs.push_back(static_cast<std::uint32_t>(s << kRecordBits | r));
      }
    }
  }
  auto id_of = [&](std::uint32_t i) -> std::string_view {
    const std::uint32_t ref = refs[i];
    const Shard& shard = *shards_[ref >> kRecordBits];
    return shard.id(shard.result(ref & ((1u << kRecordBits) - 1)).id);
  };
  {
    const detail::IdKeys keys(refs.size(), id_of);
    std::vector<detail::IdSortEntry> entries(refs.size());
    for (std::size_t i = 0; i < refs.size(); ++i) {
      entries[i] = keys.entry(id_of(static_cast<std::uint32_t>(i)), static_cast<std::uint32_t>(i));
    }
    detail::sort_id_entries(entries, id_of, order_);
  }
  for (std::uint32_t& i : order_) i = refs[i];
  return true;
}

void SummaryTable::finish(const LoadedDays& days) {
  header_ = detail::summary_header(days.first, days.last, parts_[0]->layout().amount, has_profit_,
                                   options_);
}

const SummaryTable::Result& SummaryTable::result(std::uint32_t ref) const noexcept {
  return shards_[ref >> kRecordBits]->result(ref & ((1u << kRecordBits) - 1));
}

void SummaryTable::build(std::size_t begin, std::size_t end, CustomerSummary& out) const {
  detail::copy_header(header_, out);
  end = std::min(end, customers());
  begin = std::min(begin, end);
  const std::size_t n = end - begin;
  auto size = [](std::size_t k, auto&... v) { (v.resize(k), ...); };
  size(n, out.customer, out.frequency, out.recency, out.T, out.monetary_value, out.first_purchase,
       out.last_purchase, out.orders, out.revenue);
  size(header_.has_profit ? n : 0, out.profit);
  size(header_.has_holdout ? n : 0, out.frequency_holdout, out.monetary_value_holdout);
  const double unit = days_per_unit(header_.time_unit);
  constexpr std::size_t kAhead = 8;  // results are read in id order: at random places
  for (std::size_t k = 0; k < std::min(n, kAhead); ++k) prefetch(&result(order_[begin + k]));
  for (std::size_t k = 0; k < n; ++k) {
    if (k + kAhead < n) prefetch(&result(order_[begin + k + kAhead]));
    const Result& r = result(order_[begin + k]);
    out.customer[k] = static_cast<std::uint32_t>(begin + k);
    out.frequency[k] = static_cast<double>(r.purchase_days - 1);
    out.recency[k] = (r.last_purchase - r.first_purchase) / unit;
    out.T[k] = (header_.calibration_end - r.first_purchase) / unit;
    out.monetary_value[k] = r.monetary_value;
    out.first_purchase[k] = r.first_purchase;
    out.last_purchase[k] = r.last_purchase;
    out.orders[k] = static_cast<std::int64_t>(r.purchase_days);
    out.revenue[k] = r.revenue;
    if (header_.has_profit) out.profit[k] = r.profit;
    if (header_.has_holdout) {
      out.frequency_holdout[k] = static_cast<double>(r.holdout_days);
      out.monetary_value_holdout[k] = r.monetary_value_holdout;
    }
  }
}

std::string_view SummaryTable::customer_id(std::uint32_t customer) const {
  const std::uint32_t ref = order_[customer];
  const Shard& shard = *shards_[ref >> kRecordBits];
  return shard.id(shard.result(ref & ((1u << kRecordBits) - 1)).id);
}

}  // namespace ltv
