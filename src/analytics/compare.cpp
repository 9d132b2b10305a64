#include "ltv/analytics/compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>

#include "analytics/common.hpp"
#include "ltv/analytics/ltv.hpp"
#include "ltv/error.hpp"

namespace ltv {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMetrics = 5;
constexpr std::array<const char*, kMetrics> kNames = {"spend_per_year", "purchases_per_year",
                                                      "average_check", "retention", "ltv"};
constexpr std::array<const char*, kMetrics> kPhrases = {
    "spend per customer per year", "purchases per customer per year", "average check", "retention",
    "historical LTV"};

/// Per-customer numerators and denominators: each metric is sum(num) / sum(den).
struct Parts {
  double revenue = 0, years = 0, orders = 0, retained = 0, at_risk = 0;
};

std::array<double, kMetrics> metrics_of(const Parts& s, double customers) {
  auto r = [](double a, double b) { return b > 0 ? a / b : kNaN; };
  return {r(s.revenue, s.years), r(s.orders, s.years), r(s.revenue, s.orders),
          r(s.retained, s.at_risk), r(s.revenue, customers)};
}

double quantile(std::vector<double> v, double q) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return !std::isfinite(x); }), v.end());
  if (v.empty()) return kNaN;
  std::sort(v.begin(), v.end());
  const double h = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (h - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

}  // namespace

