#pragma once
/// Acquisition cohorts by first-purchase period: activity, retention, revenue and the cohort LTV
/// curve (cumulative revenue per acquired customer) for each period since acquisition.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ltv/analytics/periods.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv {

struct CohortOptions {
  PeriodUnit period = PeriodUnit::month;
  std::optional<std::int32_t> observation_end;  ///< unset: last day of the log
};

/// One (cohort, periods since acquisition) cell. Age 0 is the acquisition period.
struct CohortCell {
  std::int32_t cohort_index = 0;      ///< period key of the cohort
  std::string cohort;                 ///< its text (YYYY-MM, ...)
  std::int32_t age = 0;               ///< periods since acquisition
  std::string period;                 ///< calendar period of the cell
  bool complete = true;               ///< the calendar period is wholly observed
  std::int64_t cohort_size = 0;       ///< customers acquired in the cohort
  std::int64_t active_customers = 0;  ///< of them, with a purchase in this period
  double retention = 0;               ///< active / cohort size
  std::int64_t orders = 0;
  double revenue = 0;
  double profit = 0;                           ///< 0 when the log has no profit
  double cumulative_revenue_per_customer = 0;  ///< cohort LTV curve
  double cumulative_profit_per_customer = 0;
};

struct CohortReport {
  PeriodUnit period = PeriodUnit::month;
  std::int32_t observation_end = 0;
  bool has_profit = false;
  std::vector<CohortCell> cells;  ///< by cohort, then age; every observed age of every cohort
};

/// Builds the cohort table. An empty log yields no cells.
CohortReport build_cohorts(const TransactionLog& log, const CohortOptions& options);

}  // namespace ltv
