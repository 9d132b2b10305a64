#pragma once
/// The standard analytics bundle used by `ltv analyze`: KPIs, top items, formula and historical
/// LTV, cohorts and forecasts, as structured results (the tables they become are in
/// ltv/workspace/tables.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ltv/analytics/cohorts.hpp"
#include "ltv/analytics/forecast.hpp"
#include "ltv/analytics/kpis.hpp"
#include "ltv/analytics/ltv.hpp"

namespace ltv {

struct StandardAnalyticsOptions {
  PeriodUnit period = PeriodUnit::month;        ///< KPI, cohort and forecast period
  std::int32_t churn_days = 365;                ///< KPI churn definition
  std::optional<std::int32_t> observation_end;  ///< unset: last day of the log
  std::optional<double> margin;       ///< formula LTV margin (fraction); unset: profit if any
  std::int32_t forecast_horizon = 6;  ///< periods
  std::size_t top = 10;               ///< top products / categories
  std::string breakdown;              ///< optional KPI breakdown column (e.g. "channel")
};

struct AnalyticsReport {
  KpiReport kpis;
  std::vector<TopItem> top_items;
  std::vector<FormulaLtvRow> ltv_formula;
  LifespanMethod lifespan_method = LifespanMethod::observed;  ///< of ltv_formula
  PeriodUnit retention_period = PeriodUnit::year;             ///< of ltv_formula
  std::vector<ValueDistribution> ltv_distribution;
  CohortReport cohorts;
  std::optional<ForecastReport> forecast;  ///< absent when the history is too short (see notes)
  std::vector<std::string> notes;          ///< why a part was left out
};

/// Runs the bundle. Parts that cannot be computed for this data (e.g. forecasts with fewer
/// than 3 complete periods) are left out with a note; bad options throw InputError.
AnalyticsReport run_standard_analytics(const TransactionLog& log,
                                       const StandardAnalyticsOptions& options);

}  // namespace ltv
