// `ltv nps`: Net Promoter Score by period, channel, segment or any column, with 95% intervals,
// follow-up items, frequent detractor words and the value of promoters vs detractors.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <unordered_map>

#include "command.hpp"
#include "cross_sell_tables.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/load.hpp"
#include "ltv/nps/nps.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

struct NpsArgs {
  std::string file;
  std::string customer_col = "customer_id";
  std::string date_col = "date";
  std::string score_col = "score";
  std::string comment_col = "comment";
  std::string channel_col = "channel";
  std::vector<std::string> by;
  std::string period = "month";
  std::string segments_file;
  std::string customers_file;
  std::string follow_ups_file;
  int follow_up_below = 10;
  int detractor_due = 2;
  int other_due = 7;
  std::string owner = "customer-care";
  std::vector<std::string> owner_by_channel;
  std::string terms_file;
  std::size_t top_terms = 20;
  std::string transactions_file;
  std::string tx_customer = "customer_id";
  std::string tx_date = "date";
  std::string tx_amount = "amount";
  std::string ltv_file;
  std::string value_file;
  int horizon = 180;
  std::string problems_file;
  std::string on_error = "skip";
  std::string format = "csv";
  std::string output = "-";
};

/// Index of a column by name (exact, else case-insensitive); nullopt when absent.
std::optional<std::size_t> find_column(const std::vector<std::string>& header,
                                       const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  for (std::size_t i = 0; i < header.size(); ++i)
    if (lower(header[i]) == lower(name)) return i;
  return std::nullopt;
}

std::size_t require_column(const CsvReader& reader, const std::string& name,
                           const std::string& option) {
  auto index = find_column(reader.header(), name);
  if (!index) {
    std::string names;
    for (const auto& h : reader.header()) names += (names.empty() ? "" : ", ") + h;
    input_error({reader.path(), 1, name}, "no such column (option " + option + ")",
                "one of the header columns: " + names);
  }
  return *index;
}

/// customer_id,segment (or any two columns: first = customer, second = label).
std::unordered_map<std::string, std::string> read_labels(const std::string& path) {
  CsvReader reader(path);
  if (reader.header().size() < 2) {
    input_error({path, 1, ""}, std::to_string(reader.header().size()) + " columns",
                "two columns: customer id and segment");
  }
  std::unordered_map<std::string, std::string> labels;
  CsvRecord record;
  while (reader.next(record)) labels[std::string(record[0])] = std::string(record[1]);
  return labels;
}

std::vector<std::string> read_customer_list(const std::string& path) {
  CsvReader reader(path);
  std::vector<std::string> ids;
  CsvRecord record;
  while (reader.next(record)) ids.emplace_back(record[0]);
  return ids;
}

/// Loads the transactions and links answers to later purchases (and to a supplied LTV).
std::vector<NpsValueRow> nps_value_from_file(const NpsAnswers& answers, const NpsArgs& a) {
  LoadOptions o;
  o.columns.customer = a.tx_customer;
  o.columns.date = a.tx_date;
  o.columns.amount = a.tx_amount;
  o.keep_extra_columns = false;
  o.returns = ReturnsPolicy::net;
  LoadReport report;
  auto log = load_transactions(a.transactions_file, o, report);
  std::unordered_map<std::string, double> ltv;
  if (!a.ltv_file.empty()) {
    CsvReader reader(a.ltv_file);
    if (reader.header().size() < 2) {
      input_error({a.ltv_file, 1, ""}, std::to_string(reader.header().size()) + " column(s)",
                  "customer_id,ltv with a header");
    }
    CsvRecord r;
    while (reader.next(r)) {
      std::string text(r[1]);
      char* end = nullptr;
      double v = std::strtod(text.c_str(), &end);
      if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v)) {
        input_error({a.ltv_file, r.line, reader.header()[1]}, text, "a number");
      }
      ltv[std::string(r[0])] = v;
    }
  }
  NpsValueOptions vo;
  vo.horizon_days = a.horizon;
  return nps_value_link(answers, log, vo, ltv);
}

