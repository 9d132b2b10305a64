#include "ltv/data/summary.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "math/parallel.hpp"

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
  option_error("--time-unit", std::string(text), "one of day, week, month");
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

/// The summary's header fields (everything but the per-customer columns) of loaded lines on days
/// first_day .. last_day (unset: no lines, and only the time unit is set). Throws as summarize().
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
    option_error("--observation-end", format_date(s.observation_end),
                 "a date on or after --calibration-end");
  }
  if (s.calibration_end < first_day) {
    option_error("--calibration-end", format_date(s.calibration_end),
                 "a date on or after the first purchase in the data");
  }
  s.has_holdout = options.calibration_end.has_value() && s.observation_end > s.calibration_end;
  const double unit = days_per_unit(options.time_unit);
  s.duration_holdout = s.has_holdout ? (s.observation_end - s.calibration_end) / unit : 0.0;
  return s;
}

/// summary_header() of a log.
CustomerSummary summary_header(const TransactionLog& log, const SummaryOptions& options) {
  if (log.size() == 0) return summary_header(std::nullopt, std::nullopt, false, false, options);
  const auto [min_it, max_it] = std::minmax_element(log.day.begin(), log.day.end());
  return summary_header(*min_it, *max_it, log.has_amount(), log.has_profit(), options);
}

/// What the summary holds of one customer (before recency and T, which are computed from first
/// and last in the time unit).
struct CustomerResult {
  std::int32_t first = 0, last = 0;  ///< first and last calibration purchase days
  std::size_t days = 0;              ///< calibration purchase days
  std::int64_t orders = 0;
  double revenue = 0, monetary = 0, profit = 0;
  std::size_t holdout_days = 0;
  double monetary_holdout = 0;
};

/// Which lines count, and what is computed, for every customer.
struct CustomerRules {
  std::int32_t calibration_end = 0;  ///< lines after it are holdout
  std::int32_t observation_end = 0;  ///< lines after it are ignored
  bool has_amount = false, has_profit = false, has_orders = false, has_holdout = false;
};

/// Scratch space of one thread (kept from customer to customer).
struct CustomerScratch {
  std::vector<std::uint64_t> rows;
  std::vector<std::uint32_t> order_codes;
};

/// The purchase days of one period (calibration or holdout) as the lines go by in day order:
/// how many, the first and the latest, the value of the latest (still open: a later return nets
/// into it), and the sum of the values of the closed days after the first (`repeat`) or of all
/// closed days (`all`). The sums add the day values in day order starting from 0.0.
struct PeriodDays {
  std::size_t count = 0;
  std::int32_t first = 0, latest = 0;
  double open = 0;
  double repeat = 0;  // days 2 .. count-1 (the open day not yet added)
  double all = 0;     // days 1 .. count-1
  /// A purchase line on day d worth `value`.
  void purchase(std::int32_t d, double value) {
    if (count == 0 || latest != d) {
      if (count > 0) close_open();
      if (count == 0) first = d;
      latest = d;
      open = 0.0;
      ++count;
    }
    open += value;
  }
  /// Adds the open day to the sums (once no line can change it).
  void close_open() {
    if (count > 1) repeat += open;
    all += open;
  }
};

