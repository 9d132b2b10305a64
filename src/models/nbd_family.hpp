#pragma once
// Shared mathematics of BG/NBD (Fader, Hardie & Lee 2005) and MBG/NBD (Batislam, Denizel &
// Filiztekin 2007) (internal: ltv::detail). The two models differ only in the number of dropout
// opportunities a customer with x repeat purchases has survived: k = x (BG/NBD: dropout after
// each repeat purchase) or k = x + 1 (MBG/NBD: also right after the first purchase). With
// `extra_dropout` m in {0, 1}, k = x + m and every formula below covers both models.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ltv/models/model.hpp"

namespace ltv::detail::nbd {

struct Params {
  double r, alpha, a, b;
};

/// Throws ModelError naming `model` when a parameter is not positive and finite.
void check_params(const Params& p, const char* model);
/// Throws InputError for a customer with x < 0 (or fractional), t_x < 0, t_x > T, non-finite.
void check_customer(double x, double t_x, double T);
/// Throws InputError for a horizon t < 0 or non-finite (`name` for the message).
void check_time(double t, const char* name);

/// Log-likelihood of one customer (FHL 2005 eq. 6; Batislam et al. 2007 eq. 5 for m = 1).
double log_likelihood_one(const Params& p, int m, double x, double t_x, double T);

/// Weighted log-likelihood over patterns; fills `gradient` (dLL/d(r, alpha, a, b)) if non-empty.
/// Per-x terms (lgamma, digamma, log-beta) are cached across consecutive patterns with equal x.
double log_likelihood(const Params& p, int m, const RfmPatterns& patterns,
                      std::span<double> gradient);

/// E over p ~ Beta(a, b), lambda ~ Gamma(r, alpha) of (1/p)(1 - exp(-lambda p t)): the expected
/// number of purchases in (0, t] of a customer alive at 0 (FHL 2005 eq. 9,
/// = (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]), computed as the
/// one-dimensional integral over p by tanh-sinh quadrature (finite for every a, b > 0, large r).
double expected_if_alive(double r, double alpha, double a, double b, double t);

double expected_transactions(const Params& p, int m, double t);
double p_alive(const Params& p, int m, double x, double t_x, double T);
double conditional_expected_transactions(const Params& p, int m, double t, double x, double t_x,
                                         double T);
double p_n_transactions(const Params& p, int m, double n, double t);
double conditional_p_n_transactions(const Params& p, int m, double n, double t, double x,
                                    double t_x, double T);
/// Discounted expected residual transactions with continuous discount rate `delta` per time unit:
/// P(alive) E[lambda / (delta + lambda p) | alive] (integral of e^{-delta t} times the purchase
/// rate), by nested quadrature.
double dert(const Params& p, int m, double delta, double x, double t_x, double T);

/// Fit by maximum likelihood through the shared driver.
FitResult fit(const RfmPatterns& patterns, const FitOptions& options, int m, const char* model);
Params params_from(const FitResult& fit, const char* model);

/// Simulates one customer per entry of T; returns compressed patterns.
RfmPatterns simulate(const Params& p, int m, std::span<const double> T, std::uint64_t seed);

}  // namespace ltv::detail::nbd
