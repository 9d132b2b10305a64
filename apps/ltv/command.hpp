#pragma once
// Subcommand registry of the `ltv` CLI. Each cmd_<name>.cpp registers itself with
//   LTV_REGISTER_COMMAND(order, setup_function);
// where setup_function(CLI::App& root) adds its subcommand, options and callback. `order` sorts
// the subcommands in `ltv --help`. Callbacks throw ltv::Error on bad input; main() translates it
// into one line on stderr and a non-zero exit code.

#include <CLI/CLI.hpp>

#include <functional>

namespace ltv::cli {

using CommandSetup = void (*)(CLI::App& root);

/// Registers a subcommand set-up function (called by LTV_REGISTER_COMMAND at static init).
bool register_command(int order, CommandSetup setup);

/// Calls every registered set-up function in order.
void setup_commands(CLI::App& root);

}  // namespace ltv::cli

#define LTV_CONCAT_INNER(a, b) a##b
#define LTV_CONCAT(a, b) LTV_CONCAT_INNER(a, b)
#define LTV_REGISTER_COMMAND(order, setup)                                                       \
  namespace {                                                                                    \
  [[maybe_unused]] const bool LTV_CONCAT(ltv_command_registered_,                                \
                                         __LINE__) = ::ltv::cli::register_command(order, setup); \
  }
