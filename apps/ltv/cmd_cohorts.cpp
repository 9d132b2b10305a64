// `ltv cohorts`: acquisition cohorts by first-purchase period, as a long table or a matrix.
// Options come from the parameter table (group "cohorts"); the work is one call, run_cohorts.
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
  const CohortsJobOptions options = cohorts_options(p);  // every option checked before any work
  Workspace workspace(analytics_source(p));
  if (!p.flag("quiet")) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  write_tables(p, run_cohorts(workspace, options).tables);
}

void setup_cohorts(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "cohorts",
      "Acquisition cohorts by first-purchase period: active customers, retention, orders, revenue "
      "and cumulative revenue per acquired customer (the cohort LTV curve) for each period since "
      "acquisition. A long table by default, or a cohort x age matrix of one metric.");
  auto parameters =
      add_parameter_options(*cmd, {"source", "periods", "output", "format", "cohorts"});
  cmd->footer(
      "Output (long): "
      "cohort,age,period,complete,cohort_size,active_customers,retention,orders,revenue,profit,"
      "cumulative_revenue_per_customer,cumulative_profit_per_customer\n"
      "Output (--matrix M): cohort,cohort_size,p0,p1,... (M at 0, 1, ... periods since "
      "acquisition)\n\n"
      "Example:\n"
      "  ltv cohorts online_retail.csv.gz --customer CustomerID --date InvoiceDate --order "
      "InvoiceNo \\\n"
      "      --quantity Quantity --price UnitPrice --returns drop --matrix retention");
  cmd->callback([parameters]() { run(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(42, ltv::cli::setup_cohorts);