/// The summary of the customer whose lines are g's lines [begin, end), in `out`; false when the
/// customer has no purchase in the calibration period.
bool summarize_customer(const LinesByCustomer& g, std::uint64_t begin, std::uint64_t end,
                        const CustomerRules& s, CustomerScratch& scratch, CustomerResult& out) {
  // Lines by day; on a day, purchases before returns (so a return nets into that day's value).
  auto by_day = [&](std::uint64_t a, std::uint64_t b) {
    if (g.day[a] != g.day[b]) return g.day[a] < g.day[b];
    return !g.returned(a) && g.returned(b);
  };
  std::vector<std::uint32_t>& order_codes = scratch.order_codes;
  order_codes.clear();
  PeriodDays cal, hold;
  double calibration_total = 0;  // every calibration line, returns included
  double calibration_profit = 0;
  // One line; false once the lines pass the observation end.
  auto visit = [&](std::uint64_t r) {
    const std::int32_t d = g.day[r];
    if (d > s.observation_end) return false;
    const bool in_calibration = d <= s.calibration_end;
    PeriodDays& target = in_calibration ? cal : hold;
    const double amount = s.has_amount ? g.amount[r] : 0.0;
    if (in_calibration) {
      if (s.has_amount) calibration_total += amount;
      if (s.has_profit) calibration_profit += g.profit[r];
    }
    // A return line (negative amount or quantity, kept by --returns net) is not a purchase:
    // it nets into the latest purchase day of its period, and never creates a purchase day.
    if (g.returned(r)) {
      if (target.count > 0 && s.has_amount) target.open += amount;
      return true;
    }
    if (s.has_amount) {
      target.purchase(d, amount);
    } else {
      target.purchase(d, 0.0);
    }
    if (s.has_orders && in_calibration) order_codes.push_back(g.order[r]);
    return true;
  };
  // Logs are usually in time order already: the lines are visited in place unless a line sorts
  // before the one ahead of it (then through a stably sorted index).
  bool sorted = true;
  for (std::uint64_t r = begin + 1; r < end && sorted; ++r) sorted = !by_day(r, r - 1);
  if (sorted) {
    for (std::uint64_t r = begin; r < end && visit(r);) ++r;
  } else {
    std::vector<std::uint64_t>& rows = scratch.rows;
    rows.resize(end - begin);
    std::iota(rows.begin(), rows.end(), begin);
    std::stable_sort(rows.begin(), rows.end(), by_day);
    for (std::uint64_t r : rows) {
      if (!visit(r)) break;
    }
  }
  if (cal.count == 0) return false;
  cal.close_open();
  out.first = cal.first;
  out.last = cal.latest;
  out.days = cal.count;
  out.revenue = calibration_total;
  // Mean value of the repeat purchase days (lifetimes' monetary_value): first day excluded.
  // Summed directly (not total - first) to avoid cancellation noise.
  out.monetary = cal.count > 1 ? cal.repeat / static_cast<double>(cal.count - 1) : 0.0;
  out.profit = calibration_profit;
  if (s.has_orders) {
    std::sort(order_codes.begin(), order_codes.end());
    out.orders = std::unique(order_codes.begin(), order_codes.end()) - order_codes.begin();
  } else {
    out.orders = static_cast<std::int64_t>(cal.count);
  }
  out.holdout_days = hold.count;
  out.monetary_holdout = 0.0;
  if (s.has_holdout && hold.count > 0) {
    hold.close_open();
    out.monetary_holdout = hold.all / static_cast<double>(hold.count);
  }
  return true;
}

/// Throws InputError naming the customer when a money sum of its summary overflowed (amounts
/// near 1e308): never an infinite value written as an empty cell.
void check_finite_sums(const TransactionLog& log, std::size_t customer, const CustomerResult& c) {
  if (std::isfinite(c.revenue) && std::isfinite(c.monetary) && std::isfinite(c.profit) &&
      std::isfinite(c.monetary_holdout)) {
    return;
  }
  input_error(SourceLocation{"", 0, "customer"}, log.customer_ids[customer],
              "amounts whose sums per customer are finite numbers (this customer's revenue "
              "or profit overflows)");
}

