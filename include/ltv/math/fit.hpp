#pragma once
/// The vocabulary of maximum-likelihood fitting shared by the optimizer driver (src/math) and
/// every model (src/models): what a fit may be told (FitOptions) and what it returns (FitResult).

#include <cstddef>
#include <string>
#include <vector>

namespace ltv {

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
