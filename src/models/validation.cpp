#include "ltv/models/validation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>

#include "ltv/data/regularity.hpp"
#include "ltv/error.hpp"
#include "math/parallel.hpp"

namespace ltv {

TrackingPeriods tracking_periods(const CustomerSummary& summary) {
  TrackingPeriods p;
  p.unit_days = days_per_unit(summary.time_unit);
  if (summary.size() == 0) return p;
  p.start_day = *std::min_element(summary.first_purchase.begin(), summary.first_purchase.end());
  const double span = static_cast<double>(summary.observation_end) + 1.0 - p.start_day;
  const auto n = static_cast<std::size_t>(std::ceil(span / p.unit_days - 1e-9));
  for (std::size_t k = 0; k < n; ++k) {
    const auto first = p.start_day + static_cast<std::int32_t>(
                                         std::ceil(static_cast<double>(k) * p.unit_days - 1e-9));
    p.start.push_back(first);
    p.end_time.push_back(std::min(static_cast<double>(k + 1) * p.unit_days, span) / p.unit_days);
    if (first <= summary.calibration_end) p.calibration_periods = k + 1;
  }
  return p;
}

std::vector<double> actual_repeat_transactions(const TransactionLog& log,
                                               const CustomerSummary& summary,
                                               const TrackingPeriods& periods) {
  std::vector<double> counts(periods.size(), 0.0);
  if (summary.size() == 0 || periods.size() == 0) return counts;
  constexpr auto kNone = std::numeric_limits<std::uint32_t>::max();
  std::vector<std::uint32_t> index(log.customer_count(), kNone);
  for (std::size_t i = 0; i < summary.size(); ++i) {
    index[summary.customer[i]] = static_cast<std::uint32_t>(i);
  }
  const bool has_amount = log.has_amount(), has_quantity = !log.quantity.empty();
  // (summary index, day offset) of every purchase line, then distinct purchase days.
  std::vector<std::uint64_t> keys;
  keys.reserve(log.size());
  for (std::size_t r = 0; r < log.size(); ++r) {
    const std::uint32_t i = index[log.customer[r]];
    if (i == kNone) continue;
    const std::int32_t d = log.day[r];
    if (d <= summary.first_purchase[i] || d > summary.observation_end) continue;
    // A return line (negative amount or quantity) is not a purchase (as in summarize()).
    if ((has_amount && log.amount[r] < 0) || (has_quantity && log.quantity[r] < 0)) continue;
    keys.push_back((static_cast<std::uint64_t>(i) << 32) |
                   static_cast<std::uint32_t>(d - periods.start_day));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  for (std::uint64_t key : keys) {
    const auto offset = static_cast<double>(static_cast<std::uint32_t>(key & 0xffffffffu));
    const auto k = static_cast<std::size_t>(std::floor(offset / periods.unit_days + 1e-9));
    counts[std::min(k, periods.size() - 1)] += 1.0;
  }
  return counts;
}

std::vector<double> expected_cumulative_transactions(const FittedCountModel& model,
                                                     const CustomerSummary& summary,
                                                     const TrackingPeriods& periods) {
  std::map<std::int32_t, double> births;  // first purchase day -> customers
  for (std::int32_t d : summary.first_purchase) births[d] += 1.0;
  std::vector<double> cumulative(periods.size(), 0.0);
  std::vector<std::pair<double, double>> groups;  // (birth in time units, customers)
  for (const auto& [day, count] : births) {
    groups.emplace_back((day - periods.start_day) / periods.unit_days, count);
  }
  // An exception must not leave the parallel region (std::terminate): the first is rethrown.
  detail::ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t k = 0; k < periods.size(); ++k) {
    errors.run([&] {
      const double t = periods.end_time[k];
      double sum = 0;
      for (const auto& [birth, count] : groups) {
        if (birth >= t) break;  // groups are in birth order
        sum += count * model.expected_transactions(t - birth);
      }
      cumulative[k] = sum;
    });
  }
  try {
    errors.rethrow();
  } catch (const Error& e) {
    throw ModelError(model.name() + ": expected transactions: " + e.what());
  }
  for (double v : cumulative) {
    if (!std::isfinite(v)) {
      throw ModelError("expected cumulative transactions of " + model.name() + " are not finite");
    }
  }
  return cumulative;
}

std::vector<ConditionalRow> conditional_by_frequency(const FittedCountModel& model,
                                                     const CustomerSummary& summary,
                                                     int max_bucket) {
  if (!summary.has_holdout) {
    parameter_error("calibration_end", "(none)",
                    "a calibration end before the observation end, so there is a holdout");
  }
  if (max_bucket < 1) max_bucket = 1;
  // CET once per distinct (x, t_x, T) pattern (customers of dated data share patterns).
  const std::size_t n = summary.size();
  struct Key {
    double x, t_x, T;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& k) const noexcept {
      const std::hash<double> h;
      return (h(k.x) * 0x9E3779B97F4A7C15ull ^ h(k.t_x)) * 0x9E3779B97F4A7C15ull ^ h(k.T);
    }
  };
  std::unordered_map<Key, std::uint32_t, KeyHash> ids;
  std::vector<std::uint32_t> pattern_of(n);
  std::vector<Key> keys;
  for (std::size_t i = 0; i < n; ++i) {
    const Key k{summary.frequency[i], summary.recency[i], summary.T[i]};
    const auto [it, added] = ids.try_emplace(k, static_cast<std::uint32_t>(keys.size()));
    if (added) keys.push_back(k);
    pattern_of[i] = it->second;
  }
  std::vector<double> pattern_cet(keys.size());
  detail::ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 256)
  for (std::size_t p = 0; p < keys.size(); ++p) {
    errors.run([&] {
      pattern_cet[p] = model.conditional_expected_transactions(summary.duration_holdout, keys[p].x,
                                                               keys[p].t_x, keys[p].T);
    });
  }
  try {
    errors.rethrow();
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    throw ModelError(e.what());
  }
  std::vector<double> cet(n);
  for (std::size_t i = 0; i < n; ++i) cet[i] = pattern_cet[pattern_of[i]];
  std::vector<ConditionalRow> rows(static_cast<std::size_t>(max_bucket) + 1);
  for (int b = 0; b <= max_bucket; ++b) {
    auto& row = rows[static_cast<std::size_t>(b)];
    row.model = model.name();
    row.calibration_frequency = b;
    row.label = std::to_string(b) + (b == max_bucket ? "+" : "");
  }
  for (std::size_t i = 0; i < n; ++i) {
    const auto b =
        static_cast<std::size_t>(std::min(summary.frequency[i], static_cast<double>(max_bucket)));
    rows[b].customers += 1;
    rows[b].actual_mean += summary.frequency_holdout[i];
    rows[b].expected_mean += cet[i];
  }
  for (auto& row : rows) {
    if (!std::isfinite(row.expected_mean)) {
      throw ModelError("conditional expectations of " + model.name() + " are not finite");
    }
    if (row.customers > 0) {
      row.actual_mean /= static_cast<double>(row.customers);
      row.expected_mean /= static_cast<double>(row.customers);
    }
  }
  return rows;
}

