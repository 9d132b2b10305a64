// The NPS job (see ltv/workspace/nps.hpp).
#include "ltv/workspace/nps.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <unordered_map>

#include "job_parameters.hpp"
#include "ltv/error.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {

namespace {

/// The names of a table's columns, for messages.
std::string column_names(const Table& t) {
  std::string names;
  for (const auto& n : t.names) names += (names.empty() ? "" : ", ") + n;
  return names;
}

/// The column `name` of the answers; ParameterError naming `key` (the option of that column).
std::size_t require_column(const Table& t, const std::string& name, const std::string& key) {
  if (auto index = t.find(name)) return *index;
  parameter_error(key, name, fmt::format("a column of {}: {}", t.source, column_names(t)));
}

/// A side table with at least two columns (customer id, then a value).
void require_two_columns(const Table& t, const std::string& expected) {
  if (t.names.size() < 2) {
    input_error({t.source, 1, ""}, fmt::format("{} column(s)", t.names.size()), expected);
  }
}

/// Per-customer LTV from the first two columns of `t`.
std::unordered_map<std::string, double> ltv_by_customer(const Table& t) {
  require_two_columns(t, "customer_id,ltv with a header");
  std::unordered_map<std::string, double> ltv;
  for (std::size_t r = 0; r < t.rows(); ++r) {
    const std::string& text = t.columns[1][r];
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) {
      t.fail(r, 1, "a number");
    }
    ltv[t.columns[0][r]] = v;
  }
  return ltv;
}

/// The first problem row of a strict run (an unknown customer is not one) as an InputError.
void fail_on_problem(const NpsProblem& p, const std::string& source, const NpsJobOptions& o) {
  if (p.kind == "duplicate") {
    input_error({source, p.line, o.customer_column}, p.detail, "one answer per customer and day");
  } else if (p.kind == "missing_customer") {
    input_error({source, p.line, o.customer_column}, p.detail, "a customer id");
  } else if (p.kind == "bad_date") {
    input_error({source, p.line, o.date_column}, p.detail, "a date yyyy-mm-dd");
  }
  input_error({source, p.line, o.score_column}, p.detail, "an integer score from 0 to 10");
}

}  // namespace

