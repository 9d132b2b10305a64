#pragma once
// Command-line options derived from the engine's parameter table (ltv/workspace/parameters.hpp):
// the key `calibration_end` becomes `--calibration-end`, its help, default and section come from
// the table, and the value goes into a Parameters object that the core checks and reads.

#include <CLI/CLI.hpp>

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "ltv/workspace/parameters.hpp"

namespace ltv::cli {

/// `--calibration-end` for the key `calibration_end`.
std::string option_name(std::string_view key);

/// `CAMPAIGNS` for the positional key `campaigns` (`FILE` for `file`).
std::string positional_name(std::string_view key);

/// The parameters of a command and where its options come from.
struct CommandParameters {
  Parameters values;
  std::string config;       ///< --config FILE
  std::string save_config;  ///< --save-config FILE (column inference, issue 27)
  CLI::App* command = nullptr;
  bool config_applied = false;
  /// Applies --config (once) and returns the values, every given value checked against its spec.
  /// Once, after that: infers the columns not given (printing the mapping on stderr) and writes
  /// --save-config (apps/ltv/infer_options.cpp).
  const Parameters& resolved();
};

/// Declares every parameter of `groups` on `cmd` (positional ones by their key in capitals, in
/// the order of `groups`) and `--config FILE` (key = value lines; see apply_parameter_config).
/// Values given on the command line go into the returned object's `values`.
std::shared_ptr<CommandParameters> add_parameter_options(CLI::App& cmd,
                                                         std::vector<std::string_view> groups);

/// Declares `--save-config FILE` on `cmd` when it reads a transaction file
/// (apps/ltv/infer_options.cpp).
void add_save_config_option(CLI::App& cmd, CommandParameters& parameters);
/// Infers the columns not given (ltv::infer_column_parameters), prints the mapping on stderr
/// (`ltv: columns: customer <- CustomerID, ...`; not under --quiet) and writes --save-config.
void infer_and_save_columns(CommandParameters& parameters);

/// Reads `--config FILE` (if given) into the options of `cmd` that were not given on the
/// command line: lines `key = value` (key = a long option name with or without `--`, `_` or `-`;
/// values may be quoted; `#` and `;` start comments; `[section]` lines are ignored). Unknown keys
/// are errors naming the file and line. Idempotent.
void apply_parameter_config(CLI::App& cmd, const std::string& config);

}  // namespace ltv::cli
