// `ltv cac`: acquisition economics per channel and period from a marketing spend file.
#include <CLI/CLI.hpp>

#include <memory>

#include "analytics_output.hpp"
#include "command.hpp"
#include "ltv/analytics/cac.hpp"

namespace ltv::cli {
namespace {

struct CacCli {
  TransactionCliOptions io;
  std::string spend_file;
  std::string spend_channel = "channel";
  std::string spend_period = "period";
  std::string spend_amount = "spend";
  std::string period = "month";
  std::string channel_column = "channel";
  std::string customers_file;
  std::string id_column = "customer_id";
  std::string customers_channel = "channel";
  std::string predicted_file;
  std::string predicted_column = "clv";
  double margin_rate = 0;
};

void setup_cac(CLI::App& root) {
  auto o = std::make_shared<CacCli>();
  CLI::App* cmd = root.add_subcommand(
      "cac",
      "Acquisition economics per channel and period: CAC = spend / new customers acquired, LTV:CAC "
      "with "
      "historical (and, with --predicted, predicted) LTV, payback period, ROMI = (margin - spend) "
      "/ spend. "
      "Channels with spend but no customers and customers with an unknown channel are reported.");
  add_transaction_options(*cmd, o->io, PeriodOptions::observation_end);
  cmd->add_option("--spend", o->spend_file,
                  "Marketing spend FILE with channel, period, spend columns")
      ->required();
  cmd->add_option("--spend-channel", o->spend_channel, "Channel column of the spend file")
      ->capture_default_str();
  cmd->add_option("--spend-period", o->spend_period,
                  "Period column of the spend file (YYYY-MM, ...)")
      ->capture_default_str();
  cmd->add_option("--spend-amount", o->spend_amount, "Spend column of the spend file")
      ->capture_default_str();
  add_period_option(*cmd, o->period, "Period of the spend file");
  cmd->add_option(
         "--acquisition-column", o->channel_column,
         "Transactions column whose value on the first purchase is the acquisition channel")
      ->capture_default_str();
  cmd->add_option(
      "--customers", o->customers_file,
      "Take each customer's acquisition channel from FILE instead (e.g. customers.csv)");
  cmd->add_option("--id-column", o->id_column,
                  "Customer id column of --customers / --predicted files")
      ->capture_default_str();
  cmd->add_option("--customers-channel", o->customers_channel, "Channel column of --customers FILE")
      ->capture_default_str();
  cmd->add_option("--predicted", o->predicted_file,
                  "Scores FILE with a predicted LTV per customer");
  cmd->add_option("--predicted-column", o->predicted_column,
                  "Predicted LTV column of --predicted FILE")
      ->capture_default_str();
  cmd->add_option(
      "--margin-rate", o->margin_rate,
      "Margin as a fraction of revenue (default: the profit column when mapped, else revenue)");
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
  cmd->callback([o]() {
    CacOptions c;
    c.channel_column = o->channel_column;
    if (o->margin_rate != 0) c.margin = o->margin_rate;
    c.observation_end = analytics_observation_end(o->io);
    const PeriodUnit unit = parse_period_unit(o->period);
    const SpendTable spend =
        read_spend_table(o->spend_file, o->spend_channel, o->spend_period, o->spend_amount, unit);
    const TransactionLog log = load_log(o->io, nullptr, true);
    if (!o->customers_file.empty())
      c.acquisition_channel =
          groups_from_file(log, o->customers_file, o->id_column, o->customers_channel, o->io.quiet);
    if (!o->predicted_file.empty())
      c.predicted_ltv = values_from_file(log, o->predicted_file, o->id_column, o->predicted_column);
    const CacReport report = compute_cac(log, spend, c);
    if (!o->io.quiet) std::cerr << "ltv: margin from " << report.margin_source << "\n";
    write_analytics(o->io, {cac_table(report)}, "");
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(43, ltv::cli::setup_cac);
