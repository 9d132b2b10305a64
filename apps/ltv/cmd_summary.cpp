// `ltv summary`: per-customer RFM summary (frequency, recency, T, monetary value), optionally
// split into calibration and holdout periods.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "command.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/io/files.hpp"
#include "ltv/workspace/workspace.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void setup_summary(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "summary",
      "Summarise each customer: frequency (repeat purchase days), recency and T (in --time-unit), "
      "monetary value, orders, revenue; with --calibration-end also the holdout period. "
      "Purchases on the same day count as one purchase.");
  auto parameters = add_parameter_options(*cmd, {"source", "periods", "output", "format"});
  cmd->footer(
      "Output columns: customer_id,frequency,recency,T,monetary_value,first_purchase,"
      "last_purchase,orders,revenue[,profit][,frequency_holdout,monetary_value_holdout,"
      "duration_holdout]\n\n"
      "Example (CDNOW sample: no header, whitespace-separated):\n"
      "  ltv summary CDNOW_sample.txt --no-header --customer 2 --date 3 --amount 5 \\\n"
      "      --calibration-end 1997-09-30 --observation-end 1998-06-30 -o summary.csv\n"
      "Example (Online Retail):\n"
      "  ltv summary online_retail.csv.gz --customer CustomerID --date InvoiceDate \\\n"
      "      --order InvoiceNo --quantity Quantity --price UnitPrice --returns drop");
  cmd->callback([parameters]() {
    const Parameters& p = parameters->resolved();
    // -o must not name the input (it would be replaced while it is read): refused before any read.
    check_output_not_input(p.text("output"), std::vector<std::string>{p.text("file")});
    const SummaryOptions summary_opts = summary_options(p);
    const OutputFormat format = parse_output_format(p.choice("format"));
    const bool quiet = p.flag("quiet");
    Workspace workspace(TransactionSource::from_parameters(p));
    std::optional<Output> out;
    workspace.write_summaries(
        summary_opts, format,
        [&](const LoadReport& report) {
          if (!quiet) std::fputs(report.to_text().c_str(), stderr);
        },
        [&]() -> std::ostream& { return out.emplace(p.text("output")).stream(); });
    out->close();
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(10, ltv::cli::setup_summary);
