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

/// The parameters of a command and where its options come from.
struct CommandParameters {
  Parameters values;
  std::string config;  ///< --config FILE
  CLI::App* command = nullptr;
  bool config_applied = false;
  /// Applies --config (once) and returns the values, every given value checked against its spec.
  const Parameters& resolved();
};

/// Declares every parameter of `groups` on `cmd` (positional ones as FILE) and `--config FILE`
/// (key = value lines; see apply_parameter_config). Values given on the command line go into
/// the returned object's `values`.
std::shared_ptr<CommandParameters> add_parameter_options(CLI::App& cmd,
                                                         std::vector<std::string_view> groups);

/// Reads `--config FILE` (if given) into the options of `cmd` that were not given on the
/// command line: lines `key = value` (key = a long option name with or without `--`, `_` or `-`;
/// values may be quoted; `#` and `;` start comments; `[section]` lines are ignored). Unknown keys
/// are errors naming the file and line. Idempotent.
void apply_parameter_config(CLI::App& cmd, const std::string& config);

}  // namespace ltv::cli