ValidationReport validation_from_scores(const TransactionLog& log, const CustomerSummary& summary,
                                        std::span<const HoldoutScore> scores,
                                        int max_frequency_bucket) {
  if (!summary.has_holdout) {
    parameter_error("calibration_end", "(none)",
                    "a calibration end before the observation end, so there is a holdout");
  }
  if (summary.size() == 0) {
    parameter_error("calibration_end", "(no customer)", "a date after some first purchase");
  }
  ValidationReport report;
  report.time_unit = summary.time_unit;
  report.calibration_end = summary.calibration_end;
  report.observation_end = summary.observation_end;
  report.duration_holdout = summary.duration_holdout;
  report.customers = summary.size();
  report.patterns = summary_patterns(summary).size();
  report.periods = tracking_periods(summary);
  report.actual = actual_repeat_transactions(log, summary, report.periods);

  for (const HoldoutScore& score : scores) {
    ModelValidation v;
    v.score = score;
    if (score.error.empty()) {
      v.parameters = score.fit.estimates.size();
      v.aic = 2.0 * static_cast<double>(v.parameters) - 2.0 * score.fit.log_likelihood;
      v.aggregate_error_pct =
          score.actual_total > 0
              ? 100.0 * (score.expected_total - score.actual_total) / score.actual_total
              : std::numeric_limits<double>::quiet_NaN();
      try {
        const FittedCountModel model(score.fit);
        const auto cumulative = expected_cumulative_transactions(model, summary, report.periods);
        std::vector<TrackingRow> tracking;
        double actual_cumulative = 0;
        for (std::size_t k = 0; k < report.periods.size(); ++k) {
          TrackingRow row;
          row.model = score.model;
          row.period = k + 1;
          row.period_start = report.periods.start[k];
          row.holdout = k >= report.periods.calibration_periods;
          row.actual = report.actual[k];
          actual_cumulative += row.actual;
          row.actual_cumulative = actual_cumulative;
          row.expected_cumulative = cumulative[k];
          row.expected = cumulative[k] - (k > 0 ? cumulative[k - 1] : 0.0);
          tracking.push_back(row);
        }
        auto conditional = conditional_by_frequency(model, summary, max_frequency_bucket);
        report.tracking.insert(report.tracking.end(), tracking.begin(), tracking.end());
        report.conditional.insert(report.conditional.end(), conditional.begin(), conditional.end());
      } catch (const InputError&) {
        throw;
      } catch (const Error& e) {
        v.score.error = e.what();
      }
    }
    report.models.push_back(std::move(v));
  }
  std::vector<HoldoutScore> final_scores;
  for (const auto& v : report.models) final_scores.push_back(v.score);
  report.best = best_by_holdout(final_scores);
  return report;
}

ValidationReport validate(const TransactionLog& log, const CustomerSummary& summary,
                          const ValidationOptions& options) {
  if (!summary.has_holdout) {
    parameter_error("calibration_end", "(none)",
                    "a calibration end before the observation end, so there is a holdout");
  }
  if (needs_regularity(options.models) && summary.litt.size() != summary.size()) {
    CustomerSummary with_litt = summary;
    add_regularity(log, with_litt);
    const auto scores = compare_on_holdout(with_litt, options.models, options.fit);
    return validation_from_scores(log, with_litt, scores, options.max_frequency_bucket);
  }
  const auto scores = compare_on_holdout(summary, options.models, options.fit);
  return validation_from_scores(log, summary, scores, options.max_frequency_bucket);
}

}  // namespace ltv
