// The simulator job (see ltv/workspace/simulate.hpp).
#include "ltv/workspace/simulate.hpp"

#include <fmt/format.h>

#include <array>

#include "job_parameters.hpp"
#include "ltv/error.hpp"

namespace ltv {

SimulateJobOptions simulate_options(const Parameters& p) {
  p.validate();
  SimulateJobOptions job;
  job.directory = p.text("output");
  if (job.directory.empty()) parameter_error("output", "", "an output directory");
  sim::SimulationOptions& o = job.simulation;
  o.customers = static_cast<std::uint64_t>(p.integer("customers"));
  o.seed = detail::seed_parameter(p, "seed");
  p.choice("format");  // csv only
  const std::string params = p.text("params");
  if (p.choice("model") == "bgnbd") {
    o.model = sim::PurchaseModel::bg_nbd;
    if (!params.empty()) {
      constexpr std::array<std::string_view, 4> keys{"r", "alpha", "a", "b"};
      const auto v = sim::parse_parameter_list(params, "params", keys);
      if (v.count("r")) o.bg_nbd.r = v.at("r");
      if (v.count("alpha")) o.bg_nbd.alpha = v.at("alpha");
      if (v.count("a")) o.bg_nbd.a = v.at("a");
      if (v.count("b")) o.bg_nbd.b = v.at("b");
    }
  } else {
    o.model = sim::PurchaseModel::pareto_nbd;
    if (!params.empty()) {
      constexpr std::array<std::string_view, 4> keys{"r", "alpha", "s", "beta"};
      const auto v = sim::parse_parameter_list(params, "params", keys);
      if (v.count("r")) o.pareto_nbd.r = v.at("r");
      if (v.count("alpha")) o.pareto_nbd.alpha = v.at("alpha");
      if (v.count("s")) o.pareto_nbd.s = v.at("s");
      if (v.count("beta")) o.pareto_nbd.beta = v.at("beta");
    }
  }
  if (const std::string spend = p.text("spend_params"); !spend.empty()) {
    constexpr std::array<std::string_view, 3> keys{"p", "q", "gamma"};
    const auto v = sim::parse_parameter_list(spend, "spend_params", keys);
    if (v.count("p")) o.spend.p = v.at("p");
    if (v.count("q")) o.spend.q = v.at("q");
    if (v.count("gamma")) o.spend.gamma = v.at("gamma");
  }
  o.start_day = *p.date("start");
  const std::int64_t weeks = p.given("weeks") ? p.integer("weeks") : 0;
  if (weeks != 0) {
    o.end_day = o.start_day + static_cast<std::int32_t>(weeks * 7) - 1;
  } else {
    o.end_day = *p.date("end");
  }
  const std::int32_t period = o.end_day - o.start_day + 1;
  const std::int64_t acquisition_days =
      p.given("acquisition_days") ? p.integer("acquisition_days") : 0;
  if (acquisition_days != 0) {
    if (acquisition_days < 1 || acquisition_days > period) {
      parameter_error("acquisition_days", std::to_string(acquisition_days),
                      fmt::format("a number of days in 1..{} (the period length)", period));
    }
    o.acquisition_days = static_cast<std::int32_t>(acquisition_days);
  } else if (p.choice("acquisition") == "uniform") {
    o.acquisition_days = period > 0 ? period : 1;
  } else {
    o.acquisition_days = 0;  // the first quarter
  }
  o.loyalty_share = p.number("loyalty_share");
  o.loyalty_factor = p.number("loyalty_factor");
  o.nps_rate = p.number("nps_rate");
  o.contact_rate = p.number("contact_rate");
  o.max_lines = static_cast<int>(p.integer("max_lines"));
  o.campaign_day = p.date("campaign_date");
  o.campaign_share = p.number("campaign_share");
  o.campaign_uplift = p.number("campaign_uplift");
  o.transactions_only = p.flag("transactions_only");
  o.order = sim::parse_row_order(p.choice("order"), "order");
  o.write_latent = p.flag("latent");
  o.threads = static_cast<int>(p.integer("threads"));
  sim::validate(o);
  return job;
}

sim::SimulationCounts run_simulate(const SimulateJobOptions& options) {
  return sim::simulate_retailer(options.simulation, options.directory);
}

}  // namespace ltv