nlohmann::json optional_json(const std::optional<double>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

void run_nps(const NpsArgs& a) {
  if (a.format != "csv" && a.format != "json") {
    parameter_error("format", a.format, "one of csv, json");
  }
  if (a.on_error != "skip" && a.on_error != "fail") {
    parameter_error("on_error", a.on_error, "one of fail, skip");
  }
  const NpsPeriod period = parse_nps_period(a.period);
  CsvReader reader(a.file);
  const auto customer = require_column(reader, a.customer_col, "--customer");
  const auto date = require_column(reader, a.date_col, "--date");
  const auto score = require_column(reader, a.score_col, "--score");
  const auto comment = find_column(reader.header(), a.comment_col);
  const auto channel = find_column(reader.header(), a.channel_col);
  // Grouping columns taken from the file itself.
  std::vector<std::string> by = a.by;
  if (by.empty()) by = {"period"};
  std::map<std::string, std::size_t> by_column;
  for (const auto& name : by) {
    if (name == "all" || name == "period" || name == "class") continue;
    if (name == "segment" && (!a.segments_file.empty() || !find_column(reader.header(), name))) {
      continue;
    }
    if (name == "channel" && !find_column(reader.header(), name) && channel) continue;
    by_column[name] = require_column(reader, name, "--by");
  }
  if (std::find(by.begin(), by.end(), "segment") != by.end() && a.segments_file.empty() &&
      !by_column.count("segment")) {
    parameter_error("by", "segment", "--segments FILE with customer_id,segment");
  }
  std::unordered_map<std::int64_t, std::map<std::string, std::string>> attributes;
  const std::vector<NpsRow> rows = read_nps_rows(
      reader, NpsColumns{customer, date, score, comment, channel}, [&](const CsvRecord& record) {
        for (const auto& [name, index] : by_column) {
          attributes[record.line][name] =
              index < record.size() ? std::string(record[index]) : std::string();
        }
      });
  std::vector<std::string> known;
  if (!a.customers_file.empty()) known = read_customer_list(a.customers_file);
  NpsParseOptions parse_options;
  parse_options.known_customers = known;
  auto parsed = parse_nps_rows(rows, parse_options);

  // Problems: always reported on stderr (count by kind, first lines); all of them with
  // --problems FILE; with --on-error fail the first one other than unknown_customer throws.
  std::map<std::string, std::vector<const NpsProblem*>> by_kind;
  for (const auto& p : parsed.problems) by_kind[p.kind].push_back(&p);
  if (a.on_error == "fail") {
    for (const auto& p : parsed.problems) {
      if (p.kind == "unknown_customer") continue;
      if (p.kind == "duplicate") {
        input_error({a.file, p.line, a.customer_col}, p.detail, "one answer per customer and day");
      } else if (p.kind == "missing_customer") {
        input_error({a.file, p.line, a.customer_col}, p.detail, "a customer id");
      } else if (p.kind == "bad_date") {
        input_error({a.file, p.line, a.date_col}, p.detail, "a date yyyy-mm-dd");
      } else {
        input_error({a.file, p.line, a.score_col}, p.detail, "an integer score from 0 to 10");
      }
    }
  }
  for (const auto& [kind, list] : by_kind) {
    std::string lines;
    for (std::size_t i = 0; i < list.size() && i < 5; ++i)
      lines += (i ? ", " : "") + std::to_string(list[i]->line);
    fmt::print(stderr, "ltv nps: {} {} row(s){} (lines {}{})\n", list.size(), kind,
               kind == "unknown_customer" ? " kept" : " skipped", lines,
               list.size() > 5 ? ", ..." : "");
  }
  if (!a.problems_file.empty()) {
    Output out(a.problems_file);
    write_nps_problems_csv(out.stream(), parsed.problems);
    out.close();
  }
  const NpsAnswers& answers = parsed.answers;

  std::unordered_map<std::string, std::string> segments;
  if (!a.segments_file.empty()) segments = read_labels(a.segments_file);

  // One table per --by, stacked, after the overall row.
  std::vector<NpsTableSection> sections;
  {
    std::vector<std::string> all(answers.size(), "all");
    sections.push_back({"all", nps_by_group(answers, all)});
  }
  for (const auto& name : by) {
    if (name == "all") continue;
    std::vector<std::string> labels(answers.size());
    for (std::size_t i = 0; i < answers.size(); ++i) {
      if (by_column.count(name)) {
        labels[i] = attributes[answers.line[i]][name];
      } else if (name == "period") {
        labels[i] = period_label(answers.day[i], period);
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

  Output out(a.output);
  if (a.format == "csv") {
    write_nps_tables_csv(out.stream(), sections);
  } else {
    nlohmann::json doc = nlohmann::json::array();
    for (const auto& s : sections) {
      for (std::size_t g = 0; g < s.table.size(); ++g) {
        const auto& e = s.table.estimate[g];
        doc.push_back({{"by", s.by},
                       {"group", s.table.group[g]},
                       {"answers", e.answers},
                       {"promoters", e.promoters},
                       {"passives", e.passives},
                       {"detractors", e.detractors},
                       {"nps", optional_json(e.nps)},
                       {"standard_error", optional_json(e.standard_error)},
                       {"ci_low", optional_json(e.ci_low)},
                       {"ci_high", optional_json(e.ci_high)}});
      }
    }
    out.stream() << doc.dump(2) << '\n';
  }
  out.close();

  if (!a.follow_ups_file.empty()) {
    FollowUpOptions fo;
    fo.below = a.follow_up_below;
    fo.detractor_due_days = a.detractor_due;
    fo.other_due_days = a.other_due;
    fo.default_owner = a.owner;
    for (const auto& pair : a.owner_by_channel) {
      auto eq = pair.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == pair.size()) {
        parameter_error("owner_by_channel", pair, "CHANNEL=OWNER");
      }
      fo.owner_by_channel[pair.substr(0, eq)] = pair.substr(eq + 1);
    }
    auto items = follow_ups(answers, fo);
    Output f(a.follow_ups_file);
    write_follow_ups_csv(f.stream(), items);
    f.close();
  }
  if (!a.terms_file.empty()) {
    Output f(a.terms_file);
    write_detractor_terms_csv(f.stream(), answers, a.top_terms);
    f.close();
  }
  if (!a.value_file.empty()) {
    if (a.transactions_file.empty()) {
      parameter_error("value", a.value_file, "--transactions FILE to link answers to purchases");
    }
    auto rows_out = nps_value_from_file(answers, a);
    Output f(a.value_file);
    CsvWriter w(f.stream());
    w.row(
        {"class", "customers", "retained", "retention", "value_before", "value_after", "mean_ltv"});
    for (const auto& r : rows_out) {
      w.field(to_string(r.cls)).field(r.customers).field(r.retained);
      for (const auto& v : {r.retention, r.value_before, r.value_after, r.mean_ltv})
        write_optional(w, v);
      w.end_row();
    }
    w.flush();
    f.close();
  }
}

void setup_nps(CLI::App& root) {
  auto args = std::make_shared<NpsArgs>();
  auto* cmd = root.add_subcommand(
      "nps", "Net Promoter Score (% promoters 9-10 minus % detractors 0-6) with 95% intervals");
  cmd->add_option("file", args->file, "Survey answers (CSV; gzip and - for stdin accepted)")
      ->required();
  cmd->add_option("--customer", args->customer_col, "Customer id column")->capture_default_str();
  cmd->add_option("--date", args->date_col, "Answer date column (yyyy-mm-dd)")
      ->capture_default_str();
  cmd->add_option("--score", args->score_col, "Score column (integer 0-10)")->capture_default_str();
  cmd->add_option("--comment", args->comment_col, "Free-text comment column (optional)")
      ->capture_default_str();
  cmd->add_option("--channel", args->channel_col, "Channel column (optional)")
      ->capture_default_str();
  cmd->add_option("--by", args->by,
                  "Groupings, repeatable: period, channel, segment, class, all, or any column "
                  "of the file (default: period)");
  cmd->add_option("--period", args->period, "Period of --by period: week, month, quarter, year")
      ->capture_default_str();
  cmd->add_option("--segments", args->segments_file,
                  "CSV customer_id,segment for --by segment (else a segment column of FILE)");
  cmd->add_option("--customers", args->customers_file,
                  "CSV whose first column lists known customer ids; others are reported");
  cmd->add_option("--follow-ups", args->follow_ups_file,
                  "Write follow-up items (customer, score, comment, owner, due date) to FILE");
  cmd->add_option("--follow-up-below", args->follow_up_below,
                  "Scores below this open a follow-up item (7 = detractors only)")
      ->capture_default_str();
  cmd->add_option("--detractor-due-days", args->detractor_due, "Days to handle a detractor")
      ->capture_default_str();
  cmd->add_option("--other-due-days", args->other_due, "Days to handle other follow-ups")
      ->capture_default_str();
  cmd->add_option("--owner", args->owner, "Default owner of follow-up items")
      ->capture_default_str();
  cmd->add_option("--owner-by-channel", args->owner_by_channel,
                  "CHANNEL=OWNER, repeatable: owner of follow-ups per channel");
  cmd->add_option("--terms", args->terms_file,
                  "Write the most frequent words and #tags of detractor comments to FILE");
  cmd->add_option("--top-terms", args->top_terms, "Number of terms in --terms")
      ->capture_default_str();
  cmd->add_option("--transactions", args->transactions_file,
                  "Transactions (customer_id,date,amount...) for --value");
  cmd->add_option("--tx-customer", args->tx_customer, "Customer column of --transactions")
      ->capture_default_str();
  cmd->add_option("--tx-date", args->tx_date, "Date column of --transactions")
      ->capture_default_str();
  cmd->add_option("--tx-amount", args->tx_amount, "Amount column of --transactions")
      ->capture_default_str();
  cmd->add_option("--ltv", args->ltv_file,
                  "CSV customer_id,ltv (e.g. from ltv predict) for the mean LTV per class");
  cmd->add_option("--value", args->value_file,
                  "Write retention and value of promoters / passives / detractors to FILE");
  cmd->add_option("--horizon", args->horizon, "Days after the answer counted by --value")
      ->capture_default_str();
  cmd->add_option("--problems", args->problems_file,
                  "Write every problem row (line, problem, detail) to FILE");
  cmd->add_option("--on-error", args->on_error,
                  "fail: stop at the first bad row; skip: skip bad rows and report them on stderr")
      ->capture_default_str();
  add_output_options(*cmd, args->format, args->output);
  cmd->footer(
      "Example:\n  ltv nps sim/nps.csv --by period --by channel --period quarter \\\n"
      "      --follow-ups follow_ups.csv --terms terms.csv \\\n"
      "      --transactions sim/transactions.csv --value nps_value.csv");
  cmd->callback([args] { run_nps(*args); });
}

}  // namespace

LTV_REGISTER_COMMAND(90, setup_nps);

}  // namespace ltv::cli