CompareReport compare_groups(const TransactionLog& log, const CustomerGroups& groups,
                             const std::string& a, const std::string& b,
                             const CompareOptions& options) {
  if (options.bootstrap < 100)
    parameter_error("bootstrap", std::to_string(options.bootstrap), "at least 100 resamples");
  if (!(options.confidence > 0 && options.confidence < 1))
    parameter_error("confidence", std::to_string(options.confidence),
                    "a level in (0, 1), e.g. 0.95");
  auto label_code = [&](const std::string& label, const char* option) {
    for (std::size_t i = 0; i < groups.labels.size(); ++i)
      if (groups.labels[i] == label) return static_cast<std::uint32_t>(i);
    std::string known;
    for (const auto& l : groups.labels) known += (known.empty() ? "" : ", ") + l;
    parameter_error(option, label, "a value of " + groups.name + " (" + known + ")");
  };
  const std::uint32_t code_a = label_code(a, "--a");
  const std::uint32_t code_b = label_code(b, "--b");

  const HistoricalLtv h = historical_ltv(log, options.observation_end);
  const std::int32_t obs_end = h.observation_end;
  const std::int32_t last_period = period_index(obs_end, options.retention_period);
  const detail::CustomerRows by_customer = detail::rows_by_customer(log);
  std::vector<Parts> parts_a, parts_b;
  std::vector<std::int32_t> periods;
  for (std::size_t i = 0; i < h.size(); ++i) {
    const std::uint32_t c = h.customer[i];
    const std::uint32_t g = groups.code[c];
    if (g != code_a && g != code_b) continue;
    Parts p;
    p.revenue = h.revenue[i];
    p.orders = static_cast<double>(h.orders[i]);
    p.years = (obs_end - h.first_purchase[i] + 1) / 365.2425;
    periods.clear();
    for (std::uint64_t k = by_customer.offsets[c]; k < by_customer.offsets[c + 1]; ++k) {
      const std::int32_t day = log.day[by_customer.rows[k]];
      if (day <= obs_end) periods.push_back(period_index(day, options.retention_period));
    }
    std::sort(periods.begin(), periods.end());
    periods.erase(std::unique(periods.begin(), periods.end()), periods.end());
    for (std::size_t k = 0; k < periods.size(); ++k) {
      if (periods[k] >= last_period) continue;
      p.at_risk += 1;
      if (k + 1 < periods.size() && periods[k + 1] == periods[k] + 1) p.retained += 1;
    }
    (g == code_a ? parts_a : parts_b).push_back(p);
  }
  CompareReport report;
  report.group_a = a;
  report.group_b = b;
  report.customers_a = static_cast<std::int64_t>(parts_a.size());
  report.customers_b = static_cast<std::int64_t>(parts_b.size());
  if (parts_a.empty()) parameter_error("a", a, "a group with at least one customer");
  if (parts_b.empty()) parameter_error("b", b, "a group with at least one customer");
  for (const auto& [label, n] :
       {std::pair{a, report.customers_a}, std::pair{b, report.customers_b}}) {
    if (n < options.min_group_size)
      report.warnings.push_back(
          fmt::format("group '{}' has only {} customers (fewer than {}): the confidence "
                      "intervals are not meaningful",
                      label, n, options.min_group_size));
  }
  auto sum = [](const std::vector<Parts>& v, const std::vector<std::uint32_t>* pick) {
    Parts s;
    const std::size_t n = pick ? pick->size() : v.size();
    for (std::size_t i = 0; i < n; ++i) {
      const Parts& p = v[pick ? (*pick)[i] : i];
      s.revenue += p.revenue;
      s.years += p.years;
      s.orders += p.orders;
      s.retained += p.retained;
      s.at_risk += p.at_risk;
    }
    return s;
  };
  const auto va = metrics_of(sum(parts_a, nullptr), static_cast<double>(parts_a.size()));
  const auto vb = metrics_of(sum(parts_b, nullptr), static_cast<double>(parts_b.size()));

  std::mt19937_64 rng(options.seed);
  std::array<std::vector<double>, kMetrics> diffs, rels;
  std::vector<std::uint32_t> pick_a(parts_a.size()), pick_b(parts_b.size());
  std::uniform_int_distribution<std::uint32_t> da(0,
                                                  static_cast<std::uint32_t>(parts_a.size() - 1));
  std::uniform_int_distribution<std::uint32_t> db(0,
                                                  static_cast<std::uint32_t>(parts_b.size() - 1));
  for (std::int32_t r = 0; r < options.bootstrap; ++r) {
    for (auto& x : pick_a) x = da(rng);
    for (auto& x : pick_b) x = db(rng);
    const auto ma = metrics_of(sum(parts_a, &pick_a), static_cast<double>(parts_a.size()));
    const auto mb = metrics_of(sum(parts_b, &pick_b), static_cast<double>(parts_b.size()));
    for (std::size_t m = 0; m < kMetrics; ++m) {
      diffs[m].push_back(ma[m] - mb[m]);
      rels[m].push_back(mb[m] != 0 ? ma[m] / mb[m] - 1 : kNaN);
    }
  }
  const double tail = (1 - options.confidence) / 2;
  const int level = static_cast<int>(std::lround(options.confidence * 100));
  for (std::size_t m = 0; m < kMetrics; ++m) {
    CompareMetric cm;
    cm.metric = kNames[m];
    cm.value_a = va[m];
    cm.value_b = vb[m];
    cm.difference = va[m] - vb[m];
    cm.difference_low = quantile(diffs[m], tail);
    cm.difference_high = quantile(diffs[m], 1 - tail);
    cm.relative = vb[m] != 0 ? va[m] / vb[m] - 1 : kNaN;
    cm.relative_low = quantile(rels[m], tail);
    cm.relative_high = quantile(rels[m], 1 - tail);
    if (!std::isfinite(cm.value_a) || !std::isfinite(cm.value_b)) {
      cm.sentence = fmt::format("{}: not measurable for both groups", kPhrases[m]);
    } else if (!std::isfinite(cm.relative)) {
      cm.sentence = fmt::format("{} have {} {:.4g} vs {:.4g} for {}", a, kPhrases[m], cm.value_a,
                                cm.value_b, b);
    } else {
      const bool more = cm.relative >= 0;
      const char* word = m == 0   ? (more ? "more" : "less")
                         : m == 1 ? (more ? "more" : "fewer")
                                  : (more ? "higher" : "lower");
      cm.sentence = fmt::format("{} have {:.0f}% {} {} than {} ({}% CI {:.0f}% to {:.0f}%)", a,
                                std::abs(cm.relative) * 100, word, kPhrases[m], b, level,
                                cm.relative_low * 100, cm.relative_high * 100);
      if (cm.relative_low <= 0 && cm.relative_high >= 0)
        cm.sentence += "; the interval includes no difference";
    }
    report.metrics.push_back(std::move(cm));
  }
  return report;
}

}  // namespace ltv
