// `ltv uplift CAMPAIGNS TRANSACTIONS`: per campaign, treated vs control response rate, revenue
// and margin per customer over a window, differences with confidence intervals, incremental
// revenue, ROMI and whether the sample was large enough. Options come from the parameter table
// (group "uplift"); the work is one call, run_uplift.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "command.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/workspace/uplift.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void run(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const UpliftJobOptions options = uplift_options(p);  // every option checked before any work
  const UpliftInputs inputs = read_uplift_inputs(p);   // the campaign log before the transactions
  Workspace workspace(uplift_source(p));
  if (!p.flag("quiet")) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const ResultTable table = run_uplift(workspace, options, inputs);
  Output out(p.text("output"));
  write_table(out.stream(), table, parse_output_format(p.choice("format")));
  out.close();
}

void setup_uplift(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "uplift",
      "Did the campaign pay? For each campaign of a campaign log (customer_id,campaign,date,"
      "group with treated/control) compares treated and control customers over a window after "
      "the campaign date: response rate, revenue and margin per customer, differences with "
      "confidence intervals, incremental revenue, ROMI, and the minimum detectable effect.");
  // CAMPAIGNS first, then the transactions' FILE.
  auto parameters =
      add_parameter_options(*cmd, {"uplift", "source", "periods", "output", "format"});
  cmd->footer(
      "ROMI = (incremental margin - cost) / cost. large_enough: the observed revenue difference\n"
      "is at least the minimum detectable effect (two-sided test at the confidence level, given\n"
      "power), i.e. the sample could tell an effect of that size from zero.\n\n"
      "Example:\n"
      "  ltv simulate --customers 20000 --seed 3 --campaign-date 2025-06-01 \\\n"
      "      --campaign-uplift 1.5 -o sim\n"
      "  ltv uplift sim/campaigns.csv sim/transactions.csv --customer customer_id --date date \\\n"
      "      --amount amount --order order_id --window 90 --cost-per-treated 1");
  cmd->callback([parameters]() { run(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(57, ltv::cli::setup_uplift);
