// Customer summaries as CSV or JSON (see ltv/io/summary_writer.hpp).
#include "ltv/io/summary_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>

#include "ltv/dates.hpp"
#include "ltv/io/csv_writer.hpp"

namespace ltv {

/// Memoised cell texts for one formatting thread. recency, T and duration_holdout are whole days
/// over the time unit (213 / 7.0): their shortest form (the costly part of formatting a double)
/// is kept per whole number of days; dates are kept per day number. A kept text is copied as a
/// fixed kCell bytes (two vector moves, no call): the caller leaves that much room for each.
class SummaryCellCache {
 public:
  /// Room a cell needs: the longest text written (a double's shortest form, "-5877641-06-23") and
  /// the fixed-size copy of a kept text.
  static constexpr std::size_t kCell = 32;
  static_assert(kNumberChars <= kCell);

  explicit SummaryCellCache(double unit) : unit_(unit) {}

  /// Writes the text of number(value) in the summary CSV; returns its end.
  char* write_days(char* out, double value) {
    const double k = std::nearbyint(value * unit_);
    if (k >= 0 && k < static_cast<double>(kDays) && k / unit_ == value) {
      if (days_.empty()) days_.resize(kDays);
      Text& text = days_[static_cast<std::size_t>(k)];
      if (text.size == 0) text.set(format_number(value));  // never empty for a finite value
      return text.copy_to(out);
    }
    return write_number(out, value);
  }

  /// Writes format_date(day); returns its end.
  char* write_date(char* out, std::int32_t day) {
    if (dates_.empty()) first_day_ = day - kDays / 2;
    const std::int64_t index = std::int64_t{day} - first_day_;
    if (index < 0 || index >= static_cast<std::int64_t>(kDays)) {
      const std::string text = format_date(day);
      std::memcpy(out, text.data(), text.size());
      return out + text.size();
    }
    if (dates_.empty()) dates_.resize(kDays);
    Text& text = dates_[static_cast<std::size_t>(index)];
    if (text.size == 0) text.set(format_date(day));
    return text.copy_to(out);
  }

