#include "ltv/data/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <numeric>
#include <thread>

#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "math/parallel.hpp"
#include "summary_detail.hpp"

namespace ltv {

double days_per_unit(TimeUnit unit) noexcept {
  switch (unit) {
    case TimeUnit::day:
      return 1.0;
    case TimeUnit::week:
      return 7.0;
    case TimeUnit::month:
      return 365.25 / 12.0;
  }
  return 7.0;
}

std::string_view to_string(TimeUnit unit) noexcept {
  switch (unit) {
    case TimeUnit::day:
      return "day";
    case TimeUnit::week:
      return "week";
    case TimeUnit::month:
      return "month";
  }
  return "week";
}

TimeUnit parse_time_unit(std::string_view text) {
  if (text == "day" || text == "days") return TimeUnit::day;
  if (text == "week" || text == "weeks") return TimeUnit::week;
  if (text == "month" || text == "months") return TimeUnit::month;
  parameter_error("time_unit", std::string(text), "one of day, week, month");
}

namespace {

/// The lines of the log grouped by customer: lines of customer c are positions
/// `offsets[c] .. offsets[c+1]`, in input order. When the log already holds each customer's lines
/// together (codes are handed out in order of first appearance, so that is a non-decreasing
/// customer column, the usual layout of exports and of `ltv simulate`), the arrays point into
/// the log and nothing is copied, and the offsets of a range of customers are found when it is
/// summarised (no array of offsets for every customer). Otherwise the lines are copied by a
/// counting sort into contiguous arrays, so that each customer's lines are read from one place
/// (reading them through row indices costs a cache miss per line when customers are interleaved).
struct LinesByCustomer {
  std::vector<std::uint64_t> offsets;       // copied lines: customer_count + 1 entries
  const std::uint32_t* customer = nullptr;  // lines in place: the log's (sorted) customer column
  std::size_t rows = 0;
  const std::int32_t* day = nullptr;
  const double* amount = nullptr;           // when the log has amounts
  const double* profit = nullptr;           // when the log has profits
  const double* quantity = nullptr;         // in the log (grouped logs only), when it has them
  const std::uint8_t* is_return = nullptr;  // copied lines: negative amount or quantity
  const std::uint32_t* order = nullptr;     // order codes, when the log has orders
  // Storage of the copied lines.
  std::vector<std::int32_t> day_copy;
  std::vector<double> amount_copy, profit_copy;
  std::vector<std::uint8_t> is_return_copy;
  std::vector<std::uint32_t> order_copy;

  /// The first line of each customer c0 .. c1 - 1 and the end of the last one's lines:
  /// offsets[c0 .. c1], from `offsets` or, for lines in place, found in the customer column.
  const std::uint64_t* range_offsets(std::size_t c0, std::size_t c1,
                                     std::vector<std::uint64_t>& scratch) const {
    if (!offsets.empty()) return offsets.data() + c0;
    scratch.resize(c1 - c0 + 1);
    const auto* const first = std::lower_bound(customer, customer + rows, c0);
    auto r = static_cast<std::uint64_t>(first - customer);
    scratch[0] = r;
    for (std::size_t c = c0; c < c1; ++c) {
      while (r < rows && customer[r] == c) ++r;
      scratch[c - c0 + 1] = r;
    }
    return scratch.data();
  }

  /// The lines [first, second) of customer c (a log index), found by binary search for lines in
  /// place.
  std::pair<std::uint64_t, std::uint64_t> lines_of(std::uint32_t c) const {
    if (!offsets.empty()) return {offsets[c], offsets[c + 1]};
    const auto range = std::equal_range(customer, customer + rows, c);
    return {static_cast<std::uint64_t>(range.first - customer),
            static_cast<std::uint64_t>(range.second - customer)};
  }

