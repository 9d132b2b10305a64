// `ltv kpis`: monthly (or other period) business KPIs, overall and per group, plus the top
// products and categories. Options come from the parameter table (group "kpis"); the work is one
// call, run_kpis; this file prints the notes and writes the tables.
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
  const KpisJobOptions options = kpis_options(p);  // every option checked before any work
  const AnalyticsInputs inputs = read_analytics_inputs(p);
  Workspace workspace(analytics_source(p));
  const bool quiet = p.flag("quiet");
  if (!quiet) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const AnalyticsResult result = run_kpis(workspace, options, inputs);
  print_notes(result.notes, quiet);
  write_tables(p, result.tables);
}

void setup_kpis(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "kpis",
      "Business KPIs per period and overall: customers, active / new / returning customers, "
      "orders, revenue, profit and margin, average check, purchases per customer per year, "
      "repeat-purchase rate, observed lifespan, churned share; optional breakdown by a column; "
      "top products and categories by revenue and by buyers.");
  auto parameters = add_parameter_options(*cmd, {"source", "periods", "output", "format", "kpis"});
  cmd->footer(
      "Output (kpis): "
      "group,period,complete,customers,active_customers,new_customers,returning_customers,"
      "returning_share,orders,revenue,profit,margin,average_check,purchases_per_customer_per_year,"
      "repeat_purchase_rate,average_lifespan_days,churned_customers,churned_share\n"
      "Output (top_items): "
      "dimension,item,revenue,buyers,lines,quantity,rank_by_revenue,rank_by_buyers\n\n"
      "Example (Online Retail, cancellations dropped, by country):\n"
      "  ltv kpis online_retail.csv.gz --customer CustomerID --date InvoiceDate --order InvoiceNo "
      "\\\n"
      "      --quantity Quantity --price UnitPrice --product StockCode --region Country --returns "
      "drop --by region");
  cmd->callback([parameters]() { run(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(40, ltv::cli::setup_kpis);
