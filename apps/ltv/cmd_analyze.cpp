// `ltv analyze`: the main job. Loads a transaction file, summarises customers, compares the
// count models on a calibration/holdout split, refits the best on all data, predicts P(alive),
// expected purchases and CLV per customer (Gamma-Gamma spend when amounts exist), segments the
// customers and runs the standard business analytics. Writes everything into one directory and
// prints a short human summary.
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "analytics_output.hpp"
#include "analyze_actions.hpp"
#include "analyze_cross_sell.hpp"
#include "analyze_report.hpp"
#include "analyze_validation.hpp"
#include "command.hpp"
#include "ltv/analytics/cac.hpp"
#include "ltv/analytics/compare.hpp"
#include "ltv/analytics/standard.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/models/clv.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/selection.hpp"
#include "ltv/segment/segment.hpp"
#include "model_cli.hpp"
#include "segment_output.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

struct AnalyzeOptions {
  std::string model = "auto";
  double horizon_months = 12;
  double discount_rate = 0.01;
  double profit_margin = 1.0;
  double holdout_share = 0.25;
  std::string spend_file;      ///< --spend: channel,period,spend (monthly)
  std::string customers_file;  ///< --customers: attributes per customer
  std::string customers_channel = "acquisition_channel";
  std::string compare_column;  ///< --compare COL of --customers: groups to compare
  std::string compare_a = "1", compare_b = "0";
  std::int32_t transitions_days = 91;  ///< --transitions-days: segment movement window
  ActionInputFiles actions;            ///< --rules, --contacts, --suppress (CVM actions step)
  CrossSellCliOptions cross_sell;      ///< --product/--category baskets, --nps
  AnalyzeReportOptions report;         ///< --currency, --title, --no-report
};

/// Prints step progress on a terminal (stderr), nothing when redirected or --quiet.
class Progress {
 public:
  Progress(int steps, bool quiet) : steps_(steps), on_(!quiet && ::isatty(2) == 1) {}
  void step(const std::string& what) {
    if (on_) fmt::print(stderr, "[{}/{}] {}...\n", ++done_, steps_, what);
  }

 private:
  int steps_;
  int done_ = 0;
  bool on_;
};

void write_json(const std::filesystem::path& path, const nlohmann::ordered_json& j) {
  std::ofstream f(path);
  f << j.dump(2) << '\n';
  if (!f) throw Error("cannot write " + path.string());
}

void write_table(const std::filesystem::path& path, const AnalyticsTable& table) {
  Output out(path.string());
  out.stream() << to_csv(table);
  out.close();
}

/// Calibration end for model selection: the user's --calibration-end, else the last
/// `share` of the observed days held out (at least one time unit).
std::optional<std::int32_t> selection_split(const TransactionLog& log, const SummaryOptions& base,
                                            double share) {
  if (base.calibration_end) return base.calibration_end;
  const auto [lo, hi] = std::minmax_element(log.day.begin(), log.day.end());
  const std::int32_t span = *hi - *lo;
  const auto holdout = static_cast<std::int32_t>(std::lround(span * share));
  if (holdout < days_per_unit(base.time_unit) ||
      span - holdout < 2 * days_per_unit(base.time_unit)) {
    return std::nullopt;
  }
  return *hi - holdout;
}

