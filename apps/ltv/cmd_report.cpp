// `ltv report DIR`: (re-)renders the self-contained HTML report from the files that
// `ltv analyze -o DIR` wrote (summary.json, model.json, customers.csv, segments.csv, models.csv,
// analytics/, validation/, nps/, basket/, actions_summary.csv; each section optional).
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include "command.hpp"
#include "ltv/workspace/jobs_report.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void run_report(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const ReportJobOptions options = report_job_options(p);
  const report::Report r = report_job(options);
  int charts = 0, notes = 0;
  for (const auto& s : r.sections) charts += s.charts, notes += static_cast<int>(s.notes.size());
  if (!p.flag("quiet")) {
    fmt::print("Report:        {} ({} sections, {} charts, {} notes on missing inputs, {} KB)\n",
               options.out.string(), r.sections.size(), charts, notes,
               (r.html.size() + 1023) / 1024);
  }
}

void setup_report(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "report",
      "Render the self-contained HTML report (inline SVG charts and CSS, printable on A4, no "
      "network) from the output directory of `ltv analyze`. Sections whose input files are "
      "missing show a note.");
  auto parameters = add_parameter_options(*cmd, {"report"});
  cmd->footer(
      "Example:\n"
      "  ltv analyze sim/transactions.csv --customer customer_id --date date --amount amount \\\n"
      "      -o results\n"
      "  ltv report results --currency EUR --title \"Shop, Q4\" -o shop.html");
  cmd->callback([parameters]() { run_report(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(50, ltv::cli::setup_report);
