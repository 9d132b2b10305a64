#include "ltv/analytics/forecast.hpp"

#include <fmt/format.h>
#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "analytics/common.hpp"
#include "ltv/analytics/cohorts.hpp"
#include "ltv/error.hpp"

namespace ltv {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

double mean_of(std::span<const double> y) {
  double s = 0;
  for (double v : y) s += v;
  return y.empty() ? 0.0 : s / static_cast<double>(y.size());
}

/// Additive Holt-Winters one-step SSE and forecasts (Hyndman & Athanasopoulos, FPP3 sec. 8.3).
struct HoltWinters {
  double alpha, beta, gamma;
  std::int32_t s;  // 0 = no seasonality (Holt's linear trend)

  double run(std::span<const double> y, std::int32_t horizon, std::vector<double>* out) const {
    const auto n = static_cast<std::int32_t>(y.size());
    double level, trend;
    std::vector<double> season(static_cast<std::size_t>(std::max(s, 1)), 0.0);
    std::int32_t start;
    if (s > 0) {
      const double m1 = mean_of(y.subspan(0, s));
      const double m2 = mean_of(y.subspan(s, s));
      level = m1;
      trend = (m2 - m1) / s;
      for (std::int32_t i = 0; i < s; ++i) season[i] = y[i] - m1;
      start = s;
    } else {
      level = y[0];
      trend = n > 1 ? y[1] - y[0] : 0.0;
      start = 1;
    }
    double sse = 0;
    for (std::int32_t t = start; t < n; ++t) {
      const double seas = s > 0 ? season[t % s] : 0.0;
      const double fitted = level + trend + seas;
      sse += (y[t] - fitted) * (y[t] - fitted);
      const double new_level = alpha * (y[t] - seas) + (1 - alpha) * (level + trend);
      trend = beta * (new_level - level) + (1 - beta) * trend;
      if (s > 0) season[t % s] = gamma * (y[t] - new_level) + (1 - gamma) * seas;
      level = new_level;
    }
    if (out != nullptr) {
      out->clear();
      for (std::int32_t h = 1; h <= horizon; ++h)
        out->push_back(level + h * trend + (s > 0 ? season[(n + h - 1) % s] : 0.0));
    }
    return sse;
  }
};

std::vector<double> holt_winters(std::span<const double> y, std::int32_t horizon,
                                 std::int32_t season, std::string* note) {
  const auto n = static_cast<std::int32_t>(y.size());
  const std::int32_t s = (season > 1 && n >= 2 * season + 1) ? season : 0;
  if (s == 0 && season > 1 && note)
    *note = "history shorter than two seasons: Holt linear trend without seasonality";
  HoltWinters best{0.5, 0.1, 0.1, s};
  double best_sse = std::numeric_limits<double>::infinity();
  for (int a = 1; a <= 19; ++a)
    for (int b = 0; b <= 19; ++b)
      for (int g = 0; g <= (s > 0 ? 19 : 0); ++g) {
        HoltWinters hw{a * 0.05, b * 0.05, g * 0.05, s};
        const double sse = hw.run(y, 0, nullptr);
        if (sse < best_sse) {
          best_sse = sse;
          best = hw;
        }
      }
  std::vector<double> out;
  best.run(y, horizon, &out);
  if (note && note->empty())
    *note = fmt::format("alpha={:.2f} beta={:.2f} gamma={:.2f}", best.alpha, best.beta, best.gamma);
  return out;
}

std::vector<double> regression(std::span<const double> y, std::int32_t horizon, std::int32_t season,
                               std::int32_t fourier, std::string* note) {
  const auto n = static_cast<std::int32_t>(y.size());
  // Seasonal terms need more observations than parameters, and at least one full season plus 2.
  std::int32_t seasonal_columns = 0;
  if (season > 1) seasonal_columns = fourier > 0 ? 2 * std::min(fourier, season / 2) : season - 1;
  if (season > 1 && n < season + seasonal_columns / 2 + 3) {
    if (note) *note = "history too short for seasonal terms: trend only";
    seasonal_columns = 0;
  }
  const std::int32_t p = 2 + seasonal_columns;
  auto row = [&](std::int32_t t, Eigen::RowVectorXd& r) {
    r(0) = 1.0;
    r(1) = t;
    if (seasonal_columns == 0) return;
    if (fourier > 0) {
      for (std::int32_t k = 1; 2 * k <= seasonal_columns; ++k) {
        const double w = 2 * std::numbers::pi * k * t / season;
        r(2 * k) = std::sin(w);
        r(2 * k + 1) = std::cos(w);
      }
    } else {
      for (std::int32_t j = 1; j < season; ++j) r(1 + j) = (t % season) == j ? 1.0 : 0.0;
    }
  };
  Eigen::MatrixXd X(n, p);
  Eigen::VectorXd Y(n);
  Eigen::RowVectorXd r = Eigen::RowVectorXd::Zero(p);
  for (std::int32_t t = 0; t < n; ++t) {
    row(t, r);
    X.row(t) = r;
    Y(t) = y[t];
  }
  const Eigen::VectorXd beta = X.colPivHouseholderQr().solve(Y);
  std::vector<double> out;
  for (std::int32_t h = 0; h < horizon; ++h) {
    row(n + h, r);
    out.push_back(r.dot(beta));
  }
  return out;
}

double detrended_acf(std::span<const double> y, std::int32_t lag) {
  const auto n = static_cast<std::int32_t>(y.size());
  // Residuals from a least-squares line.
  double tm = (n - 1) / 2.0, ym = mean_of(y), sxy = 0, sxx = 0;
  for (std::int32_t t = 0; t < n; ++t) {
    sxy += (t - tm) * (y[t] - ym);
    sxx += (t - tm) * (t - tm);
  }
  const double slope = sxx > 0 ? sxy / sxx : 0;
  std::vector<double> e(static_cast<std::size_t>(n));
  for (std::int32_t t = 0; t < n; ++t) e[t] = y[t] - ym - slope * (t - tm);
  double num = 0, den = 0;
  for (std::int32_t t = 0; t < n; ++t) den += e[t] * e[t];
  for (std::int32_t t = lag; t < n; ++t) num += e[t] * e[t - lag];
  return den > 0 ? num / den : 0.0;
}

void clamp_nonnegative(std::vector<double>& v) {
  for (double& x : v) {
    if (!std::isfinite(x)) throw Error("forecast produced a non-finite value");
    x = std::max(0.0, x);
  }
}

/// Cohort method on a cohort report restricted to complete periods [0, n): returns revenue and
/// active customers for periods n .. n + horizon - 1 (relative to the first history period).
void cohort_forecast(const CohortReport& cohorts, std::int32_t first_key, std::int32_t n,
                     std::int32_t horizon, std::int32_t window, std::vector<double>& revenue,
                     std::vector<double>& active) {
  // Cohort sizes by relative period, pooled per-customer curves by age over complete cells.
  std::vector<double> size(static_cast<std::size_t>(n), 0.0);
  std::vector<double> rev_sum(static_cast<std::size_t>(n), 0.0),
      act_sum(static_cast<std::size_t>(n), 0.0), base(static_cast<std::size_t>(n), 0.0);
  for (const CohortCell& c : cohorts.cells) {
    const std::int32_t cohort = c.cohort_index - first_key;
    if (cohort < 0 || cohort >= n || cohort + c.age >= n) continue;
    if (c.age == 0) size[cohort] = static_cast<double>(c.cohort_size);
    rev_sum[c.age] += c.revenue;
    act_sum[c.age] += static_cast<double>(c.active_customers);
    base[c.age] += static_cast<double>(c.cohort_size);
  }
  std::vector<double> rev_curve(static_cast<std::size_t>(n)),
      act_curve(static_cast<std::size_t>(n));
  for (std::int32_t k = 0; k < n; ++k) {
    rev_curve[k] = base[k] > 0 ? rev_sum[k] / base[k] : (k > 0 ? rev_curve[k - 1] : 0.0);
    act_curve[k] = base[k] > 0 ? act_sum[k] / base[k] : (k > 0 ? act_curve[k - 1] : 0.0);
  }
  auto curve_at = [&](const std::vector<double>& curve, std::int32_t age) {
    return curve[static_cast<std::size_t>(std::min(age, n - 1))];
  };
  const std::int32_t w = std::max(1, std::min(window, n));
  double rate = 0;
  for (std::int32_t t = n - w; t < n; ++t) rate += size[t];
  rate /= w;
  revenue.assign(static_cast<std::size_t>(horizon), 0.0);
  active.assign(static_cast<std::size_t>(horizon), 0.0);
  for (std::int32_t h = 0; h < horizon; ++h) {
    const std::int32_t t = n + h;
    for (std::int32_t c = 0; c < n; ++c) {
      revenue[h] += size[c] * curve_at(rev_curve, t - c);
      active[h] += size[c] * curve_at(act_curve, t - c);
    }
    for (std::int32_t c = n; c <= t; ++c) {
      revenue[h] += rate * curve_at(rev_curve, t - c);
      active[h] += rate * curve_at(act_curve, t - c);
    }
  }
}

void backtest_errors(std::span<const double> actual, const std::vector<double>& predicted,
                     SeriesForecast& f) {
  double abs_sum = 0, pct_sum = 0;
  std::int32_t pct_count = 0;
  for (std::size_t i = 0; i < actual.size(); ++i) {
    const double e = std::abs(actual[i] - predicted[i]);
    abs_sum += e;
    if (actual[i] != 0) {
      pct_sum += e / std::abs(actual[i]);
      ++pct_count;
    }
  }
  f.mae = actual.empty() ? kNaN : abs_sum / static_cast<double>(actual.size());
  f.mape = pct_count > 0 ? 100.0 * pct_sum / pct_count : kNaN;
}

}  // namespace

