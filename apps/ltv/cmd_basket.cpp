// `ltv basket`: frequent itemsets and association rules from baskets (orders, or customer +
// day), and follow-on sequences (what customers buy after a product within a window). Options
// come from the parameter table; the work is one call, basket_job; this file writes the tables.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "ltv/ltv.hpp"
#include "ltv/workspace/jobs_cross_sell.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void run_basket(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const BasketJobOptions options = basket_job_options(p);  // checked before any work
  const bool json = p.choice("format") == "json";
  const bool quiet = p.flag("quiet");
  const BasketJobInputs inputs = read_basket_job_inputs(p);
  Workspace workspace(cross_sell_source(p));
  if (!quiet) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const BasketJobResult result = basket_job(workspace, inputs, options);
  if (!quiet) {
    for (const std::string& note : result.notes) fmt::print(stderr, "ltv basket: {}\n", note);
  }
  if (result.itemsets && !p.text("itemsets").empty()) {
    Output file(p.text("itemsets"));
    write_csv(file.stream(), *result.itemsets);  // CSV whatever --format says
    file.close();
  }
  Output out(p.text("output"));
  if (result.follow_on) {
    if (json) {
      out.stream() << nlohmann::json(to_json(*result.follow_on)).dump(2) << '\n';
    } else {
      write_csv(out.stream(), *result.follow_on);
    }
  } else if (json) {
    out.stream() << rules_json(result.mined_rules).dump(2) << '\n';
  } else {
    write_csv(out.stream(), *result.rules);
  }
  out.close();
}

void setup_basket(CLI::App& root) {
  auto* cmd = root.add_subcommand(
      "basket",
      "Frequent itemsets and association rules (support, confidence, lift) from baskets, or "
      "follow-on sequences with --sequence");
  auto parameters = add_parameter_options(
      *cmd, {"source", "periods", "output", "format", "cross_sell", "basket"});
  cmd->footer(
      "Examples:\n"
      "  ltv basket groceries_long.csv --basket transaction_id --item item \\\n"
      "      --min-support 0.001 --min-confidence 0.8 -o rules.csv\n"
      "  ltv basket sim/transactions.csv --customer customer_id --date date --item product \\\n"
      "      --sequence --window 60 --after 'bike'");
  cmd->callback([parameters] { run_basket(*parameters); });
}

}  // namespace

LTV_REGISTER_COMMAND(60, setup_basket);

}  // namespace ltv::cli
