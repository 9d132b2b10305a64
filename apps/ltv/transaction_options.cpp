#include "transaction_options.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <limits>
#include <sstream>
#include <thread>
#include <tuple>

#include "ltv/error.hpp"
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

void add_transaction_options(CLI::App& cmd, TransactionCliOptions& o) {
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

  const char* periods = "Periods";
  cmd.add_option("--time-unit", o.time_unit, "Unit of recency, T and durations: day, week, month")
      ->capture_default_str()
      ->group(periods);
  cmd.add_option("--calibration-end", o.calibration_end,
                 "Last day (inclusive) of the calibration period, YYYY-MM-DD (default: last day "
                 "in the data)")
      ->group(periods);
  cmd.add_option("--observation-end", o.observation_end,
                 "Last day (inclusive) of observation; after --calibration-end this is the "
                 "holdout (default: last day in the data)")
      ->group(periods);

  add_output_options(cmd, o.format, o.output);
  cmd.add_flag("-q,--quiet", o.quiet, "Do not print the load report on stderr")->group("Output");
  cmd.add_option("--config", o.config,
                 "Read options from FILE: 'key = value' lines, e.g. customer = CustomerID "
                 "(command-line options win)")
      ->group("Output");
  o.command = &cmd;
}

void apply_config(const TransactionCliOptions& o) {
  if (o.config_applied) return;
  o.config_applied = true;
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

/// Memoised cell texts for one formatting thread. recency, T and duration_holdout are whole days
/// over the time unit (213 / 7.0): their shortest form (the costly part of formatting a double)
/// is kept per whole number of days; dates are kept per day number. A kept text is copied as a
/// fixed kCell bytes (two vector moves, no call): the caller leaves that much room for each.
class SummaryCellCache {
 public:
  /// Room a cell needs: the longest text written (a double's shortest form, "-5877641-06-23") and
  /// the fixed-size copy of a kept text.
  static constexpr std::size_t kCell = 32;
  static_assert(ltv::kNumberChars <= kCell);

  explicit SummaryCellCache(double unit) : unit_(unit) {}

  /// Writes the text of number(value) in the summary CSV; returns its end.
  char* write_days(char* out, double value) {
    const double k = std::nearbyint(value * unit_);
    if (k >= 0 && k < static_cast<double>(kDays) && k / unit_ == value) {
      if (days_.empty()) days_.resize(kDays);
      Text& text = days_[static_cast<std::size_t>(k)];
      if (text.size == 0) text.set(ltv::format_number(value));  // never empty for a finite value
      return text.copy_to(out);
    }
    return ltv::write_number(out, value);
  }

  /// Writes format_date(day); returns its end.
  char* write_date(char* out, std::int32_t day) {
    if (dates_.empty()) first_day_ = day - kDays / 2;
    const std::int64_t index = std::int64_t{day} - first_day_;
    if (index < 0 || index >= static_cast<std::int64_t>(kDays)) {
      const std::string text = ltv::format_date(day);
      std::memcpy(out, text.data(), text.size());
      return out + text.size();
    }
    if (dates_.empty()) dates_.resize(kDays);
    Text& text = dates_[static_cast<std::size_t>(index)];
    if (text.size == 0) text.set(ltv::format_date(day));
    return text.copy_to(out);
  }

 private:
  struct Text {
    char bytes[kCell] = {};
    std::uint8_t size = 0;
    void set(const std::string& text) {
      std::memcpy(bytes, text.data(), std::min(text.size(), kCell));
      size = static_cast<std::uint8_t>(std::min(text.size(), kCell));
    }
    char* copy_to(char* out) const {
      std::memcpy(out, bytes, kCell);
      return out + size;
    }
  };
  static constexpr std::size_t kDays = std::size_t{1} << 16;
  double unit_;
  std::vector<Text> days_;   // text of k / unit_, by k
  std::vector<Text> dates_;  // text of first_day_ + i, by i
  std::int32_t first_day_ = 0;
};

namespace {

/// Appends the CSV text of summary rows [begin, end) to `out`: the cells, in the order and form
/// RowWriter writes (fields quoted when needed, doubles in shortest form, money rounded to 12
/// significant digits, empty cells for missing values).
void append_summary_csv_rows(TextBuffer& out, SummaryCellCache& cache,
                             const ltv::SummaryRanges& source, const ltv::CustomerSummary& s,
                             std::size_t begin, std::size_t end) {
  // Room for a row besides its id: 12 cells and 13 separators.
  constexpr std::size_t kCells = 12 * SummaryCellCache::kCell + 13;
  for (std::size_t i = begin; i < end; ++i) {
    const std::string_view id = source.customer_id(s.customer[i]);
    char* p = out.room(2 * id.size() + 2 + kCells);
    // Money sums carry float noise (74.02000000000001): 12 significant digits are exact for any
    // realistic amount.
    auto money = [&](double v) {
      if (s.has_amount) p = ltv::write_rounded(p, v, 12);
    };
    p = ltv::write_csv_field(p, id);
    *p++ = ',';
    p = ltv::write_number(p, s.frequency[i]);
    *p++ = ',';
    p = cache.write_days(p, s.recency[i]);
    *p++ = ',';
    p = cache.write_days(p, s.T[i]);
    *p++ = ',';
    money(s.monetary_value[i]);
    *p++ = ',';
    p = cache.write_date(p, s.first_purchase[i]);
    *p++ = ',';
    p = cache.write_date(p, s.last_purchase[i]);
    *p++ = ',';
    const fmt::format_int orders(s.orders[i]);  // at most 20 characters
    p = std::copy(orders.data(), orders.data() + orders.size(), p);
    *p++ = ',';
    money(s.revenue[i]);
    if (s.has_profit) {
      *p++ = ',';
      p = ltv::write_rounded(p, s.profit[i], 12);
    }
    if (s.has_holdout) {
      *p++ = ',';
      p = ltv::write_number(p, s.frequency_holdout[i]);
      *p++ = ',';
      money(s.monetary_value_holdout[i]);
      *p++ = ',';
      p = cache.write_days(p, s.duration_holdout);
    }
    *p++ = '\n';
    out.commit(p);
  }
}

}  // namespace

SummaryWriter::SummaryWriter(std::ostream& out, ltv::OutputFormat format, bool has_profit,
                             bool has_holdout)
    : out_(out), format_(format) {
  std::vector<std::string> columns{"customer_id",    "frequency",      "recency",       "T",
                                   "monetary_value", "first_purchase", "last_purchase", "orders",
                                   "revenue"};
  if (has_profit) columns.emplace_back("profit");
  if (has_holdout) {
    columns.insert(columns.end(),
                   {"frequency_holdout", "monetary_value_holdout", "duration_holdout"});
  }
  writer_ = std::make_unique<ltv::RowWriter>(out_, format_, std::move(columns));
  // CSV rows are formatted in parallel by write(): the header goes out now.
  if (format_ == ltv::OutputFormat::csv) writer_->finish();
}

SummaryWriter::~SummaryWriter() {
  if (writing_.joinable()) writing_.join();
}

void SummaryWriter::write(const ltv::SummaryRanges& source, std::size_t begin, std::size_t end) {
  if (format_ == ltv::OutputFormat::csv) {
    // Two threads each build the summaries of half the range and format them into their own
    // buffers (kept from range to range); the text is written in order.
    const double unit = ltv::days_per_unit(source.header().time_unit);
    for (auto& cache : caches_) {
      if (!cache) cache = std::make_unique<SummaryCellCache>(unit);
    }
    const std::size_t middle = begin + (end - begin) / 2;
    auto half = [&](std::size_t k, std::size_t from, std::size_t to) {
      source.build(from, to, parts_[k]);
      texts_[k].clear();
      append_summary_csv_rows(texts_[k], *caches_[k], source, parts_[k], 0, parts_[k].size());
    };
    std::exception_ptr error;
    std::thread worker([&] {
      try {
        half(1, middle, end);
      } catch (...) {
        error = std::current_exception();
      }
    });
    try {
      half(0, begin, middle);
    } catch (...) {
      worker.join();
      throw;
    }
    worker.join();
    if (error) std::rethrow_exception(error);
    // The range is written on another thread while the next one is built and formatted (writing
    // to the page cache is a copy as long as the formatting).
    if (writing_.joinable()) writing_.join();
    std::swap(texts_, written_);
    writing_ = std::thread([this] {
      for (const TextBuffer& text : written_) {
        out_.write(text.data(), static_cast<std::streamsize>(text.size()));
      }
    });
    return;
  }
  ltv::CustomerSummary& s = parts_[0];
  source.build(begin, end, s);
  ltv::RowWriter& w = *writer_;
  // Count-only data (no amount column): money columns are missing, not zero.
  const double kMissing = std::numeric_limits<double>::quiet_NaN();
  // Money sums carry float noise (74.02000000000001): 12 significant digits are exact for any
  // realistic amount. recency and T are written in full (they are exact ratios like 213/7).
  auto money = [](double v) { return ltv::round_significant(v, 12); };
  for (std::size_t i = 0; i < s.size(); ++i) {
    w.text(source.customer_id(s.customer[i]))
        .number(s.frequency[i])
        .number(s.recency[i])
        .number(s.T[i])
        .number(s.has_amount ? money(s.monetary_value[i]) : kMissing)
        .text(ltv::format_date(s.first_purchase[i]))
        .text(ltv::format_date(s.last_purchase[i]))
        .integer(s.orders[i])
        .number(s.has_amount ? money(s.revenue[i]) : kMissing);
    if (s.has_profit) w.number(money(s.profit[i]));
    if (s.has_holdout) {
      w.number(s.frequency_holdout[i])
          .number(s.has_amount ? money(s.monetary_value_holdout[i]) : kMissing)
          .number(s.duration_holdout);
    }
    w.end_row();
  }
}

void SummaryWriter::finish() {
  if (writing_.joinable()) writing_.join();
  writer_->finish();
}

}  // namespace ltv::cli
