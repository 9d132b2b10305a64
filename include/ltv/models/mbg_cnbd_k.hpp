#pragma once
/// MBG/CNBD-k model (Reutterer, Platzer & Schröder 2021, IJRM 38(1); BTYDplus `mbgcnbd.*`): MBG/NBD
/// with Erlang-k inter-purchase times; the customer may drop out right after the first purchase and
/// after each repeat purchase. Time in any unit (that of t_x, T and litt; alpha is in the same
/// unit). Shared types: ltv/models/cnbd_k.hpp. Equations: docs/models-cnbd-k.md.

#include <cstdint>
#include <span>
#include <vector>

#include "ltv/models/cnbd_k.hpp"
#include "ltv/models/model.hpp"

namespace ltv::mbg_cnbd_k {

/// Log-likelihood of one customer: x repeat purchases, the last at t_x, observed for T, litt = sum
/// of the log inter-purchase times (RPS eq. (A.5)). Throws ModelError for invalid parameters
/// (k not in 1..64, a parameter not positive), InputError for an invalid customer.
double log_likelihood(const CnbdKParams& params, double x, double t_x, double T, double litt);
/// Weighted log-likelihood of all patterns, including the regularity term (needs a finite
/// data.sum_log_itt when k > 1; InputError otherwise).
double log_likelihood(const CnbdKParams& params, const RegularityPatterns& data);
/// Maximum-likelihood fit (model name "mbgcnbdk", parameters k, r, alpha, a, b; k is fixed within
/// each fit and reported with standard error 0). With options.k = 0, k runs over 1..k_max and the
/// best log-likelihood wins; like BTYDplus the search stops once the log-likelihood fell twice in
/// a row. Throws InputError for empty or invalid data or a search without litt,
/// ConvergenceError when no start gives a finite likelihood.
FitResult fit(const RegularityPatterns& data, const CnbdKFitOptions& options = {});
/// One fit per k that the search tried (or the one given), in order of k.
std::vector<FitResult> fit_each_k(const RegularityPatterns& data,
                                  const CnbdKFitOptions& options = {});
/// Parameters from a fit of this model. Throws ModelError for a result of another shape.
CnbdKParams params(const FitResult& fit);

/// Unconditional E[X(t)]: expected repeat purchases of a new customer in (0, t].
double expected_transactions(const CnbdKParams& params, double t);
/// Conditional expected purchases in (T, T+t] given (x, t_x, T) (exact: the elapsed Erlang phases
/// since t_x are integrated out; see docs/models-cnbd-k.md for how this differs from BTYDplus).
double conditional_expected_transactions(const CnbdKParams& params, double t, double x, double t_x,
                                         double T);
/// CET for every pattern (same order as patterns).
std::vector<double> conditional_expected_transactions(const CnbdKParams& params, double t,
                                                      const RfmPatterns& patterns);
/// Probability that the customer has not dropped out by T given (x, t_x, T).
double p_alive(const CnbdKParams& params, double x, double t_x, double T);
/// P(at least one purchase in (T, T+t] | x, t_x, T); 0 for t <= 0.
double probability_of_purchase(const CnbdKParams& params, double t, double x, double t_x, double T);
/// Unconditional P(X(t) = n) for a new customer, n = 0, 1, 2, ...
double p_n_transactions(const CnbdKParams& params, double n, double t);
/// Discounted expected residual transactions with continuous discount rate delta (> 0) per time
/// unit. Throws InputError for delta <= 0.
double dert(const CnbdKParams& params, double delta, double x, double t_x, double T);
/// Simulates one customer per entry of T (ages) with a fixed seed: lambda ~ Gamma(r, alpha),
/// p ~ Beta(a, b), Erlang-k gaps, dropout with p right after the first purchase, dropout with p
/// after each purchase. Returns the patterns with the sum of litt.
RegularityPatterns simulate(const CnbdKParams& params, std::span<const double> T,
                            std::uint64_t seed);

}  // namespace ltv::mbg_cnbd_k
