// `ltv ltv`: historical LTV per customer and its distribution, and the B2B planning formula
// LTV = average check x purchases per year x relationship length (x margin), per group. Options
// come from the parameter table (group "ltv"); the work is one call, run_ltv.
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
  const LtvJobOptions options = ltv_options(p);  // every option checked before any work
  const AnalyticsInputs inputs = read_analytics_inputs(p);
  Workspace workspace(analytics_source(p));
  const bool quiet = p.flag("quiet");
  if (!quiet) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const AnalyticsResult result = run_ltv(workspace, options, inputs);
  print_notes(result.notes, quiet);
  write_tables(p, result.tables);
}

void setup_ltv(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "ltv",
      "Customer lifetime value, past and planned: the planning formula LTV = average check x "
      "purchases per year x relationship length in years (x margin) with each factor shown, the "
      "distribution of historical LTV (mean, median, percentiles, top-20% share), and LTV to date "
      "per customer.");
  auto parameters = add_parameter_options(*cmd, {"source", "periods", "output", "format", "ltv"});
  cmd->footer(
      "Output (ltv_formula): "
      "group,customers,orders,revenue,average_check,purchases_per_year,retention_period,"
      "retention_rate,lifespan_years_observed,lifespan_years_retention,lifespan_method,lifespan_"
      "years,margin,"
      "ltv_revenue,ltv_margin,historical_ltv_mean\n"
      "Output (ltv_distribution): "
      "group,measure,customers,total,mean,median,p10,p25,p75,p90,p99,max,top20_share\n"
      "Output (historical_ltv): customer_id,revenue,profit,orders,first_purchase,last_purchase\n\n"
      "Example:\n"
      "  ltv ltv sim/transactions.csv --customer customer_id --date date --amount amount --order "
      "order_id \\\n"
      "      --channel channel --by channel --margin-rate 0.3");
  cmd->callback([parameters]() { run(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(41, ltv::cli::setup_ltv);
