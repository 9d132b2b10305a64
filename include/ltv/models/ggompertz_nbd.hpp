#pragma once
/// Gamma-Gompertz/NBD model (Bemmaor & Glady 2012, "Modeling Purchasing Behavior with Sudden
/// 'Death': A Flexible Customer Lifetime Model", Management Science 58(5) 1012-1021; CLVTools
/// `ggomnbd`): while alive a customer buys as a Poisson process with rate lambda ~ Gamma(shape r,
/// rate alpha); the lifetime has a Gompertz hazard eta b e^(b tau) with eta ~ Gamma(shape s, rate
/// beta), so that S(tau) = (beta / (beta + e^(b tau) - 1))^s. As b -> 0 with beta / b fixed it
/// becomes the Pareto/NBD. Time in any unit (that of t_x and T; alpha, 1/b in the same unit).
/// Equations: docs/models-ggomnbd.md.

#include <cstdint>
#include <span>
#include <vector>

#include "ltv/models/model.hpp"

namespace ltv {

/// GGompertz/NBD parameters (CLVTools order): lambda ~ Gamma(r, alpha); Gompertz scale b;
/// eta ~ Gamma(s, beta).
struct GgompertzNbdParams {
  double r = 1, alpha = 1, b = 1, s = 1, beta = 1;
};

namespace ggompertz_nbd {

/// Log-likelihood of one customer (x repeat purchases, the last at t_x, observed for T)
/// (Bemmaor & Glady 2012, eq. (8)). Throws ModelError for non-positive parameters or a numerical
/// failure, InputError for an invalid customer.
double log_likelihood(const GgompertzNbdParams& params, double x, double t_x, double T);
/// Weighted log-likelihood of all patterns (sum over customers).
double log_likelihood(const GgompertzNbdParams& params, const RfmPatterns& patterns);
/// Weighted log-likelihood and its gradient d/d(r, alpha, b, s, beta) (analytic).
double log_likelihood(const GgompertzNbdParams& params, const RfmPatterns& patterns,
                      std::span<double, 5> gradient);
/// Maximum-likelihood fit (model name "ggomnbd", parameters r, alpha, b, s, beta). On data where
/// the Pareto/NBD limit fits best the likelihood is a ridge in (b, beta) (b -> 0 with beta / b
/// fixed); the fit then reports hessian_singular and the message says so. Throws InputError for
/// empty or invalid data, ConvergenceError when no start gives a finite likelihood.
FitResult fit(const RfmPatterns& patterns, const FitOptions& options = {});
/// Parameters from a fit of this model. Throws ModelError for a result of another shape.
GgompertzNbdParams params(const FitResult& fit);

/// Survival of the lifetime of a new customer: S(t) = (beta / (beta + e^(b t) - 1))^s.
double survival(const GgompertzNbdParams& params, double t);
/// Unconditional E[X(t)] = (r/alpha) * integral_0^t S(u) du.
double expected_transactions(const GgompertzNbdParams& params, double t);
/// Conditional expected purchases in (T, T+t] given (x, t_x, T): P(alive) times E[X(t)] of the
/// posterior model (r+x, alpha+T, b, s, (beta + e^(bT) - 1) e^(-bT)).
double conditional_expected_transactions(const GgompertzNbdParams& params, double t, double x,
                                         double t_x, double T);
/// CET for every pattern (same order as patterns).
std::vector<double> conditional_expected_transactions(const GgompertzNbdParams& params, double t,
                                                      const RfmPatterns& patterns);
/// Probability that the customer is alive at T given (x, t_x, T).
double p_alive(const GgompertzNbdParams& params, double x, double t_x, double T);
/// Unconditional P(X(t) = n) for a new customer, n = 0, 1, 2, ...
double p_n_transactions(const GgompertzNbdParams& params, double n, double t);
/// Conditional P(n purchases in (T, T+t] | x, t_x, T).
double conditional_p_n_transactions(const GgompertzNbdParams& params, double n, double t, double x,
                                    double t_x, double T);
/// Discounted expected residual transactions with continuous discount rate delta (> 0) per time
/// unit: P(alive) (r+x)/(alpha+T) integral_0^inf e^(-delta u) S*(u) du (not derived in
/// CLVTools; computed here by quadrature). Throws InputError for delta <= 0.
double dert(const GgompertzNbdParams& params, double delta, double x, double t_x, double T);
/// Simulates one customer per entry of T (ages) with a fixed seed: lambda ~ Gamma(r, alpha),
/// eta ~ Gamma(s, beta), lifetime log1p(E/eta)/b with E ~ Exp(1), Poisson(lambda) purchases while
/// alive. Returns compressed patterns.
RfmPatterns simulate(const GgompertzNbdParams& params, std::span<const double> T,
                     std::uint64_t seed);

}  // namespace ggompertz_nbd
}  // namespace ltv
