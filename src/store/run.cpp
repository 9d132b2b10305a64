// Runs of the main job over a workspace (see ltv/store/run.hpp and docs/store.md).
#include "ltv/store/run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <unordered_set>

#include "customer_state.hpp"
#include "database.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/numbers.hpp"
#include "ltv/io/staged_directory.hpp"
#include "ltv/models/diagnostics.hpp"
#include "ltv/models/model_file.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/models/selection.hpp"
#include "ltv/report/report.hpp"
#include "ltv/workspace/scoring.hpp"
#include "ltv/workspace/tables.hpp"
#include "ltv/workspace/workspace.hpp"
#include "schema.hpp"
#include "store_internal.hpp"

namespace ltv::store {

// ------------------------------------------------------------------------------------ options

double parse_duration(std::string_view text, std::string_view key) {
  std::string_view t = text;
  while (!t.empty() && t.front() == ' ') t.remove_prefix(1);
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  const auto bad = [&]() -> double {
    parameter_error(std::string(key), std::string(text),
                    "a duration: a number followed by s, m, h, d or w (e.g. 24h, 7d)");
  };
  if (t.size() < 2) return bad();
  double unit = 0;
  switch (t.back()) {
    case 's':
      unit = 1;
      break;
    case 'm':
      unit = 60;
      break;
    case 'h':
      unit = 3600;
      break;
    case 'd':
      unit = 86400;
      break;
    case 'w':
      unit = 7 * 86400;
      break;
    default:
      return bad();
  }
  const auto v = parse_number(t.substr(0, t.size() - 1));
  if (!v || !std::isfinite(*v) || *v < 0) return bad();
  return *v * unit;
}

RefitPolicy parse_refit_policy(std::string_view text) {
  RefitPolicy p;
  std::string t(text);
  for (char& c : t) {
    if (c == '=' || c == ':') c = ' ';
  }
  const auto space = t.find(' ');
  const std::string word = t.substr(0, space);
  std::string value = space == std::string::npos ? "" : t.substr(space + 1);
  value.erase(0, value.find_first_not_of(' '));
  p.text = std::string(text);
  const char* expected =
      "always, 'if-older 7d' (a duration) or 'if-grown 5%' (a share of customers)";
  if (word == "always" && value.empty()) {
    p.kind = RefitPolicy::Kind::always;
    p.text = "always";
  } else if (word == "if-older" && !value.empty()) {
    p.kind = RefitPolicy::Kind::if_older;
    p.seconds = parse_duration(value, "refit");
    p.text = "if-older " + value;
  } else if (word == "if-grown" && !value.empty()) {
    p.kind = RefitPolicy::Kind::if_grown;
    std::string number = value;
    const bool percent = !number.empty() && number.back() == '%';
    if (percent) number.pop_back();
    const auto v = parse_number(number);
    if (!v || !std::isfinite(*v) || *v < 0) parameter_error("refit", std::string(text), expected);
    p.share = percent ? *v / 100 : *v;
    p.text = "if-grown " + value;
  } else {
    parameter_error("refit", std::string(text), expected);
  }
  return p;
}

RunOptions run_options(const Parameters& p, bool workspace_has_customers) {
  RunOptions o;
  for (const char* key : {"spend", "customers", "nps", "contacts", "suppress"}) {
    if (!p.text(key).empty()) {
      parameter_error(key, p.text(key),
                      fmt::format("no file: a run reads its inputs from the workspace (ingest "
                                  "the file: ltv ingest WORKSPACE FILE --kind {})",
                                  std::string_view(key) == "suppress" ? "suppress" : key));
    }
  }
  Parameters checked = p;
  // --compare needs customer attributes: here, those of the workspace.
  if (workspace_has_customers) checked.set("customers", "(workspace)");
  o.analyze = analyze_options(checked);
  o.incremental = p.flag("incremental");
  o.refit = parse_refit_policy(p.text("refit"));
  if (const std::string stale = p.text("if_stale"); !stale.empty()) {
    o.if_stale_seconds = parse_duration(stale, "if_stale");
  }
  if (const std::string rules = p.text("rules"); !rules.empty()) {
    o.playbook = load_action_config(rules);
  }
  for (const auto& [key, value] : p.values()) o.parameters[key] = value;
  if (o.incremental && (o.analyze.calibration_end || o.analyze.observation_end)) {
    parameter_error(o.analyze.calibration_end ? "calibration_end" : "observation_end", "a date",
                    "none with --incremental: an incremental run scores customers at the end of "
                    "the data (a full run takes a calibration or observation end)");
  }
  return o;
}

namespace {

// ------------------------------------------------------------------------------ time stamps

std::int64_t epoch_seconds(const std::string& iso) {
  // "YYYY-MM-DDTHH:MM:SSZ" (utc_now()).
  if (iso.size() < 19) return 0;
  const std::int64_t day = parse_iso_day(iso);
  const auto two = [&](std::size_t at) { return (iso[at] - '0') * 10 + (iso[at + 1] - '0'); };
  return day * 86400 + two(11) * 3600 + two(14) * 60 + two(17);
}

std::int64_t now_seconds() {
  return static_cast<std::int64_t>(std::time(nullptr));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// --------------------------------------------------------------------------------- batches

/// Transaction batches up to `up_to` whose rows are not yet in the running aggregates.
std::vector<std::int64_t> pending_batches(Database& db, std::int64_t up_to) {
  std::vector<std::int64_t> out;
  const SqlValue p[] = {up_to};
  db.scan(
      "SELECT batch_id FROM batches WHERE kind = 'transactions' AND batch_id <= $1 AND batch_id "
      "NOT IN (SELECT batch_id FROM state_batches) ORDER BY batch_id",
      p, [&](const SqlRow& r) { out.push_back(r.integer(0)); });
  return out;
}

std::string id_list(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (std::int64_t id : ids) {
    if (!out.empty()) out += ",";
    out += std::to_string(id);
  }
  return out;
}

std::vector<CustomerState> read_states(Database& db, std::string_view where) {
  std::vector<CustomerState> out;
  db.scan(fmt::format("SELECT customer_id, first_batch, first_line, first_row_day, last_row_day, "
                      "purchase_days, first_day, last_day, monetary_value, revenue, profit, "
                      "orders FROM customer_state{}{}",
                      where.empty() ? "" : " WHERE ", where),
          {}, [&](const SqlRow& r) {
            CustomerState s;
            s.customer_id = std::string(r.text(0));
            s.first_batch = r.integer(1);
            s.first_line = r.integer(2);
            s.first_row_day = static_cast<std::int32_t>(r.integer(3));
            s.last_row_day = static_cast<std::int32_t>(r.integer(4));
            s.purchase_days = r.integer(5);
            s.first_day = static_cast<std::int32_t>(r.integer(6));
            s.last_day = static_cast<std::int32_t>(r.integer(7));
            s.monetary_value = r.real(8);
            s.revenue = r.real(9);
            s.profit = r.is_null(10) ? 0.0 : r.real(10);
            s.orders = r.integer(11);
            out.push_back(std::move(s));
          });
  return out;
}

// ------------------------------------------------------------------------------------ write

/// What a run commits besides its analysis.
struct RunRecord {
  std::string kind;
  std::string started_at;
  double seconds = 0;
  std::int64_t watermark = 0;
  std::string refit, refit_decision;
  nlohmann::ordered_json parameters;
  nlohmann::ordered_json fit_origin;  ///< fit.json: which run fitted the model in use, when
  std::string report_html;
  /// The aggregates to store: of every customer (`replace_state`) or of the touched ones, and
  /// the batches they now hold.
  bool replace_state = false;
  std::vector<CustomerState> states;
  std::vector<std::int64_t> folded_batches;
};

void write_states(Database& db, const RunRecord& rec) {
  if (rec.replace_state) {
    db.execute("DELETE FROM customer_state");
    db.execute("DELETE FROM state_batches");
  } else if (!rec.states.empty()) {
    db.execute("CREATE TEMPORARY TABLE ltv_replaced (customer_id TEXT PRIMARY KEY)");
    {
      const std::string columns[] = {"customer_id"};
      auto w = db.bulk_insert("ltv_replaced", columns);
      for (const CustomerState& s : rec.states) {
        w->text(s.customer_id);
        w->end_row();
      }
      w->finish();
    }
    db.execute(
        "DELETE FROM customer_state WHERE customer_id IN (SELECT customer_id FROM ltv_replaced)");
    db.execute("DROP TABLE ltv_replaced");
  }
  {
    const std::string columns[] = {"customer_id",    "first_batch",   "first_line", "first_row_day",
                                   "last_row_day",   "purchase_days", "first_day",  "last_day",
                                   "monetary_value", "revenue",       "profit",     "orders"};
    auto w = db.bulk_insert("customer_state", columns);
    for (const CustomerState& s : rec.states) {
      w->text(s.customer_id);
      w->integer(s.first_batch);
      w->integer(s.first_line);
      w->integer(s.first_row_day);
      w->integer(s.last_row_day);
      w->integer(s.purchase_days);
      w->integer(s.first_day);
      w->integer(s.last_day);
      w->real(s.monetary_value);
      w->real(s.revenue);
      w->real(s.profit);
      w->integer(s.orders);
      w->end_row();
    }
    w->finish();
  }
  if (!rec.folded_batches.empty()) {
    // Another run may have folded the same batches meanwhile (the same values): re-recorded.
    db.execute(fmt::format("DELETE FROM state_batches WHERE batch_id IN ({})",
                           id_list(rec.folded_batches)));
    const std::string columns[] = {"batch_id"};
    auto w = db.bulk_insert("state_batches", columns);
    for (std::int64_t b : rec.folded_batches) {
      w->integer(b);
      w->end_row();
    }
    w->finish();
  }
}

void write_table(Database& db, std::int64_t run, const std::string& key, const ResultTable& t) {
  const std::string sql_table = result_table_name(key);
  ensure_result_table(db, sql_table, t.spec());
  std::vector<std::string> columns = {"run_id", "row_index"};
  nlohmann::json names = nlohmann::json::array();
  for (const ColumnSpec& c : t.spec().columns) {
    columns.push_back(c.name);
    names.push_back(c.name);
  }
  auto w = db.bulk_insert(sql_table, columns);
  for (std::size_t r = 0; r < t.rows(); ++r) {
    w->integer(run);
    w->integer(static_cast<std::int64_t>(r));
    for (std::size_t c = 0; c < t.columns(); ++c) {
      if (t.is_null(c, r)) {
        w->null();
        continue;
      }
      switch (t.spec().columns[c].type) {
        case ColumnType::text:
          w->text(t.text(c, r));
          break;
        case ColumnType::integer:
          w->integer(t.integer(c, r));
          break;
        case ColumnType::real:
          w->real(t.real(c, r));
          break;
        case ColumnType::date:
          w->date(t.date(c, r));
          break;
        case ColumnType::boolean:
          w->boolean(t.boolean(c, r));
          break;
      }
    }
    w->end_row();
  }
  w->finish();
  const SqlValue p[] = {run, key, sql_table, names.dump(), static_cast<std::int64_t>(t.rows())};
  db.execute(
      "INSERT INTO run_tables (run_id, table_key, sql_table, columns, row_count) VALUES ($1, $2, "
      "$3, $4, $5)",
      p);
}

void write_file(Database& db, std::int64_t run, const std::string& name, const std::string& text) {
  const SqlValue p[] = {run, name, text};
  db.execute("INSERT INTO run_files (run_id, name, content) VALUES ($1, $2, $3)", p);
}

/// Commits the run: aggregates, result tables, files and the run row, in one transaction.
RunInfo commit_run(WorkspaceStore& ws, const Analysis& a, const RunRecord& rec) {
  Database& db = ws.database();
  Transaction tx(db, Transaction::Kind::write);
  const std::int64_t run = query_integer(db, "SELECT max(run_id) FROM runs", {}, 0) + 1;
  write_states(db, rec);
  for (const auto& [key, table] : a.tables) write_table(db, run, key, table);
  write_file(db, run, "summary.json", summary_json(a).dump(2) + "\n");
  write_file(db, run, "model.json", model_to_json(a.model, a.time_unit).dump(2) + "\n");
  if (a.spend_model) {
    write_file(db, run, "spend_model.json",
               model_to_json(*a.spend_model, a.time_unit).dump(2) + "\n");
  }
  write_file(db, run, "fit.json", rec.fit_origin.dump(2) + "\n");
  if (!rec.report_html.empty()) write_file(db, run, "report.html", rec.report_html);
  nlohmann::ordered_json timings = nlohmann::ordered_json::array();
  for (const StepTiming& t : a.timings) {
    timings.push_back(
        {{"step", t.step}, {"seconds", t.seconds}, {"peak_rss_bytes", t.peak_rss_bytes}});
  }
  RunInfo info;
  info.id = run;
  info.kind = rec.kind;
  info.started_at = rec.started_at;
  info.finished_at = utc_now();
  info.seconds = rec.seconds;
  info.watermark = rec.watermark;
  info.customers = static_cast<std::int64_t>(a.customers);
  info.transactions = static_cast<std::int64_t>(a.transactions);
  info.model = a.model_name;
  info.refit = rec.refit;
  info.refit_decision = rec.refit_decision;
  info.options = rec.parameters;
  for (const auto& [key, table] : a.tables) info.tables.push_back(key);
  const SqlValue p[] = {run,           info.kind,      info.started_at,     info.finished_at,
                        info.seconds,  info.watermark, info.customers,      info.transactions,
                        info.model,    info.refit,     info.refit_decision, info.options.dump(),
                        timings.dump()};
  // The run row last: the run is visible (status committed) once the transaction commits.
  db.execute(
      "INSERT INTO runs (run_id, kind, status, started_at, finished_at, seconds, watermark, "
      "customers, transactions, model, refit, refit_decision, options, timings) VALUES ($1, $2, "
      "'committed', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      p);
  tx.commit();
  return info;
}

std::string report_html(const Analysis& a, const AnalyzeOptions& o, const std::string& label) {
  if (!o.report) return {};
  report::ReportOptions ro;
  ro.currency = o.currency;
  ro.locale = o.locale;
  ro.title = o.title;
  try {
    return report::build_report(a, ro, label).html;
  } catch (const std::exception&) {  // the report never fails a run (ltv report re-renders it)
    return {};
  }
}

// ---------------------------------------------------------------------------------- full run

RunOutcome full_run(WorkspaceStore& ws, const RunOptions& o, const Progress& progress,
                    std::chrono::steady_clock::time_point start, const std::string& started_at,
                    std::string note) {
  Database& db = ws.database();
  std::int64_t watermark = 0;
  TransactionLog log;
  LoadReport report;
  std::vector<std::int64_t> batch_of;
  SideInputs side;
  std::vector<std::int64_t> pending;
  bool state_empty = true;
  {
    // One snapshot: the batches up to the watermark, their rows and the side inputs.
    if (progress) progress(1, Workspace::kAnalyzeSteps, "loading " + ws.name());
    Transaction tx(db, Transaction::Kind::read);
    watermark = ws.last_batch();
    log = read_log(db, ws.name(), watermark, {}, report, &batch_of);
    if (log.size() == 0) {
      input_error({ws.name(), 0, ""}, "no transactions", "at least one stored transaction");
    }
    side = ws.read_side_inputs(watermark);
    pending = pending_batches(db, watermark);
    state_empty = query_integer(db, "SELECT count(*) FROM state_batches", {}, 0) == 0;
    tx.commit();
  }
  if (o.playbook) side.playbook = o.playbook;
  const double load_seconds = seconds_since(start);

  Workspace job(TransactionSource::workspace(ws.location().target, watermark), std::move(log),
                std::move(report));
  Analysis a = job.analyze(o.analyze, side, [&](int step, int steps, std::string_view what) {
    if (step > 1 && progress) progress(step, steps, what);
  });
  if (!a.timings.empty()) a.timings.front().seconds = load_seconds;
  a.source = ws.name();

  // The running aggregates of the customers the new batches touched (all of them the first
  // time), from the log in memory.
  RunRecord rec;
  rec.kind = "full";
  rec.started_at = started_at;
  rec.watermark = watermark;
  rec.refit = "always";
  rec.refit_decision = "full run: model chosen on a holdout and fitted on all data";
  rec.parameters = o.parameters;
  rec.fit_origin = {{"fitted_at", utc_now()}, {"customers", a.customers}};
  const TransactionLog& all = job.transactions();
  if (state_empty) {
    rec.replace_state = true;
    rec.states = customer_states(all, batch_of);
    rec.folded_batches = pending;
  } else if (!pending.empty()) {
    const std::unordered_set<std::int64_t> is_pending(pending.begin(), pending.end());
    std::vector<std::uint8_t> touched(all.customer_count(), 0);
    for (std::size_t r = 0; r < all.size(); ++r) {
      if (is_pending.count(batch_of[r])) touched[all.customer[r]] = 1;
    }
    std::vector<std::int64_t> sub_batches;
    const TransactionLog sub = customers_log(all, batch_of, touched, sub_batches);
    rec.states = customer_states(sub, sub_batches);
    rec.folded_batches = pending;
  }
  RunOutcome out;
  out.new_batches = pending.size();
  out.touched_customers = rec.states.size();
  out.note = std::move(note);
  rec.report_html = report_html(a, o.analyze, ws.name() + " (run)");
  rec.seconds = seconds_since(start);
  out.run = commit_run(ws, a, rec);
  out.analysis = std::move(a);
  return out;
}

// --------------------------------------------------------------------------- incremental run

/// The count model refitted on all data as the main job fits its chosen model
/// (choose_identified_model: plain maximum likelihood when identified, else penalised).
FittedCountModel refit_model(const std::string& model_name, const CustomerSummary& summary) {
  const std::string preference[] = {model_name};
  const ModelChoice choice = choose_identified_model(preference, summary_patterns(summary));
  return FittedCountModel(choice.fit);
}

RunOutcome incremental_run(WorkspaceStore& ws, const RunOptions& o, const RunInfo& previous,
                           const Progress& progress, std::chrono::steady_clock::time_point start,
                           const std::string& started_at) {
  Database& db = ws.database();
  const int steps = 4;
  if (progress) progress(1, steps, "updating the customers of the new batches");
  std::int64_t watermark = 0;
  std::vector<std::int64_t> pending;
  std::vector<CustomerState> states, touched_states;
  TransactionLayout layout;
  std::int64_t transactions = 0;
  {
    Transaction tx(db, Transaction::Kind::read);
    watermark = ws.last_batch();
    pending = pending_batches(db, watermark);
    const SqlValue p[] = {watermark};
    transactions = query_integer(
        db, "SELECT sum(rows_loaded) FROM batches WHERE kind = 'transactions' AND batch_id <= $1",
        p, 0);
    const std::string first_layout = query_text(
        db, "SELECT layout FROM batches WHERE kind = 'transactions' ORDER BY batch_id LIMIT 1", {});
    layout = transaction_layout(nlohmann::json::parse(first_layout));
    if (pending.empty()) {
      states = read_states(db, {});
    } else {
      // The customers of the new batches, all their rows, and everybody else's aggregates.
      db.execute("CREATE TEMPORARY TABLE ltv_touched (customer_id TEXT PRIMARY KEY)");
      db.execute(fmt::format(
          "INSERT INTO ltv_touched SELECT DISTINCT customer_id FROM transactions WHERE batch_id "
          "IN ({})",
          id_list(pending)));
      LoadReport sub_report;
      std::vector<std::int64_t> sub_batches;
      const TransactionLog sub =
          read_log(db, ws.name(), watermark, "customer_id IN (SELECT customer_id FROM ltv_touched)",
                   sub_report, &sub_batches);
      touched_states = customer_states(sub, sub_batches);
      states = read_states(db, "customer_id NOT IN (SELECT customer_id FROM ltv_touched)");
      db.execute("DROP TABLE ltv_touched");
    }
    tx.commit();
  }
  states.insert(states.end(), touched_states.begin(), touched_states.end());
  if (states.empty()) {
    input_error({ws.name(), 0, ""}, "no customers", "at least one stored transaction");
  }

  if (progress) progress(2, steps, "summarising customers");
  const TimeUnit unit = parse_time_unit(o.analyze.time_unit);
  std::int32_t first_day = states.front().first_row_day;
  for (const CustomerState& s : states) first_day = std::min(first_day, s.first_row_day);
  std::vector<std::string> ids;
  const CustomerSummary summary =
      summary_from_states(states, unit, layout.amount, layout.profit, ids);

  // The model: refitted on the compressed patterns, or kept, by the policy.
  const std::string model_name = o.analyze.model == "auto" ? previous.model : o.analyze.model;
  const auto previous_file = [&](const char* name) -> std::optional<nlohmann::json> {
    const auto text = ws.read_run_file(name, previous.id);
    if (!text) return std::nullopt;
    return nlohmann::json::parse(*text);
  };
  const auto origin = previous_file("fit.json");
  const auto previous_model = previous_file("model.json");
  const auto previous_spend = previous_file("spend_model.json");
  const auto previous_summary = previous_file("summary.json");
  std::string decision;
  bool refit = true;
  const std::string previous_unit =
      previous_summary ? previous_summary->value("time_unit", std::string()) : std::string();
  if (!previous_model || model_name != previous.model) {
    decision = "refit: the model differs from run " + std::to_string(previous.id) + "'s";
  } else if (previous_unit != o.analyze.time_unit) {
    decision = "refit: the time unit differs from run " + std::to_string(previous.id) + "'s";
  } else if (o.refit.kind == RefitPolicy::Kind::always) {
    decision = "refit (always)";
  } else if (o.refit.kind == RefitPolicy::Kind::if_older) {
    const std::string at = origin ? origin->value("fitted_at", std::string()) : std::string();
    const double age = static_cast<double>(now_seconds() - epoch_seconds(at));
    refit = at.empty() || age > o.refit.seconds;
    decision = fmt::format("{}: the fit in use is {:.1f} h old (policy {})",
                           refit ? "refit" : "kept", age / 3600, o.refit.text);
  } else {
    const double before = origin ? origin->value("customers", 0.0) : 0.0;
    const double growth = before > 0 ? (static_cast<double>(summary.size()) - before) / before : 1;
    refit = growth >= o.refit.share;
    decision = fmt::format("{}: customers grew {:.2f}% since the fit in use (policy {})",
                           refit ? "refit" : "kept", 100 * growth, o.refit.text);
  }
  if (progress) progress(3, steps, refit ? "fitting " + model_name : "scoring with " + model_name);
  Analysis a;
  a.options = o.analyze;
  a.source = ws.name();
  std::optional<FitResult> kept_spend;
  FittedCountModel model =
      refit ? refit_model(model_name, summary)
            : FittedCountModel(model_from_json(*previous_model, "model.json").fit);
  if (!refit && previous_spend)
    kept_spend = model_from_json(*previous_spend, "spend_model.json").fit;
  CustomerScoring scoring =
      score_summary(summary, model, o.analyze, kept_spend ? &*kept_spend : nullptr);
  if (progress) progress(4, steps, "segmenting customers");
  segment_summary(summary, scoring);
  a.model = model.result();
  a.model_name = model_name;
  a.model_selection = previous_summary && previous_summary->contains("model_selection")
                          ? nlohmann::ordered_json((*previous_summary)["model_selection"])
                          : nlohmann::ordered_json::object();
  a.model_selection["chosen"] = model_name;
  a.model_selection["chosen_by"] =
      fmt::format("incremental run: the model of run {} ({})", previous.id, decision);
  a.tables.emplace("segments", segments_result_table(summary, scoring));
  a.tables.emplace("customers", customers_result_table(summary, ids, scoring));
  fill_headline(a, summary, scoring);
  a.spend_customers = spend_customers_json(scoring, ids);
  a.transactions = static_cast<std::size_t>(transactions);
  a.first_day = first_day;
  a.last_day = summary.calibration_end;
  a.load.source = ws.name();
  a.load.rows_read = a.load.rows_loaded = transactions;
  a.load.customers = states.size();

  RunRecord rec;
  rec.kind = "incremental";
  rec.started_at = started_at;
  rec.watermark = watermark;
  rec.refit = o.refit.text;
  rec.refit_decision = decision;
  rec.parameters = o.parameters;
  rec.fit_origin =
      refit ? nlohmann::ordered_json{{"fitted_at", utc_now()}, {"customers", summary.size()}}
            : nlohmann::ordered_json(origin.value_or(nlohmann::json::object()));
  rec.states = std::move(touched_states);
  rec.folded_batches = pending;
  RunOutcome out;
  out.new_batches = pending.size();
  out.touched_customers = rec.states.size();
  rec.report_html = report_html(a, o.analyze, ws.name() + " (incremental run)");
  rec.seconds = seconds_since(start);
  out.run = commit_run(ws, a, rec);
  out.analysis = std::move(a);
  return out;
}

}  // namespace

RunOutcome run_workspace(WorkspaceStore& ws, const RunOptions& o, const Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = utc_now();
  const std::optional<RunInfo> newest = ws.run(0);
  if (o.if_stale_seconds && newest) {
    const double age = static_cast<double>(now_seconds() - epoch_seconds(newest->finished_at));
    if (age < *o.if_stale_seconds) {
      RunOutcome out;
      out.skipped = true;
      out.run = *newest;
      out.note =
          fmt::format("run {} finished {:.1f} h ago, within --if-stale {:.1f} h: nothing to do",
                      newest->id, age / 3600, *o.if_stale_seconds / 3600);
      return out;
    }
  }
  if (o.incremental) {
    // The model choice of an earlier run is needed (or --model): without one the run is full.
    if (newest) return incremental_run(ws, o, *newest, progress, start, started_at);
    return full_run(ws, o, progress, start, started_at,
                    "the workspace has no run yet: this incremental run is a full one");
  }
  return full_run(ws, o, progress, start, started_at, {});
}

ExportedRun export_run_folder(WorkspaceStore& ws, std::int64_t run,
                              const std::filesystem::path& dir) {
  const std::optional<RunInfo> info = ws.run(run);
  if (!info) {
    throw DatabaseError(
        fmt::format("{}: {}", ws.name(), run ? "no run " + std::to_string(run) : "no run yet"));
  }
  StagedDirectory folder(dir);
  ExportedRun out{info->id, 0};
  for (const std::string& key : info->tables) {
    const ResultTable table = ws.read_result(key, info->id);
    Output file(folder.file(key + ".csv").string());
    write_csv(file.stream(), table);
    file.close();
    ++out.files;
  }
  for (const char* name : {"summary.json", "model.json", "spend_model.json", "report.html"}) {
    const auto content = ws.read_run_file(name, info->id);
    if (!content) continue;
    Output file(folder.file(name).string());
    file.stream() << *content;
    file.close();
    ++out.files;
  }
  folder.commit();
  return out;
}

}  // namespace ltv::store
