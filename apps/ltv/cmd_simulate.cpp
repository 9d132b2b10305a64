// `ltv simulate`: writes a simulated retailer (transactions, customers, marketing spend, NPS,
// contacts, optional campaign) and the truth behind it, deterministic by --seed. Options come
// from the parameter table (group "simulate"); the work is one call, run_simulate; this file
// prints the summary line.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

#include "command.hpp"
#include "ltv/workspace/simulate.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void run(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const SimulateJobOptions options = simulate_options(p);  // every option checked first
  const auto started = std::chrono::steady_clock::now();
  const sim::SimulationCounts counts = run_simulate(options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (p.flag("quiet")) return;
  std::fprintf(stderr,
               "ltv simulate: %llu customers, %llu orders, %llu transaction rows, %.1f MB in "
               "%.2f s (%.0f MB/s) -> %s\n",
               static_cast<unsigned long long>(counts.customers),
               static_cast<unsigned long long>(counts.orders),
               static_cast<unsigned long long>(counts.transaction_rows),
               static_cast<double>(counts.bytes_written) / 1e6, seconds,
               static_cast<double>(counts.bytes_written) / 1e6 / (seconds > 0 ? seconds : 1),
               options.directory.c_str());
}

void setup_simulate(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "simulate",
      "Write a simulated retailer (BG/NBD or Pareto/NBD purchases, Gamma-Gamma spend, products, "
      "customers, marketing spend, NPS, contacts) and truth.json, deterministic by --seed");
  auto parameters = add_parameter_options(*cmd, {"simulate"});
  cmd->get_option("--output")->required();
  cmd->footer(
      "Example:\n  ltv simulate --customers 10000 --seed 42 -o sim/\n"
      "  ltv simulate --customers 1000000 --model pnbd --transactions-only -o big/\n"
      "  ltv simulate --customers 100000 --order shuffled -o shuffled/\n"
      "Writes DIR/transactions.csv, customers.csv, spend.csv, nps.csv, contacts.csv,\n"
      "campaigns.csv (with --campaign-date), latent.csv (with --latent) and truth.json.");
  cmd->callback([parameters]() { run(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(90, ltv::cli::setup_simulate);