  bool returned(std::uint64_t r) const noexcept {
    if (is_return) return is_return[r] != 0;
    return (amount && amount[r] < 0) || (quantity && quantity[r] < 0);
  }
};

LinesByCustomer group_lines(const TransactionLog& log) {
  LinesByCustomer g;
  const std::size_t n = log.size();
  const bool has_amount = log.has_amount(), has_profit = log.has_profit(),
             has_quantity = !log.quantity.empty(), has_order = log.order.has_value();
  if (std::is_sorted(log.customer.begin(), log.customer.end())) {
    g.customer = log.customer.data();
    g.rows = n;
    g.day = log.day.data();
    if (has_amount) g.amount = log.amount.data();
    if (has_profit) g.profit = log.profit.data();
    if (has_quantity) g.quantity = log.quantity.data();
    if (has_order) g.order = log.order->codes.data();
    return g;
  }
  g.offsets.assign(log.customer_count() + 1, 0);
  for (std::uint32_t c : log.customer) ++g.offsets[c + 1];
  std::partial_sum(g.offsets.begin(), g.offsets.end(), g.offsets.begin());
  g.day_copy.resize(n);
  g.is_return_copy.resize(n);
  if (has_amount) g.amount_copy.resize(n);
  if (has_profit) g.profit_copy.resize(n);
  if (has_order) g.order_copy.resize(n);
  std::vector<std::uint64_t> next(g.offsets.begin(), g.offsets.end() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t p = next[log.customer[i]]++;
    g.day_copy[p] = log.day[i];
    g.is_return_copy[p] =
        (has_amount && log.amount[i] < 0) || (has_quantity && log.quantity[i] < 0);
    if (has_amount) g.amount_copy[p] = log.amount[i];
    if (has_profit) g.profit_copy[p] = log.profit[i];
    if (has_order) g.order_copy[p] = log.order->codes[i];
  }
  g.day = g.day_copy.data();
  g.is_return = g.is_return_copy.data();
  if (has_amount) g.amount = g.amount_copy.data();
  if (has_profit) g.profit = g.profit_copy.data();
  if (has_order) g.order = g.order_copy.data();
  return g;
}

}  // namespace

namespace detail {

CustomerSummary summary_header(std::optional<std::int32_t> first, std::optional<std::int32_t> last,
                               bool has_amount, bool has_profit, const SummaryOptions& options) {
  CustomerSummary s;
  s.time_unit = options.time_unit;
  if (!first || !last) return s;
  const std::int32_t first_day = *first, last_day = *last;
  s.has_amount = has_amount;
  s.has_profit = has_profit;
  s.calibration_end = options.calibration_end.value_or(last_day);
  s.observation_end = options.observation_end.value_or(std::max(last_day, s.calibration_end));
  if (s.observation_end < s.calibration_end) {
    parameter_error("observation_end", format_date(s.observation_end),
                    "a date on or after --calibration-end");
  }
  if (s.calibration_end < first_day) {
    parameter_error("calibration_end", format_date(s.calibration_end),
                    "a date on or after the first purchase in the data");
  }
  s.has_holdout = options.calibration_end.has_value() && s.observation_end > s.calibration_end;
  const double unit = days_per_unit(options.time_unit);
  s.duration_holdout = s.has_holdout ? (s.observation_end - s.calibration_end) / unit : 0.0;
  return s;
}

void copy_header(const CustomerSummary& header, CustomerSummary& out) {
  out.time_unit = header.time_unit;
  out.calibration_end = header.calibration_end;
  out.observation_end = header.observation_end;
  out.has_holdout = header.has_holdout;
  out.has_amount = header.has_amount;
  out.has_profit = header.has_profit;
  out.duration_holdout = header.duration_holdout;
}

std::array<unsigned char, 16> id_prefix(std::string_view id) noexcept {
  std::array<unsigned char, 16> p{};
  const std::size_t size = std::min<std::size_t>(id.size(), 65535);
  p[0] = static_cast<unsigned char>(size >> 8);
  p[1] = static_cast<unsigned char>(size & 0xff);
  std::memcpy(p.data() + 2, id.data(), std::min<std::size_t>(id.size(), 14));
  return p;
}

IdKeys::IdKeys(std::size_t n, const std::function<std::string_view(std::uint32_t)>& id) {
  if (n == 0) return;
  const auto first = id_prefix(id(0));
  std::array<unsigned char, 16> differs{};
  for (std::size_t i = 1; i < n; ++i) {
    const auto p = id_prefix(id(static_cast<std::uint32_t>(i)));
    for (std::size_t b = 0; b < 16; ++b) differs[b] |= static_cast<unsigned char>(p[b] ^ first[b]);
  }
  for (std::size_t b = 0; b < 16 && used_ < 8; ++b) {
    if (differs[b] != 0) positions_[used_++] = static_cast<unsigned char>(b);
  }
}

IdSortEntry IdKeys::entry(std::string_view id, std::uint32_t index) const noexcept {
  const auto p = id_prefix(id);
  std::uint64_t key = 0;
  for (std::size_t k = 0; k < used_; ++k) key = (key << 8) | p[positions_[k]];
  // No differing byte (one customer, or ids equal in their first 16 bytes): the key is 0; a
  // shift by 64 would be undefined.
  if (used_ > 0 && used_ < 8) key <<= 8 * (8 - used_);
  return IdSortEntry{static_cast<std::uint32_t>(key >> 32), static_cast<std::uint32_t>(key), index};
}

void sort_id_entries(std::vector<IdSortEntry>& entries,
                     const std::function<std::string_view(std::uint32_t)>& id,
                     std::vector<std::uint32_t>& order) {
  auto before = [&](const IdSortEntry& a, const IdSortEntry& b) {
    if (a.key_high != b.key_high) return a.key_high < b.key_high;
    if (a.key_low != b.key_low) return a.key_low < b.key_low;
    const std::string_view x = id(a.index), y = id(b.index);
    if (x != y) return id_before(x, y);
    return a.index < b.index;
  };
  // Two halves sorted on two threads, then merged into the result.
  const std::size_t n = entries.size();
  const std::size_t half = n / 2;
  std::exception_ptr error;
  std::thread helper([&] {
    try {
      std::sort(entries.begin() + static_cast<std::ptrdiff_t>(half), entries.end(), before);
    } catch (...) {
      error = std::current_exception();
    }
  });
  try {
    std::sort(entries.begin(), entries.begin() + static_cast<std::ptrdiff_t>(half), before);
  } catch (...) {
    helper.join();
    throw;
  }
  helper.join();
  if (error) std::rethrow_exception(error);
  order.resize(n);
  std::size_t a = 0, b = half, k = 0;
  while (a < half && b < n) {
    order[k++] = before(entries[b], entries[a]) ? entries[b++].index : entries[a++].index;
  }
  while (a < half) order[k++] = entries[a++].index;
  while (b < n) order[k++] = entries[b++].index;
}

}  // namespace detail

namespace {

using detail::copy_header;
using detail::summary_header;

/// summary_header() of a log.
CustomerSummary summary_header(const TransactionLog& log, const SummaryOptions& options) {
  if (log.size() == 0) return summary_header(std::nullopt, std::nullopt, false, false, options);
  const auto [min_it, max_it] = std::minmax_element(log.day.begin(), log.day.end());
  return summary_header(*min_it, *max_it, log.has_amount(), log.has_profit(), options);
}

/// What the summary holds of one customer (before recency and T, which are computed from first
/// and last in the time unit).
struct CustomerResult {
  CustomerTotals totals;
  std::int64_t orders = 0;
};

/// Which lines count, and what is computed, for every customer.
struct CustomerRules {
  SummaryPeriods periods;
  bool has_amount = false, has_profit = false, has_orders = false, has_holdout = false;
};

/// Scratch space of one thread (kept from customer to customer).
struct CustomerScratch {
  CustomerAccumulator exact;
  WideCustomerAccumulator wide;  // for a customer with a value ExactSum cannot hold
  std::vector<std::uint32_t> order_codes;
};

/// Adds g's lines [begin, end) to `acc`; false when a sum refused a value.
template <class Accumulator>
bool accumulate_lines(const LinesByCustomer& g, std::uint64_t begin, std::uint64_t end,
                      const CustomerRules& s, Accumulator& acc) {
  acc.clear();
  for (std::uint64_t r = begin; r < end; ++r) {
    const double amount = s.has_amount ? g.amount[r] : 0.0;
    const double profit = s.has_profit ? g.profit[r] : 0.0;
    if (!acc.add(s.periods, g.day[r], amount, profit, g.returned(r))) return false;
  }
  return true;
}

/// Throws InputError naming the customer when a money sum of its summary is not finite (it
/// cannot be with loaded values bounded by LoadOptions::max_abs_value; checked at the sink all
/// the same): never an infinite value written as an empty cell.
void check_finite_sums(const TransactionLog& log, std::size_t customer, const CustomerTotals& t) {
  if (std::isfinite(t.revenue) && std::isfinite(t.monetary_value) && std::isfinite(t.profit) &&
      std::isfinite(t.monetary_value_holdout)) {
    return;
  }
  input_error(SourceLocation{"", 0, "customer"}, log.customer_ids[customer],
              "amounts whose sums per customer are finite numbers (this customer's revenue "
              "or profit overflows)");
}

/// The summary of the customer whose lines are g's lines [begin, end), in `out`; false when the
/// customer has no purchase in the calibration period. The lines may come in any order.
bool summarize_customer(const LinesByCustomer& g, std::uint64_t begin, std::uint64_t end,
                        const CustomerRules& s, CustomerScratch& scratch, CustomerResult& out) {
  if (!accumulate_lines(g, begin, end, s, scratch.exact) ||
      !scratch.exact.totals(s.periods, out.totals)) {
    accumulate_lines(g, begin, end, s, scratch.wide);
    scratch.wide.totals(s.periods, out.totals);
  }
  if (out.totals.purchase_days == 0) return false;
  if (s.has_orders) {
    // Distinct orders among the calibration purchase lines.
    std::vector<std::uint32_t>& codes = scratch.order_codes;
    codes.clear();
    for (std::uint64_t r = begin; r < end; ++r) {
      if (g.day[r] <= s.periods.calibration_end && !g.returned(r)) codes.push_back(g.order[r]);
    }
    std::sort(codes.begin(), codes.end());
    out.orders = std::unique(codes.begin(), codes.end()) - codes.begin();
  } else {
    out.orders = static_cast<std::int64_t>(out.totals.purchase_days);
  }
  return true;
}

/// Summaries of the customers at positions 0 .. n-1 (position i: log customer code(i), whose lines
/// are g's lines lines(i)) into `s` (which carries the header fields), on the OpenMP threads when
/// `parallel`, else on the calling thread. Positions without a calibration purchase give no row.
template <class Code, class Lines>
void summarize_range(const TransactionLog& log, const LinesByCustomer& g, std::size_t n_customers,
                     Code code, Lines lines, CustomerSummary& s, bool parallel) {
  const double unit = days_per_unit(s.time_unit);

  // Per-customer results, computed in place in the summary's columns by position; positions
  // with no calibration purchase are marked by first_purchase == INT32_MAX and removed at the
  // end (in place: no second copy of the columns).
  s.customer.resize(n_customers);
  s.frequency.resize(n_customers);
  s.recency.resize(n_customers);
  s.T.resize(n_customers);
  s.monetary_value.resize(n_customers);
  s.revenue.resize(n_customers);
  s.profit.resize(s.has_profit ? n_customers : 0);
  s.frequency_holdout.resize(s.has_holdout ? n_customers : 0);
  s.monetary_value_holdout.resize(s.has_holdout ? n_customers : 0);
  s.first_purchase.resize(n_customers);
  s.last_purchase.resize(n_customers);
  s.orders.resize(n_customers);
  std::uint32_t* customer = s.customer.data();
  double* frequency = s.frequency.data();
  double* recency = s.recency.data();
  double* big_t = s.T.data();
  double* monetary = s.monetary_value.data();
  double* revenue = s.revenue.data();
  double* profit = s.profit.data();
  double* frequency_holdout = s.frequency_holdout.data();
  double* monetary_holdout = s.monetary_value_holdout.data();
  std::int32_t* first = s.first_purchase.data();
  std::int32_t* last = s.last_purchase.data();
  std::int64_t* orders = s.orders.data();

  CustomerRules rules;
  rules.periods = SummaryPeriods{s.calibration_end, s.observation_end};
  rules.has_amount = s.has_amount;
  rules.has_profit = s.has_profit;
  rules.has_orders = log.order.has_value();
  rules.has_holdout = s.has_holdout;
  detail::ParallelErrors errors;
#pragma omp parallel if (parallel)
  {
    CustomerScratch scratch;
    CustomerResult c;
#pragma omp for schedule(dynamic, 4096)
    for (std::size_t i = 0; i < n_customers; ++i) {
      errors.run([&] {
        const auto [begin, end] = lines(i);
        if (!summarize_customer(g, begin, end, rules, scratch, c)) {
          first[i] = INT32_MAX;
          return;
        }
        const CustomerTotals& t = c.totals;
        check_finite_sums(log, code(i), t);
        customer[i] = code(i);
        first[i] = t.first_purchase;
        last[i] = t.last_purchase;
        frequency[i] = static_cast<double>(t.purchase_days - 1);
        recency[i] = (t.last_purchase - t.first_purchase) / unit;
        big_t[i] = (s.calibration_end - t.first_purchase) / unit;
        revenue[i] = t.revenue;
        monetary[i] = t.monetary_value;
        if (s.has_profit) profit[i] = t.profit;
        orders[i] = c.orders;
        if (s.has_holdout) {
          frequency_holdout[i] = static_cast<double>(t.holdout_days);
          monetary_holdout[i] = t.monetary_value_holdout;
        }
      });
    }
  }
  errors.rethrow();

  std::size_t k = 0;
  for (std::size_t i = 0; i < n_customers; ++i) {
    if (first[i] == INT32_MAX) continue;
    if (k != i) {  // move the results of position i down to position k
      customer[k] = customer[i];
      frequency[k] = frequency[i];
      recency[k] = recency[i];
      big_t[k] = big_t[i];
      monetary[k] = monetary[i];
      first[k] = first[i];
      last[k] = last[i];
      orders[k] = orders[i];
      revenue[k] = revenue[i];
      if (s.has_profit) profit[k] = profit[i];
      if (s.has_holdout) {
        frequency_holdout[k] = frequency_holdout[i];
        monetary_holdout[k] = monetary_holdout[i];
      }
    }
    ++k;
  }
  const std::size_t kept = k;
  auto shrink = [kept](auto&... v) { (v.resize(std::min(v.size(), kept)), ...); };
  shrink(s.customer, s.frequency, s.recency, s.T, s.monetary_value, s.first_purchase,
         s.last_purchase, s.orders, s.revenue, s.profit, s.frequency_holdout,
         s.monetary_value_holdout);
}

}  // namespace

CustomerSummary summarize(const TransactionLog& log, const SummaryOptions& options) {
  CustomerSummary s = summary_header(log, options);
  if (log.size() == 0) return s;
  const LinesByCustomer g = group_lines(log);
  std::vector<std::uint64_t> scratch;
  const std::uint64_t* offsets = g.range_offsets(0, log.customer_count(), scratch);
  summarize_range(
      log, g, log.customer_count(), [](std::size_t i) { return static_cast<std::uint32_t>(i); },
      [offsets](std::size_t i) {
        return std::pair{offsets[i], offsets[i + 1]};
      },
      s,
      /*parallel=*/true);
  return s;
}

bool id_before(std::string_view a, std::string_view b) noexcept {
  return a.size() != b.size() ? a.size() < b.size() : a < b;
}

std::vector<std::uint32_t> sort_by_id(std::size_t n,
                                      const std::function<std::string_view(std::uint32_t)>& id) {
  std::vector<std::uint32_t> order;
  const detail::IdKeys keys(n, id);
  std::vector<detail::IdSortEntry> entries(n);
  for (std::size_t i = 0; i < n; ++i) {
    entries[i] = keys.entry(id(static_cast<std::uint32_t>(i)), static_cast<std::uint32_t>(i));
  }
  detail::sort_id_entries(entries, id, order);
  return order;
}

struct SummaryBuilder::Lines : LinesByCustomer {};

SummaryBuilder::SummaryBuilder(const TransactionLog& log, const SummaryOptions& options)
    : log_(log), header_(summary_header(log, options)), lines_(std::make_unique<Lines>()) {
  if (log.size() == 0) return;
  static_cast<LinesByCustomer&>(*lines_) = group_lines(log);
  order_ = sort_by_id(log.customer_count(),
                      [&log](std::uint32_t c) -> std::string_view { return log.customer_ids[c]; });
}

SummaryBuilder::~SummaryBuilder() = default;

std::size_t SummaryBuilder::customers() const noexcept {
  return order_.size();
}

const CustomerSummary& SummaryBuilder::header() const noexcept {
  return header_;
}

void SummaryBuilder::build(std::size_t begin, std::size_t end, CustomerSummary& out) const {
  copy_header(header_, out);
  end = std::min(end, customers());
  begin = std::min(begin, end);
  const std::uint32_t* codes = order_.data() + begin;
  const LinesByCustomer& g = *lines_;
  summarize_range(
      log_, g, end - begin, [codes](std::size_t i) { return codes[i]; },
      [codes, &g](std::size_t i) { return g.lines_of(codes[i]); }, out, /*parallel=*/false);
}

namespace {

/// Whether id `a` comes strictly before id `b` in id_before() order.
bool ids_in_order(std::string_view a, std::string_view b) noexcept {
  return id_before(a, b);
}

}  // namespace

/// The rows of one part of the file: the current customer's lines go into a CustomerAccumulator,
/// whose totals are stored when the next customer starts. The first customer of every part but
/// the first is held back (its lines may continue the previous part's last customer) and joined
/// by SummaryStream::join().
class SummaryStream::Part : public RowSink {
 public:
  Part(const SummaryOptions& options, std::atomic<bool>& declined, bool holds_first)
      : options_(options), declined_(&declined), holds_first_(holds_first) {}

