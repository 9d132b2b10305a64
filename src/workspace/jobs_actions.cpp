// The CVM actions job of `ltv actions` (see ltv/workspace/jobs_actions.hpp).
#include "ltv/workspace/jobs_actions.hpp"

#include "ltv/error.hpp"
#include "ltv/models/clv.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/models/selection.hpp"

namespace ltv {

ActionsJobOptions actions_job_options(const Parameters& p) {
  p.validate();
  ActionsJobOptions o;
  const std::string managers = p.text("managers"), due_out = p.text("due_out");
  if (!managers.empty() && due_out.empty())
    parameter_error("due_out", "nothing", "a FILE for the due contacts of --managers");
  if (!due_out.empty() && p.text("contacts").empty())
    parameter_error("due_out", due_out, "--contacts FILE too (the contact history)");
  o.due_contacts = !due_out.empty();
  o.model = p.text("model");
  model_definition(o.model, ModelKind::count);
  o.summary = summary_options(p);
  o.max_actions = static_cast<std::size_t>(p.integer("max_actions"));
  return o;
}

ActionsJobInputs read_actions_job_inputs(const Parameters& p) {
  ActionsJobInputs in;
  const std::string rules = p.text("rules");
  in.playbook =
      rules.empty() || rules == "built-in" ? default_action_config() : load_action_config(rules);
  if (const std::string path = p.text("customers"); !path.empty()) in.customers = read_table(path);
  precheck_playbook(in.playbook, in.customers ? &*in.customers : nullptr, false);
  if (const std::string path = p.text("nps"); !path.empty()) {
    in.nps_source = path;
    in.nps = read_nps_rows(path);
  }
  if (const std::string path = p.text("contacts"); !path.empty()) in.contacts = read_table(path);
  if (const std::string path = p.text("suppress"); !path.empty()) in.suppress = read_table(path);
  if (const std::string path = p.text("managers"); !path.empty()) in.managers = read_table(path);
  return in;
}

ActionsJobResult actions_job(Workspace& workspace, const ActionsJobInputs& in,
                             const ActionsJobOptions& o) {
  const TransactionLog& log = workspace.transactions();
  std::optional<NpsParseResult> nps;
  if (in.nps) nps = validate_nps_rows(*in.nps, in.nps_source, log.customer_ids);
  const CustomerSummary summary = workspace.summaries(o.summary);
  const FittedCountModel model = FittedCountModel::fit(o.model, summary_patterns(summary));
  const double month = 365.25 / 12.0 / days_per_unit(summary.time_unit);
  const CountScores count =
      score_customers(model, summary.frequency, summary.recency, summary.T, 12 * month);
  CustomerScores scores;
  scores.p_alive = count.p_alive;
  scores.expected_purchases = count.expected_purchases;
  ActionInputs ai;
  ai.customers = in.customers ? &*in.customers : nullptr;
  ai.nps = nps ? &nps->answers : nullptr;
  ai.contacts = in.contacts ? &*in.contacts : nullptr;
  ai.suppress = in.suppress ? &*in.suppress : nullptr;
  ai.max_actions = o.max_actions;
  const ActionRun run = run_actions(in.playbook, ai, log, summary, model, scores);
  ActionsJobResult out;
  out.actions = action_list_table(run);
  out.summary = action_summary_table(run);
  if (o.due_contacts) {
    std::vector<Manager> team;
    if (in.managers) team = read_managers(*in.managers, in.playbook);
    out.due = due_contacts_table(run, due_contacts(in.playbook, *run.fields, run.ids, team));
  }
  out.customers = summary.size();
  for (auto c : run.list.control) out.control += c;
  out.suppressed = run.list.suppressed;
  out.capped = run.list.capped;
  out.as_of_day = run.as_of_day;
  out.notes = run.notes;
  return out;
}

}  // namespace ltv
