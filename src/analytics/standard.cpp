#include "ltv/analytics/standard.hpp"

#include "ltv/error.hpp"

namespace ltv {

AnalyticsReport run_standard_analytics(const TransactionLog& log,
                                       const StandardAnalyticsOptions& options) {
  AnalyticsReport r;
  KpiOptions k;
  k.period = options.period;
  k.churn_days = options.churn_days;
  k.observation_end = options.observation_end;
  k.breakdown = options.breakdown;
  r.kpis = compute_kpis(log, k);
  r.tables.push_back(kpi_table(r.kpis));
  if (log.product) {
    auto items = top_items(log, "product", options.top, options.observation_end);
    r.top_items.insert(r.top_items.end(), items.begin(), items.end());
  }
  if (log.category) {
    auto items = top_items(log, "category", options.top, options.observation_end);
    r.top_items.insert(r.top_items.end(), items.begin(), items.end());
  }
  r.tables.push_back(top_items_table(r.top_items));

  FormulaLtvOptions f;
  f.margin = options.margin;
  f.observation_end = options.observation_end;
  r.ltv_formula = formula_ltv(log, f);
  r.tables.push_back(formula_ltv_table(r.ltv_formula, f.method, f.retention_period));
  r.ltv_distribution = ltv_distribution(historical_ltv(log, options.observation_end));
  r.tables.push_back(distribution_table(r.ltv_distribution));

  CohortOptions c;
  c.period = options.period;
  c.observation_end = options.observation_end;
  r.cohorts = build_cohorts(log, c);
  r.tables.push_back(cohort_table(r.cohorts));
  AnalyticsTable matrix = cohort_matrix(r.cohorts, "retention");
  matrix.name = "cohort_retention";
  r.tables.push_back(std::move(matrix));

  ForecastOptions fo;
  fo.period = options.period;
  fo.horizon = options.forecast_horizon;
  fo.observation_end = options.observation_end;
  try {
    r.forecast = forecast_company(log, fo);
    r.tables.push_back(forecast_table(*r.forecast));
    r.tables.push_back(backtest_table(*r.forecast));
    r.tables.push_back(seasonality_table(*r.forecast));
  } catch (const InputError& e) {
    r.notes.push_back(std::string("forecast left out: ") + e.what());
  }
  return r;
}

}  // namespace ltv
