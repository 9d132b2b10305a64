#pragma once
/// The simulator job behind `ltv simulate`: a simulated retailer (BG/NBD or Pareto/NBD purchases,
/// Gamma-Gamma spend, products, customers, marketing spend, NPS, contacts, an optional campaign)
/// and the truth behind it written to a folder, deterministic by the seed.
///
///   ltv::Parameters p({"simulate"});
///   p.set("customers", "10000");
///   p.set("output", "sim");
///   const ltv::sim::SimulationCounts n = ltv::run_simulate(ltv::simulate_options(p));

#include <string>

#include "ltv/sim/simulate.hpp"
#include "ltv/workspace/parameters.hpp"

namespace ltv {

/// Typed options of the simulator job (parameter group "simulate").
struct SimulateJobOptions {
  sim::SimulationOptions simulation;  ///< checked by sim::validate
  std::string directory;              ///< where the files go (created if missing)
};

/// The simulator's options from parameters, every value checked (ParameterError naming the key:
/// output, model, params, spend_params, start, end, weeks, acquisition, acquisition_days, ...).
/// `weeks` and `acquisition_days` of 0 count as not given.
SimulateJobOptions simulate_options(const Parameters& parameters);

/// Writes the simulated retailer (sim::simulate_retailer): transactions.csv, customers.csv,
/// spend.csv, nps.csv, contacts.csv, campaigns.csv (with a campaign), latent.csv (when asked)
/// and truth.json. Error when a file cannot be written.
sim::SimulationCounts run_simulate(const SimulateJobOptions& options);

}  // namespace ltv
