#pragma once
/// Customer lifetime value from a count model (any of the registry: BG/NBD, MBG/NBD, Pareto/NBD,
/// BG/BB) and a spend per transaction (usually Gamma-Gamma's conditional expected average spend):
///   CLV = margin * spend * (discounted expected transactions over the horizon).
/// Discrete (lifetimes-style): sum_{i=1..H} (CET(i s) - CET((i-1) s)) / (1+d)^i over H steps of
/// length s model time units. Continuous: integral_0^{H s} exp(-delta u) dCET(u) with
/// delta = ln(1+d)/s per model time unit (d is still the rate per step); an infinite horizon is
/// DERT (BG/NBD, MBG/NBD: quadrature; BG/BB: closed form, discrete only).

#include <functional>
#include <limits>
#include <span>
#include <vector>

#include "ltv/models/registry.hpp"

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
/// (u in model time units). ParameterError for invalid options (horizon, step, discount_rate,
/// margin).
double discounted_transactions(const std::function<double(double)>& cet, const ClvOptions& options);

/// Checks ClvOptions (ParameterError naming horizon, step, discount_rate, margin or
/// discounting). `model` is the count model the options are for (BG/BB takes discrete
/// discounting only and whole steps).
void check_clv_options(const ClvOptions& options, const FittedCountModel& model);

/// Per-customer predictions of a count model: P(alive) at T, expected purchases in
/// (T, T + horizon] and, when asked, the discounted expected purchases of ClvOptions (the CLV
/// without spend and margin). Customers with the same (x, t_x, T) are scored once; given alive at T
/// the future depends on x and T only, so each (x, T) curve is computed once and scaled by each
/// pattern's P(alive). Runs on every core; errors inside the parallel part are rethrown.
struct CountScores {
  std::vector<double> p_alive;
  std::vector<double> expected_purchases;
  std::vector<double> discounted_purchases;  ///< empty unless asked
};

/// Scores customers (x, t_x, T) (BG/BB: T = opportunities n, horizon = future opportunities).
/// `clv` = nullptr for no discounted purchases. ModelError for a non-finite prediction.
CountScores score_customers(const FittedCountModel& model, std::span<const double> x,
                            std::span<const double> t_x, std::span<const double> T, double horizon,
                            const ClvOptions* clv = nullptr);

/// CLV per customer: margin * spend * discounted expected transactions (an infinite horizon is
/// DERT). ParameterError for invalid options, InputError for invalid customers, ModelError for
/// invalid parameters.
std::vector<double> customer_lifetime_value(const FittedCountModel& model,
                                            const ClvCustomers& customers,
                                            const ClvOptions& options);

}  // namespace ltv
