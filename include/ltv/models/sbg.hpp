#pragma once
/// Shifted-beta-geometric (sBG) model of contract duration (Fader & Hardie 2007, "How to Project
/// Customer Retention", Journal of Interactive Marketing 21(1) 76-90, "FH07"; discounted expected
/// lifetimes from Fader & Hardie 2010, "Customer-Base Valuation in a Contractual Setting: The
/// Perils of Ignoring Heterogeneity", Marketing Science 29(1) 85-93, "FH10"). At the end of every
/// period a customer cancels with probability theta (constant for the customer), theta ~
/// Beta(gamma, delta) across customers. Periods are the contract periods (years, months).
/// Equations: docs/models-sbg.md.

#include <cstdint>
#include <span>
#include <vector>

#include "ltv/models/model.hpp"

namespace ltv {

/// sBG parameters: churn probability theta ~ Beta(gamma, delta).
struct SbgParams {
  double gamma = 1, delta = 1;
};

/// One cohort of customers acquired together: alive[0] customers at the start and alive[t] still
/// customers after t renewal opportunities (t = 1 .. size-1). Counts may be fractional (e.g.
/// percentages) but must be finite, alive[0] > 0, and never increase.
struct SurvivalCohort {
  std::vector<double> alive;
};

namespace sbg {

/// Log-likelihood of cohorts (FH07 eq. (B3)): sum over periods t of (customers lost in period t)
/// ln P(T = t) plus (customers still alive at the last period) ln S(last). Throws ModelError for
/// non-positive parameters, InputError for an invalid cohort (naming the cohort and period).
double log_likelihood(const SbgParams& params, std::span<const SurvivalCohort> cohorts);
/// Maximum-likelihood fit (model name "sbg", parameters gamma, delta) over one or more cohorts
/// (the likelihoods add). Throws InputError for invalid cohorts or when no customer churned or
/// none survived (the parameters are then not identified), ConvergenceError when no start gives
/// a finite likelihood.
FitResult fit(std::span<const SurvivalCohort> cohorts, const FitOptions& options = {});
/// Parameters from a fit of this model. Throws ModelError for a result of another shape.
SbgParams params(const FitResult& fit);

/// P(T = t): probability that a new customer's last period is t (cancels at the end of period t),
/// t = 1, 2, ... (FH07 eq. (7)). Throws InputError for t not a whole number >= 1.
double p_churn(const SbgParams& params, double t);
/// Survival S(t) = P(T > t) = B(gamma, delta + t) / B(gamma, delta), t = 0, 1, ... (FH07 eq. (8)):
/// the share of a cohort still customers after t renewal opportunities.
double survival(const SbgParams& params, double t);
/// Retention rate of period t: r_t = S(t)/S(t-1) = (delta + t - 1)/(gamma + delta + t - 1), t >= 1
/// (FH07 eq. (9)); it rises with t as the cohort sorts itself.
double retention(const SbgParams& params, double t);
/// Expected number of periods of a new customer, E[T] = (gamma + delta - 1)/(gamma - 1). Throws
/// ModelError when gamma <= 1 (the expectation is infinite: use a discount rate, del()).
double expected_lifetime(const SbgParams& params);
/// Discounted expected lifetime of a new customer with one payment per period, the first now:
/// DEL = sum_{t>=0} S(t)/(1+d)^t = 2F1(1, delta; gamma + delta; 1/(1+d)) (FH10 eq. (5)).
/// Throws InputError for d < 0 or non-finite, ModelError for d = 0 with gamma <= 1.
double del(const SbgParams& params, double discount_rate);
/// Discounted expected residual lifetime of a customer who has made `renewals` renewals (n - 1 in
/// FH10) and is about to decide on the next one: sum_{j>=0} P(T > n + j | T > n - 1)/(1+d)^j =
/// (delta+n-1)/(gamma+delta+n-1) 2F1(1, delta+n; gamma+delta+n; 1/(1+d)) (FH10 eq. (6)),
/// n = renewals + 1. Same errors as del(), and InputError for renewals not a whole number >= 0.
double derl(const SbgParams& params, double discount_rate, double renewals);
/// Residual lifetime value of such a customer: value_per_period * derl(...). Throws InputError
/// for a non-finite value.
double ltv(const SbgParams& params, double value_per_period, double discount_rate, double renewals);
/// Simulates a cohort of `customers` (whole number >= 1) over `periods` renewal opportunities:
/// theta ~ Beta(gamma, delta) per customer, geometric duration. Fixed seed.
SurvivalCohort simulate(const SbgParams& params, double customers, int periods, std::uint64_t seed);

}  // namespace sbg
}  // namespace ltv
