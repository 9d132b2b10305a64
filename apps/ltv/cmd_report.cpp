// `ltv report DIR`: (re-)renders the self-contained HTML report from the files that
// `ltv analyze -o DIR` wrote (summary.json, model.json, customers.csv, segments.csv, models.csv,
// analytics/, validation/, nps/, basket/, actions_summary.csv; each section optional).
#include <fmt/format.h>

#include <CLI/CLI.hpp>

#include <memory>

#include "command.hpp"
#include "ltv/error.hpp"
#include "ltv/report/report.hpp"

namespace ltv::cli {
namespace {

struct ReportCliOptions {
  std::string dir;
  std::string output;  ///< -o: default DIR/report.html
  std::string currency = "$";
  std::string title = "Customer value report";
  bool quiet = false;
};

void run_report(const ReportCliOptions& o) {
  if (o.output == "-") {
    parameter_error("output", o.output, "a file name for the HTML page (default DIR/report.html)");
  }
  report::ReportOptions options;
  options.currency = o.currency;
  options.title = o.title;
  const std::filesystem::path dir = o.dir;
  const std::filesystem::path out =
      o.output.empty() ? dir / "report.html" : std::filesystem::path(o.output);
  const report::Report r = report::write_report(dir, out, options);
  int charts = 0, notes = 0;
  for (const auto& s : r.sections) charts += s.charts, notes += static_cast<int>(s.notes.size());
  if (!o.quiet) {
    fmt::print("Report:        {} ({} sections, {} charts, {} notes on missing inputs, {} KB)\n",
               out.string(), r.sections.size(), charts, notes, (r.html.size() + 1023) / 1024);
  }
}

void setup_report(CLI::App& root) {
  auto o = std::make_shared<ReportCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "report",
      "Render the self-contained HTML report (inline SVG charts and CSS, printable on A4, no "
      "network) from the output directory of `ltv analyze`. Sections whose input files are "
      "missing show a note.");
  cmd->add_option("DIR", o->dir, "Output directory of `ltv analyze -o DIR`")->required();
  cmd->add_option("-o,--output", o->output, "HTML file to write (default: DIR/report.html)");
  cmd->add_option("--currency", o->currency, "Currency symbol put before money amounts")
      ->capture_default_str();
  cmd->add_option("--title", o->title, "Page title")->capture_default_str();
  cmd->add_flag("-q,--quiet", o->quiet, "Print nothing on success");
  cmd->footer(
      "Example:\n"
      "  ltv analyze sim/transactions.csv --customer customer_id --date date --amount amount \\\n"
      "      -o results\n"
      "  ltv report results --currency EUR --title \"Shop, Q4\" -o shop.html");
  cmd->callback([o]() { run_report(*o); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(50, ltv::cli::setup_report);
