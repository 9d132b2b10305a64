#pragma once
// The command shape shared by every subcommand that reads a transaction file:
//   ltv CMD FILE --customer COL --date COL [--amount COL] ... [--format csv|json] [-o FILE]
// add_transaction_options() declares the options; load_log(), summary_options() and
// open_output() turn them into core calls. Option values are validated when used (so errors
// read `ltv: error: option --date-format: found '...', expected ...`).

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <thread>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/load.hpp"
#include "ltv/io/row_writer.hpp"

namespace ltv::cli {

/// Raw option values of the shared transaction command shape (defaults as shown in --help).
struct TransactionCliOptions {
  std::string file;                  ///< positional FILE, "-" for stdin
  ltv::ColumnMapping columns;        ///< --customer --date --amount --order --quantity --price
                                     ///< --product --category --margin --cost --channel --region
  bool no_header = false;            ///< --no-header
  std::string delimiter = "auto";    ///< --delimiter
  std::string date_format = "auto";  ///< --date-format
  bool decimal_comma = false;        ///< --decimal-comma
  std::string time_zone = "+00:00";  ///< --time-zone
  std::string returns = "net";       ///< --returns
  std::string on_error = "fail";     ///< --on-error
  std::string time_unit = "week";    ///< --time-unit
  std::string calibration_end;       ///< --calibration-end (empty = whole log)
  std::string observation_end;       ///< --observation-end (empty = last day in the log)
  std::string format = "csv";        ///< --format
  std::string output = "-";          ///< -o/--output
  bool quiet = false;                ///< --quiet
  std::string config;                ///< --config FILE (applied on first use, see apply_config)
  /// --date-window FROM..TO: plausible purchase dates
  std::string date_window = "1900-01-01..2100-12-31";

  CLI::App* command = nullptr;  ///< set by add_transaction_options
  mutable bool config_applied = false;
};

/// Reads `--config FILE` (if given) into the options of the command that were not given on the
/// command line: lines `key = value` (key = a long option name without `--`; values may be
/// quoted; `#` and `;` start comments; `[section]` lines are ignored). Unknown keys are errors.
/// Idempotent; called by load_options(), load_log(), summary_options() and output_format().
void apply_config(const TransactionCliOptions& options);

/// Adds FILE and every shared option (with defaults shown) plus `--config FILE` to `cmd`.
void add_transaction_options(CLI::App& cmd, TransactionCliOptions& options);
/// Adds only `--format csv|json` and `-o/--output FILE` (for commands reading other inputs).
void add_output_options(CLI::App& cmd, std::string& format, std::string& output);

/// LoadOptions from the raw values. Throws InputError naming the option for bad values.
ltv::LoadOptions load_options(const TransactionCliOptions& options);
/// Loads the file; prints the load report to stderr unless --quiet. `report` may be null.
/// Commands that never look at unmapped columns pass keep_extra_columns = false (faster).
/// Throws InputError when no row was loaded.
ltv::TransactionLog load_log(const TransactionCliOptions& options,
                             ltv::LoadReport* report = nullptr, bool keep_extra_columns = true);
/// Prints the load report to stderr unless --quiet; throws InputError when no row was loaded.
void report_load(const TransactionCliOptions& options, const ltv::LoadReport& report);
/// SummaryOptions (time unit, calibration and observation ends parsed as dates).
ltv::SummaryOptions summary_options(const TransactionCliOptions& options);
/// The --format value.
ltv::OutputFormat output_format(const std::string& format);
/// The --format value of the transaction options (after --config).
ltv::OutputFormat output_format(const TransactionCliOptions& options);
/// Opens -o FILE or stdout.
ltv::Output open_output(const std::string& output);

class SummaryCellCache;

/// Text written through a pointer, row by row: room() makes room for a row, commit() ends it.
/// The storage is kept when cleared.
class TextBuffer {
 public:
  /// A pointer to at least `n` writable bytes after the text.
  char* room(std::size_t n) {
    if (bytes_.size() - size_ < n) bytes_.resize(std::max(2 * bytes_.size(), size_ + n));
    return bytes_.data() + size_;
  }
  /// The text now ends at `end` (within the last room()).
  void commit(const char* end) noexcept { size_ = static_cast<std::size_t>(end - bytes_.data()); }
  void clear() noexcept { size_ = 0; }
  const char* data() const noexcept { return bytes_.data(); }
  std::size_t size() const noexcept { return size_; }

 private:
  std::string bytes_;  // its size is the capacity: [0, size_) holds the text
  std::size_t size_ = 0;
};

/// Writes customer summaries (columns documented in docs/cli.md, `ltv summary`) as CSV or JSON,
/// a range of customers at a time: construct, write() consecutive ranges, finish().
class SummaryWriter {
 public:
  SummaryWriter(std::ostream& out, ltv::OutputFormat format, bool has_profit, bool has_holdout);
  ~SummaryWriter();
  SummaryWriter(const SummaryWriter&) = delete;
  SummaryWriter& operator=(const SummaryWriter&) = delete;
  /// Builds and appends the rows of customers [begin, end) of `source`.
  void write(const ltv::SummaryRanges& source, std::size_t begin, std::size_t end);
  /// Ends the output (closes the JSON array) and flushes.
  void finish();

 private:
  std::ostream& out_;
  ltv::OutputFormat format_;
  std::unique_ptr<ltv::RowWriter> writer_;
  // CSV: per thread, the summaries of its half of a range, their text and its memoised cells.
  std::array<ltv::CustomerSummary, 2> parts_;
  std::array<TextBuffer, 2> texts_;
  std::array<TextBuffer, 2> written_;  // the previous range's text, being written by writing_
  std::thread writing_;
  std::array<std::unique_ptr<SummaryCellCache>, 2> caches_;
};

}  // namespace ltv::cli