std::string_view to_string(ForecastMethod method) noexcept {
  switch (method) {
    case ForecastMethod::historical_average:
      return "historical_average";
    case ForecastMethod::cohort:
      return "cohort";
    case ForecastMethod::regression:
      return "regression";
    case ForecastMethod::holt_winters:
      return "holt_winters";
  }
  return "historical_average";
}

ForecastMethod parse_forecast_method(std::string_view text) {
  for (ForecastMethod m : {ForecastMethod::historical_average, ForecastMethod::cohort,
                           ForecastMethod::regression, ForecastMethod::holt_winters})
    if (text == to_string(m)) return m;
  parameter_error("method", std::string(text),
                  "one of historical_average, cohort, regression, holt_winters");
}

std::vector<double> forecast_series(std::span<const double> y, ForecastMethod method,
                                    std::int32_t horizon, std::int32_t season, std::int32_t fourier,
                                    std::int32_t window, std::string* note) {
  if (y.empty()) throw Error("forecast_series: empty history");
  std::vector<double> out;
  switch (method) {
    case ForecastMethod::historical_average: {
      const auto n = static_cast<std::int32_t>(y.size());
      const std::int32_t w = window > 0 ? std::min(window, n) : std::min(std::max(season, 1), n);
      out.assign(static_cast<std::size_t>(horizon),
                 mean_of(y.subspan(static_cast<std::size_t>(n - w))));
      if (note) *note = fmt::format("mean of the last {} periods", w);
      break;
    }
    case ForecastMethod::regression:
      out = regression(y, horizon, season, fourier, note);
      break;
    case ForecastMethod::holt_winters:
      out = holt_winters(y, horizon, season, note);
      break;
    case ForecastMethod::cohort:
      throw Error("forecast_series: the cohort method needs the transaction log");
  }
  clamp_nonnegative(out);
  return out;
}

