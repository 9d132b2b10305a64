// `ltv forecast`: company revenue and active customers for the next N periods by four methods,
// each with a backtest on a held-out tail.
#include <CLI/CLI.hpp>

#include <memory>

#include "analytics_output.hpp"
#include "command.hpp"
#include "ltv/analytics/forecast.hpp"

namespace ltv::cli {
namespace {

struct ForecastCli {
  TransactionCliOptions io;
  std::string period = "month";
  std::int32_t horizon = 6;
  std::int32_t holdout = 0;
  std::int32_t season = 0;
  std::int32_t fourier = 0;
  std::int32_t window = 0;
  std::vector<std::string> methods = {"historical_average", "cohort", "regression", "holt_winters"};
  std::string table;
};

void setup_forecast(CLI::App& root) {
  auto o = std::make_shared<ForecastCli>();
  CLI::App* cmd = root.add_subcommand(
      "forecast",
      "Forecast company revenue and active customers for the next N periods by historical average, "
      "cohort curves, regression with trend and seasonality (Eigen least squares) and "
      "Holt-Winters; "
      "each with a backtest (MAPE, MAE) on a held-out tail. Seasonality is tested and reported; "
      "partial first/last periods are left out.");
  add_transaction_options(*cmd, o->io, PeriodOptions::observation_end);
  add_period_option(*cmd, o->period, "Forecast period");
  cmd->add_option("--horizon", o->horizon, "Periods to forecast")->capture_default_str();
  cmd->add_option("--holdout", o->holdout, "Backtest periods held out (0: min(horizon, n/4))")
      ->capture_default_str();
  cmd->add_option("--season", o->season,
                  "Season length in periods (0: 12 months, 52 weeks, 7 days, 4 quarters)")
      ->capture_default_str();
  cmd->add_option("--fourier", o->fourier,
                  "Regression: K Fourier pairs instead of seasonal dummies (0 = dummies)")
      ->capture_default_str();
  cmd->add_option("--window", o->window,
                  "Periods averaged by historical_average and for the acquisition rate (0: season)")
      ->capture_default_str();
  cmd->add_option("--method", o->methods, "Methods to run (repeatable)")->capture_default_str();
  cmd->add_option("--table", o->table,
                  "Table to write as CSV: forecast (default), forecast_backtest or seasonality; "
                  "JSON writes all");
  cmd->footer(
      "Output (forecast): method,series,period,kind,value   (kind history for method 'actual', "
      "else forecast)\n"
      "Output (forecast_backtest): method,series,holdout_periods,mape,mae,note\n"
      "Output (seasonality): series,season_length,tested,autocorrelation,threshold,seasonal\n\n"
      "Example:\n"
      "  ltv forecast online_retail.csv.gz --customer CustomerID --date InvoiceDate --order "
      "InvoiceNo \\\n"
      "      --quantity Quantity --price UnitPrice --returns drop --horizon 3 --table "
      "forecast_backtest");
  cmd->callback([o]() {
    ForecastOptions f;
    f.period = parse_period_unit(o->period);
    f.horizon = o->horizon;
    f.holdout = o->holdout;
    f.season_length = o->season;
    f.fourier_terms = o->fourier;
    f.average_window = o->window;
    f.methods.clear();
    for (const auto& m : o->methods) f.methods.push_back(parse_forecast_method(m));
    f.observation_end = analytics_observation_end(o->io);
    const TransactionLog log = load_log(o->io, nullptr, false);
    const ForecastReport report = forecast_company(log, f);
    if (!o->io.quiet && !report.excluded.empty())
      std::cerr << "ltv: left out " << report.excluded << "\n";
    write_analytics(o->io,
                    {forecast_table(report), backtest_table(report), seasonality_table(report)},
                    o->table);
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(44, ltv::cli::setup_forecast);