NpsJobOptions nps_options(const Parameters& p) {
  p.validate();
  NpsJobOptions o;
  o.customer_column = p.text("customer");
  o.date_column = p.text("date");
  o.score_column = p.text("score");
  o.comment_column = p.text("comment");
  o.channel_column = p.text("channel");
  o.by = detail::list_parameter(p, "by");
  o.period = parse_nps_period(p.choice("period"));
  o.strict = p.choice("on_error") == "fail";
  o.follow_ups = !p.text("follow_ups").empty();
  o.follow_up.below = static_cast<int>(p.integer("follow_up_below"));
  o.follow_up.detractor_due_days = static_cast<int>(p.integer("detractor_due_days"));
  o.follow_up.other_due_days = static_cast<int>(p.integer("other_due_days"));
  o.follow_up.default_owner = p.text("owner");
  for (const std::string& pair : detail::list_parameter(p, "owner_by_channel")) {
    const auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
      parameter_error("owner_by_channel", pair, "CHANNEL=OWNER");
    }
    o.follow_up.owner_by_channel[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  o.terms = !p.text("terms").empty();
  o.top_terms = static_cast<std::size_t>(p.integer("top_terms"));
  o.value = !p.text("value").empty();
  if (o.value && p.text("transactions").empty()) {
    parameter_error("value", p.text("value"), "--transactions FILE to link answers to purchases");
  }
  o.horizon_days = static_cast<std::int32_t>(p.integer("horizon"));
  return o;
}

NpsInputs read_nps_inputs(const Parameters& p) {
  if (p.text("file").empty()) {
    parameter_error("file", "", "survey answers (customer_id,date,score[,comment,channel])");
  }
  NpsInputs in;
  in.answers = read_table(p.text("file"));
  in.segments = detail::read_side_table(p, "segments");
  in.customers = detail::read_side_table(p, "customers");
  in.ltv = detail::read_side_table(p, "ltv");
  return in;
}

TransactionSource nps_transactions_source(const Parameters& p) {
  LoadOptions o;
  o.columns.customer = p.text("tx_customer");
  o.columns.date = p.text("tx_date");
  o.columns.amount = p.text("tx_amount");
  o.keep_extra_columns = false;
  o.returns = ReturnsPolicy::net;
  return TransactionSource::detect(p.text("transactions"), std::move(o));  // a file or a workspace
}

NpsRun run_nps(const NpsJobOptions& o, const NpsInputs& in, Workspace* transactions) {
  const Table& t = in.answers;
  const NpsColumns columns{require_column(t, o.customer_column, "customer"),
                           require_column(t, o.date_column, "date"),
                           require_column(t, o.score_column, "score"), t.find(o.comment_column),
                           t.find(o.channel_column)};
  // Groupings by a column of the answers themselves.
  const std::vector<std::string> by = o.by.empty() ? std::vector<std::string>{"period"} : o.by;
  std::map<std::string, std::size_t> by_column;
  for (const auto& name : by) {
    if (name == "all" || name == "period" || name == "class") continue;
    if (name == "segment" && (in.segments || !t.find(name))) continue;
    if (name == "channel" && !t.find(name) && columns.channel) continue;
    by_column[name] = require_column(t, name, "by");
  }
  if (std::find(by.begin(), by.end(), "segment") != by.end() && !in.segments &&
      !by_column.count("segment")) {
    parameter_error("by", "segment", "--segments FILE with customer_id,segment");
  }
  std::vector<NpsRow> rows(t.rows());
  for (std::size_t r = 0; r < t.rows(); ++r) {
    auto field = [&](std::optional<std::size_t> c) { return c ? t.columns[*c][r] : std::string(); };
    rows[r] = NpsRow{t.lines[r],
                     t.columns[columns.customer][r],
                     t.columns[columns.date][r],
                     t.columns[columns.score][r],
                     field(columns.comment),
                     field(columns.channel)};
  }
  std::vector<std::string> known;
  if (in.customers && !in.customers->columns.empty()) known = in.customers->columns[0];
  NpsParseOptions parse_options;
  parse_options.known_customers = known;
  const NpsParseResult parsed = parse_nps_rows(rows, parse_options);

  NpsRun run;
  run.problems = nps_problems_table(parsed.problems);
  std::map<std::string, std::vector<const NpsProblem*>> by_kind;
  for (const auto& p : parsed.problems) by_kind[p.kind].push_back(&p);
  if (o.strict) {
    for (const auto& p : parsed.problems) {
      if (p.kind != "unknown_customer") fail_on_problem(p, t.source, o);
    }
  }
  for (const auto& [kind, list] : by_kind) {
    std::string lines;
    for (std::size_t i = 0; i < list.size() && i < 5; ++i)
      lines += (i ? ", " : "") + std::to_string(list[i]->line);
    run.notes.push_back(fmt::format("{} {} row(s){} (lines {}{})", list.size(), kind,
                                    kind == "unknown_customer" ? " kept" : " skipped", lines,
                                    list.size() > 5 ? ", ..." : ""));
  }
  const NpsAnswers& answers = parsed.answers;

  std::unordered_map<std::string, std::string> segments;
  if (in.segments) {
    require_two_columns(*in.segments, "two columns: customer id and segment");
    for (std::size_t r = 0; r < in.segments->rows(); ++r)
      segments[in.segments->columns[0][r]] = in.segments->columns[1][r];
  }
  // Grouping columns by answer: answers keep their source line, the table its rows' lines.
  std::unordered_map<std::int64_t, std::size_t> row_of_line;
  if (!by_column.empty()) {
    for (std::size_t r = 0; r < t.rows(); ++r) row_of_line[t.lines[r]] = r;
  }

  // One section per grouping, stacked, after the overall row.
  std::vector<NpsTableSection> sections;
  sections.push_back(
      {"all", nps_by_group(answers, std::vector<std::string>(answers.size(), "all"))});
  for (const auto& name : by) {
    if (name == "all") continue;
    std::vector<std::string> labels(answers.size());
    const auto column = by_column.find(name);
    for (std::size_t i = 0; i < answers.size(); ++i) {
      if (column != by_column.end()) {
        labels[i] = t.columns[column->second][row_of_line.at(answers.line[i])];
      } else if (name == "period") {
        labels[i] = period_label(answers.day[i], o.period);
      } else if (name == "segment") {
        auto it = segments.find(answers.customer[i]);
        labels[i] = it == segments.end() ? "(none)" : it->second;
      } else if (name == "class") {
        labels[i] = std::string(to_string(classify_score(answers.score[i])));
      } else {
        labels[i] = answers.channel[i];
      }
    }
    sections.push_back({name, nps_by_group(answers, labels)});
  }
  run.nps = nps_table(sections);

  if (o.follow_ups) run.follow_ups = follow_ups_table(follow_ups(answers, o.follow_up));
  if (o.terms) run.detractor_terms = detractor_terms_table(answers, o.top_terms);
  if (o.value) {
    if (transactions == nullptr) {
      parameter_error("transactions", "", "transactions to link answers to purchases");
    }
    std::unordered_map<std::string, double> ltv;
    if (in.ltv) ltv = ltv_by_customer(*in.ltv);
    NpsValueOptions vo;
    vo.horizon_days = o.horizon_days;
    run.value =
        nps_value_link_table(nps_value_link(answers, transactions->transactions(), vo, ltv));
  }
  return run;
}

}  // namespace ltv
