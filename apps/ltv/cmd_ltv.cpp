// `ltv ltv`: historical LTV per customer and its distribution, and the B2B planning formula
// LTV = average check x purchases per year x relationship length (x margin), per group.
#include <CLI/CLI.hpp>

#include <memory>

#include "analytics_output.hpp"
#include "command.hpp"
#include "ltv/analytics/ltv.hpp"

namespace ltv::cli {
namespace {

struct LtvCli {
  TransactionCliOptions io;
  std::string by;
  std::string groups_file;
  std::string id_column = "customer_id";
  std::string group_column;
  std::string lifespan = "retention";
  std::string retention_period = "year";
  double margin_rate = 0;
  std::string table;
};

void setup_ltv(CLI::App& root) {
  auto o = std::make_shared<LtvCli>();
  CLI::App* cmd = root.add_subcommand(
      "ltv",
      "Customer lifetime value, past and planned: the planning formula LTV = average check x "
      "purchases per year x relationship length in years (x margin) with each factor shown, the "
      "distribution of historical LTV (mean, median, percentiles, top-20% share), and LTV to date "
      "per customer.");
  add_transaction_options(*cmd, o->io, PeriodOptions::observation_end);
  cmd->add_option("--by", o->by,
                  "Per group: the value of this column on each customer's first purchase");
  cmd->add_option("--groups", o->groups_file,
                  "Per group: customer labels from FILE (with --group-column)");
  cmd->add_option("--id-column", o->id_column, "Customer id column of --groups FILE")
      ->capture_default_str();
  cmd->add_option("--group-column", o->group_column,
                  "Label column of --groups FILE (e.g. segment)");
  cmd->add_option("--lifespan", o->lifespan,
                  "Relationship length: observed (mean last - first purchase) or retention (1 / (1 "
                  "- r) periods)")
      ->capture_default_str();
  add_period_option(*cmd, o->retention_period, "Period over which retention r is measured");
  cmd->get_option("--period")->default_str("year");
  cmd->add_option("--margin-rate", o->margin_rate,
                  "Margin as a fraction of revenue (default: profit / revenue when --margin or "
                  "--cost is mapped)");
  cmd->add_option("--table", o->table,
                  "Table to write as CSV: ltv_formula (default), ltv_distribution or "
                  "historical_ltv; JSON writes all");
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
  cmd->callback([o]() {
    FormulaLtvOptions f;
    f.method = parse_lifespan_method(o->lifespan);
    f.retention_period = parse_period_unit(o->retention_period);
    if (o->margin_rate != 0) f.margin = o->margin_rate;
    f.observation_end = analytics_observation_end(o->io);
    const TransactionLog log = load_log(o->io, nullptr, !o->by.empty());
    std::optional<CustomerGroups> groups;
    if (!o->by.empty()) {
      groups = groups_from_first_purchase(log, o->by, "--by");
    } else if (!o->groups_file.empty()) {
      if (o->group_column.empty())
        parameter_error("group_column", "", "the label column of --groups FILE");
      groups = groups_from_file(log, o->groups_file, o->id_column, o->group_column, o->io.quiet);
    }
    const CustomerGroups* g = groups ? &*groups : nullptr;
    const HistoricalLtv h = historical_ltv(log, f.observation_end);
    write_analytics(o->io,
                    {formula_ltv_table(formula_ltv(log, f, g), f.method, f.retention_period),
                     distribution_table(ltv_distribution(h, g)), historical_ltv_table(log, h)},
                    o->table);
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(41, ltv::cli::setup_ltv);