 private:
  struct Text {
    char bytes[kCell] = {};
    std::uint8_t size = 0;
    void set(const std::string& text) {
      std::memcpy(bytes, text.data(), std::min(text.size(), kCell));
      size = static_cast<std::uint8_t>(std::min(text.size(), kCell));
    }
    char* copy_to(char* out) const {
      std::memcpy(out, bytes, kCell);
      return out + size;
    }
  };
  static constexpr std::size_t kDays = std::size_t{1} << 16;
  double unit_;
  std::vector<Text> days_;   // text of k / unit_, by k
  std::vector<Text> dates_;  // text of first_day_ + i, by i
  std::int32_t first_day_ = 0;
};

namespace {

/// Appends the CSV text of summary rows [begin, end) to `out`: the cells, in the order and form
/// RowWriter writes (fields quoted when needed, doubles in shortest form, money rounded to 12
/// significant digits, empty cells for missing values).
void append_summary_csv_rows(TextBuffer& out, SummaryCellCache& cache, const SummaryRanges& source,
                             const CustomerSummary& s, std::size_t begin, std::size_t end) {
  // Room for a row besides its id: 12 cells and 13 separators.
  constexpr std::size_t kCells = 12 * SummaryCellCache::kCell + 13;
  for (std::size_t i = begin; i < end; ++i) {
    const std::string_view id = source.customer_id(s.customer[i]);
    char* p = out.room(2 * id.size() + 2 + kCells);
    // Money sums carry float noise (74.02000000000001): 12 significant digits are exact for any
    // realistic amount.
    auto money = [&](double v) {
      if (s.has_amount) p = write_rounded(p, v, 12);
    };
    p = write_csv_field(p, id);
    *p++ = ',';
    p = write_number(p, s.frequency[i]);
    *p++ = ',';
    p = cache.write_days(p, s.recency[i]);
    *p++ = ',';
    p = cache.write_days(p, s.T[i]);
    *p++ = ',';
    money(s.monetary_value[i]);
    *p++ = ',';
    p = cache.write_date(p, s.first_purchase[i]);
    *p++ = ',';
    p = cache.write_date(p, s.last_purchase[i]);
    *p++ = ',';
    const fmt::format_int orders(s.orders[i]);  // at most 20 characters
    p = std::copy(orders.data(), orders.data() + orders.size(), p);
    *p++ = ',';
    money(s.revenue[i]);
    if (s.has_profit) {
      *p++ = ',';
      p = write_rounded(p, s.profit[i], 12);
    }
    if (s.has_holdout) {
      *p++ = ',';
      p = write_number(p, s.frequency_holdout[i]);
      *p++ = ',';
      money(s.monetary_value_holdout[i]);
      *p++ = ',';
      p = cache.write_days(p, s.duration_holdout);
    }
    *p++ = '\n';
    out.commit(p);
  }
}

}  // namespace

SummaryWriter::SummaryWriter(std::ostream& out, OutputFormat format, bool has_profit,
                             bool has_holdout)
    : out_(out), format_(format) {
  std::vector<std::string> columns{"customer_id",    "frequency",      "recency",       "T",
                                   "monetary_value", "first_purchase", "last_purchase", "orders",
                                   "revenue"};
  if (has_profit) columns.emplace_back("profit");
  if (has_holdout) {
    columns.insert(columns.end(),
                   {"frequency_holdout", "monetary_value_holdout", "duration_holdout"});
  }
  writer_ = std::make_unique<RowWriter>(out_, format_, std::move(columns));
  // CSV rows are formatted in parallel by write(): the header goes out now.
  if (format_ == OutputFormat::csv) writer_->finish();
}

SummaryWriter::~SummaryWriter() {
  if (writing_.joinable()) writing_.join();
}

void SummaryWriter::write(const SummaryRanges& source, std::size_t begin, std::size_t end) {
  if (format_ == OutputFormat::csv) {
    // Two threads each build the summaries of half the range and format them into their own
    // buffers (kept from range to range); the text is written in order.
    const double unit = days_per_unit(source.header().time_unit);
    for (auto& cache : caches_) {
      if (!cache) cache = std::make_unique<SummaryCellCache>(unit);
    }
    const std::size_t middle = begin + (end - begin) / 2;
    auto half = [&](std::size_t k, std::size_t from, std::size_t to) {
      source.build(from, to, parts_[k]);
      texts_[k].clear();
      append_summary_csv_rows(texts_[k], *caches_[k], source, parts_[k], 0, parts_[k].size());
    };
    std::exception_ptr error;
    std::thread worker([&] {
      try {
        half(1, middle, end);
      } catch (...) {
        error = std::current_exception();
      }
    });
    try {
      half(0, begin, middle);
    } catch (...) {
      worker.join();
      throw;
    }
    worker.join();
    if (error) std::rethrow_exception(error);
    // The range is written on another thread while the next one is built and formatted (writing
    // to the page cache is a copy as long as the formatting).
    if (writing_.joinable()) writing_.join();
    std::swap(texts_, written_);
    writing_ = std::thread([this] {
      for (const TextBuffer& text : written_) {
        out_.write(text.data(), static_cast<std::streamsize>(text.size()));
      }
    });
    return;
  }
  CustomerSummary& s = parts_[0];
  source.build(begin, end, s);
  RowWriter& w = *writer_;
  // Count-only data (no amount column): money columns are missing, not zero.
  const double kMissing = std::numeric_limits<double>::quiet_NaN();
  // Money sums carry float noise (74.02000000000001): 12 significant digits are exact for any
  // realistic amount. recency and T are written in full (they are exact ratios like 213/7).
  auto money = [](double v) { return round_significant(v, 12); };
  for (std::size_t i = 0; i < s.size(); ++i) {
    w.text(source.customer_id(s.customer[i]))
        .number(s.frequency[i])
        .number(s.recency[i])
        .number(s.T[i])
        .number(s.has_amount ? money(s.monetary_value[i]) : kMissing)
        .text(format_date(s.first_purchase[i]))
        .text(format_date(s.last_purchase[i]))
        .integer(s.orders[i])
        .number(s.has_amount ? money(s.revenue[i]) : kMissing);
    if (s.has_profit) w.number(money(s.profit[i]));
    if (s.has_holdout) {
      w.number(s.frequency_holdout[i])
          .number(s.has_amount ? money(s.monetary_value_holdout[i]) : kMissing)
          .number(s.duration_holdout);
    }
    w.end_row();
  }
}

void SummaryWriter::finish() {
  if (writing_.joinable()) writing_.join();
  writer_->finish();
}

}  // namespace ltv