  bool start(const RowLayout& layout) override {
    // Order ids would need a distinct count per customer: such input is read another way.
    if (layout.order) return decline();
    *this = Part(options_, *declined_, holds_first_);
    layout_ = layout;
    periods_.calibration_end = options_.calibration_end.value_or(INT32_MAX);
    periods_.observation_end = options_.observation_end.value_or(INT32_MAX);
    has_holdout_ = options_.calibration_end.has_value();
    // Customers are at most the rows: reserved address space costs no memory until written.
    const std::size_t n = layout.expected_rows;
    first_.reserve(n), last_.reserve(n), days_.reserve(n), revenue_.reserve(n),
        monetary_.reserve(n), id_end_.reserve(n);
    if (layout_.profit) profit_.reserve(n);
    if (has_holdout_) holdout_days_.reserve(n), monetary_holdout_.reserve(n);
    return true;
  }

  bool add(const LoadedRow& row) override {
    if (!has_current_ || row.customer != current_) {
      if (declined_->load(std::memory_order_relaxed)) return false;
      if (has_current_) {
        if (!ids_in_order(current_, row.customer)) return decline();
        if (!end_customer()) return decline_for_values();
      }
      current_.assign(row.customer);
      has_current_ = true;
    }
    const bool is_return = row.amount < 0 || row.quantity < 0;
    if (!acc_.add(periods_, row.day, row.amount, row.profit, is_return)) {
      return decline_for_values();
    }
    return true;
  }

