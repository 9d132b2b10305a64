#include "ltv/analytics/ltv.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "analytics/common.hpp"
#include "ltv/error.hpp"

namespace ltv {

namespace {

double ratio(double a, double b) {
  return b > 0 ? a / b : 0.0;
}
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// Linear-interpolation percentile (R type 7) of sorted values.
double percentile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double h = q * static_cast<double>(sorted.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

HistoricalLtv historical_ltv(const TransactionLog& log,
                             std::optional<std::int32_t> observation_end) {
  HistoricalLtv h;
  h.has_profit = log.has_profit();
  const detail::DayRange range = detail::day_range(log);
  h.observation_end = observation_end.value_or(range.last);
  const detail::CustomerRows by_customer = detail::rows_by_customer(log);
  std::vector<std::pair<std::int32_t, std::uint32_t>> purchases;
  for (std::size_t c = 0; c < log.customer_count(); ++c) {
    purchases.clear();
    double revenue = 0;
    double profit = 0;
    for (std::uint64_t k = by_customer.offsets[c]; k < by_customer.offsets[c + 1]; ++k) {
      const std::uint32_t row = by_customer.rows[k];
      if (log.day[row] > h.observation_end) continue;
      purchases.emplace_back(log.day[row], log.order ? log.order->codes[row] : 0u);
      if (log.has_amount()) revenue += log.amount[row];
      if (h.has_profit) profit += log.profit[row];
    }
    if (purchases.empty()) continue;
    std::sort(purchases.begin(), purchases.end());
    const auto orders = std::unique(purchases.begin(), purchases.end()) - purchases.begin();
    h.customer.push_back(static_cast<std::uint32_t>(c));
    h.revenue.push_back(revenue);
    if (h.has_profit) h.profit.push_back(profit);
    h.orders.push_back(orders);
    h.first_purchase.push_back(purchases.front().first);
    h.last_purchase.push_back(purchases[static_cast<std::size_t>(orders) - 1].first);
  }
  return h;
}

ValueDistribution describe_values(std::span<const double> values) {
  ValueDistribution d;
  d.customers = static_cast<std::int64_t>(values.size());
  if (values.empty()) return d;
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  for (double v : sorted) d.total += v;
  d.mean = d.total / static_cast<double>(sorted.size());
  d.median = percentile(sorted, 0.5);
  d.p10 = percentile(sorted, 0.10);
  d.p25 = percentile(sorted, 0.25);
  d.p75 = percentile(sorted, 0.75);
  d.p90 = percentile(sorted, 0.90);
  d.p99 = percentile(sorted, 0.99);
  d.max = sorted.back();
  const auto top =
      static_cast<std::size_t>(std::ceil(0.2 * static_cast<double>(sorted.size()) - 1e-9));
  double top_sum = 0;
  for (std::size_t i = 0; i < top; ++i) top_sum += sorted[sorted.size() - 1 - i];
  d.top20_share = d.total != 0 ? top_sum / d.total : 0.0;
  return d;
}

std::vector<ValueDistribution> ltv_distribution(const HistoricalLtv& ltv,
                                                const CustomerGroups* groups) {
  std::vector<ValueDistribution> out;
  auto add = [&](const std::string& group, const std::vector<double>& rev,
                 const std::vector<double>& prof) {
    ValueDistribution d = describe_values(rev);
    d.group = group;
    d.measure = "revenue";
    out.push_back(d);
    if (ltv.has_profit) {
      ValueDistribution p = describe_values(prof);
      p.group = group;
      p.measure = "profit";
      out.push_back(p);
    }
  };
  add("all", ltv.revenue, ltv.profit);
  if (groups != nullptr) {
    std::vector<std::vector<double>> rev(groups->labels.size()), prof(groups->labels.size());
    for (std::size_t i = 0; i < ltv.size(); ++i) {
      const std::uint32_t g = groups->code[ltv.customer[i]];
      if (g == kNoGroup) continue;
      rev[g].push_back(ltv.revenue[i]);
      if (ltv.has_profit) prof[g].push_back(ltv.profit[i]);
    }
    for (std::size_t g = 0; g < groups->labels.size(); ++g) {
      if (!rev[g].empty()) add(groups->labels[g], rev[g], prof[g]);
    }
  }
  return out;
}

std::vector<FormulaLtvRow> formula_ltv(const TransactionLog& log, const FormulaLtvOptions& options,
                                       const CustomerGroups* groups) {
  if (options.margin && !(*options.margin > 0 && *options.margin <= 1))
    parameter_error("margin", std::to_string(*options.margin), "a fraction of revenue in (0, 1]");
  std::vector<FormulaLtvRow> rows;
  if (log.size() == 0) return rows;
  const HistoricalLtv h = historical_ltv(log, options.observation_end);
  const std::int32_t obs_end = h.observation_end;
  const std::size_t G = 1 + (groups ? groups->labels.size() : 0);
  struct Acc {
    std::int64_t customers = 0, orders = 0;
    double revenue = 0, profit = 0, exposure_days = 0, lifespan_days = 0;
    std::int64_t retained = 0, at_risk = 0;
  };
  std::vector<Acc> acc(G);
  // Retention: distinct active periods per customer.
  const detail::DayRange range = detail::day_range(log);
  const std::int32_t last_period = period_index(obs_end, options.retention_period);
  const detail::CustomerRows by_customer = detail::rows_by_customer(log);
  std::vector<std::int32_t> periods;
  std::size_t i = 0;
  for (std::size_t c = 0; c < log.customer_count() && i < h.size(); ++c) {
    if (h.customer[i] != c) continue;
    periods.clear();
    for (std::uint64_t k = by_customer.offsets[c]; k < by_customer.offsets[c + 1]; ++k) {
      const std::int32_t day = log.day[by_customer.rows[k]];
      if (day <= obs_end) periods.push_back(period_index(day, options.retention_period));
    }
    std::sort(periods.begin(), periods.end());
    periods.erase(std::unique(periods.begin(), periods.end()), periods.end());
    std::int64_t retained = 0, at_risk = 0;
    for (std::size_t k = 0; k < periods.size(); ++k) {
      if (periods[k] >= last_period) continue;
      ++at_risk;
      if (k + 1 < periods.size() && periods[k + 1] == periods[k] + 1) ++retained;
    }
    const std::size_t targets[2] = {
        0, groups && groups->code[c] != kNoGroup ? 1 + groups->code[c] : 0};
    for (std::size_t t = 0; t < (targets[1] ? 2u : 1u); ++t) {
      Acc& a = acc[targets[t]];
      a.customers += 1;
      a.orders += h.orders[i];
      a.revenue += h.revenue[i];
      if (h.has_profit) a.profit += h.profit[i];
      a.exposure_days += obs_end - h.first_purchase[i] + 1;
      a.lifespan_days += h.last_purchase[i] - h.first_purchase[i];
      a.retained += retained;
      a.at_risk += at_risk;
    }
    ++i;
  }
  (void)range;
  for (std::size_t g = 0; g < G; ++g) {
    const Acc& a = acc[g];
    if (a.customers == 0) continue;
    FormulaLtvRow r;
    r.group = g == 0 ? "all" : groups->labels[g - 1];
    r.customers = a.customers;
    r.orders = a.orders;
    r.revenue = a.revenue;
    r.average_check = ratio(a.revenue, static_cast<double>(a.orders));
    r.purchases_per_year = ratio(static_cast<double>(a.orders), a.exposure_days) * 365.2425;
    r.retention_rate =
        a.at_risk > 0 ? static_cast<double>(a.retained) / static_cast<double>(a.at_risk) : kNaN;
    r.lifespan_years_observed = a.lifespan_days / static_cast<double>(a.customers) / 365.2425;
    r.lifespan_years_retention =
        (std::isfinite(r.retention_rate) && r.retention_rate < 1)
            ? 1.0 / (1.0 - r.retention_rate) / periods_per_year(options.retention_period)
            : kNaN;
    r.lifespan_years = options.method == LifespanMethod::observed ? r.lifespan_years_observed
                                                                  : r.lifespan_years_retention;
    if (options.margin) {
      r.margin = *options.margin;
    } else if (h.has_profit && a.revenue > 0) {
      r.margin = a.profit / a.revenue;
    }
    r.ltv_revenue = r.average_check * r.purchases_per_year * r.lifespan_years;
    if (r.margin) r.ltv_margin = r.ltv_revenue * *r.margin;
    r.historical_ltv_mean = a.revenue / static_cast<double>(a.customers);
    rows.push_back(std::move(r));
  }
  return rows;
}

std::string_view to_string(LifespanMethod method) noexcept {
  return method == LifespanMethod::observed ? "observed" : "retention";
}

LifespanMethod parse_lifespan_method(std::string_view text) {
  if (text == "observed") return LifespanMethod::observed;
  if (text == "retention") return LifespanMethod::retention;
  parameter_error("lifespan", std::string(text), "one of observed, retention");
}

}  // namespace ltv
