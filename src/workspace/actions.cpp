// The CVM actions job (see ltv/workspace/actions.hpp).
#include "ltv/workspace/actions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <sstream>
#include <unordered_map>

#include "ltv/error.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {

namespace {

std::vector<std::uint8_t> suppressed_rows(const Table& t, const std::vector<std::string>& ids) {
  const std::size_t col = t.find("customer_id") ? *t.find("customer_id") : 0;
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
  std::vector<std::uint8_t> out(ids.size(), 0);
  for (const std::string& id : t.columns.at(col))
    if (auto it = index.find(id); it != index.end()) out[it->second] = 1;
  return out;
}

}  // namespace

void precheck_playbook(const ActionConfig& config, const Table* customers, bool has_clv) {
  const CustomerSummary empty;
  std::vector<std::string> known = SegmentFields(empty, nullptr, nullptr, 0).names();
  for (const char* name :
       {"p_alive", "expected_purchases", "r", "f", "m", "rfm_score", "rfm", "rfm_segment", "abcdx",
        "stage", "rhythm_ratio", "expected_interval_days"})
    known.emplace_back(name);
  if (has_clv) known.emplace_back("predicted_clv");
  for (const auto& c : default_segment_config().custom) known.push_back(c.name);
  for (std::string_view name : cvm_field_names()) known.emplace_back(name);
  if (customers != nullptr) {
    for (const auto& name : customers->names) known.push_back(name);
    if (customers->find("birth_date")) {
      known.emplace_back("age");
      known.emplace_back("age_band");
    }
  }
  check_playbook_fields(config, known);
}

ActionRun run_actions(const ActionConfig& config, const ActionInputs& in, const TransactionLog& log,
                      const CustomerSummary& summary, const FittedCountModel& model,
                      CustomerScores scores) {
  ActionRun run;
  run.config = config;
  run.ids = summary_customer_ids(log, summary);
  run.as_of_day = summary.calibration_end;
  run.scores = std::make_unique<CustomerScores>(std::move(scores));
  if (in.customers != nullptr) {
    const Table& t = *in.customers;
    const std::size_t key = t.require("customer_id");
    std::vector<std::pair<std::string, std::vector<std::string>>> columns;
    for (std::size_t c = 0; c < t.names.size(); ++c)
      if (c != key) columns.emplace_back(t.names[c], t.columns[c]);
    run.attributes =
        std::make_unique<Attributes>(align_attributes(run.ids, t.columns[key], columns, t.source));
  }
  run.fields = std::make_unique<SegmentFields>(summary, run.scores.get(), run.attributes.get(),
                                               run.as_of_day);
  const SegmentConfig segment_config = default_segment_config();
  segment_customers(summary, run.scores.get(), run.attributes.get(), segment_config, run.as_of_day,
                    run.fields.get());

  // The latest NPS answer of each customer (of two answers on one day the first counts).
  std::vector<double> nps;
  if (in.nps != nullptr) {
    nps = latest_scores(run.ids, in.nps->customer, in.nps->day,
                        std::vector<double>(in.nps->score.begin(), in.nps->score.end()));
  }
  if (in.contacts != nullptr) {
    const Table& t = *in.contacts;
    std::size_t unmatched = 0;  // channel is required: per-channel caps need it
    run.contacts = align_contacts(run.ids, t.column("customer_id"), t.dates("date"),
                                  t.column("channel"), &unmatched);
    if (unmatched > 0)
      run.notes.push_back(fmt::format("{} contacts of {} are for customers not in the transactions",
                                      unmatched, t.source));
  }
  CvmFieldInputs fields;
  fields.summary = &summary;
  fields.log = &log;
  fields.model = &model;
  fields.contacts = in.contacts == nullptr ? nullptr : &run.contacts;
  fields.nps = nps;
  fields.as_of_day = run.as_of_day;
  fields.min_intervals = config.min_intervals;
  add_cvm_fields(*run.fields, fields);

  std::vector<std::uint8_t> suppressed;
  if (in.suppress != nullptr) suppressed = suppressed_rows(*in.suppress, run.ids);
  PlanOptions plan;
  plan.max_actions_per_customer = in.max_actions;
  plan.suppressed = suppressed;
  plan.contacts = in.contacts == nullptr ? nullptr : &run.contacts;
  plan.as_of_day = run.as_of_day;
  run.list = plan_actions(config, *run.fields, run.ids, plan);
  // Suspicious but valid: a rule whose condition holds for every customer tests nothing (a typo
  // such as `>= 0`, or a field that has one value here). Said, not refused.
  const std::size_t n = run.ids.size();
  for (std::size_t r = 0; r < config.rules.size() && n >= 2; ++r) {
    if (r < run.list.matched.size() && run.list.matched[r] == n) {
      const ActionRule& rule = config.rules[r];
      run.notes.push_back(fmt::format(
          "playbook rule '{}' ({}:{}) is true for every one of the {} customers: its condition "
          "'{}' does not tell customers apart",
          rule.id, config.source, rule.line, n, escape_for_message(rule.when.text(), 200)));
    }
  }
  return run;
}