void run_analyze(const TransactionCliOptions& options, const AnalyzeOptions& analyze) {
  const CrossSellCliOptions& cross_sell = analyze.cross_sell;
  namespace fs = std::filesystem;
  if (options.output == "-" || options.output.empty()) {
    option_error("--output", options.output, "a directory to write the results into (-o DIR)");
  }
  if (!(analyze.horizon_months > 0)) {
    option_error("--horizon", fmt::format("{}", analyze.horizon_months),
                 "a positive number of months");
  }
  if (!analyze.compare_column.empty() && analyze.customers_file.empty()) {
    option_error("--compare", analyze.compare_column, "--customers FILE holding that column");
  }
  if (!(analyze.holdout_share > 0 && analyze.holdout_share < 1)) {
    option_error("--holdout-share", fmt::format("{}", analyze.holdout_share), "a share in (0, 1)");
  }
  const ActionConfig playbook = load_playbook(analyze.actions);  // rule errors before any work
  ActionInputFiles action_files = analyze.actions;
  action_files.customers = analyze.customers_file;
  action_files.nps = cross_sell.nps_file;  // detractor rules see the latest answer
  precheck_playbook(playbook, action_files, true);
  const fs::path dir = options.output;
  fs::create_directories(dir);
  Progress progress(6, options.quiet);

  progress.step("loading " + options.file);
  LoadReport report;
  const TransactionLog log = load_log(options, &report);
  if (log.size() == 0) input_error({options.file, 0, ""}, "no rows", "at least one transaction");
  const CrossSellInputs cross_sell_inputs = read_cross_sell_inputs(log, cross_sell);
  if (cross_sell_inputs.nps) action_files.nps_answers = &cross_sell_inputs.nps->answers;
  SummaryOptions summary_opts = summary_options(options);
  summary_opts.calibration_end.reset();  // predictions use all data; the split is for selection
  const SummaryOptions user_split = summary_options(options);

  progress.step("summarising customers");
  const CustomerSummary summary = summarize(log, summary_opts);
  const std::vector<std::string> ids = summary_customer_ids(log, summary);

  // Model selection on a calibration / holdout split.
  progress.step("comparing models on a holdout");
  std::vector<std::string> candidates;
  if (analyze.model == "auto") {
    for (auto name : count_model_names()) candidates.emplace_back(name);
  } else {
    candidates.push_back(analyze.model);
  }
  std::string chosen = candidates.front();
  nlohmann::ordered_json selection;
  selection["candidates"] = candidates;
  if (const auto split = selection_split(log, user_split, analyze.holdout_share)) {
    SummaryOptions cal_opts = summary_opts;
    cal_opts.calibration_end = *split;
    cal_opts.observation_end = user_split.observation_end;
    const CustomerSummary cal = summarize(log, cal_opts);
    const auto scores = compare_on_holdout(cal, candidates);
    selection["calibration_end"] = format_date(*split);
    selection["observation_end"] = format_date(cal.observation_end);
    Output out((dir / "models.csv").string());
    RowWriter w(out.stream(), OutputFormat::csv,
                {"model", "log_likelihood", "bic", "holdout_mae", "holdout_rmse", "holdout_actual",
                 "holdout_expected", "converged", "error"});
    for (const auto& s : scores) {
      w.text(s.model);
      if (s.error.empty()) {
        w.number(s.fit.log_likelihood).number(s.bic).number(s.mae).number(s.rmse);
      } else {
        w.missing().missing().missing().missing();
      }
      w.number(s.actual_total).number(s.expected_total);
      w.text(s.error.empty() && s.fit.converged ? "true" : "false").text(s.error).end_row();
    }
    w.finish();
    out.close();
    write_analyze_validation(dir, log, cal, scores);
    const std::size_t best = best_by_holdout(scores);
    if (best < scores.size()) chosen = scores[best].model;
    selection["chosen_by"] = best < scores.size() ? "lowest holdout MAE" : "first candidate";
  } else {
    selection["chosen_by"] = "first candidate (history too short for a holdout)";
  }
  selection["chosen"] = chosen;

  progress.step("fitting " + chosen + " on all data and predicting");
  const FittedCountModel model = FittedCountModel::fit(chosen, summary_patterns(summary));
  const double unit_days = days_per_unit(summary.time_unit);
  const std::string unit_name(to_string(summary.time_unit));
  const double month = 365.25 / 12.0 / unit_days;  // one month in model time units
  const double horizon = analyze.horizon_months * month;
  const std::size_t n = summary.size();
  std::vector<double> p_alive(n), expected(n), spend(n, std::numeric_limits<double>::quiet_NaN()),
      clv(n, std::numeric_limits<double>::quiet_NaN());
  std::optional<FitResult> spend_fit;
  std::string spend_note;
  if (summary.has_amount) {
    try {
      const auto data = gamma_gamma::spend_data(summary.frequency, summary.monetary_value);
      spend_fit = gamma_gamma::fit(data);
      const auto gg = gamma_gamma::params(*spend_fit);
      for (std::size_t i = 0; i < n; ++i) {
        spend[i] = gamma_gamma::conditional_expected_average_spend(gg, summary.frequency[i],
                                                                   summary.monetary_value[i]);
      }
    } catch (const Error& e) {
      spend_fit.reset();
      spend_note = e.what();
    }
  }
  ClvOptions clv_opts;
  clv_opts.horizon = analyze.horizon_months;
  clv_opts.step = month;
  clv_opts.discount_rate = analyze.discount_rate;
  clv_opts.margin = analyze.profit_margin;
#pragma omp parallel for schedule(dynamic, 1024)
  for (std::size_t i = 0; i < n; ++i) {
    const double x = summary.frequency[i], t_x = summary.recency[i], T = summary.T[i];
    p_alive[i] = model.p_alive(x, t_x, T);
    expected[i] = model.conditional_expected_transactions(horizon, x, t_x, T);
    if (spend_fit) {
      const double d = discounted_transactions(
          [&](double u) { return model.conditional_expected_transactions(u, x, t_x, T); },
          clv_opts);
      clv[i] = d * spend[i] * clv_opts.margin;
    }
  }

  progress.step("segmenting customers");
  CustomerScores scores;
  scores.p_alive = p_alive;
  scores.expected_purchases = expected;
  if (spend_fit) scores.predicted_clv = clv;
  const SegmentConfig segment_config = default_segment_config();
  const SegmentResult segments =
      segment_customers(summary, &scores, nullptr, segment_config, summary.calibration_end);
  {
    Output out((dir / "segments.csv").string());
    RowWriter w(out.stream(), OutputFormat::csv,
                {"scheme", "segment", "purpose", "customers", "customer_share", "revenue",
                 "revenue_share", "average_check", "frequency", "predicted_ltv"});
    for (const auto& s : segment_table(segments, summary, &scores, segment_config)) {
      w.text(s.scheme).text(s.segment).text(s.purpose);
      w.integer(static_cast<std::int64_t>(s.customers)).number(s.customer_share);
      w.number(s.revenue).number(s.revenue_share).number(s.average_check).number(s.frequency);
      w.number(s.predicted_ltv).end_row();
    }
    w.finish();
    out.close();
  }

  // Segment movement: segments from the history up to `--transitions-days` before the end and
  // up to the end (RFM, ABCDX, stage), as `ltv segment --snapshots`; the end snapshot with the
  // model scores, so that it equals customers.csv (R follows the stage, which uses P(alive)).
  std::string transitions_line;
  if (analyze.transitions_days > 0) {
    const std::int32_t to = summary.calibration_end;
    const std::int32_t from = to - analyze.transitions_days;
    if (from > *report.first_day) {
      const std::int32_t days[] = {from, to};
      const SegmentHistory history =
          segment_history(log, days, segment_config, nullptr, summary.time_unit, &scores);
      Output out((dir / "segment_transitions.csv").string());
      write_segment_transitions(out.stream(), OutputFormat::csv, history);
      out.close();
      std::size_t rfm_drops = 0, stage_drops = 0;
      for (const auto& t : history.transitions) {
        if (t.scheme == "rfm") rfm_drops = t.dropped_ids.size();
        if (t.scheme == "stage") stage_drops = t.dropped_ids.size();
      }
      transitions_line = fmt::format(
          "since {}: {} customers fell to a lower RFM segment, {} to a later life-cycle stage",
          format_date(from), rfm_drops, stage_drops);
    } else {
      transitions_line = fmt::format(
          "no transitions: the history starts less than {} days "
          "before its end",
          analyze.transitions_days);
    }
  }

  // Per-customer table.
  {
    Output out((dir / "customers.csv").string());
    std::vector<std::string> columns{"customer_id",
                                     "frequency",
                                     "recency",
                                     "T",
                                     "monetary_value",
                                     "first_purchase",
                                     "last_purchase",
                                     "orders",
                                     "revenue",
                                     "p_alive",
                                     "expected_purchases",
                                     "expected_spend",
                                     "clv",
                                     "rfm_segment",
                                     "abcdx",
                                     "stage"};
    RowWriter w(out.stream(), OutputFormat::csv, columns);
    for (std::size_t i = 0; i < n; ++i) {
      w.text(ids[i]).number(summary.frequency[i]).number(summary.recency[i]).number(summary.T[i]);
      w.number(summary.monetary_value[i]);
      w.text(format_date(summary.first_purchase[i])).text(format_date(summary.last_purchase[i]));
      w.integer(summary.orders[i]).number(summary.revenue[i]);
      w.number(p_alive[i]).number(expected[i]).number(spend[i]).number(clv[i]);
      w.text(rfm_segment_name(segments, i)).text(to_string(segments.abcdx[i]));
      w.text(to_string(segments.stage[i])).end_row();
    }
    w.finish();
    out.close();
  }

  const std::string actions_line =
      analyze_actions(dir, playbook, action_files, log, summary, model, scores, options.quiet);

  progress.step("business analytics");
  StandardAnalyticsOptions analytics_opts;
  std::vector<std::string> analytics_notes;
  std::vector<std::string> compare_sentences;
  try {
    const AnalyticsReport analytics = run_standard_analytics(log, analytics_opts);
    fs::create_directories(dir / "analytics");
    for (const auto& table : analytics.tables) {
      write_table(dir / "analytics" / (table.name + ".csv"), table);
    }
    analytics_notes = analytics.notes;
    if (!analyze.spend_file.empty()) {
      CacOptions cac;
      if (!analyze.customers_file.empty()) {
        cac.acquisition_channel = groups_from_file(log, analyze.customers_file, "customer_id",
                                                   analyze.customers_channel, options.quiet);
      }
      if (spend_fit) {
        cac.predicted_ltv.assign(log.customer_count(), std::numeric_limits<double>::quiet_NaN());
        for (std::size_t i = 0; i < n; ++i) cac.predicted_ltv[summary.customer[i]] = clv[i];
      }
      const SpendTable spend =
          read_spend_table(analyze.spend_file, "channel", "period", "spend", PeriodUnit::month);
      write_table(dir / "analytics" / "cac.csv", cac_table(compute_cac(log, spend, cac)));
    }
    if (!analyze.compare_column.empty()) {
      CustomerGroups groups = groups_from_file(log, analyze.customers_file, "customer_id",
                                               analyze.compare_column, options.quiet);
      // Sentences name the column: "loyalty_member = 1 have 28% more spend ...".
      const auto named = [&](const std::string& v) { return analyze.compare_column + " = " + v; };
      for (auto& label : groups.labels) {
        if (label == analyze.compare_a || label == analyze.compare_b) label = named(label);
      }
      const CompareReport report = compare_groups(log, groups, named(analyze.compare_a),
                                                  named(analyze.compare_b), CompareOptions{});
      write_table(dir / "analytics" / "compare.csv", compare_table(report));
      for (const auto& w : report.warnings) analytics_notes.push_back(w);
      for (const auto& m : report.metrics) compare_sentences.push_back(m.sentence);
    }
  } catch (const InputError&) {
    throw;
  } catch (const Error& e) {
    analytics_notes.push_back(e.what());
  }

  // Cross-sell (with a product / category column) and NPS (with --nps).
  CrossSellReport cross_sell_report;
  {
    AnalyzedCustomers analyzed{ids, p_alive, expected, clv, {}, {}, {}};
    for (std::size_t i = 0; i < n; ++i) {
      analyzed.rfm_segment.push_back(rfm_segment_name(segments, i));
      analyzed.abcdx.emplace_back(to_string(segments.abcdx[i]));
      analyzed.stage.emplace_back(to_string(segments.stage[i]));
    }
    cross_sell_report = run_analyze_cross_sell(log, cross_sell, cross_sell_inputs, analyzed, dir);
  }

  // Headline.
  double revenue = 0, repeaters = 0, orders = 0, active = 0, predicted_revenue = 0, clv_total = 0,
         expected_total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    revenue += summary.revenue[i];
    orders += static_cast<double>(summary.orders[i]);
    repeaters += summary.frequency[i] > 0;
    active += p_alive[i] >= 0.5;
    expected_total += expected[i];
    if (spend_fit) predicted_revenue += expected[i] * spend[i], clv_total += clv[i];
  }
  nlohmann::ordered_json j;
  j["source"] = options.file;
  j["customers"] = n;
  j["transactions"] = log.size();
  j["orders"] = orders;
  j["first_day"] = format_date(*report.first_day);
  j["last_day"] = format_date(*report.last_day);
  j["time_unit"] = std::string(to_string(summary.time_unit));
  j["repeat_rate"] = n ? repeaters / static_cast<double>(n) : 0.0;
  if (summary.has_amount) {
    j["revenue"] = revenue;
    j["average_check"] = orders > 0 ? revenue / orders : 0.0;
  }
  j["likely_active_customers"] = active;
  j["likely_active_definition"] = "P(alive) >= 0.5 under the chosen model";
  j["horizon_months"] = analyze.horizon_months;
  j["expected_purchases_in_horizon"] = expected_total;
  if (spend_fit) {
    j["predicted_revenue_in_horizon"] = predicted_revenue;
    j["clv_total"] = clv_total;
    j["discount_rate_per_month"] = analyze.discount_rate;
    j["profit_margin"] = analyze.profit_margin;
  }
  j["model_selection"] = selection;
  j["model"] = fit_to_json(model.result(), unit_name);
  if (spend_fit) j["spend_model"] = fit_to_json(*spend_fit, unit_name);
  if (!spend_note.empty()) j["spend_model_note"] = spend_note;
  j["analytics_notes"] = analytics_notes;
  if (!compare_sentences.empty()) j["group_comparison"] = compare_sentences;
  for (const auto& [key, value] : cross_sell_report.json.items()) j[key] = value;
  j["load"] = {{"rows_read", report.rows_read},
               {"rows_loaded", report.rows_loaded},
               {"rows_without_customer", report.rows_without_customer},
               {"return_rows", report.return_rows},
               {"rows_skipped", report.rows_skipped()}};
  write_json(dir / "summary.json", j);
  write_json(dir / "model.json", fit_to_json(model.result(), unit_name));
  if (spend_fit) write_json(dir / "spend_model.json", fit_to_json(*spend_fit, unit_name));

  // Short human summary on stdout.
  fmt::print("Customers:     {:>12}   ({} transactions, {} .. {})\n", n, log.size(),
             format_date(*report.first_day), format_date(*report.last_day));
  if (summary.has_amount) {
    fmt::print("Revenue:       {:>12.2f}   average check {:.2f}\n", revenue,
               orders > 0 ? revenue / orders : 0.0);
  }
  fmt::print("Repeat rate:   {:>11.1f}%   (customers with a second purchase day)\n",
             100.0 * (n ? repeaters / static_cast<double>(n) : 0.0));
  fmt::print("Model:         {:>12}   ({}), LL {:.1f}\n", chosen,
             selection["chosen_by"].get<std::string>(), model.result().log_likelihood);
  fmt::print("Likely active: {:>12.0f}   (P(alive) >= 0.5)\n", active);
  fmt::print("Next {:g} months: {:>9.0f} expected purchases", analyze.horizon_months,
             expected_total);
  if (spend_fit)
    fmt::print(", revenue {:.2f}, discounted CLV {:.2f}", predicted_revenue, clv_total);
  fmt::print("\n");
  if (!spend_note.empty()) fmt::print("Spend model:   not used: {}\n", spend_note);
  for (const auto& sentence : compare_sentences) fmt::print("Groups:        {}\n", sentence);
  for (const auto& [label, text] : cross_sell_report.lines)
    fmt::print("{:<15}{}\n", label + ":", text);
  for (const auto& note : cross_sell_report.notes) fmt::print("Note:          {}\n", note);
  std::string extra_outputs = selection.contains("calibration_end") ? ", validation/" : "";
  if (transitions_line.rfind("since", 0) == 0) extra_outputs += ", segment_transitions.csv";
  extra_outputs += ", actions.csv";
  for (const auto& o : cross_sell_report.outputs) extra_outputs += ", " + o;
  if (!transitions_line.empty()) fmt::print("Movement:      {}\n", transitions_line);
  fmt::print("Actions:       {}\n", actions_line);
  fmt::print(
      "Results:       {}/ (customers.csv, segments.csv, models.csv, model.json, "
      "summary.json, analytics/{})\n",
      dir.string(), extra_outputs);
  if (const auto html = write_analyze_report(dir, analyze.report, options.quiet); !html.empty()) {
    fmt::print("Report:        {}\n", html.string());
  }
}

