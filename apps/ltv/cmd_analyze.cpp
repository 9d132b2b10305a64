// `ltv analyze`: the main job. Options come from the engine's parameter table; the work is one
// call, Workspace::analyze; this file prints progress and the headline and writes the folder.
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>

#include "command.hpp"
#include "ltv/error.hpp"
#include "ltv/io/files.hpp"
#include "ltv/io/staged_directory.hpp"
#include "ltv/ltv.hpp"
#include "parameter_options.hpp"
#include "table_output.hpp"

namespace ltv::cli {
namespace {

/// Prints the human summary of an analysis on stdout: the headline, then where the results are.
void print_headline(const Analysis& a, const std::filesystem::path& dir,
                    const std::filesystem::path& report) {
  print_analysis_headline(a);
  std::string extra_outputs = a.table("validation/tracking") ? ", validation/" : "";
  if (a.table("segment_transitions")) extra_outputs += ", segment_transitions.csv";
  extra_outputs += ", actions.csv";
  if (a.extras.contains("basket")) extra_outputs += ", basket/";
  if (a.extras.contains("nps")) extra_outputs += ", nps/";
  fmt::print(
      "Results:       {}/ (customers.csv, segments.csv, models.csv, model.json, "
      "summary.json, analytics/{})\n",
      dir.string(), extra_outputs);
  if (!report.empty()) fmt::print("Report:        {}\n", report.string());
}

void run_analyze(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const AnalyzeOptions options = analyze_options(p);  // every option checked before any work
  const std::string output = p.text("output");
  if (output == "-" || output.empty()) {
    parameter_error("output", output, "a directory to write the results into (-o DIR)");
  }
  const bool quiet = p.flag("quiet");
  // -o must not be an input nor a folder holding one (every file parameter of the table: the
  // transactions and the side files): refused before anything is read or written.
  std::vector<std::string> inputs;
  for (const ParameterSpec* spec : parameters_of(p.groups())) {
    if (spec->type == ParameterType::path && spec->key != "output") {
      inputs.push_back(p.text(spec->key));
    }
  }
  check_output_not_input(output, inputs, "-o");
  const SideInputs side = read_side_inputs(p);  // side files before the transactions
  Workspace workspace(TransactionSource::from_parameters(p));
  const bool show_progress = !quiet && ::isatty(2) == 1;
  const auto progress = [&](int step, int steps, std::string_view what) {
    if (show_progress) fmt::print(stderr, "[{}/{}] {}...\n", step, steps, what);
  };
  // The transactions are read first, so that their load report comes before the other steps.
  progress(1, Workspace::kAnalyzeSteps, "loading " + workspace.source().path);
  if (!quiet) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const Analysis analysis =
      workspace.analyze(options, side, [&](int step, int steps, std::string_view what) {
        if (step > 1) progress(step, steps, what);
      });
  const std::filesystem::path dir = output;
  // The folder is built beside its target and swapped in whole, its manifest.json written last
  // (ltv/io/staged_directory.hpp): a reader, or a run killed at any point, sees the previous
  // complete folder or the new complete one, never a mix. Every write failure is an error.
  report::ReportOptions report_options;
  report_options.currency = options.currency;
  report_options.locale = options.locale;
  report_options.title = options.title;
  const report::FolderResult written =
      report::write_analysis_folder(analysis, dir, options.report ? &report_options : nullptr);
  // The report cannot be built from this analysis: said, not fatal.
  if (!written.report_error.empty() && !quiet) {
    fmt::print(stderr, "ltv analyze: report.html not written: {}\n", written.report_error);
  }
  print_headline(analysis, dir, written.report);
  if (p.flag("timings")) print_timings(analysis);
}

void setup_analyze(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "analyze",
      "The main job: load transactions, summarise customers, pick the best of BG/NBD, MBG/NBD "
      "and Pareto/NBD on a holdout, predict P(alive), expected purchases and discounted CLV "
      "(Gamma-Gamma spend), segment customers (RFM, ABCDX, life-cycle) and run the business "
      "analytics (KPIs, cohorts, LTV, forecasts). Writes everything into -o DIR.");
  auto parameters = add_parameter_options(*cmd, {"source", "periods", "output", "clv", "analyze"});
  cmd->footer(
      "Writes DIR/customers.csv (summary, p_alive, expected_purchases, expected_spend, clv,\n"
      "rfm_segment, abcdx, stage per customer), segments.csv, models.csv (holdout comparison),\n"
      "model.json, spend_model.json, summary.json, validation/*.csv, actions.csv,\n"
      "actions_summary.csv, analytics/*.csv and report.html; with --product (or --category)\n"
      "basket/ (rules.csv, itemsets.csv, recommendations.csv, category_penetration.csv); with\n"
      "--nps FILE nps/ (nps.csv, follow_ups.csv, detractor_terms.csv, value.csv, problems.csv).\n\n"
      "Example:\n"
      "  ltv simulate --customers 20000 --seed 42 -o sim\n"
      "  ltv analyze sim/transactions.csv --customer customer_id --date date --amount amount \\\n"
      "      --order order_id --spend sim/spend.csv --customers sim/customers.csv \\\n"
      "      --compare loyalty_member --product product --category category \\\n"
      "      --nps sim/nps.csv -o results");
  cmd->callback([parameters]() { run_analyze(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(5, ltv::cli::setup_analyze);
