// The CVM actions step of `ltv analyze` and the machinery shared with `ltv actions`.
#include "analyze_actions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/row_writer.hpp"
#include "ltv/io/table.hpp"
#include "ltv/nps/nps.hpp"

namespace ltv::cli {

ActionConfig load_playbook(const ActionInputFiles& files) {
  return files.rules.empty() ? default_action_config() : load_action_config(files.rules);
}

namespace {

std::vector<std::uint8_t> read_suppression(const std::string& path,
                                           const std::vector<std::string>& ids) {
  const Table t = read_table(path);
  const std::size_t col = t.find("customer_id") ? *t.find("customer_id") : 0;
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
  std::vector<std::uint8_t> out(ids.size(), 0);
  for (const std::string& id : t.columns.at(col))
    if (auto it = index.find(id); it != index.end()) out[it->second] = 1;
  return out;
}

}  // namespace

void precheck_playbook(const ActionConfig& config, const ActionInputFiles& files, bool has_clv) {
  const CustomerSummary empty;
  std::vector<std::string> known = SegmentFields(empty, nullptr, nullptr, 0).names();
  for (const char* name :
       {"p_alive", "expected_purchases", "r", "f", "m", "rfm_score", "rfm", "rfm_segment", "abcdx",
        "stage", "rhythm_ratio", "expected_interval_days"})
    known.emplace_back(name);
  if (has_clv) known.emplace_back("predicted_clv");
  for (const auto& c : default_segment_config().custom) known.push_back(c.name);
  for (std::string_view name : cvm_field_names()) known.emplace_back(name);
  if (!files.customers.empty()) {
    std::ifstream in(files.customers);
    std::string header;
    if (!in || !std::getline(in, header))
      input_error(SourceLocation{files.customers, 0, ""}, "an unreadable or empty file",
                  "a CSV of customer attributes with a header");
    const Table t = read_table_text(header + "\n", {}, files.customers);
    for (const auto& name : t.names) known.push_back(name);
    if (t.find("birth_date")) {
      known.emplace_back("age");
      known.emplace_back("age_band");
    }
  }
  check_playbook_fields(config, known);
}

ActionRun run_actions(const ActionConfig& config, const ActionInputFiles& files,
                      const TransactionLog& log, const CustomerSummary& summary,
                      const FittedCountModel& model, CustomerScores scores, bool quiet) {
  ActionRun run;
  run.config = config;
  run.ids = summary_customer_ids(log, summary);
  run.as_of_day = summary.calibration_end;
  run.scores = std::make_unique<CustomerScores>(std::move(scores));
  if (!files.customers.empty()) {
    const Table t = read_table(files.customers);
    const std::size_t key = t.require("customer_id");
    std::vector<std::pair<std::string, std::vector<std::string>>> columns;
    for (std::size_t c = 0; c < t.names.size(); ++c)
      if (c != key) columns.emplace_back(t.names[c], t.columns[c]);
    run.attributes = std::make_unique<Attributes>(
        align_attributes(run.ids, t.columns[key], columns, files.customers));
  }
  run.fields = std::make_unique<SegmentFields>(summary, run.scores.get(), run.attributes.get(),
                                               run.as_of_day);
  const SegmentConfig segment_config = default_segment_config();
  segment_customers(summary, run.scores.get(), run.attributes.get(), segment_config, run.as_of_day,
                    run.fields.get());

  std::vector<double> nps;
  if (!files.nps.empty()) {
    // Validated as in `ltv nps` and analyze's nps/ (a malformed answer stops the run with its
    // line; of two answers on one day the first counts), so both see the same latest answer.
    NpsAnswers read;
    if (files.nps_answers == nullptr) read = read_nps_file(files.nps, run.ids).answers;
    const NpsAnswers& answers = files.nps_answers != nullptr ? *files.nps_answers : read;
    nps = latest_scores(run.ids, answers.customer, answers.day,
                        std::vector<double>(answers.score.begin(), answers.score.end()));
  }
  if (!files.contacts.empty()) {
    const Table t = read_table(files.contacts);
    std::size_t unmatched = 0;  // channel is required: per-channel caps need it
    run.contacts = align_contacts(run.ids, t.column("customer_id"), t.dates("date"),
                                  t.column("channel"), &unmatched);
    if (unmatched > 0 && !quiet)
      std::cerr << "ltv: note: " << unmatched << " contacts of " << files.contacts
                << " are for customers not in the transactions\n";
  }
  CvmFieldInputs in;
  in.summary = &summary;
  in.log = &log;
  in.model = &model;
  in.contacts = files.contacts.empty() ? nullptr : &run.contacts;
  in.nps = nps;
  in.as_of_day = run.as_of_day;
  in.min_intervals = config.min_intervals;
  add_cvm_fields(*run.fields, in);

  std::vector<std::uint8_t> suppressed;
  if (!files.suppress.empty()) suppressed = read_suppression(files.suppress, run.ids);
  PlanOptions plan;
  plan.max_actions_per_customer = files.max_actions;
  plan.suppressed = suppressed;
  plan.contacts = files.contacts.empty() ? nullptr : &run.contacts;
  plan.as_of_day = run.as_of_day;
  run.list = plan_actions(config, *run.fields, run.ids, plan);
  return run;
}

void write_action_list(std::ostream& out, const std::string& format, const ActionRun& run) {
  const ActionList& l = run.list;
  if (format == "jsonl") {
    for (std::size_t k = 0; k < l.size(); ++k) {
      const ActionRule& r = run.config.rules[l.rule[k]];
      nlohmann::ordered_json j;
      j["customer_id"] = run.ids[l.row[k]];
      j["rule"] = r.id;
      j["action"] = r.action;
      j["channel"] = r.channel;
      j["params"] = format_params(r);
      j["reason"] = l.reason[k];
      j["priority"] = r.priority;
      j["control"] = l.control[k] != 0;
      out << j.dump() << '\n';
    }
    return;
  }
  RowWriter w(
      out, parse_output_format(format),
      {"customer_id", "rule", "action", "channel", "params", "reason", "priority", "control"});
  std::vector<std::string> params;
  for (const auto& r : run.config.rules) params.push_back(format_params(r));
  for (std::size_t k = 0; k < l.size(); ++k) {
    const ActionRule& r = run.config.rules[l.rule[k]];
    w.text(run.ids[l.row[k]]).text(r.id).text(r.action).text(r.channel).text(params[l.rule[k]]);
    w.text(l.reason[k]).integer(r.priority).text(l.control[k] ? "true" : "false").end_row();
  }
  w.finish();
}

void write_action_summary(std::ostream& out, const std::string& format, const ActionRun& run) {
  RowWriter w(out, parse_output_format(format == "jsonl" ? "json" : format),
              {"rule", "action", "channel", "priority", "customers", "treated", "control"});
  for (const auto& s : summarize_actions(run.config, run.list)) {
    w.text(s.rule).text(s.action).text(s.channel).integer(s.priority);
    w.integer(static_cast<std::int64_t>(s.customers))
        .integer(static_cast<std::int64_t>(s.treated))
        .integer(static_cast<std::int64_t>(s.control))
        .end_row();
  }
  w.finish();
}

std::vector<Manager> read_managers(const std::string& path, const ActionConfig& config) {
  const Table t = read_table(path);
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

std::string analyze_actions(const std::filesystem::path& dir, const ActionConfig& config,
                            const ActionInputFiles& files, const TransactionLog& log,
                            const CustomerSummary& summary, const FittedCountModel& model,
                            const CustomerScores& scores, bool quiet) {
  const ActionRun run = run_actions(config, files, log, summary, model, scores, quiet);
  {
    Output out((dir / "actions.csv").string());
    write_action_list(out.stream(), "csv", run);
    out.close();
  }
  {
    Output out((dir / "actions_summary.csv").string());
    write_action_summary(out.stream(), "csv", run);
    out.close();
  }
  std::size_t control = 0;
  for (auto c : run.list.control) control += c;
  return fmt::format("{} actions ({} treated, {} control) from {} rules of {}", run.list.size(),
                     run.list.size() - control, control, config.rules.size(), config.source);
}

}  // namespace ltv::cli
