// `ltv actions`: today's CVM action list from a playbook of trigger rules (docs/cvm.md), with
// control groups, caps, suppression and the contact regime's due contacts per manager.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "analyze_actions.hpp"
#include "command.hpp"
#include "ltv/io/dates.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

struct ActionsCliOptions {
  ActionInputFiles files;
  std::string model = "bgnbd";
  std::string summary_out;
  std::string managers;
  std::string due_out;
  std::string fields_out;
};

void run_actions_command(const TransactionCliOptions& options, const ActionsCliOptions& a) {
  const ActionConfig config = load_playbook(a.files);  // rule syntax errors before any work
  if (!a.managers.empty() && a.due_out.empty())
    parameter_error("due_out", "nothing", "a FILE for the due contacts of --managers");
  if (!a.due_out.empty() && a.files.contacts.empty())
    parameter_error("due_out", a.due_out, "--contacts FILE too (the contact history)");
  precheck_playbook(config, a.files, false);
  std::string format = options.format;
  apply_config(options);
  format = options.format;
  if (format != "jsonl") (void)output_format(options);  // validates csv|json

  const TransactionLog log = load_log(options, nullptr, false);
  SummaryOptions summary_opts = summary_options(options);
  const CustomerSummary summary = summarize(log, summary_opts);
  const FittedCountModel model = FittedCountModel::fit(a.model, summary_patterns(summary));
  CustomerScores scores;
  const std::size_t n = summary.size();
  scores.p_alive.resize(n);
  scores.expected_purchases.resize(n);
  const double month = 365.25 / 12.0 / days_per_unit(summary.time_unit);
  for (std::size_t i = 0; i < n; ++i) {
    scores.p_alive[i] = model.p_alive(summary.frequency[i], summary.recency[i], summary.T[i]);
    scores.expected_purchases[i] = model.conditional_expected_transactions(
        12 * month, summary.frequency[i], summary.recency[i], summary.T[i]);
  }
  const ActionRun run = run_actions(config, a.files, log, summary, model, scores, options.quiet);
  {
    Output out = open_output(options.output);
    write_action_list(out.stream(), format, run);
    out.close();
  }
  if (!a.summary_out.empty()) {
    Output out(a.summary_out);
    write_action_summary(out.stream(), format, run);
    out.close();
  }
  if (!a.due_out.empty()) {
    std::vector<Manager> managers;
    if (!a.managers.empty()) managers = read_managers(a.managers, config);
    const DueContacts due = due_contacts(config, *run.fields, run.ids, managers);
    Output out(a.due_out);
    RowWriter w(out.stream(), format == "json" ? OutputFormat::json : OutputFormat::csv,
                {"manager_id", "role", "customer_id", "cadence", "every_days", "days_since_contact",
                 "days_overdue"});
    for (std::size_t k = 0; k < due.size(); ++k) {
      const Cadence& c = config.cadences[due.cadence[k]];
      w.text(due.manager[k]).text(due.role[k]).text(run.ids[due.row[k]]).text(c.name);
      w.integer(c.every_days).number(due.days_since_contact[k]).number(due.days_overdue[k]);
      w.end_row();
    }
    w.finish();
    out.close();
  }
  if (!options.quiet) {
    std::size_t control = 0;
    for (auto c : run.list.control) control += c;
    std::cerr << fmt::format(
        "ltv: {} actions for {} customers ({} control; {} suppressed, {} capped) as of {}\n",
        run.list.size(), n, control, run.list.suppressed, run.list.capped,
        format_date(run.as_of_day));
  }
}

void setup_actions(CLI::App& root) {
  auto options = std::make_shared<TransactionCliOptions>();
  auto a = std::make_shared<ActionsCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "actions",
      "Today's CVM action list: evaluates a playbook of trigger rules (TOML, docs/cvm.md; "
      "built-in: examples/actions.toml) over per-customer fields (summary, model P(alive) and "
      "next-purchase probabilities, segments, attributes, NPS, contacts), one action per "
      "customer by priority, frequency caps, suppression, deterministic control groups. Writes "
      "customer_id,rule,action,channel,params,reason,priority,control.");
  add_transaction_options(*cmd, *options);
  cmd->add_option("--rules", a->files.rules, "Playbook TOML FILE")->default_str("built-in");
  cmd->add_option("--model", a->model,
                  "Count model for P(alive) and p_purchase_*: bgnbd, mbgnbd, pnbd")
      ->capture_default_str();
  cmd->add_option("--customers", a->files.customers,
                  "Customer attributes FILE with customer_id (birth_date, region, ...)");
  cmd->add_option("--nps", a->files.nps, "NPS answers FILE (customer_id,date,score): latest score");
  cmd->add_option("--contacts", a->files.contacts,
                  "Contact history FILE (customer_id,date,channel[,type]) for caps and cadence");
  cmd->add_option("--suppress", a->files.suppress,
                  "Do-not-contact FILE (customer_id column, else the first column)");
  cmd->add_option("--max-actions", a->files.max_actions,
                  "Actions per customer per run (0 = the playbook's max_actions_per_customer)")
      ->capture_default_str();
  cmd->add_option("--summary-out", a->summary_out,
                  "Also write per-rule counts (rule,action,channel,priority,customers,treated,"
                  "control) to FILE");
  cmd->add_option("--managers", a->managers,
                  "Managers FILE (manager_id,role,capacity[,cadences]; role hunter|farmer): "
                  "assign the contact regime's overdue customers (with --due-out)");
  cmd->add_option("--due-out", a->due_out,
                  "Due contacts FILE of the contact regime (needs --contacts): manager_id,role,"
                  "customer_id,cadence,every_days,days_since_contact,days_overdue");
  cmd->footer(
      "--format also accepts jsonl (one JSON object per line, for CRM imports).\n\n"
      "Example:\n"
      "  ltv simulate --customers 5000 --seed 7 -o sim\n"
      "  ltv actions sim/transactions.csv --customer customer_id --date date --amount amount \\\n"
      "      --order order_id --customers sim/customers.csv --nps sim/nps.csv \\\n"
      "      --contacts sim/contacts.csv -o actions.csv");
  cmd->callback([options, a]() { run_actions_command(*options, *a); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(56, ltv::cli::setup_actions);
