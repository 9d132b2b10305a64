// `ltv compare`: two customer groups side by side with bootstrap confidence intervals. Options
// come from the parameter table (group "compare"); the work is one call, run_compare.
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
  const CompareJobOptions options = compare_options(p);  // every option checked before any work
  const AnalyticsInputs inputs = read_analytics_inputs(p);
  Workspace workspace(analytics_source(p));
  const bool quiet = p.flag("quiet");
  if (!quiet) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const CompareResult result = run_compare(workspace, options, inputs);
  print_notes(result.notes, quiet);
  if (!quiet) {
    for (const auto& w : result.warnings) fmt::print(stderr, "ltv: warning: {}\n", w);
    for (const auto& sentence : result.sentences) fmt::print(stderr, "{}\n", sentence);
  }
  write_tables(p, result.tables);
}

void setup_compare(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "compare",
      "Compare two customer groups (loyalty members vs non-members, channel A vs B): spend per "
      "customer "
      "per year, purchases per year, average check, retention, historical LTV; difference and "
      "relative "
      "difference with bootstrap confidence intervals and a plain-language sentence.");
  auto parameters =
      add_parameter_options(*cmd, {"source", "periods", "output", "format", "compare"});
  cmd->get_option("--a")->required();
  cmd->get_option("--b")->required();
  cmd->footer(
      "Output: "
      "metric,group_a,group_b,customers_a,customers_b,value_a,value_b,difference,difference_low,"
      "difference_high,relative_difference,relative_low,relative_high,sentence,warning\n\n"
      "Example (simulator: loyalty members vs the rest):\n"
      "  ltv compare sim/transactions.csv --customer customer_id --date date --amount amount "
      "--order order_id \\\n"
      "      --groups sim/customers.csv --group-column loyalty_member --a 1 --b 0 \\\n"
      "      --name-a members --name-b non-members");
  cmd->callback([parameters]() { run(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(45, ltv::cli::setup_compare);
