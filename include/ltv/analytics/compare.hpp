#pragma once
/// Comparison of two customer groups (members vs non-members, channel A vs B) with bootstrap
/// confidence intervals and a plain-language sentence per metric.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ltv/analytics/groups.hpp"
#include "ltv/analytics/periods.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv {

struct CompareOptions {
  std::int32_t bootstrap = 1000;                    ///< resamples, >= 100
  std::uint64_t seed = 42;                          ///< fixed seed: results are reproducible
  double confidence = 0.95;                         ///< interval level in (0, 1)
  PeriodUnit retention_period = PeriodUnit::month;  ///< retention = active again the next period
  std::int64_t min_group_size = 30;                 ///< smaller groups get a warning
  std::optional<std::int32_t> observation_end;
};

/// One metric for both groups. Differences are a - b; relative = a / b - 1.
struct CompareMetric {
  std::string metric;  ///< spend_per_year, purchases_per_year, average_check, retention, ltv
  double value_a = 0, value_b = 0;
  double difference = 0, difference_low = 0, difference_high = 0;
  double relative = 0, relative_low = 0, relative_high = 0;  ///< NaN when b's value is 0
  std::string sentence;
};

struct CompareReport {
  std::string group_a, group_b;
  std::int64_t customers_a = 0, customers_b = 0;
  std::vector<CompareMetric> metrics;
  std::vector<std::string> warnings;
};

/// Compares customers labelled `a` with customers labelled `b` in `groups`. Per-group values are
/// ratios of sums over customers (e.g. spend per year = revenue / customer-years since first
/// purchase); intervals are percentile bootstrap over customers within each group.
/// Throws InputError when a label is absent or a group has no customers.
CompareReport compare_groups(const TransactionLog& log, const CustomerGroups& groups,
                             const std::string& a, const std::string& b,
                             const CompareOptions& options);

}  // namespace ltv
