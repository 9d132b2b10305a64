// `ltv actions`: today's CVM action list from a playbook of trigger rules (docs/cvm.md), with
// control groups, caps, suppression and the contact regime's due contacts per manager.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/workspace/jobs_actions.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

/// Writes a table as CSV, JSON or JSON lines (one object per row, for CRM imports).
void write_rows(const std::string& path, const std::string& format, const ResultTable& table) {
  Output out(path);
  if (format == "jsonl") {
    for (const auto& row : to_json(table)) out.stream() << row.dump() << '\n';
  } else {
    write_table(out.stream(), table, parse_output_format(format));
  }
  out.close();
}

/// Writes the CRM export to the file actions_job_options() chose and checked (temporary name +
/// rename).
void write_export(const ActionsJobOptions& options, const ActionsJobResult& r, bool quiet) {
  Output out(options.export_options.file);
  const ExportResult written = write_actions_export(out.stream(), r, options);
  out.close();
  if (!quiet) {
    std::cerr << "ltv: note: " << written.note << " -> " << options.export_options.file << '\n';
  }
}

void run_actions_command(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const ActionsJobOptions options = actions_job_options(p);  // checked before any work
  const ActionsJobInputs inputs = read_actions_job_inputs(p);
  const std::string format = p.choice("format");
  const bool quiet = p.flag("quiet");
  TransactionSource source = TransactionSource::from_parameters(p);
  source.options.keep_extra_columns = false;
  Workspace workspace(std::move(source));
  if (!quiet) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const ActionsJobResult r = actions_job(workspace, inputs, options);
  if (!quiet) {
    for (const auto& note : r.notes) std::cerr << "ltv: note: " << note << '\n';
  }
  write_rows(p.text("output"), format, r.actions);
  if (const std::string path = p.text("summary_out"); !path.empty())
    write_rows(path, format == "jsonl" ? "json" : format, r.summary);
  if (r.due) write_rows(p.text("due_out"), format == "json" ? "json" : "csv", *r.due);
  if (options.export_profile) write_export(options, r, quiet);
  if (!quiet) {
    std::cerr << fmt::format(
        "ltv: {} actions for {} customers ({} control; {} suppressed, {} capped) as of {}\n",
        r.actions.rows(), r.customers, r.control, r.suppressed, r.capped, format_date(r.as_of_day));
  }
}

void setup_actions(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "actions",
      "Today's CVM action list: evaluates a playbook of trigger rules (TOML, docs/cvm.md; "
      "built-in: examples/actions.toml) over per-customer fields (summary, model P(alive) and "
      "next-purchase probabilities, segments, attributes, NPS, contacts), one action per "
      "customer by priority, frequency caps, suppression, deterministic control groups. Writes "
      "customer_id,rule,action,channel,params,reason,priority,control.");
  auto parameters = add_parameter_options(*cmd, {"source", "periods", "output", "actions"});
  cmd->footer(
      "Example:\n"
      "  ltv simulate --customers 5000 --seed 7 -o sim\n"
      "  ltv actions sim/transactions.csv --customer customer_id --date date --amount amount \\\n"
      "      --order order_id --customers sim/customers.csv --nps sim/nps.csv \\\n"
      "      --contacts sim/contacts.csv -o actions.csv");
  cmd->callback([parameters]() { run_actions_command(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(56, ltv::cli::setup_actions);
