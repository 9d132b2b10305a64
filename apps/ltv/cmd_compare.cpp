// `ltv compare`: two customer groups side by side with bootstrap confidence intervals.
#include <CLI/CLI.hpp>

#include <memory>

#include "analytics_output.hpp"
#include "command.hpp"
#include "ltv/analytics/compare.hpp"

namespace ltv::cli {
namespace {

struct CompareCli {
  TransactionCliOptions io;
  std::string by;
  std::string groups_file;
  std::string id_column = "customer_id";
  std::string group_column;
  std::string a, b;
  std::string name_a, name_b;
  std::int32_t bootstrap = 1000;
  std::uint64_t seed = 42;
  double confidence = 0.95;
  std::string retention_period = "month";
  std::int64_t min_group = 30;
};

void setup_compare(CLI::App& root) {
  auto o = std::make_shared<CompareCli>();
  CLI::App* cmd = root.add_subcommand(
      "compare",
      "Compare two customer groups (loyalty members vs non-members, channel A vs B): spend per "
      "customer "
      "per year, purchases per year, average check, retention, historical LTV; difference and "
      "relative "
      "difference with bootstrap confidence intervals and a plain-language sentence.");
  add_transaction_options(*cmd, o->io, PeriodOptions::observation_end);
  cmd->add_option("--by", o->by, "Group by this column's value on each customer's first purchase");
  cmd->add_option("--groups", o->groups_file,
                  "Group by customer labels from FILE (with --group-column)");
  cmd->add_option("--id-column", o->id_column, "Customer id column of --groups FILE")
      ->capture_default_str();
  cmd->add_option("--group-column", o->group_column,
                  "Label column of --groups FILE (e.g. loyalty_member)");
  cmd->add_option("--a", o->a, "Label of the first group")->required();
  cmd->add_option("--b", o->b, "Label of the second group")->required();
  cmd->add_option("--name-a", o->name_a,
                  "Name of the first group in sentences (default: its label)");
  cmd->add_option("--name-b", o->name_b,
                  "Name of the second group in sentences (default: its label)");
  cmd->add_option("--bootstrap", o->bootstrap, "Bootstrap resamples")->capture_default_str();
  cmd->add_option("--seed", o->seed, "Random seed (results are reproducible)")
      ->capture_default_str();
  cmd->add_option("--confidence", o->confidence, "Interval level")->capture_default_str();
  add_period_option(*cmd, o->retention_period,
                    "Retention period (share active again the next period)");
  cmd->add_option("--min-group", o->min_group, "Warn when a group has fewer customers")
      ->capture_default_str();
  cmd->footer(
      "Output: "
      "metric,group_a,group_b,customers_a,customers_b,value_a,value_b,difference,difference_low,"
      "difference_high,relative_difference,relative_low,relative_high,sentence,warning\n\n"
      "Example (simulator: loyalty members vs the rest):\n"
      "  ltv compare sim/transactions.csv --customer customer_id --date date --amount amount "
      "--order order_id \\\n"
      "      --groups sim/customers.csv --group-column loyalty_member --a 1 --b 0 \\\n"
      "      --name-a members --name-b non-members");
  cmd->callback([o]() {
    CompareOptions c;
    c.bootstrap = o->bootstrap;
    c.seed = o->seed;
    c.confidence = o->confidence;
    c.retention_period = parse_period_unit(o->retention_period);
    c.min_group_size = o->min_group;
    c.observation_end = analytics_observation_end(o->io);
    if (o->by.empty() == o->groups_file.empty())
      parameter_error("by", o->by, "exactly one of --by or --groups");
    const TransactionLog log = load_log(o->io, nullptr, !o->by.empty());
    CustomerGroups groups;
    if (!o->by.empty()) {
      groups = groups_from_first_purchase(log, o->by, "--by");
    } else {
      if (o->group_column.empty())
        parameter_error("group_column", "", "the label column of --groups FILE");
      groups = groups_from_file(log, o->groups_file, o->id_column, o->group_column, o->io.quiet);
    }
    // Display names replace the labels (e.g. loyalty_member 1 / 0 -> members / non-members).
    std::string a = o->a, b = o->b;
    for (auto& label : groups.labels) {
      if (label == o->a && !o->name_a.empty())
        label = a = o->name_a;
      else if (label == o->b && !o->name_b.empty())
        label = b = o->name_b;
    }
    const CompareReport report = compare_groups(log, groups, a, b, c);
    if (!o->io.quiet) {
      for (const auto& w : report.warnings) std::cerr << "ltv: warning: " << w << "\n";
      for (const auto& m : report.metrics) std::cerr << m.sentence << "\n";
    }
    write_analytics(o->io, {compare_table(report)}, "");
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(45, ltv::cli::setup_compare);
