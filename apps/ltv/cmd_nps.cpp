// `ltv nps`: Net Promoter Score by period, channel, segment or any column, with 95% intervals,
// follow-up items, frequent detractor words and the value of promoters vs detractors. Options
// come from the parameter table (group "nps"); the work is one call, run_nps; this file prints
// the problems found and writes the tables.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "command.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/workspace/nps.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

/// Writes a side table as CSV to `path`.
void write_csv_file(const std::string& path, const ResultTable& table) {
  Output out(path);
  write_csv(out.stream(), table);
  out.close();
}

void run(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const NpsJobOptions options = nps_options(p);  // every option checked before any work
  const NpsInputs inputs = read_nps_inputs(p);
  std::optional<Workspace> transactions;
  if (options.value) transactions.emplace(nps_transactions_source(p));
  const NpsRun run = run_nps(options, inputs, transactions ? &*transactions : nullptr);
  if (!p.flag("quiet")) {
    for (const auto& note : run.notes) fmt::print(stderr, "ltv nps: {}\n", note);
  }
  if (!p.text("problems").empty()) write_csv_file(p.text("problems"), run.problems);
  Output out(p.text("output"));
  if (parse_output_format(p.choice("format")) == OutputFormat::csv) {
    write_csv(out.stream(), run.nps);
  } else {
    // Objects with their keys in alphabetical order, as `ltv nps` has always written them.
    out.stream() << nlohmann::json(to_json(run.nps)).dump(2) << '\n';
  }
  out.close();
  if (run.follow_ups) write_csv_file(p.text("follow_ups"), *run.follow_ups);
  if (run.detractor_terms) write_csv_file(p.text("terms"), *run.detractor_terms);
  if (run.value) write_csv_file(p.text("value"), *run.value);
}

void setup_nps(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "nps", "Net Promoter Score (% promoters 9-10 minus % detractors 0-6) with 95% intervals");
  auto parameters = add_parameter_options(*cmd, {"nps", "output", "format"});
  // Lists: repeatable, or comma-separated.
  for (const char* list : {"--by", "--owner-by-channel"}) {
    cmd->get_option(list)->multi_option_policy(CLI::MultiOptionPolicy::Join)->delimiter(',');
  }
  cmd->footer(
      "Example:\n  ltv nps sim/nps.csv --by period --by channel --period quarter \\\n"
      "      --follow-ups follow_ups.csv --terms terms.csv \\\n"
      "      --transactions sim/transactions.csv --value nps_value.csv");
  cmd->callback([parameters]() { run(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(90, ltv::cli::setup_nps);
