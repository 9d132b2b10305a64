#include "transaction_options.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <thread>
#include <tuple>

#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/files.hpp"

#include <fmt/format.h>

namespace ltv::cli {

void add_output_options(CLI::App& cmd, std::string& format, std::string& output) {
  cmd.add_option("--format", format, "Output format: csv or json (an array of objects)")
      ->capture_default_str()
      ->group("Output");
  cmd.add_option("-o,--output", output, "Write output to FILE instead of stdout ('-')")
      ->capture_default_str()
      ->group("Output");
}

void add_transaction_options(CLI::App& cmd, TransactionCliOptions& o, PeriodOptions periods) {
  cmd.add_option("FILE", o.file,
                 "Transactions: CSV/TSV/whitespace text, optionally gzip-compressed; '-' = stdin")
      ->required();
  const char* cols = "Columns (header name or 1-based number)";
  cmd.add_option("--customer", o.columns.customer, "Customer id column (required)")->group(cols);
  cmd.add_option("--date", o.columns.date, "Purchase date or datetime column (required)")
      ->group(cols);
  cmd.add_option("--amount", o.columns.amount,
                 "Line value column; absent = count-only data (unless --price)")
      ->group(cols);
  cmd.add_option("--order", o.columns.order,
                 "Order / invoice id column (ids like C536379 are cancellations)")
      ->group(cols);
  cmd.add_option("--quantity", o.columns.quantity, "Quantity column")->group(cols);
  cmd.add_option("--price", o.columns.price,
                 "Unit price column: amount = quantity x price when --amount is not given")
      ->group(cols);
  cmd.add_option("--product", o.columns.product, "Product / SKU column")->group(cols);
  cmd.add_option("--category", o.columns.category, "Product category column")->group(cols);
  auto* margin =
      cmd.add_option("--margin", o.columns.margin, "Profit-per-line column")->group(cols);
  cmd.add_option("--cost", o.columns.cost, "Cost-per-line column: profit = amount - cost")
      ->group(cols)
      ->excludes(margin);
  cmd.add_option("--channel", o.columns.channel, "Sales / acquisition channel column")->group(cols);
  cmd.add_option("--region", o.columns.region, "Store / region column")->group(cols);

  const char* parsing = "Parsing";
  cmd.add_flag("--no-header", o.no_header,
               "The file has no header line: columns are given by number")
      ->group(parsing);
  cmd.add_option("--delimiter", o.delimiter, "auto, ',', ';', tab, pipe or whitespace")
      ->capture_default_str()
      ->group(parsing);
  cmd.add_option("--date-format", o.date_format,
                 "auto (detected from the first date), iso, yyyymmdd, dd.mm.yyyy, or a pattern "
                 "like '%d/%m/%Y %H:%M' (%Y %y %m %b %d %H %M %S %z)")
      ->capture_default_str()
      ->group(parsing);
  cmd.add_flag("--decimal-comma", o.decimal_comma,
               "Numbers use a decimal comma and space/NBSP thousands separators: 1 234,56")
      ->group(parsing);
  cmd.add_option("--time-zone", o.time_zone,
                 "Fixed UTC offset datetimes carrying an offset are converted to; datetimes "
                 "without an offset are taken as written")
      ->capture_default_str()
      ->group(parsing);
  cmd.add_option("--returns", o.returns,
                 "Return/cancellation lines (negative amount or quantity, C-invoices): net (keep, "
                 "revenue nets out) or drop")
      ->capture_default_str()
      ->group(parsing);
  cmd.add_option("--on-error", o.on_error,
                 "Bad rows: fail (stop at the first, naming file:line:column) or skip (count and "
                 "report them)")
      ->capture_default_str()
      ->group(parsing);
  cmd.add_option("--date-window", o.date_window,
                 "Plausible purchase dates FROM..TO: a date outside is a bad row (see --on-error)")
      ->capture_default_str()
      ->group(parsing);

  const char* period_group = "Periods";
  if (periods == PeriodOptions::all) {
    cmd.add_option("--time-unit", o.time_unit, "Unit of recency, T and durations: day, week, month")
        ->capture_default_str()
        ->group(period_group);
    cmd.add_option("--calibration-end", o.calibration_end,
                   "Last day (inclusive) of the calibration period, YYYY-MM-DD (default: last "
                   "day in the data)")
        ->group(period_group);
  }
  if (periods != PeriodOptions::none) {
    cmd.add_option("--observation-end", o.observation_end,
                   periods == PeriodOptions::all
                       ? "Last day (inclusive) of observation; after --calibration-end this is "
                         "the holdout (default: last day in the data)"
                       : "Last day (inclusive) of observation (default: last day in the data)")
        ->group(period_group);
  }

  add_output_options(cmd, o.format, o.output);
  cmd.add_flag("-q,--quiet", o.quiet, "Do not print the load report on stderr")->group("Output");
  cmd.add_option("--config", o.config,
                 "Read options from FILE: 'key = value' lines, e.g. customer = CustomerID "
                 "(command-line options win)")
      ->group("Output");
  o.command = &cmd;
}

namespace {
void read_config(const TransactionCliOptions& o);

/// Every shared option checked at once, before any work (whichever the command uses first).
/// --format is left to the command (`ltv actions` takes jsonl too).
void check_options(const TransactionCliOptions& o) {
  (void)ltv::parse_delimiter(o.delimiter);
  (void)ltv::parse_date_format(o.date_format);
  (void)ltv::parse_utc_offset(o.time_zone);
  (void)ltv::parse_returns_policy(o.returns);
  (void)ltv::parse_error_policy(o.on_error);
  const ltv::LoadOptions defaults;
  (void)ltv::parse_date_window(o.date_window, defaults.min_day, defaults.max_day, "--date-window");
  (void)ltv::parse_time_unit(o.time_unit);
  std::optional<std::int32_t> calibration, observation;
  if (!o.calibration_end.empty()) {
    calibration = ltv::parse_date(o.calibration_end, "--calibration-end");
  }
  if (!o.observation_end.empty()) {
    observation = ltv::parse_date(o.observation_end, "--observation-end");
  }
  if (calibration && observation && *observation < *calibration) {
    ltv::parameter_error("observation_end", o.observation_end,
                         "a day on or after the calibration end " + o.calibration_end);
  }
}
}  // namespace

void apply_config(const TransactionCliOptions& o) {
  if (o.config_applied) return;
  o.config_applied = true;
  read_config(o);
  check_options(o);
}

namespace {
void read_config(const TransactionCliOptions& o) {
  if (o.config.empty() || o.command == nullptr) return;
  // A regular file of at most 1 MiB (a FIFO or /dev/zero is refused, not read for ever).
  std::istringstream in(ltv::read_text_file(o.config, std::uint64_t{1} << 20));
  std::string line;
  std::int64_t number = 0;
  auto trim = [](std::string_view v) {
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.front()))) v.remove_prefix(1);
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.remove_suffix(1);
    return v;
  };
  while (std::getline(in, line)) {
    ++number;
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#' || text.front() == ';' || text.front() == '[') continue;
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos) {
      ltv::input_error(ltv::SourceLocation{o.config, number, ""}, std::string(text),
                       "a line 'key = value'");
    }
    std::string key(trim(text.substr(0, eq)));
    std::string_view value = trim(text.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (key.rfind("--", 0) == 0) key.erase(0, 2);
    std::replace(key.begin(), key.end(), '_', '-');
    CLI::Option* opt = key.size() > 1 ? o.command->get_option_no_throw("--" + key) : nullptr;
    if (opt == nullptr || key == "config" || key == "help") {
      ltv::input_error(ltv::SourceLocation{o.config, number, ""}, key,
                       fmt::format("an option of 'ltv {}' (see --help)", o.command->get_name()));
    }
    if (opt->count() > 0) continue;  // given on the command line
    opt->add_result(std::string(value));
    opt->run_callback();
  }
}
}  // namespace

