// `ltv actions`: today's CVM action list from a playbook of trigger rules (docs/cvm.md), with
// control groups, caps, suppression and the contact regime's due contacts per manager.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "ltv/workspace/actions.hpp"
#include "ltv/workspace/workspace.hpp"
#include "ltv/models/clv.hpp"
#include "command.hpp"
#include "ltv/io/dates.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

/// Side files of the actions command.
struct ActionInputFiles {
  std::string rules;     ///< --rules FILE (empty: built-in playbook)
  std::string customers;  ///< --customers FILE (attributes, birth_date)
  std::string nps;        ///< --nps FILE (customer_id,date,score)
  std::string contacts;   ///< --contacts FILE (customer_id,date,channel[,type])
  std::string suppress;   ///< --suppress FILE (customer_id)
  std::size_t max_actions = 0;  ///< --max-actions (0: the playbook's setting)
};

struct ActionsCliOptions {
  ActionInputFiles files;
  std::string model = "bgnbd";
  std::string summary_out;
  std::string managers;
  std::string due_out;
  std::string fields_out;
};

/// Writes a table as CSV, JSON or JSON lines (one object per row, for CRM imports).
void write_rows(const std::string& path, const std::string& format, const ResultTable& table) {
  Output out = open_output(path);
  if (format == "jsonl") {
    for (const auto& row : to_json(table)) out.stream() << row.dump() << '\n';
  } else {
    write_table(out.stream(), table, parse_output_format(format));
  }
  out.close();
}

void run_actions_command(const TransactionCliOptions& options, const ActionsCliOptions& a) {
  // The playbook first: rule syntax errors before any work.
  const ActionConfig config =
      a.files.rules.empty() ? default_action_config() : load_action_config(a.files.rules);
  if (!a.managers.empty() && a.due_out.empty())
    parameter_error("due_out", "nothing", "a FILE for the due contacts of --managers");
  if (!a.due_out.empty() && a.files.contacts.empty())
    parameter_error("due_out", a.due_out, "--contacts FILE too (the contact history)");
  std::optional<Table> customers, contacts, suppress, managers;
  if (!a.files.customers.empty()) customers = read_table(a.files.customers);
  precheck_playbook(config, customers ? &*customers : nullptr, false);
  apply_config(options);
  const std::string format = options.format;
  if (format != "jsonl") (void)output_format(options);  // validates csv|json
  model_definition(a.model, ModelKind::count);
  if (!a.files.contacts.empty()) contacts = read_table(a.files.contacts);
  if (!a.files.suppress.empty()) suppress = read_table(a.files.suppress);
  if (!a.managers.empty()) managers = read_table(a.managers);

  const TransactionLog log = load_log(options, nullptr, false);
  std::optional<NpsParseResult> nps;
  if (!a.files.nps.empty()) nps = read_nps_file(a.files.nps, log.customer_ids);
  const CustomerSummary summary = summarize(log, summary_options(options));
  const FittedCountModel model = FittedCountModel::fit(a.model, summary_patterns(summary));
  const double month = 365.25 / 12.0 / days_per_unit(summary.time_unit);
  const CountScores count =
      score_customers(model, summary.frequency, summary.recency, summary.T, 12 * month);
  CustomerScores scores;
  scores.p_alive = count.p_alive;
  scores.expected_purchases = count.expected_purchases;
  ActionInputs in;
  in.customers = customers ? &*customers : nullptr;
  in.nps = nps ? &nps->answers : nullptr;
  in.contacts = contacts ? &*contacts : nullptr;
  in.suppress = suppress ? &*suppress : nullptr;
  in.max_actions = a.files.max_actions;
  const ActionRun run = run_actions(config, in, log, summary, model, scores);
  if (!options.quiet) {
    for (const auto& note : run.notes) std::cerr << "ltv: note: " << note << '\n';
  }
  write_rows(options.output, format, action_list_table(run));
  if (!a.summary_out.empty()) {
    write_rows(a.summary_out, format == "jsonl" ? "json" : format, action_summary_table(run));
  }
  if (!a.due_out.empty()) {
    std::vector<Manager> team;
    if (managers) team = read_managers(*managers, config);
    const DueContacts due = due_contacts(config, *run.fields, run.ids, team);
    write_rows(a.due_out, format == "json" ? "json" : "csv", due_contacts_table(run, due));
  }
  if (!options.quiet) {
    std::size_t control = 0;
    for (auto c : run.list.control) control += c;
    std::cerr << fmt::format(
        "ltv: {} actions for {} customers ({} control; {} suppressed, {} capped) as of {}\n",
        run.list.size(), summary.size(), control, run.list.suppressed, run.list.capped,
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
