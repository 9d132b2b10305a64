// `ltv cohorts`: acquisition cohorts by first-purchase period, as a long table or a matrix.
#include <CLI/CLI.hpp>

#include <memory>

#include "analytics_output.hpp"
#include "command.hpp"
#include "ltv/analytics/cohorts.hpp"

namespace ltv::cli {
namespace {

struct CohortsCli {
  TransactionCliOptions io;
  std::string period = "month";
  std::string matrix;
};

void setup_cohorts(CLI::App& root) {
  auto o = std::make_shared<CohortsCli>();
  CLI::App* cmd = root.add_subcommand(
      "cohorts",
      "Acquisition cohorts by first-purchase period: active customers, retention, orders, revenue "
      "and cumulative revenue per acquired customer (the cohort LTV curve) for each period since "
      "acquisition. A long table by default, or a cohort x age matrix of one metric.");
  add_transaction_options(*cmd, o->io, PeriodOptions::observation_end);
  add_period_option(*cmd, o->period, "Cohort period");
  cmd->add_option(
      "--matrix", o->matrix,
      "Write a matrix of one metric instead: retention, active_customers, revenue, orders, "
      "cumulative_revenue_per_customer, cumulative_profit_per_customer");
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
  cmd->callback([o]() {
    CohortOptions c;
    c.period = parse_period_unit(o->period);
    c.observation_end = analytics_observation_end(o->io);
    if (!o->matrix.empty()) cohort_matrix(CohortReport{}, o->matrix);  // validate before loading
    const TransactionLog log = load_log(o->io, nullptr, false);
    const CohortReport report = build_cohorts(log, c);
    if (o->matrix.empty()) {
      write_analytics(o->io, {cohort_table(report)}, "");
    } else {
      write_analytics(o->io, {cohort_matrix(report, o->matrix)}, "");
    }
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(42, ltv::cli::setup_cohorts);