  /// Ends the current customer: stored, or held back when it is the part's first. false when
  /// its totals overflow an exact sum.
  bool end_customer() {
    if (!has_current_) return true;
    bool ok = true;
    if (holds_first_ && !has_held_) {
      std::swap(held_, acc_);
      held_id_ = current_;
      has_held_ = true;
    } else {
      ok = store_current();
    }
    acc_.clear();
    has_current_ = false;
    return ok;
  }

  /// Continues this part's open customer with the first customer of `next` (the following
  /// part): merges its state when it is the same customer, else ends the open one and takes it
  /// over as the open customer. `in_order` is cleared when the ids go down across the parts, and
  /// `exact` when a sum overflows. Returns whether `next` has customers after that one (then its
  /// last one is the open one).
  bool take_first(Part& next, bool& in_order, bool& exact) {
    const bool more = next.has_held_;
    CustomerAccumulator& acc = more ? next.held_ : next.acc_;
    std::string& id = more ? next.held_id_ : next.current_;
    if (!more && !next.has_current_) return false;  // no rows
    if (has_current_ && current_ == id) {
      exact = acc_.merge(periods_, acc) && exact;
    } else {
      if (has_current_ && !ids_in_order(current_, id)) in_order = false;
      exact = end_customer() && exact;
      std::swap(acc_, acc);
      std::swap(current_, id);
      has_current_ = true;
    }
    acc.clear();
    // A part with more customers keeps has_held_ (so that ending its last one stores it).
    if (!more) next.has_current_ = false;
    return more;
  }

