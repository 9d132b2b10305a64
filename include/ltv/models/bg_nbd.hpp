#pragma once
/// BG/NBD model (Fader, Hardie & Lee 2005, Marketing Science 24(2)). Time in any unit (the unit of
/// t_x and T; alpha is in the same unit). Equations with their paper numbers: docs/models.md.

#include <cstdint>
#include <span>
#include <vector>

#include "ltv/models/model.hpp"

namespace ltv {

/// BG/NBD model parameters: purchase rate lambda ~ Gamma(shape r, rate alpha), dropout p ~ Beta(a,
/// b).
struct BgNbdParams {
  double r = 1, alpha = 1, a = 1, b = 1;
};

namespace bg_nbd {

/// Log-likelihood of one customer (x repeat purchases, last at t_x, observed for T).
/// Throws ModelError for non-positive parameters, InputError for an invalid customer.
double log_likelihood(const BgNbdParams& params, double x, double t_x, double T);
/// Weighted log-likelihood of all patterns (sum over customers).
double log_likelihood(const BgNbdParams& params, const RfmPatterns& patterns);
/// Maximum-likelihood fit (model name "bgnbd", parameters r, alpha, a, b). Throws InputError for
/// empty or invalid data, ConvergenceError when no start gives a finite likelihood.
FitResult fit(const RfmPatterns& patterns, const FitOptions& options = {});
/// Parameters from a fit of this model. Throws ModelError for a result of another shape.
BgNbdParams params(const FitResult& fit);

/// Unconditional E[X(t)]: expected repeat purchases of a new customer in (0, t].
double expected_transactions(const BgNbdParams& params, double t);
/// Conditional expected purchases in (T, T+t] given (x, t_x, T) (CET).
double conditional_expected_transactions(const BgNbdParams& params, double t, double x, double t_x,
                                         double T);
/// CET for every pattern (same order as patterns).
std::vector<double> conditional_expected_transactions(const BgNbdParams& params, double t,
                                                      const RfmPatterns& patterns);
/// Probability that the customer is alive at T given (x, t_x, T). (The customer can only drop
/// out right after a purchase, so this is also P(alive at T + t) for any t >= 0 given no purchase.)
double p_alive(const BgNbdParams& params, double x, double t_x, double T);
/// Unconditional P(X(t) = n) for a new customer, n = 0, 1, 2, ...
double p_n_transactions(const BgNbdParams& params, double n, double t);
/// Conditional P(n purchases in (T, T+t] | x, t_x, T).
double conditional_p_n_transactions(const BgNbdParams& params, double n, double t, double x,
                                    double t_x, double T);
/// Discounted expected residual transactions: integral over s >= 0 of e^{-delta s} times the
/// expected purchase rate at T + s, with continuous discount rate delta (> 0) per time unit.
double dert(const BgNbdParams& params, double delta, double x, double t_x, double T);
/// Simulates one customer per entry of T (ages) with a fixed seed; returns compressed patterns.
RfmPatterns simulate(const BgNbdParams& params, std::span<const double> T, std::uint64_t seed);

}  // namespace bg_nbd
}  // namespace ltv
