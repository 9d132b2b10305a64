#pragma once
/// NBD model (Ehrenberg 1959, "The Pattern of Consumer Purchases", Applied Statistics 8(1); in the
/// customer-base form of Fader & Hardie 2004, "Illustrating the Performance of the NBD as a
/// Benchmark Model for Customer-Base Analysis", and BTYDplus `nbd`): every customer buys as a
/// Poisson process with rate lambda ~ Gamma(shape r, rate alpha) and never drops out. Time in any
/// unit (that of t_x and T; alpha is in the same unit). Equations: docs/models-nbd.md.

#include <cstdint>
#include <span>
#include <vector>

#include "ltv/models/model.hpp"

namespace ltv {

/// NBD parameters: purchase rate lambda ~ Gamma(shape r, rate alpha).
struct NbdParams {
  double r = 1, alpha = 1;
};

namespace nbd {

/// Log-likelihood of one customer's purchase timing (x repeat purchases, observed for T; t_x is
/// validated but does not enter: without drop-out only the count matters). Throws ModelError for
/// non-positive parameters, InputError for an invalid customer.
double log_likelihood(const NbdParams& params, double x, double t_x, double T);
/// Weighted log-likelihood of all patterns (sum over customers).
double log_likelihood(const NbdParams& params, const RfmPatterns& patterns);
/// Weighted log-likelihood and its gradient d/d(r, alpha) (analytic).
double log_likelihood(const NbdParams& params, const RfmPatterns& patterns,
                      std::span<double, 2> gradient);
/// Maximum-likelihood fit (model name "nbd", parameters r, alpha). Throws InputError for empty or
/// invalid data, ConvergenceError when no start gives a finite likelihood.
FitResult fit(const RfmPatterns& patterns, const FitOptions& options = {});
/// Parameters from a fit of this model. Throws ModelError for a result of another shape.
NbdParams params(const FitResult& fit);

/// Unconditional E[X(t)] = r t / alpha: expected repeat purchases of a new customer in (0, t].
double expected_transactions(const NbdParams& params, double t);
/// Conditional expected purchases in (T, T+t] given (x, t_x, T): (r+x) t / (alpha+T).
double conditional_expected_transactions(const NbdParams& params, double t, double x, double t_x,
                                         double T);
/// CET for every pattern (same order as patterns).
std::vector<double> conditional_expected_transactions(const NbdParams& params, double t,
                                                      const RfmPatterns& patterns);
/// P(alive): 1 for every customer (the NBD has no drop-out). Validates its arguments.
double p_alive(const NbdParams& params, double x, double t_x, double T);
/// Unconditional P(X(t) = n) for a new customer: the negative binomial pmf.
double p_n_transactions(const NbdParams& params, double n, double t);
/// Conditional P(n purchases in (T, T+t] | x, t_x, T): negative binomial with r+x, alpha+T.
double conditional_p_n_transactions(const NbdParams& params, double n, double t, double x,
                                    double t_x, double T);
/// Discounted expected residual transactions with continuous discount rate delta (> 0) per time
/// unit: (r+x) / ((alpha+T) delta). Throws InputError for delta <= 0.
double dert(const NbdParams& params, double delta, double x, double t_x, double T);
/// Simulates one customer per entry of T (ages) with a fixed seed; returns compressed patterns.
RfmPatterns simulate(const NbdParams& params, std::span<const double> T, std::uint64_t seed);

}  // namespace nbd
}  // namespace ltv
