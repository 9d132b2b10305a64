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
/// Then checks every shared option (formats, policies, dates, the date window, the periods and
/// their order), so that a bad value is refused before any work, whichever the command uses
/// first.
void apply_config(const TransactionCliOptions& options);

/// Which of the period options a command uses: only those are declared, so that an option the
/// command would ignore (`ltv kpis --time-unit month`) is refused as unknown, not dropped.
enum class PeriodOptions {
  all,              ///< --time-unit, --calibration-end, --observation-end
  observation_end,  ///< --observation-end only (the analytics commands)
  none,             ///< none (basket, recommend, penetration, uplift)
};

/// Adds FILE and every shared option (with defaults shown) plus `--config FILE` to `cmd`.
void add_transaction_options(CLI::App& cmd, TransactionCliOptions& options,
                             PeriodOptions periods = PeriodOptions::all);
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

}  // namespace ltv::cli