ForecastReport forecast_company(const TransactionLog& log, const ForecastOptions& options) {
  if (options.horizon < 1)
    parameter_error("horizon", std::to_string(options.horizon), "a number of periods >= 1");
  ForecastReport report;
  report.period = options.period;
  report.season_length =
      options.season_length > 0 ? options.season_length : season_length(options.period);
  if (log.size() == 0) parameter_error("input", "no transactions", "at least 3 complete periods");
  const detail::DayRange range = detail::day_range(log);
  const std::int32_t obs_end = options.observation_end.value_or(range.last);
  const detail::PeriodGrid grid(options.period, range.first, obs_end);
  // History per period: revenue and distinct active customers.
  const std::int32_t P = grid.count();
  std::vector<double> revenue(static_cast<std::size_t>(P), 0.0);
  std::vector<double> active(static_cast<std::size_t>(P), 0.0);
  {
    std::vector<std::int32_t> last_period(log.customer_count(), -1);
    // Rows are not sorted; count distinct (customer, period) with a per-period stamp pass.
    std::vector<std::vector<std::uint32_t>> seen(static_cast<std::size_t>(P));
    for (std::size_t i = 0; i < log.size(); ++i) {
      if (log.day[i] > obs_end) continue;
      const std::int32_t p = grid(log.day[i]);
      if (log.has_amount()) revenue[p] += log.amount[i];
      seen[p].push_back(log.customer[i]);
    }
    for (std::int32_t p = 0; p < P; ++p) {
      auto& v = seen[p];
      std::sort(v.begin(), v.end());
      active[p] = static_cast<double>(std::unique(v.begin(), v.end()) - v.begin());
    }
  }
  std::int32_t lo = 0, hi = P;
  if (P > 0 && !grid.complete(0)) {
    report.excluded = format_period(grid.key(0), options.period) + " (partial)";
    lo = 1;
  }
  if (P > lo && !grid.complete(P - 1)) {
    report.excluded += (report.excluded.empty() ? "" : ", ") +
                       format_period(grid.key(P - 1), options.period) + " (partial)";
    hi = P - 1;
  }
  const std::int32_t n = hi - lo;
  if (n < 3)
    parameter_error("period", std::string(to_string(options.period)),
                    fmt::format("at least 3 complete periods of history (found {})", n));
  for (std::int32_t p = lo; p < hi; ++p) {
    report.history_period.push_back(grid.key(p));
    report.revenue.push_back(revenue[p]);
    report.active_customers.push_back(active[p]);
  }
  for (std::int32_t h = 0; h < options.horizon; ++h)
    report.forecast_period.push_back(grid.key(hi) + h);
  const std::int32_t holdout =
      options.holdout > 0 ? options.holdout : std::max(1, std::min(options.horizon, n / 4));
  if (n - holdout < 2)
    parameter_error("holdout", std::to_string(holdout),
                    fmt::format("fewer periods, leaving at least 2 of {} to fit", n));
  report.holdout = holdout;
  const std::int32_t s = report.season_length;
  const std::int32_t window =
      options.average_window > 0 ? options.average_window : std::min(std::max(s, 1), n);

  for (const auto& [name, y] :
       {std::pair<std::string, const std::vector<double>*>{"revenue", &report.revenue},
        {"active_customers", &report.active_customers}}) {
    Seasonality z;
    z.series = name;
    z.season_length = s;
    z.tested = s > 1 && n >= 2 * s;
    z.threshold = 1.96 / std::sqrt(static_cast<double>(n));
    if (z.tested) {
      z.autocorrelation = detrended_acf(*y, s);
      z.seasonal = z.autocorrelation > z.threshold;
    }
    report.seasonality.push_back(z);
  }

  // Cohort curves: full history and the history without the held-out tail.
  // Cohorts count from the first (possibly partial) period so that no customer is left out.
  const std::int32_t first_key = grid.key(0);
  std::vector<double> cohort_rev, cohort_act, cohort_rev_bt, cohort_act_bt;
  const bool want_cohort = std::find(options.methods.begin(), options.methods.end(),
                                     ForecastMethod::cohort) != options.methods.end();
  if (want_cohort) {
    CohortOptions co;
    co.period = options.period;
    co.observation_end = grid.end(hi - 1);
    cohort_forecast(build_cohorts(log, co), first_key, hi, options.horizon, window, cohort_rev,
                    cohort_act);
    co.observation_end = grid.end(hi - 1 - holdout);
    cohort_forecast(build_cohorts(log, co), first_key, hi - holdout, holdout, window, cohort_rev_bt,
                    cohort_act_bt);
  }

  for (ForecastMethod m : options.methods) {
    for (const auto& [name, y] :
         {std::pair<std::string, const std::vector<double>*>{"revenue", &report.revenue},
          {"active_customers", &report.active_customers}}) {
      SeriesForecast f;
      f.method = m;
      f.series = name;
      const std::span<const double> all(*y);
      if (m == ForecastMethod::cohort) {
        f.forecast = name == "revenue" ? cohort_rev : cohort_act;
        f.backtest = name == "revenue" ? cohort_rev_bt : cohort_act_bt;
        clamp_nonnegative(f.forecast);
        f.note = fmt::format(
            "pooled cohort curves; new cohorts at the mean of the last {} acquisitions", window);
      } else {
        f.forecast =
            forecast_series(all, m, options.horizon, s, options.fourier_terms, window, &f.note);
        std::string ignored;
        f.backtest = forecast_series(all.subspan(0, static_cast<std::size_t>(n - holdout)), m,
                                     holdout, s, options.fourier_terms, window, &ignored);
      }
      backtest_errors(all.subspan(static_cast<std::size_t>(n - holdout)), f.backtest, f);
      report.forecasts.push_back(std::move(f));
    }
  }
  return report;
}

}  // namespace ltv
