#pragma once
// Maximum-likelihood driver shared by every model (internal: ltv::detail).
//
// Optimises the log-likelihood over log-parameters with NLopt (L-BFGS with analytic gradients,
// falling back to a derivative-free method when a start fails), from several starting points
// (NLopt sees the objective divided by the number of customers; large inputs search their starts
// on a subsample first: MaximizeProblem::presearch), then computes standard errors from the
// observed information: the Hessian of the negative log-likelihood in log-parameters (central
// differences of the analytic gradient), inverted; se(θ) = θ · se(log θ) (delta method) and the 95%
// interval exp(log θ ± 1.96 se(log θ)). A singular or indefinite Hessian sets
// FitResult::hessian_singular and leaves the errors empty.

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "ltv/math/fit.hpp"

namespace ltv::detail {

/// Log-likelihood at natural-scale parameters θ (all > 0). When `gradient` is non-empty it must
/// be filled with dLL/dθ. Must return a finite value or -infinity (never NaN) for θ > 0.
using LogLikelihood =
    std::function<double(std::span<const double> theta, std::span<double> gradient)>;

struct MaximizeProblem {
  std::string model;                        ///< short model name for FitResult::model
  std::vector<std::string> names;           ///< parameter names
  LogLikelihood log_likelihood;             ///< weighted sum over patterns
  std::vector<std::vector<double>> starts;  ///< natural-scale starting points (at least one)
  double n_customers = 0;
  std::size_t n_patterns = 0;
  double log_bound = 25.0;  ///< search box |log θ| <= log_bound (keeps exp finite)
  /// Optional, for large inputs: the same model on a subsample of the data. The starts then run
  /// on the subsample, and the full data is fitted once, from the best optimum found there.
  std::shared_ptr<const MaximizeProblem> presearch;
};

/// Observed information in log-parameters: Hessian of -LL(exp u) (+ penalty) at u = log θ by
/// differences of the analytic gradient, symmetrised. Row-major k x k. Central differences (2k
/// evaluations), or forward differences (k evaluations) when the objective's gradient in u at
/// θ is given (as the optimizer has it at its best point).
std::vector<double> log_parameter_hessian(const MaximizeProblem& problem,
                                          std::span<const double> theta, double l2_penalty,
                                          std::span<const double> gradient_at_theta = {});

/// Name of an NLopt result code ("NLOPT_FTOL_REACHED", ...).
std::string nlopt_result_name(int code);

/// Maximises the log-likelihood (minus options.l2_penalty * Σ (log θ)^2) and returns the fit.
/// Starts: options.initial (if given) first, then problem.starts; options.starts > 0 caps/extends
/// the count (extra starts are deterministic multiplicative jitters of the given ones). With
/// problem.presearch the starts run on that subsample problem first (see there).
/// Convergence: NLopt L-BFGS stopping on ftol/xtol, or stopping on round-off with a small
/// log-parameter gradient; otherwise converged = false and `message` names the NLopt result.
/// Throws ConvergenceError only when no start gives a finite likelihood; a fit that stops early
/// is returned with converged = false and a reason in `message`.
FitResult maximize_likelihood(const MaximizeProblem& problem, const FitOptions& options);

}  // namespace ltv::detail