ltv::LoadOptions load_options(const TransactionCliOptions& o) {
  apply_config(o);
  ltv::LoadOptions lo;
  lo.columns = o.columns;
  lo.csv.delimiter = ltv::parse_delimiter(o.delimiter);
  lo.csv.has_header = !o.no_header;
  lo.date_format = ltv::parse_date_format(o.date_format);
  lo.decimal_comma = o.decimal_comma;
  lo.time_zone_minutes = ltv::parse_utc_offset(o.time_zone);
  lo.returns = ltv::parse_returns_policy(o.returns);
  lo.on_error = ltv::parse_error_policy(o.on_error);
  std::tie(lo.min_day, lo.max_day) =
      ltv::parse_date_window(o.date_window, lo.min_day, lo.max_day, "--date-window");
  return lo;
}

ltv::TransactionLog load_log(const TransactionCliOptions& o, ltv::LoadReport* report,
                             bool keep_extra_columns) {
  ltv::LoadOptions lo = load_options(o);
  lo.keep_extra_columns = keep_extra_columns;
  ltv::LoadReport local;
  ltv::LoadReport& r = report ? *report : local;
  ltv::TransactionLog log = ltv::load_transactions(o.file, lo, r);
  report_load(o, r);
  return log;
}

void report_load(const TransactionCliOptions& o, const ltv::LoadReport& report) {
  if (!o.quiet) std::fputs(report.to_text().c_str(), stderr);
  if (report.rows_loaded == 0) {
    ltv::input_error(ltv::SourceLocation{o.file, 0, ""}, "no transactions",
                     "at least one row with a customer id and a date");
  }
}

ltv::SummaryOptions summary_options(const TransactionCliOptions& o) {
  apply_config(o);
  ltv::SummaryOptions so;
  so.time_unit = ltv::parse_time_unit(o.time_unit);
  if (!o.calibration_end.empty()) {
    so.calibration_end = ltv::parse_date(o.calibration_end, "--calibration-end");
  }
  if (!o.observation_end.empty()) {
    so.observation_end = ltv::parse_date(o.observation_end, "--observation-end");
  }
  return so;
}

ltv::OutputFormat output_format(const std::string& format) {
  return ltv::parse_output_format(format);
}

ltv::OutputFormat output_format(const TransactionCliOptions& o) {
  apply_config(o);
  return ltv::parse_output_format(o.format);
}

ltv::Output open_output(const std::string& output) {
  return ltv::Output(output);
}

}  // namespace ltv::cli