  bool in_order() const noexcept { return in_order_; }
  bool exact() const noexcept { return exact_; }
  std::size_t stored() const noexcept { return first_.size(); }
  /// Customers ended (with or without a stored row); after join(), the held one in here.
  std::size_t customers_loaded() const noexcept { return customers_; }
  const RowLayout& layout() const noexcept { return layout_; }

  /// Row `i` of this part (stored index) into position k of `out`, sized by the caller.
  void fill(std::size_t i, std::size_t k, std::uint32_t index, const CustomerSummary& h,
            CustomerSummary& out) const {
    const double unit = days_per_unit(h.time_unit);
    out.customer[k] = index;
    out.frequency[k] = static_cast<double>(days_[i] - 1);
    out.recency[k] = (last_[i] - first_[i]) / unit;
    out.T[k] = (h.calibration_end - first_[i]) / unit;
    out.monetary_value[k] = monetary_[i];
    out.first_purchase[k] = first_[i];
    out.last_purchase[k] = last_[i];
    out.orders[k] = static_cast<std::int64_t>(days_[i]);
    out.revenue[k] = revenue_[i];
    if (h.has_profit) out.profit[k] = profit_[i];
    if (h.has_holdout) {
      out.frequency_holdout[k] = static_cast<double>(holdout_days_[i]);
      out.monetary_value_holdout[k] = monetary_holdout_[i];
    }
  }

