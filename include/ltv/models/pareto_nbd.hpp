#pragma once
/// Pareto/NBD model (Schmittlein, Morrison & Colombo 1987): while alive a customer buys as a
/// Poisson process with rate lambda ~ Gamma(shape r, rate alpha) and lives an exponential lifetime
/// with rate mu ~ Gamma(shape s, rate beta). Time in any unit (that of t_x and T; alpha and beta
/// are in the same unit). Formulas and their sources: docs/models-pnbd.md.

#include <cstdint>
#include <span>
#include <vector>

#include "ltv/models/model.hpp"

namespace ltv {

/// Pareto/NBD parameters: lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta) (shape, rate).
struct ParetoNbdParams {
  double r = 1, alpha = 1, s = 1, beta = 1;
};

namespace pareto_nbd {

/// Log-likelihood of one customer (x repeat purchases, the last at t_x, observed for T)
/// (Fader & Hardie 2005 note; the A0 terms of eqs. (19)-(22)). Throws ModelError for non-positive
/// parameters, InputError for x < 0, t_x < 0, t_x > T or non-finite values.
double log_likelihood(const ParetoNbdParams& params, double x, double t_x, double T);
/// Weighted log-likelihood of all patterns (sum over customers). Same errors; every function
/// here throws ModelError instead of returning NaN/Inf on a numerical failure.
double log_likelihood(const ParetoNbdParams& params, const RfmPatterns& patterns);
/// Weighted log-likelihood and its gradient d/d(r, alpha, s, beta) (analytic).
double log_likelihood(const ParetoNbdParams& params, const RfmPatterns& patterns,
                      std::span<double, 4> gradient);
/// Maximum-likelihood fit (model name "pnbd", parameters r, alpha, s, beta) through the shared
/// driver. Throws InputError for empty or invalid data, ConvergenceError when no start gives a
/// finite likelihood.
FitResult fit(const RfmPatterns& patterns, const FitOptions& options = {});
/// Parameters from a fit of this model. Throws ModelError for a result of another shape.
ParetoNbdParams params(const FitResult& fit);

/// Unconditional E[X(t)]: expected repeat purchases of a new customer in (0, t]
/// (Fader & Hardie 2005 note). Throws InputError for t < 0.
double expected_transactions(const ParetoNbdParams& params, double t);
/// Conditional expected purchases in (T, T+t] given (x, t_x, T) (CET; Fader & Hardie 2005 note).
double conditional_expected_transactions(const ParetoNbdParams& params, double t, double x,
                                         double t_x, double T);
/// CET for every pattern (same order as patterns).
std::vector<double> conditional_expected_transactions(const ParetoNbdParams& params, double t,
                                                      const RfmPatterns& patterns);
/// Probability that the customer is alive at T given (x, t_x, T) (Fader & Hardie 2005 note).
double p_alive(const ParetoNbdParams& params, double x, double t_x, double T);
/// Probability that the customer is alive at T + t given (x, t_x, T) (and nothing observed after
/// T): p_alive * ((beta+T)/(beta+T+t))^s.
double p_alive_at(const ParetoNbdParams& params, double t, double x, double t_x, double T);
/// Unconditional P(X(t) = n) for a new customer, n = 0, 1, 2, ... (Fader & Hardie 2006 note
/// "Deriving an Expression for P(X(t) = x) Under the Pareto/NBD Model"; computed from the
/// equivalent one-dimensional integral over the death time, free of the closed form's
/// cancellation). Throws InputError for negative or fractional n, t < 0.
double p_n_transactions(const ParetoNbdParams& params, double n, double t);
/// Conditional P(n purchases in (T, T+t] | x, t_x, T): alive at T with p_alive, then a
/// Pareto/NBD with parameters (r+x, alpha+T, s, beta+T); dead: no purchases.
double conditional_p_n_transactions(const ParetoNbdParams& params, double n, double t, double x,
                                    double t_x, double T);
/// Discounted expected residual transactions with continuous discount rate delta (> 0) per time
/// unit (Fader, Hardie & Lee 2005, "RFM and CLV", eq. (2), with Tricomi's U). For annual rate d
/// and weekly data, delta = ln(1 + d) / 52. Throws InputError for delta <= 0.
double dert(const ParetoNbdParams& params, double delta, double x, double t_x, double T);
/// Simulates one customer per entry of T (ages) in continuous time with a fixed seed:
/// lambda ~ Gamma(r, alpha), mu ~ Gamma(s, beta), lifetime ~ Exp(mu), Poisson(lambda) purchases
/// while alive. Returns compressed patterns.
RfmPatterns simulate(const ParetoNbdParams& params, std::span<const double> T, std::uint64_t seed);

}  // namespace pareto_nbd
}  // namespace ltv
