#pragma once
/// Shared vocabulary of the customer-base models (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma):
/// compressed RFM data, fit options and the fit result. Each model lives in its own header
/// (ltv/models/bg_nbd.hpp, ...) and offers the same operations under the same names:
/// log_likelihood, fit, expected_transactions, conditional_expected_transactions, p_alive,
/// p_n_transactions, simulate (see docs/models.md).

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace ltv {

/// Customers compressed to unique (x, t_x, T) patterns with a weight (number of customers).
/// The likelihoods depend on customers only through these triples.
struct RfmPatterns {
  std::vector<double> x;       ///< frequency (repeat transactions)
  std::vector<double> t_x;     ///< recency
  std::vector<double> T;       ///< age (time since first transaction)
  std::vector<double> weight;  ///< customers with this pattern (>0)
  std::size_t size() const noexcept { return x.size(); }
  double customers() const noexcept;  ///< sum of weights
};

/// Compresses per-customer (x, t_x, T) (and optional per-customer weights) into unique patterns.
/// Patterns are sorted by (x, t_x, T); customers with weight 0 are dropped. Throws InputError when
/// lengths differ, x is not a whole number >= 0, a value is negative / non-finite, t_x > T, or
/// x = 0 with t_x != 0.
RfmPatterns compress_patterns(std::span<const double> x, std::span<const double> t_x,
                              std::span<const double> T, std::span<const double> weights = {});

/// Options for maximum-likelihood fitting.
struct FitOptions {
  double l2_penalty = 0.0;            ///< penalty on sum of squared log-parameters (0 = plain ML)
  int max_iterations = 5000;          ///< optimizer evaluation budget per start
  double relative_tolerance = 1e-12;  ///< on the log-likelihood
  int starts = 0;                     ///< number of starting points; 0 = the model's default
  std::vector<double> initial;        ///< optional starting parameters (natural scale)
  /// More than 20,000 patterns (Pareto/NBD, BG/NBD, MBG/NBD): run the starts on a stratified
  /// subsample of 5,000 and fit the full data once, from the best optimum found there.
  bool presearch = true;
};

/// Result of a fit: natural-scale estimates with standard errors and 95% intervals from the
/// observed information (inverse Hessian of the negative log-likelihood at the optimum).
struct FitResult {
  std::string model;               ///< "bgnbd", "mbgnbd", "pnbd", "bgbb", "gg"
  std::vector<std::string> names;  ///< parameter names in model order
  std::vector<double> estimates;   ///< natural scale
  std::vector<double> std_errors;  ///< natural scale (delta method from log scale); empty if the
                                   ///< Hessian is singular
  std::vector<double> ci_lower;  ///< 95% interval, exp(log θ ± 1.96 se(log θ)); empty if singular
  std::vector<double> ci_upper;
  double log_likelihood = 0.0;  ///< at the optimum, without the penalty
  int iterations =
      0;  ///< objective evaluations of the best start (presearch: of the full-data run)
  bool converged = false;
  bool hessian_singular = false;
  std::string message;           ///< why it did not converge / Hessian notes; empty when fine
  std::string optimizer_status;  ///< NLopt result of the best start, e.g. "NLOPT_FTOL_REACHED"
  std::vector<double> log_covariance;  ///< k x k row-major covariance of log θ; empty if singular
  double n_customers = 0;              ///< sum of weights
  std::size_t n_patterns = 0;
};

}  // namespace ltv
