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
  if (log.product) {
    auto items = top_items(log, "product", options.top, options.observation_end);
    r.top_items.insert(r.top_items.end(), items.begin(), items.end());
  }
  if (log.category) {
    auto items = top_items(log, "category", options.top, options.observation_end);
    r.top_items.insert(r.top_items.end(), items.begin(), items.end());
  }

  FormulaLtvOptions f;
  f.margin = options.margin;
  f.observation_end = options.observation_end;
  r.ltv_formula = formula_ltv(log, f);
  r.lifespan_method = f.method;
  r.retention_period = f.retention_period;
  r.ltv_distribution = ltv_distribution(historical_ltv(log, options.observation_end));

  CohortOptions c;
  c.period = options.period;
  c.observation_end = options.observation_end;
  r.cohorts = build_cohorts(log, c);

  ForecastOptions fo;
  fo.period = options.period;
  fo.horizon = options.forecast_horizon;
  fo.observation_end = options.observation_end;
  try {
    r.forecast = forecast_company(log, fo);
  } catch (const InputError& e) {
    r.notes.push_back(std::string("forecast left out: ") + e.what());
  }
  return r;
}

}  // namespace ltv
