#include "ltv/data/summary.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"

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

/// One customer's purchase days: distinct days in order, with the value bought on each.
struct DayTotals {
  std::vector<std::int32_t> day;
  std::vector<double> value;
  std::vector<double> profit;
};

}  // namespace

namespace {

/// The summary's header fields (everything but the per-customer columns). Throws as summarize().
CustomerSummary summary_header(const TransactionLog& log, const SummaryOptions& options) {
  CustomerSummary s;
  s.time_unit = options.time_unit;
  s.has_amount = log.has_amount();
  s.has_profit = log.has_profit();
  if (log.size() == 0) return s;

  const auto [min_it, max_it] = std::minmax_element(log.day.begin(), log.day.end());
  const std::int32_t first_day = *min_it;
  const std::int32_t last_day = *max_it;
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

/// Summaries of customers c0 .. c1-1 into `s` (which carries the header fields), on the OpenMP
/// threads when `parallel`, else on the calling thread.
void summarize_range(const TransactionLog& log, const LinesByCustomer& g, std::size_t c0,
                     std::size_t c1, CustomerSummary& s, bool parallel) {
  const std::size_t n_customers = c1 - c0;
  const double unit = days_per_unit(s.time_unit);
  const bool has_orders = log.order.has_value();
  auto is_return = [&](std::uint64_t r) { return g.returned(r); };

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

#pragma omp parallel if (parallel)
  {
    std::vector<std::uint64_t> rows;
    std::vector<std::uint32_t> order_codes;
    DayTotals cal;
    DayTotals hold;
#pragma omp for schedule(dynamic, 4096)
    for (std::size_t c = c0; c < c1; ++c) {
      const std::size_t i = c - c0;  // position in this block
      rows.resize(offsets[c - c0 + 1] - offsets[c - c0]);
      std::iota(rows.begin(), rows.end(), offsets[c - c0]);
      // By day; on a day, purchases before returns (so a return nets into that day's value).
      auto by_day = [&](std::uint64_t a, std::uint64_t b) {
        if (g.day[a] != g.day[b]) return g.day[a] < g.day[b];
        return !is_return(a) && is_return(b);
      };
      // Logs are usually in time order already: check before sorting.
      if (!std::is_sorted(rows.begin(), rows.end(), by_day)) {
        std::stable_sort(rows.begin(), rows.end(), by_day);
      }
      cal.day.clear(), cal.value.clear(), cal.profit.clear();
      hold.day.clear(), hold.value.clear(), hold.profit.clear();
      order_codes.clear();
      double calibration_total = 0;  // every calibration line, returns included
      double calibration_profit = 0;
      for (std::uint64_t r : rows) {
        const std::int32_t d = g.day[r];
        if (d > s.observation_end) break;
        DayTotals& target = d <= s.calibration_end ? cal : hold;
        if (d <= s.calibration_end) {
          if (s.has_amount) calibration_total += g.amount[r];
          if (s.has_profit) calibration_profit += g.profit[r];
        }
        // A return line (negative amount or quantity, kept by --returns net) is not a purchase:
        // it nets into the latest purchase day of its period, and never creates a purchase day.
        if (is_return(r)) {
          if (!target.day.empty()) {
            if (s.has_amount) target.value.back() += g.amount[r];
            if (s.has_profit) target.profit.back() += g.profit[r];
          }
          continue;
        }
        if (target.day.empty() || target.day.back() != d) {
          target.day.push_back(d);
          target.value.push_back(0.0);
          target.profit.push_back(0.0);
        }
        if (s.has_amount) target.value.back() += g.amount[r];
        if (s.has_profit) target.profit.back() += g.profit[r];
        if (has_orders && d <= s.calibration_end) order_codes.push_back(g.order[r]);
      }
      if (cal.day.empty()) {
        first[i] = INT32_MAX;
        continue;
      }
      const std::size_t n_days = cal.day.size();
      first[i] = cal.day.front();
      last[i] = cal.day.back();
      frequency[i] = static_cast<double>(n_days - 1);
      recency[i] = (last[i] - first[i]) / unit;
      big_t[i] = (s.calibration_end - first[i]) / unit;
      revenue[i] = calibration_total;
      // Mean value of the repeat purchase days (lifetimes' monetary_value): first day excluded.
      // Summed directly (not total - first) to avoid cancellation noise.
      monetary[i] = n_days > 1 ? std::accumulate(cal.value.begin() + 1, cal.value.end(), 0.0) /
                                     static_cast<double>(n_days - 1)
                               : 0.0;
      if (s.has_profit) profit[i] = calibration_profit;
      if (has_orders) {
        std::sort(order_codes.begin(), order_codes.end());
        orders[i] = std::unique(order_codes.begin(), order_codes.end()) - order_codes.begin();
      } else {
        orders[i] = static_cast<std::int64_t>(n_days);
      }
      if (s.has_holdout) {
        frequency_holdout[i] = static_cast<double>(hold.day.size());
        monetary_holdout[i] = hold.day.empty()
                                  ? 0.0
                                  : std::accumulate(hold.value.begin(), hold.value.end(), 0.0) /
                                        static_cast<double>(hold.day.size());
      }
    }
  }

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

void SummaryBuilder::build(std::size_t begin, std::size_t end, CustomerSummary& out) const {
  out.time_unit = header_.time_unit;
  out.calibration_end = header_.calibration_end;
  out.observation_end = header_.observation_end;
  out.has_holdout = header_.has_holdout;
  out.has_amount = header_.has_amount;
  out.has_profit = header_.has_profit;
  out.duration_holdout = header_.duration_holdout;
  end = std::min(end, customers());
  begin = std::min(begin, end);
  summarize_range(log_, *lines_, begin, end, out, /*parallel=*/false);
}

}  // namespace ltv