/// Summaries of customers c0 .. c1-1 into `s` (which carries the header fields), on the OpenMP
/// threads when `parallel`, else on the calling thread.
void summarize_range(const TransactionLog& log, const LinesByCustomer& g, std::size_t c0,
                     std::size_t c1, CustomerSummary& s, bool parallel) {
  const std::size_t n_customers = c1 - c0;
  const double unit = days_per_unit(s.time_unit);

  // Per-customer results, computed in place in the summary's columns indexed by customer;
  // customers with no calibration purchase are marked by first_purchase == INT32_MAX and
  // removed at the end (in place: no second copy of the columns).
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

  std::vector<std::uint64_t> scratch;
  const std::uint64_t* const offsets = g.range_offsets(c0, c1, scratch);

  const CustomerRules rules{s.calibration_end, s.observation_end,     s.has_amount,
                            s.has_profit,      log.order.has_value(), s.has_holdout};
  detail::ParallelErrors errors;
#pragma omp parallel if (parallel)
  {
    CustomerScratch scratch;
    CustomerResult c;
#pragma omp for schedule(dynamic, 4096)
    for (std::size_t i = 0; i < n_customers; ++i) {
      errors.run([&] {
        if (!summarize_customer(g, offsets[i], offsets[i + 1], rules, scratch, c)) {
          first[i] = INT32_MAX;
          return;
        }
        check_finite_sums(log, c0 + i, c);
        first[i] = c.first;
        last[i] = c.last;
        frequency[i] = static_cast<double>(c.days - 1);
        recency[i] = (c.last - c.first) / unit;
        big_t[i] = (s.calibration_end - c.first) / unit;
        revenue[i] = c.revenue;
        monetary[i] = c.monetary;
        if (s.has_profit) profit[i] = c.profit;
        orders[i] = c.orders;
        if (s.has_holdout) {
          frequency_holdout[i] = static_cast<double>(c.holdout_days);
          monetary_holdout[i] = c.monetary_holdout;
        }
      });
    }
  }
  errors.rethrow();

  std::size_t kept = 0;
  for (std::size_t i = 0; i < n_customers; ++i) kept += first[i] != INT32_MAX;
  s.customer.resize(kept);
  std::size_t k = 0;
  for (std::size_t i = 0; i < n_customers; ++i) {
    if (first[i] == INT32_MAX) continue;
    s.customer[k] = static_cast<std::uint32_t>(c0 + i);
    if (k != i) {  // move the results of customer c0 + i down to position k
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
  auto shrink = [kept](auto&... v) { (v.resize(std::min(v.size(), kept)), ...); };
  shrink(s.frequency, s.recency, s.T, s.monetary_value, s.first_purchase, s.last_purchase, s.orders,
         s.revenue, s.profit, s.frequency_holdout, s.monetary_value_holdout);
}

}  // namespace

CustomerSummary summarize(const TransactionLog& log, const SummaryOptions& options) {
  CustomerSummary s = summary_header(log, options);
  if (log.size() == 0) return s;
  const LinesByCustomer g = group_lines(log);
  summarize_range(log, g, 0, log.customer_count(), s, /*parallel=*/true);
  return s;
}

struct SummaryBuilder::Lines : LinesByCustomer {};

SummaryBuilder::SummaryBuilder(const TransactionLog& log, const SummaryOptions& options)
    : log_(log), header_(summary_header(log, options)), lines_(std::make_unique<Lines>()) {
  if (log.size() > 0) static_cast<LinesByCustomer&>(*lines_) = group_lines(log);
}

SummaryBuilder::~SummaryBuilder() = default;

std::size_t SummaryBuilder::customers() const noexcept {
  return log_.size() == 0 ? 0 : log_.customer_count();
}

const CustomerSummary& SummaryBuilder::header() const noexcept {
  return header_;
}

namespace {

/// Sets the header fields of `out` to those of `header`.
void copy_header(const CustomerSummary& header, CustomerSummary& out) {
  out.time_unit = header.time_unit;
  out.calibration_end = header.calibration_end;
  out.observation_end = header.observation_end;
  out.has_holdout = header.has_holdout;
  out.has_amount = header.has_amount;
  out.has_profit = header.has_profit;
  out.duration_holdout = header.duration_holdout;
}

}  // namespace

void SummaryBuilder::build(std::size_t begin, std::size_t end, CustomerSummary& out) const {
  copy_header(header_, out);
  end = std::min(end, customers());
  begin = std::min(begin, end);
  summarize_range(log_, *lines_, begin, end, out, /*parallel=*/false);
}

namespace {

/// Orders of customer ids in which SummaryStream accepts input (bit flags).
constexpr unsigned kShorterFirst = 1;  // shorter ids first, then byte by byte
constexpr unsigned kBytewise = 2;      // byte by byte (a shorter prefix first)
constexpr unsigned kAnyOrder = kShorterFirst | kBytewise;

/// The orders in which id `a` comes strictly before id `b`.
unsigned orders_with_before(std::string_view a, std::string_view b) noexcept {
  unsigned orders = 0;
  if (a.size() < b.size() || (a.size() == b.size() && a < b)) orders |= kShorterFirst;
  if (a < b) orders |= kBytewise;
  return orders;
}

}  // namespace

/// The rows of one part of the file: the current customer's lines are buffered and summarised
/// when the next customer starts. The first customer of every part but the first is held back
/// (its lines may continue the previous part's last customer) and joined by
/// SummaryStream::join().
class SummaryStream::Part : public RowSink {
 public:
  Part(const SummaryOptions& options, std::atomic<bool>& declined, bool holds_first)
      : options_(options), declined_(&declined), holds_first_(holds_first) {}

  bool start(const RowLayout& layout) override {
    // Order ids would need a distinct count per customer: such input is read into a log.
    if (layout.order) return decline();
    *this = Part(options_, *declined_, holds_first_);
    layout_ = layout;
    rules_.calibration_end = options_.calibration_end.value_or(INT32_MAX);
    rules_.observation_end = options_.observation_end.value_or(INT32_MAX);
    rules_.has_amount = layout.amount;
    rules_.has_profit = layout.profit;
    rules_.has_holdout = options_.calibration_end.has_value();
    // Customers are at most the rows: reserved address space costs no memory until written.
    const std::size_t n = layout.expected_rows;
    first_.reserve(n), last_.reserve(n), days_.reserve(n), revenue_.reserve(n),
        monetary_.reserve(n), id_end_.reserve(n);
    if (rules_.has_profit) profit_.reserve(n);
    if (rules_.has_holdout) holdout_days_.reserve(n), monetary_holdout_.reserve(n);
    return true;
  }

  bool add(const LoadedRow& row) override {
    if (!has_current_ || row.customer != current_) {
      if (declined_->load(std::memory_order_relaxed)) return false;
      if (has_current_) {
        orders_ &= orders_with_before(current_, row.customer);
        if (orders_ == 0) return decline();
        end_customer();
      }
      current_.assign(row.customer);
      has_current_ = true;
    }
    lines_.day.push_back(row.day);
    if (layout_.amount) lines_.amount.push_back(row.amount);
    if (layout_.profit) lines_.profit.push_back(row.profit);
    if (layout_.quantity) lines_.quantity.push_back(row.quantity);
    return true;
  }

  /// Ends the current customer: summarised, or held back when it is the part's first.
  void end_customer() {
    if (!has_current_) return;
    if (holds_first_ && !has_held_) {
      std::swap(held_, lines_);
      held_id_ = current_;
      has_held_ = true;
    } else {
      summarize_current();
    }
    lines_.clear();
    has_current_ = false;
  }

  /// Continues this part's open customer with the first customer of `next` (the following
  /// part): appends its lines when it is the same customer, else ends the open one and takes it
  /// over as the open customer. `orders` keeps the id orders still possible across the parts.
  /// Returns whether `next` has customers after that one (then its last one is the open one).
  bool take_first(Part& next, unsigned& orders) {
    const bool more = next.has_held_;
    Lines& lines = more ? next.held_ : next.lines_;
    std::string& id = more ? next.held_id_ : next.current_;
    if (!more && !next.has_current_) return false;  // no rows
    if (has_current_ && current_ == id) {
      lines_.append(lines);
    } else {
      if (has_current_) orders &= orders_with_before(current_, id);
      end_customer();
      std::swap(lines_, lines);
      std::swap(current_, id);
      has_current_ = true;
    }
    lines.clear();
    // A part with more customers keeps has_held_ (so that ending its last one summarises it).
    if (!more) next.has_current_ = false;
    return more;
  }

  unsigned orders() const noexcept { return orders_; }
  std::size_t stored() const noexcept { return first_.size(); }
  /// Customers summarised (with or without a stored row); after join(), the held one in here.
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
  /// One customer's lines, in input order.
  struct Lines {
    std::vector<std::int32_t> day;
    std::vector<double> amount, profit, quantity;
    void clear() noexcept { day.clear(), amount.clear(), profit.clear(), quantity.clear(); }
    void append(const Lines& more) {
      auto add = [](auto& to, const auto& from) { to.insert(to.end(), from.begin(), from.end()); };
      add(day, more.day), add(amount, more.amount), add(profit, more.profit);
      add(quantity, more.quantity);
    }
  };

  bool decline() {
    orders_ = 0;
    declined_->store(true, std::memory_order_relaxed);
    return false;
  }

  void summarize_current() {
    ++customers_;
    LinesByCustomer g;
    g.day = lines_.day.data();
    if (layout_.amount) g.amount = lines_.amount.data();
    if (layout_.profit) g.profit = lines_.profit.data();
    if (layout_.quantity) g.quantity = lines_.quantity.data();
    CustomerResult c;
    if (!summarize_customer(g, 0, lines_.day.size(), rules_, scratch_, c)) return;
    first_.push_back(c.first);
    last_.push_back(c.last);
    days_.push_back(static_cast<std::uint32_t>(c.days));
    revenue_.push_back(c.revenue);
    monetary_.push_back(c.monetary);
    if (rules_.has_profit) profit_.push_back(c.profit);
    if (rules_.has_holdout) {
      holdout_days_.push_back(static_cast<std::uint32_t>(c.holdout_days));
      monetary_holdout_.push_back(c.monetary_holdout);
    }
    ids_ += current_;
    id_end_.push_back(ids_.size());
  }

  SummaryOptions options_;
  std::atomic<bool>* declined_;  // shared by the parts: one declining stops the other
  bool holds_first_ = false;
  RowLayout layout_;
  CustomerRules rules_;
  unsigned orders_ = kAnyOrder;  // the id orders the part's customers are in so far
  // The current customer.
  std::string current_;
  bool has_current_ = false;
  Lines lines_;
  // The held-back first customer (second part).
  Lines held_;
  std::string held_id_;
  bool has_held_ = false;
  std::size_t customers_ = 0;  // summarised customers (with or without a stored row)
  CustomerScratch scratch_;
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
  if (parts < 1 || n > parts_.size() || declined_.load()) return false;
  // The open customer goes from part to part: a customer may span several parts.
  unsigned orders = kAnyOrder;
  for (std::size_t k = 0; k < n; ++k) orders &= parts_[k]->orders();
  Part* open = parts_[0].get();
  for (std::size_t k = 1; k < n && orders != 0; ++k) {
    if (open->take_first(*parts_[k], orders)) {
      open->end_customer();
      open = parts_[k].get();
    }
  }
  if (orders == 0) return false;
  open->end_customer();
  starts_.assign(1, 0);
  customers_loaded_ = 0;
  for (std::size_t k = 0; k < n; ++k) {
    starts_.push_back(starts_.back() + parts_[k]->stored());
    customers_loaded_ += parts_[k]->customers_loaded();
  }
  return true;
}

void SummaryStream::finish(const LoadReport& report) {
  const Part& a = *parts_[0];
  header_ = summary_header(report.first_day, report.last_day, a.layout().amount, a.layout().profit,
                           options_);
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
