#pragma once
/// Company revenue and active-customer forecasts for the next N periods by four methods, each
/// with a backtest on a held-out tail (MAPE, MAE), plus seasonality detection.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ltv/analytics/periods.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv {

enum class ForecastMethod {
  historical_average,  ///< mean of the last `average_window` periods
  cohort,      ///< existing cohorts along the pooled cohort curves + new cohorts at the recent rate
  regression,  ///< least squares on trend + seasonal dummies (or Fourier terms)
  holt_winters,  ///< additive Holt-Winters, smoothing parameters by grid search on SSE
};

/// "historical_average", "cohort", "regression", "holt_winters"; parsing throws InputError.
std::string_view to_string(ForecastMethod method) noexcept;
ForecastMethod parse_forecast_method(std::string_view text);

struct ForecastOptions {
  PeriodUnit period = PeriodUnit::month;
  std::int32_t horizon = 6;        ///< periods to forecast, >= 1
  std::int32_t holdout = 0;        ///< backtest tail; 0: min(horizon, n / 4), at least 1
  std::int32_t season_length = 0;  ///< 0: 12 for months, 52 for weeks, 7 for days, 4 for quarters
  std::int32_t fourier_terms = 0;  ///< regression: 0 = seasonal dummies, K > 0 = K Fourier pairs
  std::int32_t average_window =
      0;  ///< historical average / acquisition rate window; 0: min(season, n)
  std::vector<ForecastMethod> methods = {ForecastMethod::historical_average, ForecastMethod::cohort,
                                         ForecastMethod::regression, ForecastMethod::holt_winters};
  std::optional<std::int32_t> observation_end;
};

/// Forecast of one series by one method, with its backtest error.
struct SeriesForecast {
  ForecastMethod method = ForecastMethod::historical_average;
  std::string series;            ///< "revenue" or "active_customers"
  std::vector<double> forecast;  ///< one per future period (never negative)
  std::vector<double> backtest;  ///< forecasts of the held-out tail, fitted without it
  double mape = 0;  ///< percent, over held-out periods with a non-zero actual (NaN if none)
  double mae = 0;
  std::string note;  ///< e.g. "too short for seasonality: trend only"
};

/// Seasonality test of one series: autocorrelation of the detrended series at the season lag.
struct Seasonality {
  std::string series;
  std::int32_t season_length = 0;
  bool tested = false;  ///< false when the history is shorter than two seasons
  double autocorrelation = 0;
  double threshold = 0;  ///< 1.96 / sqrt(n)
  bool seasonal = false;
};

struct ForecastReport {
  PeriodUnit period = PeriodUnit::month;
  std::int32_t season_length = 12;
  std::int32_t holdout = 0;
  std::vector<std::int32_t> history_period;   ///< keys of the complete periods used
  std::vector<double> revenue;                ///< history
  std::vector<double> active_customers;       ///< history
  std::vector<std::int32_t> forecast_period;  ///< keys of the future periods
  std::string excluded;  ///< partial periods left out, e.g. "2011-12 (partial)"
  std::vector<Seasonality> seasonality;
  std::vector<SeriesForecast> forecasts;
};

/// Runs every requested method on revenue and active customers per complete period (a partial
/// first or last period is left out and named in `excluded`). Throws InputError for horizon < 1,
/// fewer than 3 complete periods, or a holdout leaving fewer than 2 periods to fit.
ForecastReport forecast_company(const TransactionLog& log, const ForecastOptions& options);

/// Forecast of a plain series by a series method (not `cohort`). Exposed for tests.
std::vector<double> forecast_series(std::span<const double> history, ForecastMethod method,
                                    std::int32_t horizon, std::int32_t season_length,
                                    std::int32_t fourier_terms, std::int32_t average_window,
                                    std::string* note = nullptr);

}  // namespace ltv