  std::string_view id(std::size_t i) const noexcept {
    const std::size_t begin = i == 0 ? 0 : id_end_[i - 1];
    return std::string_view(ids_).substr(begin, id_end_[i] - begin);
  }

 private:
  bool decline() {
    in_order_ = false;
    declined_->store(true, std::memory_order_relaxed);
    return false;
  }
  bool decline_for_values() {
    exact_ = false;
    return decline();
  }

  /// Stores the totals of the current customer (when it has a calibration purchase).
  bool store_current() {
    ++customers_;
    CustomerTotals t;
    if (!acc_.totals(periods_, t)) return false;
    if (t.purchase_days == 0) return true;
    first_.push_back(t.first_purchase);
    last_.push_back(t.last_purchase);
    days_.push_back(t.purchase_days);
    revenue_.push_back(t.revenue);
    monetary_.push_back(t.monetary_value);
    if (layout_.profit) profit_.push_back(t.profit);
    if (has_holdout_) {
      holdout_days_.push_back(t.holdout_days);
      monetary_holdout_.push_back(t.monetary_value_holdout);
    }
    ids_ += current_;
    id_end_.push_back(ids_.size());
    return true;
  }

  SummaryOptions options_;
  std::atomic<bool>* declined_;  // shared by the parts: one declining stops the others
  bool holds_first_ = false;
  RowLayout layout_;
  SummaryPeriods periods_;
  bool has_holdout_ = false;
  bool in_order_ = true;  // the part's customers came in id_before() order so far
  bool exact_ = true;     // no sum refused a value
  // The current customer.
  std::string current_;
  bool has_current_ = false;
  CustomerAccumulator acc_;
  // The held-back first customer (parts after the first).
  CustomerAccumulator held_;
  std::string held_id_;
  bool has_held_ = false;
  std::size_t customers_ = 0;  // ended customers (with or without a stored row)
  // Stored rows: customers with a calibration purchase.
  std::vector<std::int32_t> first_, last_;
  std::vector<std::uint32_t> days_, holdout_days_;
  std::vector<double> revenue_, monetary_, profit_, monetary_holdout_;
  std::string ids_;                  // the ids, one after the other
  std::vector<std::size_t> id_end_;  // where each id ends in ids_
};

SummaryStream::SummaryStream(const SummaryOptions& options) : options_(options) {
  part(0);
}

SummaryStream::~SummaryStream() = default;

RowSink& SummaryStream::part(int k) {
  const auto index = static_cast<std::size_t>(std::max(k, 0));
  while (parts_.size() <= index) {
    parts_.push_back(std::make_unique<Part>(options_, declined_, /*holds_first=*/!parts_.empty()));
  }
  return *parts_[index];
}

bool SummaryStream::join(int parts) {
  const auto n = static_cast<std::size_t>(parts);
  for (std::size_t k = 0; k < std::min(n, parts_.size()); ++k) {
    if (!parts_[k]->exact()) declined_for_values_ = true;
  }
  if (parts < 1 || n > parts_.size() || declined_.load()) return false;
  // The open customer goes from part to part: a customer may span several parts.
  bool in_order = true, exact = true;
  for (std::size_t k = 0; k < n; ++k) in_order = in_order && parts_[k]->in_order();
  Part* open = parts_[0].get();
  for (std::size_t k = 1; k < n && in_order && exact; ++k) {
    if (open->take_first(*parts_[k], in_order, exact)) {
      exact = open->end_customer() && exact;
      open = parts_[k].get();
    }
  }
  if (in_order && exact) exact = open->end_customer();
  if (!exact) declined_for_values_ = true;
  if (!in_order || !exact) return false;
  starts_.assign(1, 0);
  customers_loaded_ = 0;
  for (std::size_t k = 0; k < n; ++k) {
    starts_.push_back(starts_.back() + parts_[k]->stored());
    customers_loaded_ += parts_[k]->customers_loaded();
  }
  return true;
}

void SummaryStream::finish(const LoadedDays& days) {
  const Part& a = *parts_[0];
  header_ = summary_header(days.first, days.last, a.layout().amount, a.layout().profit, options_);
}

std::size_t SummaryStream::customers() const noexcept {
  return starts_.empty() ? 0 : starts_.back();
}

void SummaryStream::build(std::size_t begin, std::size_t end, CustomerSummary& out) const {
  copy_header(header_, out);
  end = std::min(end, customers());
  begin = std::min(begin, end);
  const std::size_t n = end - begin;
  auto size = [](std::size_t k, auto&... v) { (v.resize(k), ...); };
  size(n, out.customer, out.frequency, out.recency, out.T, out.monetary_value, out.first_purchase,
       out.last_purchase, out.orders, out.revenue);
  size(header_.has_profit ? n : 0, out.profit);
  size(header_.has_holdout ? n : 0, out.frequency_holdout, out.monetary_value_holdout);
  if (n == 0) return;
  std::size_t k = part_of(begin);
  for (std::size_t i = begin; i < end; ++i) {
    while (i >= starts_[k + 1]) ++k;
    parts_[k]->fill(i - starts_[k], i - begin, static_cast<std::uint32_t>(i), header_, out);
  }
}

std::size_t SummaryStream::part_of(std::size_t customer) const noexcept {
  // The last part starting at or before the customer (parts without stored rows are skipped).
  const auto it = std::upper_bound(starts_.begin(), starts_.end() - 1, customer);
  return static_cast<std::size_t>(it - starts_.begin()) - 1;
}

std::string_view SummaryStream::customer_id(std::uint32_t customer) const {
  const std::size_t k = part_of(customer);
  return parts_[k]->id(customer - starts_[k]);
}

}  // namespace ltv
