// `ltv penetration`: week-by-week share of a target group that bought a product since its
// launch, and (--reach) the share of every segment that bought every product.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "command.hpp"
#include "ltv/ltv.hpp"
#include "ltv/workspace/jobs_cross_sell.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void run_penetration(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const PenetrationJobOptions options = penetration_job_options(p);  // checked before any work
  const bool json = p.choice("format") == "json";
  const PenetrationJobInputs inputs = read_penetration_job_inputs(p);
  Workspace workspace(cross_sell_source(p));
  if (!p.flag("quiet")) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const PenetrationJobResult result = penetration_job(workspace, inputs, options);
  const ResultTable& table = result.reach ? *result.reach : *result.curve;
  Output out(p.text("output"));
  if (json) {
    out.stream() << nlohmann::json(to_json(table)).dump(2) << '\n';  // keys sorted, as before
  } else {
    write_csv(out.stream(), table);
  }
  out.close();
}

void setup_penetration(CLI::App& root) {
  auto* cmd = root.add_subcommand(
      "penetration",
      "Share of a target group that bought a product, week by week since its launch; or "
      "--reach: share of every segment that bought every product");
  auto parameters = add_parameter_options(
      *cmd, {"source", "periods", "output", "format", "cross_sell", "penetration"});
  cmd->footer(
      "Examples:\n"
      "  ltv penetration sim/transactions.csv --customer customer_id --date date \\\n"
      "      --category category --level category --launched electronics --launch 2024-06-01 \\\n"
      "      --target-buyers-of 'sports goods'\n"
      "  ltv penetration sim/transactions.csv --customer customer_id --date date \\\n"
      "      --category category --level category --reach --segments segments.csv");
  cmd->callback([parameters] { run_penetration(*parameters); });
}

}  // namespace

LTV_REGISTER_COMMAND(62, setup_penetration);

}  // namespace ltv::cli
