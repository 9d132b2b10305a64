// `ltv segment`: RFM scores and segments, ABCDX classes, life-cycle stages, custom rule segments,
// clusters, look-alikes and segment history, driven by a TOML config (docs/segments.md). Options
// come from the parameter table; the work is one call, segment_job; this file writes the tables.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <memory>

#include "command.hpp"
#include "ltv/ltv.hpp"
#include "ltv/workspace/jobs_segment.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void write(const std::string& path, const ResultTable& table, OutputFormat format) {
  Output out(path);
  write_table(out.stream(), table, format);
  out.close();
}

void run_segment(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const SegmentJobOptions options = segment_job_options(p);  // checked before any work
  const OutputFormat format = parse_output_format(p.choice("format"));
  const bool quiet = p.flag("quiet");
  const SegmentJobInputs inputs = read_segment_job_inputs(p);
  Workspace workspace(TransactionSource::from_parameters(p));
  if (!quiet) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const SegmentJobResult result = segment_job(workspace, inputs, options);
  if (!quiet) {
    for (const std::string& note : result.notes) std::cerr << note << "\n";
  }
  write(p.text("output"), result.customers, format);
  const auto write_to = [&](const char* key, const ResultTable& table) {
    if (const std::string path = p.text(key); !path.empty()) write(path, table, format);
  };
  write_to("segments_out", result.segments);
  write_to("overlaps_out", result.overlaps);
  if (result.lookalike) write_to("lookalike_out", *result.lookalike);
  if (result.transitions) write_to("transitions_out", *result.transitions);
  if (result.drops) write_to("drops_out", *result.drops);
}

void setup_segment(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "segment",
      "Put every customer into named segments with the reason behind each: RFM scores and the "
      "ten RFM segments, ABCDX classes, life-cycle stages (new, active, vip, at_risk, lapsing, "
      "lost), custom rule segments, k-means clusters and look-alikes, as configured in a TOML "
      "file (built-in default: examples/segments.toml). Writes one row per customer; "
      "--segments-out writes one row per segment.");
  auto parameters =
      add_parameter_options(*cmd, {"source", "periods", "output", "format", "segment"});
  // Runs during parsing (before FILE is checked), so it works without a transaction file.
  cmd->add_flag_callback(
      "--print-default-config",
      [] {
        std::cout << default_segment_config_text();
        std::cout.flush();
        throw CLI::Success();
      },
      "Print the built-in segment config (a starting point for your own) and exit");
  cmd->footer(
      "Output columns: "
      "customer_id,recency_days,orders,revenue,average_check,r,f,m[,r_label,f_label,m_label],"
      "rfm_segment,"
      "rfm_purpose,abcdx[,potential_score],stage,rhythm_ratio,expected_interval_days[,p_alive]"
      "[,predicted_clv],stage_reason[,custom_segments][,cluster]\n\n"
      "Example (CDNOW master, segments as of the end of the data):\n"
      "  ltv segment CDNOW_master.txt --customer 1 --date 2 --amount 4 \\\n"
      "      --segments-out segments.csv -o customers.csv\n"
      "Example (Online Retail, own rules, quarter-end history):\n"
      "  ltv segment online_retail.csv.gz --customer CustomerID --date InvoiceDate \\\n"
      "      --order InvoiceNo --quantity Quantity --price UnitPrice --returns drop \\\n"
      "      --segment-config segments.toml --snapshots 2011-03-31,2011-06-30,2011-09-30 \\\n"
      "      --transitions-out moves.csv --drops-out drops.csv -o customers.csv");
  cmd->callback([parameters]() { run_segment(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(40, ltv::cli::setup_segment);
