// `ltv cac`: acquisition economics per channel and period from a marketing spend file.
// Options come from the parameter table (group "cac"); the work is one call, run_cac.
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
  const CacJobOptions options = cac_options(p);             // every option checked before any work
  const AnalyticsInputs inputs = read_analytics_inputs(p);  // the spend file before the rest
  Workspace workspace(analytics_source(p));
  const bool quiet = p.flag("quiet");
  if (!quiet) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const CacResult result = run_cac(workspace, options, inputs);
  print_notes(result.notes, quiet);
  if (!quiet) fmt::print(stderr, "ltv: margin from {}\n", result.margin_source);
  write_tables(p, result.tables);
}

void setup_cac(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "cac",
      "Acquisition economics per channel and period: CAC = spend / new customers acquired, LTV:CAC "
      "with "
      "historical (and, with --predicted, predicted) LTV, payback period, ROMI = (margin - spend) "
      "/ spend. "
      "Channels with spend but no customers and customers with an unknown channel are reported.");
  auto parameters = add_parameter_options(*cmd, {"source", "periods", "output", "format", "cac"});
  cmd->get_option("--spend")->required();
  cmd->footer(
      "Output: "
      "channel,period,spend,new_customers,cac,revenue,margin_attributable,historical_ltv,predicted_"
      "ltv,"
      "ltv_cac_historical,ltv_cac_predicted,payback_periods,romi,note\n"
      "Rows per channel and period, then the channel total (period 'all'); the grand total "
      "last.\n\n"
      "Example (simulator output):\n"
      "  ltv cac sim/transactions.csv --customer customer_id --date date --amount amount --order "
      "order_id \\\n"
      "      --channel channel --spend sim/spend.csv --margin-rate 0.3");
  cmd->callback([parameters]() { run(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(43, ltv::cli::setup_cac);
