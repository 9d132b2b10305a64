// The CVM actions job of `ltv actions` (see ltv/workspace/jobs_actions.hpp).
#include "ltv/workspace/jobs_actions.hpp"

#include <filesystem>
#include <stdexcept>
#include <unordered_map>

#include "ltv/error.hpp"
#include "ltv/io/files.hpp"
#include "ltv/models/clv.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/models/selection.hpp"

namespace ltv {

namespace {

/// The file of --export-profile: --export, else actions_<profile>.csv beside -o (the current
/// folder when the output is stdout). Refused when it is an input or another output.
std::string actions_export_file(const Parameters& p, const std::string& profile) {
  std::string path = p.text("export");
  if (path.empty()) {
    const std::string output = p.text("output");
    const std::string name = "actions_" + profile + ".csv";
    const std::filesystem::path folder = output.empty() || output == "-"
                                             ? std::filesystem::path()
                                             : std::filesystem::path(output).parent_path();
    path = folder.empty() ? name : (folder / name).string();
  }
  std::vector<std::string> inputs;
  for (const ParameterSpec* spec : parameters_of(p.groups())) {
    if (spec->type == ParameterType::path && spec->key != "output" && spec->key != "summary_out" &&
        spec->key != "due_out" && spec->key != "export") {
      inputs.push_back(p.text(spec->key));
    }
  }
  check_output_not_input(path, inputs, "--export");
  for (const char* option : {"output", "summary_out", "due_out"}) {
    if (p.text(option) == path && path != "-") {
      parameter_error("export", path, "a file other than the one of another output option");
    }
  }
  return path;
}

}  // namespace

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
  // CRM export (h11-export)
  const std::string profile = p.text("export_profile"), config = p.text("profile_config");
  if (!config.empty() && profile != "generic")
    parameter_error("profile_config", config, "--export-profile generic too");
  if (profile == "generic") {
    if (config.empty())
      parameter_error("export_profile", profile, "--profile-config FILE with the columns");
    o.export_profile = load_export_profile(config);
  } else if (!profile.empty()) {
    o.export_profile = builtin_export_profile(profile);
  } else if (!p.text("export").empty()) {
    parameter_error("export", p.text("export"), "--export-profile too");
  }
  o.export_options.owner = p.text("export_owner");
  o.export_options.due_days = static_cast<std::int32_t>(p.integer("export_due_days"));
  if (o.export_profile) o.export_options.file = actions_export_file(p, o.export_profile->name);
  o.locale = i18n::locale_from_parameters(p);
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

std::vector<CrmAction> crm_actions(const ActionsJobResult& r) {
  const ResultTable& t = r.actions;
  std::unordered_map<std::string, std::string> owner;
  if (r.due) {
    const std::size_t id = r.due->spec().index("customer_id"),
                      manager = r.due->spec().index("manager_id");
    for (std::size_t i = 0; i < r.due->rows(); ++i)
      if (!r.due->is_null(manager, i) && !r.due->text(manager, i).empty())
        owner.emplace(std::string(r.due->text(id, i)), std::string(r.due->text(manager, i)));
  }
  const std::size_t id = t.spec().index("customer_id"), rule = t.spec().index("rule"),
                    action = t.spec().index("action"), channel = t.spec().index("channel"),
                    params = t.spec().index("params"), reason = t.spec().index("reason"),
                    priority = t.spec().index("priority"), control = t.spec().index("control");
  std::vector<CrmAction> out(t.rows());
  for (std::size_t i = 0; i < t.rows(); ++i) {
    CrmAction& a = out[i];
    a.customer_id = t.cell_text(id, i);
    a.rule = t.cell_text(rule, i);
    a.action = t.cell_text(action, i);
    a.channel = t.cell_text(channel, i);
    a.offer = t.cell_text(params, i);
    a.reason = t.cell_text(reason, i);
    a.priority = t.integer(priority, i);
    a.control = t.boolean(control, i);
    if (auto it = owner.find(a.customer_id); it != owner.end()) a.owner = it->second;
  }
  return out;
}

ExportResult write_actions_export(std::ostream& out, const ActionsJobResult& r,
                                  const ActionsJobOptions& o) {
  if (!o.export_profile) throw std::logic_error("write_actions_export without a profile");
  ExportOptions options = o.export_options;
  options.as_of_day = r.as_of_day;
  const std::vector<CrmAction> rows = crm_actions(r);
  return write_crm_export(out, *o.export_profile, rows, options);
}

ActionsJobResult actions_job(Workspace& workspace, const ActionsJobInputs& in,
                             const ActionsJobOptions& o) {
  const i18n::LocaleScope locale(o.locale);  // the reasons' language and formats
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
