#pragma once
/// Customer lifetime value from a transaction model (BG/NBD, MBG/NBD, BG/BB) and a spend per
/// transaction (usually Gamma-Gamma's conditional expected average spend):
///   CLV = margin * spend * (discounted expected transactions over the horizon).
/// Discrete (lifetimes-style): sum_{i=1..H} (CET(i s) - CET((i-1) s)) / (1+d)^i over H steps of
/// length s model time units. Continuous: integral_0^{H s} exp(-delta u) dCET(u) with
/// delta = ln(1+d)/s per model time unit (d is still the rate per step); an infinite horizon is
/// DERT (BG/NBD, MBG/NBD: quadrature; BG/BB: closed form, discrete only).

#include <functional>
#include <limits>
#include <span>
#include <vector>

#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/mbg_nbd.hpp"

namespace ltv {

enum class Discounting { discrete, continuous };

struct ClvOptions {
  double horizon = 12;          ///< number of steps; +infinity for the residual lifetime (DERT)
  double step = 1;              ///< step length in the model's time unit (e.g. 365.25/12/7 weeks
                                ///< per month; whole opportunities for BG/BB)
  double discount_rate = 0.01;  ///< per step, >= 0 (> 0 for an infinite horizon)
  Discounting discounting = Discounting::discrete;
  double margin = 1.0;  ///< share of spend that is profit
};

/// Per-customer inputs: the model's (x, t_x, T) and the spend per transaction.
struct ClvCustomers {
  std::span<const double> x, t_x, T;  ///< T = opportunities n for BG/BB
  std::span<const double> spend;      ///< expected spend per transaction (same length)
};

/// Discounted expected transactions over the horizon for a cumulative CET function cet(u)
/// (u in model time units). Throws InputError for invalid options (option names as on the CLI:
/// --horizon, --step, --discount-rate, --margin).
double discounted_transactions(const std::function<double(double)>& cet, const ClvOptions& options);

/// CLV per customer for each model. Throws InputError for invalid options or customers,
/// ModelError for invalid parameters.
std::vector<double> customer_lifetime_value(const BgNbdParams& params,
                                            const ClvCustomers& customers,
                                            const ClvOptions& options);
std::vector<double> customer_lifetime_value(const MbgNbdParams& params,
                                            const ClvCustomers& customers,
                                            const ClvOptions& options);
std::vector<double> customer_lifetime_value(const BgBbParams& params, const ClvCustomers& customers,
                                            const ClvOptions& options);

}  // namespace ltv
