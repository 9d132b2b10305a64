// The embedding API's Workspace and the translation of parameters into typed options (see
// ltv/workspace/workspace.hpp and ltv/workspace/analysis.hpp).
#include "ltv/workspace/workspace.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <tuple>

#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/summary_writer.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/recommend/association.hpp"
#include "ltv/store/clickhouse.hpp"
#include "ltv/store/source.hpp"
#include "ltv/store/store.hpp"

namespace ltv {

TransactionSource TransactionSource::file(std::string path, LoadOptions options) {
  TransactionSource s;
  s.kind = Kind::file;
  s.path = std::move(path);
  s.options = std::move(options);
  return s;
}

TransactionSource TransactionSource::workspace(std::string location, std::int64_t up_to_batch) {
  TransactionSource s;
  s.kind = Kind::workspace;
  s.path = store::parse_location(location).display;
  s.location = std::move(location);
  s.up_to_batch = up_to_batch;
  return s;
}

TransactionSource TransactionSource::database(std::string location, std::string query,
                                              std::string table, LoadOptions options) {
  TransactionSource s;
  s.kind = Kind::database;
  s.path = store::database_source_name(location, query, table);
  s.location = std::move(location);
  s.query = std::move(query);
  s.table = std::move(table);
  s.options = std::move(options);
  return s;
}

TransactionSource TransactionSource::memory(std::string name, TransactionLog log,
                                            LoadReport report) {
  TransactionSource s;
  s.kind = Kind::memory;
  s.path = std::move(name);
  s.log = std::make_shared<const TransactionLog>(std::move(log));
  s.report = std::move(report);
  return s;
}

bool is_clickhouse_source(const TransactionSource& source) noexcept {
  return source.kind == TransactionSource::Kind::database && store::is_clickhouse(source.location);
}

LoadOptions load_options(const Parameters& p) {
  LoadOptions lo;
  lo.columns.customer = p.text("customer");
  lo.columns.date = p.text("date");
  lo.columns.amount = p.text("amount");
  lo.columns.order = p.text("order");
  lo.columns.quantity = p.text("quantity");
  lo.columns.price = p.text("price");
  lo.columns.product = p.text("product");
  lo.columns.category = p.text("category");
  lo.columns.margin = p.text("margin");
  lo.columns.cost = p.text("cost");
  lo.columns.channel = p.text("channel");
  lo.columns.region = p.text("region");
  if (!lo.columns.margin.empty() && !lo.columns.cost.empty()) {
    parameter_error("cost", lo.columns.cost, "either margin or cost, not both");
  }
  lo.csv.delimiter = parse_delimiter(p.text("delimiter"));
  lo.csv.has_header = !p.flag("no_header");
  lo.date_format = parse_date_format(p.text("date_format"));
  lo.decimal_comma = p.flag("decimal_comma");
  lo.time_zone_minutes = parse_utc_offset(p.text("time_zone"));
  lo.returns = parse_returns_policy(p.choice("returns"));
  lo.on_error = parse_error_policy(p.choice("on_error"));
  // ParameterError for date_window when the text is not a window.
  std::tie(lo.min_day, lo.max_day) =
      parse_date_window(p.text("date_window"), lo.min_day, lo.max_day, "date_window");
  return lo;
}

SummaryOptions summary_options(const Parameters& p) {
  SummaryOptions so;
  so.time_unit = parse_time_unit(p.choice("time_unit"));
  so.calibration_end = p.date("calibration_end");
  so.observation_end = p.date("observation_end");
  if (so.calibration_end && so.observation_end && *so.observation_end < *so.calibration_end) {
    parameter_error("observation_end", format_date(*so.observation_end),
                    "a day on or after the calibration end " + format_date(*so.calibration_end));
  }
  return so;
}

TransactionSource TransactionSource::from_parameters(const Parameters& p) {
  const std::string file_name = p.text("file");
  // The database options are in the parameter table's "source" group; a face that offers only
  // some of the source's keys (a server route) reads the others as empty.
  const auto text_of = [&](std::string_view key) {
    return p.accepts(key) ? p.text(key) : std::string();
  };
  const std::string url = text_of("source");
  const std::string query = text_of("query");
  const std::string table = text_of("source_table");
  if (!url.empty() && !file_name.empty()) {
    parameter_error("source", url, "either FILE or --source URL, not both");
  }
  if (!query.empty() && !table.empty()) {
    parameter_error("source_table", table, "either --query or --source-table, not both");
  }
  const std::string location = url.empty() ? file_name : url;
  if (location.empty()) {
    parameter_error("file", "",
                    "a transaction file ('-' = stdin), a workspace (ltv.db, postgresql://...) or "
                    "--source URL with --query or --source-table");
  }
  if (!url.empty() && !store::is_database(url)) {
    parameter_error("source", store::redact_url(url),
                    "a database: postgresql://user@host/db, clickhouse://host:port/db[.table], "
                    "sqlite:FILE or a SQLite file");
  }
  return detect(location, load_options(p), query, table);
}

TransactionSource TransactionSource::detect(std::string location, LoadOptions options,
                                            std::string query, std::string table) {
  if (store::is_database(location)) {
    // ClickHouse is a source of transactions only (its URL may name the table), never a
    // workspace.
    if (query.empty() && table.empty() && !store::is_clickhouse(location)) {
      return workspace(std::move(location));
    }
    return database(std::move(location), std::move(query), std::move(table), std::move(options));
  }
  if (!query.empty() || !table.empty()) {
    parameter_error(query.empty() ? "source_table" : "query", query.empty() ? table : query,
                    "a database to run it on: --source URL, or FILE naming a database");
  }
  return file(std::move(location), std::move(options));
}

TransactionLog load_source(const TransactionSource& source, LoadReport& report) {
  switch (source.kind) {
    case TransactionSource::Kind::file:
      return load_transactions(source.path, source.options, report);
    case TransactionSource::Kind::workspace: {
      store::WorkspaceStore store = store::WorkspaceStore::open(source.location);
      return store.read_transactions(source.up_to_batch, report);
    }
    case TransactionSource::Kind::database: {
      // The rows as CSV text, read by the loader: the same mapping and validation as a file.
      // Lines count from 0 at the header, so a message's line is the row's number.
      const std::string text =
          store::read_database_csv(source.location, source.query, source.table);
      CsvOptions csv = source.options.csv;
      csv.delimiter = Delimiter::comma;
      csv.has_header = true;
      csv.allow_ragged = true;
      CsvReader reader = CsvReader::from_range(text, csv, source.path, 0);
      return load_transactions(reader, source.options, report);
    }
    case TransactionSource::Kind::memory:
      report = source.report;
      return *source.log;
  }
  return {};
}

AnalyzeOptions analyze_options(const Parameters& p) {
  p.validate();
  AnalyzeOptions o;
  o.model = p.text("model");
  if (o.model != "auto" && model_definition(o.model, ModelKind::count).discrete) {
    parameter_error("model", o.model,
                    "auto or a continuous-time model: " + continuous_model_names());
  }
  o.horizon_months = p.number("horizon");
  o.discount_rate = p.number("discount_rate");
  o.profit_margin = p.number("profit_margin");
  o.holdout_share = p.number("holdout_share");
  const SummaryOptions so = summary_options(p);
  o.time_unit = std::string(to_string(so.time_unit));
  o.calibration_end = so.calibration_end;
  o.observation_end = so.observation_end;
  o.customers_channel = p.text("customers_channel");
  o.compare_column = p.text("compare");
  o.compare_a = p.text("compare_a");
  o.compare_b = p.text("compare_b");
  if (!o.compare_column.empty() && p.text("customers").empty()) {
    parameter_error("compare", o.compare_column, "--customers FILE holding that column");
  }
  o.basket_thresholds_given = p.given("basket_min_support") || p.given("basket_min_confidence") ||
                              p.given("basket_min_count");
  o.basket_min_support = p.text("basket_min_support");
  o.basket_min_confidence = p.text("basket_min_confidence");
  parse_ratio(o.basket_min_support, "basket_min_support");
  parse_ratio(o.basket_min_confidence, "basket_min_confidence");
  o.basket_min_count = static_cast<std::uint64_t>(p.integer("basket_min_count"));
  o.basket_min_baskets = static_cast<std::uint64_t>(p.integer("basket_min_baskets"));
  o.recommend_top = static_cast<std::size_t>(p.integer("recommend_top"));
  o.nps_horizon_days = static_cast<int>(p.integer("nps_horizon"));
  o.transitions_days = static_cast<std::int32_t>(p.integer("transitions_days"));
  o.locale = i18n::locale_from_parameters(p);
  o.currency = p.given("currency") ? p.text("currency")
                                   : std::string(i18n::default_currency(o.locale.language));
  o.title = p.given("title") ? p.text("title")
                             : i18n::translate("Customer value report", o.locale.language);
  o.report = !p.flag("no_report");
  return o;
}

SideInputs read_side_inputs(const Parameters& p) {
  SideInputs side;
  // The playbook first: rule errors come before any file is read.
  if (const std::string rules = p.text("rules"); !rules.empty()) {
    side.playbook = load_action_config(rules);
  }
  if (const std::string path = p.text("customers"); !path.empty())
    side.customers = read_table(path);
  if (const std::string path = p.text("spend"); !path.empty()) side.spend = read_table(path);
  if (const std::string path = p.text("products"); !path.empty()) {
    side.products = read_table(path);
  }
  if (const std::string path = p.text("nps"); !path.empty()) {
    side.nps_source = path;
    side.nps = read_nps_rows(path);
  }
  if (const std::string path = p.text("contacts"); !path.empty()) side.contacts = read_table(path);
  if (const std::string path = p.text("suppress"); !path.empty()) side.suppress = read_table(path);
  return side;
}

// ---- Workspace

Workspace::Workspace(TransactionSource source) : source_(std::move(source)) {}
Workspace::Workspace(TransactionSource source, TransactionLog transactions, LoadReport report)
    : source_(std::move(source)),
      log_(std::make_unique<TransactionLog>(std::move(transactions))),
      report_(std::move(report)) {}
Workspace::~Workspace() = default;
Workspace::Workspace(Workspace&&) noexcept = default;
Workspace& Workspace::operator=(Workspace&&) noexcept = default;

void Workspace::load() {
  if (log_) return;
  const auto start = std::chrono::steady_clock::now();
  LoadReport report;
  std::shared_ptr<const TransactionLog> log;
  if (source_.log) {
    log = source_.log;
    report = source_.report;
  } else {
    log = std::make_shared<const TransactionLog>(load_source(source_, report));
  }
  if (report.rows_loaded == 0) {
    input_error(SourceLocation{source_.path, 0, ""}, "no transactions",
                "at least one row with a customer id and a date");
  }
  report_ = std::move(report);
  log_ = std::move(log);
  load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

const TransactionLog& Workspace::transactions() {
  load();
  return *log_;
}

const LoadReport& Workspace::load_report() {
  load();
  return report_;
}

CustomerSummary Workspace::summaries(const SummaryOptions& options) {
  return summarize(transactions(), options);
}

void Workspace::write_summaries(const SummaryOptions& options, OutputFormat format,
                                const std::function<void(const LoadReport&)>& loaded,
                                const std::function<std::ostream&()>& open) {
  // Built and written 262,144 customers at a time, so the whole summary is never held (about
  // 60 bytes per customer: 0.6 GB for 10M customers).
  std::ostream* out = nullptr;
  auto write = [&](const SummaryRanges& source) {
    SummaryWriter writer(*out, format, source.header().has_profit, source.header().has_holdout);
    constexpr std::size_t kRange = std::size_t{1} << 18;
    for (std::size_t begin = 0; begin < source.customers(); begin += kRange) {
      writer.write(source, begin, std::min(source.customers(), begin + kRange));
    }
    writer.finish();
  };
  const auto check_loaded = [&](const LoadReport& r) {
    if (loaded) loaded(r);
    if (r.rows_loaded == 0) {
      input_error(SourceLocation{source_.path, 0, ""}, "no transactions",
                  "at least one row with a customer id and a date");
    }
  };
  const auto open_after = [&](const LoadReport&) { out = &open(); };
  if (is_clickhouse_source(source_)) {
    // Computed in ClickHouse: one row per customer travels, never the transactions.
    store::ClickHouseScan scan;
    const auto summaries =
        store::clickhouse_summary(store::clickhouse_source(source_.location, source_.query,
                                                           source_.table, source_.options.columns),
                                  options, scan);
    const LoadReport report = store::load_report(scan);
    check_loaded(report);
    open_after(report);
    write(*summaries);
    return;
  }
  if (source_.kind != TransactionSource::Kind::file) load();  // a database or memory: a log
  if (log_) {
    check_loaded(report_);
    SummaryBuilder builder(*log_, options);
    open_after(report_);
    write(builder);
    return;
  }
  // A file in customer order (an export sorted by customer) is summarised as it is read,
  // customer after customer; a file in any other order (by date, as exports come, or shuffled)
  // is declined within its first customers and summarised as it is read again, into a table of
  // one state per customer. Only an order id column, a value an exact sum cannot hold, or stdin
  // (which cannot be read twice) take the TransactionLog. Every path gives the same bytes, with
  // the rows in customer id order.
  LoadOptions lo = source_.options;
  lo.keep_extra_columns = false;
  auto streamed = [&](auto& summaries, bool in_customer_order) {
    LoadReport report;
    const int parts = stream_transactions(source_.path, lo, report,
                                          [&](int k) -> RowSink& { return summaries.part(k); });
    if (parts == 0 || !summaries.join(parts)) return false;
    // The loader counts customers whose returns exceed their purchases over runs of consecutive
    // rows: exact when the file is in customer order, meaningless in any other order (not shown).
    if (!in_customer_order) {
      std::erase_if(report.data_warnings,
                    [](const DataWarning& w) { return w.kind == "net_negative_customers"; });
    }
    report.customers = summaries.customers_loaded();
    check_loaded(report);
    summaries.finish(LoadedDays{report.first_day, report.last_day});
    open_after(report);
    write(summaries);
    return true;
  };
  bool values_fit = true;  // in ExactSum (else only the log path takes them)
  {
    SummaryStream stream(options);
    if (streamed(stream, true)) return;
    values_fit = !stream.declined_for_values();
  }
  if (values_fit && source_.path != "-") {
    SummaryTable table(options);
    if (streamed(table, false)) return;
  }
  LoadReport read;
  const TransactionLog log = load_transactions(source_.path, lo, read);
  check_loaded(read);
  SummaryBuilder builder(log, options);
  open_after(read);
  write(builder);
}

}  // namespace ltv