ResultTable action_list_table(const ActionRun& run) {
  const ActionList& l = run.list;
  std::vector<std::string> params;
  for (const auto& r : run.config.rules) params.push_back(format_params(r));
  ResultTable t(table_spec("actions"));
  for (std::size_t k = 0; k < l.size(); ++k) {
    const ActionRule& r = run.config.rules[l.rule[k]];
    t.append_row({run.ids[l.row[k]], r.id, r.action, r.channel, params[l.rule[k]], l.reason[k],
                  std::int64_t{r.priority}, l.control[k] != 0});
  }
  return t;
}

ResultTable action_summary_table(const ActionRun& run) {
  ResultTable t(table_spec("actions_summary"));
  for (const auto& s : summarize_actions(run.config, run.list)) {
    t.append_row({s.rule, s.action, s.channel, std::int64_t{s.priority},
                  static_cast<std::int64_t>(s.customers), static_cast<std::int64_t>(s.treated),
                  static_cast<std::int64_t>(s.control)});
  }
  return t;
}

std::vector<Manager> read_managers(const Table& t, const ActionConfig& config) {
  std::string names;  // the playbook's cadences, for the error message
  for (const auto& c : config.cadences) names += (names.empty() ? "" : ", ") + c.name;
  const auto& ids = t.column("manager_id");
  const auto& roles = t.column("role");
  const auto capacity = t.integers("capacity");
  std::vector<Manager> out;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    Manager m;
    m.id = ids[i];
    m.role = roles[i];
    if (m.role != "hunter" && m.role != "farmer") t.fail(i, t.require("role"), "hunter or farmer");
    if (capacity[i] < 0) t.fail(i, t.require("capacity"), "a capacity of 0 or more");
    m.capacity = static_cast<std::size_t>(capacity[i]);
    if (t.find("cadences")) {
      std::stringstream in(t.column("cadences")[i]);
      std::string item;
      while (std::getline(in, item, ';')) {
        if (item.empty()) continue;
        const bool known = std::any_of(config.cadences.begin(), config.cadences.end(),
                                       [&](const Cadence& c) { return c.name == item; });
        if (!known)  // a typo would leave the manager without customers, silently
          t.fail(i, t.require("cadences"),
                 fmt::format("cadence names of the playbook separated by ';' ({})", names));
        m.cadences.push_back(item);
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

ResultTable due_contacts_table(const ActionRun& run, const DueContacts& due) {
  ResultTable t(table_spec("due_contacts"));
  for (std::size_t k = 0; k < due.size(); ++k) {
    const Cadence& c = run.config.cadences[due.cadence[k]];
    t.append_row({due.manager[k], due.role[k], run.ids[due.row[k]], c.name,
                  std::int64_t{c.every_days}, due.days_since_contact[k], due.days_overdue[k]});
  }
  return t;
}

}  // namespace ltv
