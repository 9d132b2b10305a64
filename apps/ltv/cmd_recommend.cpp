// `ltv recommend`: next best offers per customer from follow-on purchases ("bought X; 31% of X
// buyers buy Y within 60 days"), or a time-split evaluation against a popularity baseline.
#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "ltv/ltv.hpp"
#include "ltv/workspace/jobs_cross_sell.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void run_recommend(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const RecommendJobOptions options = recommend_job_options(p);  // checked before any work
  const bool json = p.choice("format") == "json";
  const RecommendJobInputs inputs = read_recommend_job_inputs(p);
  Workspace workspace(cross_sell_source(p));
  if (!p.flag("quiet")) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const RecommendJobResult result = recommend_job(workspace, inputs, options);
  // The evaluation's note is printed even with --quiet (it says what the figures cover).
  for (const std::string& note : result.notes) fmt::print(stderr, "ltv recommend: {}\n", note);
  const ResultTable& table = result.evaluation ? *result.evaluation : *result.recommendations;
  Output out(p.text("output"));
  if (json) {
    out.stream() << nlohmann::json(to_json(table)).dump(2) << '\n';  // keys sorted, as before
  } else {
    write_csv(out.stream(), table);
  }
  out.close();
}

void setup_recommend(CLI::App& root) {
  auto* cmd = root.add_subcommand(
      "recommend",
      "Next best offer per customer from what buyers of their items bought next, with a reason; "
      "or --evaluate DATE against a popularity baseline");
  auto parameters = add_parameter_options(
      *cmd, {"source", "periods", "output", "format", "cross_sell", "recommend"});
  cmd->footer(
      "Examples:\n"
      "  ltv recommend sim/transactions.csv --customer customer_id --date date --item product \\\n"
      "      --top 5 -o offers.csv\n"
      "  ltv recommend online_retail.csv.gz --customer CustomerID --date InvoiceDate \\\n"
      "      --item StockCode --quantity Quantity --evaluate 2011-09-01");
  cmd->callback([parameters] { run_recommend(*parameters); });
}

}  // namespace

LTV_REGISTER_COMMAND(61, setup_recommend);

}  // namespace ltv::cli
