#pragma once
/// BG/BB model for discrete transaction opportunities (Fader, Hardie & Shang 2010, "Customer-base
/// analysis in a discrete-time noncontractual setting", Marketing Science 29(6)). Data per
/// customer: x transactions in n opportunities, the last in opportunity t_x (0 if x = 0); in
/// RfmPatterns, T holds n. Equations: docs/models.md.

#include <cstdint>
#include <span>
#include <vector>

#include "ltv/models/model.hpp"

namespace ltv {

/// BG/BB parameters: transaction probability p ~ Beta(alpha, beta), dropout theta ~ Beta(gamma,
/// delta).
struct BgBbParams {
  double alpha = 1, beta = 1, gamma = 1, delta = 1;
};

namespace bg_bb {

/// Log-likelihood of one customer (FHS 2010 eq. 5). Throws InputError unless x, t_x, n are whole
/// numbers with 0 <= x <= t_x <= n (t_x = 0 when x = 0), ModelError for invalid parameters.
double log_likelihood(const BgBbParams& params, double x, double t_x, double n);
/// Weighted log-likelihood of all patterns (T = n).
double log_likelihood(const BgBbParams& params, const RfmPatterns& patterns);
/// Maximum-likelihood fit (model "bgbb", parameters alpha, beta, gamma, delta).
FitResult fit(const RfmPatterns& patterns, const FitOptions& options = {});
/// Parameters from a BG/BB fit. Throws ModelError for a result of another shape.
BgBbParams params(const FitResult& fit);

/// E[X(n)]: expected transactions of a new customer in the first n opportunities (FHS eq. 7),
/// computed as (alpha/(alpha+beta)) sum_{i=1..n} B(gamma, delta+i)/B(gamma, delta).
double expected_transactions(const BgBbParams& params, double n);
/// Expected transactions in the next n_star opportunities given (x, t_x, n) (FHS eq. 13).
double conditional_expected_transactions(const BgBbParams& params, double n_star, double x,
                                         double t_x, double n);
/// CET for every pattern (same order).
std::vector<double> conditional_expected_transactions(const BgBbParams& params, double n_star,
                                                      const RfmPatterns& patterns);
/// P(alive at opportunity n + ahead | x, t_x, n); ahead = 1 is FHS eq. 11 ("alive in n+1").
double p_alive(const BgBbParams& params, double x, double t_x, double n, double ahead = 1);
/// P(X(n) = k) for a new customer (FHS eq. 8).
double p_n_transactions(const BgBbParams& params, double k, double n);
/// P(k transactions in opportunities n+1..n+n_star | x, t_x, n).
double conditional_p_n_transactions(const BgBbParams& params, double k, double n_star, double x,
                                    double t_x, double n);
/// Discounted expected residual transactions (FHS eq. 14) with discount rate d per opportunity:
/// sum_{i>=1} P(transaction at n+i | data) / (1+d)^i, i.e. the closed form with
/// 2F1(1, delta+n+1; gamma+delta+n+1; 1/(1+d)), summed to convergence. Throws InputError for d <=
/// 0.
double dert(const BgBbParams& params, double d, double x, double t_x, double n);
/// Simulates one customer per entry of n (opportunities) with a fixed seed; compressed patterns.
RfmPatterns simulate(const BgBbParams& params, std::span<const double> n, std::uint64_t seed);

}  // namespace bg_bb
}  // namespace ltv
