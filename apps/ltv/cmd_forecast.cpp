// `ltv forecast`: company revenue and active customers for the next N periods by four methods,
// each with a backtest on a held-out tail. Options come from the parameter table (group
// "forecast"); the work is one call, run_forecast.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "command.hpp"
#include "ltv/workspace/analytics.hpp"
#include "parameter_options.hpp"
#include "table_output.hpp"

namespace ltv::cli {
namespace {

void run(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const ForecastJobOptions options = forecast_options(p);  // every option checked before any work
  Workspace workspace(analytics_source(p));
  const bool quiet = p.flag("quiet");
  if (!quiet) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const ForecastResult result = run_forecast(workspace, options);
  if (!quiet && !result.excluded.empty()) fmt::print(stderr, "ltv: left out {}\n", result.excluded);
  write_tables(p, result.tables);
}

void setup_forecast(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "forecast",
      "Forecast company revenue and active customers for the next N periods by historical average, "
      "cohort curves, regression with trend and seasonality (Eigen least squares) and "
      "Holt-Winters; "
      "each with a backtest (MAPE, MAE) on a held-out tail. Seasonality is tested and reported; "
      "partial first/last periods are left out.");
  auto parameters =
      add_parameter_options(*cmd, {"source", "periods", "output", "format", "forecast"});
  // --method is repeatable; the parameter holds the list comma-separated.
  cmd->get_option("--method")->multi_option_policy(CLI::MultiOptionPolicy::Join)->delimiter(',');
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
  cmd->callback([parameters]() { run(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(44, ltv::cli::setup_forecast);