void setup_analyze(CLI::App& root) {
  auto options = std::make_shared<TransactionCliOptions>();
  auto analyze = std::make_shared<AnalyzeOptions>();
  CLI::App* cmd = root.add_subcommand(
      "analyze",
      "The main job: load transactions, summarise customers, pick the best of BG/NBD, MBG/NBD "
      "and Pareto/NBD on a holdout, predict P(alive), expected purchases and discounted CLV "
      "(Gamma-Gamma spend), segment customers (RFM, ABCDX, life-cycle) and run the business "
      "analytics (KPIs, cohorts, LTV, forecasts). Writes everything into -o DIR.");
  add_transaction_options(*cmd, *options);
  cmd->add_option("--model", analyze->model,
                  "Count model: auto (best holdout MAE of bgnbd, mbgnbd, pnbd) or one of them")
      ->capture_default_str();
  cmd->add_option("--horizon", analyze->horizon_months, "Prediction horizon in months")
      ->capture_default_str();
  cmd->add_option("--discount-rate", analyze->discount_rate, "CLV discount rate per month")
      ->capture_default_str();
  cmd->add_option("--profit-margin", analyze->profit_margin,
                  "Share of spend that is profit, for CLV")
      ->capture_default_str();
  cmd->add_option("--holdout-share", analyze->holdout_share,
                  "Share of the observed days held out for model selection when "
                  "--calibration-end is not given")
      ->capture_default_str();
  cmd->add_option("--spend", analyze->spend_file,
                  "Marketing spend FILE (channel,period,spend; period YYYY-MM): adds "
                  "analytics/cac.csv with CAC, LTV:CAC (historical and predicted), payback, ROMI");
  cmd->add_option("--customers", analyze->customers_file,
                  "Customer attributes FILE with customer_id and the acquisition channel column "
                  "(for --spend; default: the transactions' --channel on the first purchase)");
  cmd->add_option("--customers-channel", analyze->customers_channel,
                  "Acquisition channel column of --customers")
      ->capture_default_str();
  cmd->add_option("--compare", analyze->compare_column,
                  "Column of --customers whose groups --compare-a and --compare-b are compared "
                  "(spend, frequency, check, retention, LTV with bootstrap 95% intervals) into "
                  "analytics/compare.csv, e.g. loyalty_member");
  cmd->add_option("--compare-a", analyze->compare_a, "First group of --compare")
      ->capture_default_str();
  cmd->add_option("--compare-b", analyze->compare_b, "Second group of --compare")
      ->capture_default_str();
  add_cross_sell_options(*cmd, analyze->cross_sell);
  cmd->add_option("--transitions-days", analyze->transitions_days,
                  "Segment movement over the last N days into DIR/segment_transitions.csv "
                  "(0 = none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--rules", analyze->actions.rules,
                  "CVM playbook TOML FILE for DIR/actions.csv (docs/cvm.md)")
      ->default_str("built-in");
  cmd->add_option(
      "--contacts", analyze->actions.contacts,
      "Contact history FILE (customer_id,date,channel) for the actions' frequency caps");
  cmd->add_option("--suppress", analyze->actions.suppress,
                  "Do-not-contact FILE (customer_id) excluded from DIR/actions.csv");
  cmd->add_option("--currency", analyze->report.currency,
                  "Currency symbol of money amounts in report.html")
      ->capture_default_str();
  cmd->add_option("--title", analyze->report.title, "Title of report.html")->capture_default_str();
  cmd->add_flag(
      "--no-report", [analyze](std::int64_t) { analyze->report.enabled = false; },
      "Do not write report.html (re-render later with `ltv report DIR`)");
  cmd->footer(
      "Writes DIR/customers.csv (summary, p_alive, expected_purchases, expected_spend, clv,\n"
      "rfm_segment, abcdx, stage per customer), segments.csv, models.csv (holdout comparison),\n"
      "model.json, spend_model.json, summary.json, validation/*.csv, actions.csv,\n"
      "actions_summary.csv, analytics/*.csv and report.html; with --product (or --category)\n"
      "basket/ (rules.csv, itemsets.csv, recommendations.csv, category_penetration.csv); with\n"
      "--nps FILE nps/ (nps.csv, follow_ups.csv, detractor_terms.csv, value.csv, problems.csv).\n\n"
      "Example:\n"
      "  ltv simulate --customers 20000 --seed 42 -o sim\n"
      "  ltv analyze sim/transactions.csv --customer customer_id --date date --amount amount \\\n"
      "      --order order_id --spend sim/spend.csv --customers sim/customers.csv \\\n"
      "      --compare loyalty_member --product product --category category \\\n"
      "      --nps sim/nps.csv -o results");
  cmd->callback([options, analyze]() { run_analyze(*options, *analyze); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(5, ltv::cli::setup_analyze);
