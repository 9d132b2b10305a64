#include "math/optimize.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlopt.hpp>

#include <fmt/format.h>
#include <Eigen/Dense>

#include "ltv/error.hpp"

namespace ltv::detail {

namespace {

constexpr double kHuge = 1e300;

/// Objective in log-parameters u for NLopt (minimised):
///   f(u) = -LL(exp u) + λ Σ u_i²,   ∂f/∂u_i = -θ_i ∂LL/∂θ_i + 2 λ u_i   (chain rule).
struct Objective {
  const MaximizeProblem* problem = nullptr;
  double penalty = 0;
  std::vector<double> theta;
  std::vector<double> grad_theta;
  int evaluations = 0;
  double best_f = std::numeric_limits<double>::infinity();
  std::vector<double> best_u;
  double best_ll = 0;             ///< log-likelihood at best_u
  std::vector<double> best_grad;  ///< gradient of f at best_u, when it was evaluated with one

  double operator()(const std::vector<double>& u, std::vector<double>& grad) {
    ++evaluations;
    const std::size_t k = u.size();
    theta.resize(k);
    for (std::size_t i = 0; i < k; ++i) theta[i] = std::exp(u[i]);
    const bool want_grad = !grad.empty();
    grad_theta.assign(want_grad ? k : 0, 0.0);
    double ll = problem->log_likelihood(theta, grad_theta);
    bool finite = std::isfinite(ll);
    if (finite && want_grad) {
      for (double g : grad_theta) finite = finite && std::isfinite(g);
    }
    if (!finite) {
      // Non-finite: a large value with a gradient pointing back toward the origin of log-space,
      // so that line searches back off instead of failing outright.
      if (want_grad) {
        for (std::size_t i = 0; i < k; ++i) grad[i] = u[i] >= 0 ? 1e10 : -1e10;
      }
      return kHuge;
    }
    double f = -ll;
    for (std::size_t i = 0; i < k; ++i) {
      f += penalty * u[i] * u[i];
      if (want_grad) grad[i] = -theta[i] * grad_theta[i] + 2 * penalty * u[i];
    }
    if (f < best_f) {
      best_f = f;
      best_u = u;
      best_ll = ll;
      best_grad = grad;
    }
    return f;
  }

  /// NLopt sees the objective per customer (f / scale): with a gradient of O(1) instead of
  /// O(customers), L-BFGS's first step (along -gradient, unit length) stays near the start
  /// instead of jumping to the edge of the search box, where the likelihood is costly to evaluate.
  double scale = 1;
  /// Optional preconditioning: NLopt's variable is v with u = origin + M v (M row-major k x k).
  std::vector<double> origin, transform;
  double log_bound = 0;  ///< with a transform: |u_i| beyond this counts as non-finite
  std::vector<double> u_buffer, grad_u;

  /// u for NLopt's x (identity without a transform).
  const std::vector<double>& to_u(const std::vector<double>& x) {
    if (transform.empty()) return x;
    const std::size_t k = x.size();
    u_buffer = origin;
    for (std::size_t i = 0; i < k; ++i) {
      for (std::size_t j = 0; j < k; ++j) u_buffer[i] += transform[i * k + j] * x[j];
    }
    return u_buffer;
  }

  static double call(const std::vector<double>& x, std::vector<double>& grad, void* data) {
    auto& self = *static_cast<Objective*>(data);
    if (self.transform.empty()) {
      const double f = self(x, grad);
      for (double& g : grad) g /= self.scale;
      return f / self.scale;
    }
    const std::size_t k = x.size();
    const std::vector<double> u = self.to_u(x);
    bool inside = true;
    for (double v : u) inside = inside && std::abs(v) <= self.log_bound;
    self.grad_u.assign(grad.empty() ? 0 : k, 0.0);
    double f = kHuge;
    if (inside) {
      f = self(u, self.grad_u);
    } else {
      for (std::size_t i = 0; i < self.grad_u.size(); ++i)
        self.grad_u[i] = u[i] >= 0 ? 1e10 : -1e10;
    }
    // ∂f/∂v = Mᵀ ∂f/∂u
    for (std::size_t j = 0; j < grad.size(); ++j) {
      double g = 0;
      for (std::size_t i = 0; i < k; ++i) g += self.transform[i * k + j] * self.grad_u[i];
      grad[j] = g / self.scale;
    }
    return f / self.scale;
  }
};

struct StartResult {
  std::vector<double> u;
  double f = std::numeric_limits<double>::infinity();
  int evaluations = 0;
  nlopt::result result = nlopt::FAILURE;
  std::string algorithm;
  double grad_inf = std::numeric_limits<double>::infinity();
  double log_likelihood = 0;  ///< at u
  std::vector<double> grad;   ///< gradient of the objective in log-parameters at u (if known)
};

/// Gradient (in log-parameters, of the minimised objective) at the best point; infinity norm.
double gradient_norm(Objective& obj) {
  std::vector<double> g = obj.best_grad;
  if (g.size() != obj.best_u.size()) {
    g.assign(obj.best_u.size(), 0.0);
    if (!(obj(obj.best_u, g) < kHuge)) return std::numeric_limits<double>::infinity();
  }
  double m = 0;
  for (double v : g) m = std::max(m, std::abs(v));
  return m;
}

/// A point where the gradient in log-parameters is negligible for this data size: NLopt's
/// round-off stops and L-BFGS line-search failures there are optima, not failures.
bool stationary(const StartResult& r, const MaximizeProblem& problem) {
  const double grad_tol = 1e-3 * std::sqrt(std::max(1.0, problem.n_customers));
  return std::isfinite(r.grad_inf) &&
         r.grad_inf <= std::max(grad_tol, 1e-2 * std::sqrt(std::max(1.0, r.f)));
}

/// One start: L-BFGS from start_theta (in the variables v of u = log start_theta + M v when a
/// row-major k x k `transform` M is given), then BOBYQA from its best point if it failed.
StartResult run_start(const MaximizeProblem& problem, const FitOptions& options,
                      const std::vector<double>& start_theta,
                      const std::vector<double>& transform = {}) {
  const std::size_t k = problem.names.size();
  std::vector<double> u0(k);
  for (std::size_t i = 0; i < k; ++i) {
    const double t = start_theta[i];
    u0[i] = (t > 0 && std::isfinite(t))
                ? std::clamp(std::log(t), -problem.log_bound + 1, problem.log_bound - 1)
                : 0.0;
  }
  std::vector<double> lower(k, -problem.log_bound), upper(k, problem.log_bound);

  auto attempt = [&](nlopt::algorithm algorithm, const std::vector<double>& from,
                     int budget) -> StartResult {
    Objective obj;
    obj.problem = &problem;
    obj.penalty = options.l2_penalty;
    obj.scale = std::max(1.0, problem.n_customers);
    const bool transformed = algorithm == nlopt::LD_LBFGS && !transform.empty();
    StartResult out;
    out.algorithm = algorithm == nlopt::LD_LBFGS ? "L-BFGS" : "BOBYQA";
    nlopt::opt opt(algorithm, static_cast<unsigned>(k));
    opt.set_min_objective(&Objective::call, &obj);
    if (transformed) {
      // The box |u| <= log_bound is enforced by the objective (a bound on u is not a box on v).
      obj.origin = from;
      obj.transform = transform;
      obj.log_bound = problem.log_bound;
    } else {
      opt.set_lower_bounds(lower);
      opt.set_upper_bounds(upper);
    }
    opt.set_ftol_rel(options.relative_tolerance);
    opt.set_xtol_rel(1e-12);
    opt.set_maxeval(std::max(budget, 10));
    if (algorithm != nlopt::LD_LBFGS) opt.set_initial_step(0.5);
    std::vector<double> u = transformed ? std::vector<double>(k, 0.0) : from;
    double f = kHuge;
    try {
      out.result = opt.optimize(u, f);
    } catch (const nlopt::roundoff_limited&) {
      out.result = nlopt::ROUNDOFF_LIMITED;
    } catch (const nlopt::forced_stop&) {
      out.result = nlopt::FORCED_STOP;
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception&) {
      out.result = nlopt::FAILURE;
    }
    out.evaluations = obj.evaluations;
    if (!obj.best_u.empty()) {
      out.grad_inf = gradient_norm(obj);
      out.u = obj.best_u;
      out.f = obj.best_f;
      out.log_likelihood = obj.best_ll;
      out.grad = obj.best_grad;
    }
    return out;
  };

  StartResult lbfgs = attempt(nlopt::LD_LBFGS, u0, options.max_iterations);
  // A generic NLopt failure of L-BFGS at a stationary point (its line search gives up on a flat
  // ridge, e.g. Pareto/NBD with s, β → ∞ on a few customers) needs no derivative-free rerun.
  const bool lbfgs_ok =
      std::isfinite(lbfgs.f) && lbfgs.f < kHuge &&
      (lbfgs.result > 0 || lbfgs.result == nlopt::ROUNDOFF_LIMITED ||
       (lbfgs.result == nlopt::FAILURE && !lbfgs.u.empty() && stationary(lbfgs, problem)));
  if (lbfgs_ok) return lbfgs;
  // Fallback: derivative-free BOBYQA from the best point L-BFGS reached (or the start).
  StartResult bobyqa =
      attempt(nlopt::LN_BOBYQA, lbfgs.u.empty() ? u0 : lbfgs.u, options.max_iterations);
  bobyqa.evaluations += lbfgs.evaluations;
  if (!std::isfinite(lbfgs.f) || bobyqa.f <= lbfgs.f) return bobyqa;
  return lbfgs;
}

std::vector<std::vector<double>> collect_starts(const MaximizeProblem& problem,
                                                const FitOptions& options) {
  const std::size_t k = problem.names.size();
  std::vector<std::vector<double>> base;
  if (!options.initial.empty()) {
    if (options.initial.size() != k) {
      parameter_error(
          "initial", fmt::format("{} values", options.initial.size()),
          fmt::format("{} starting parameters ({})", k, fmt::join(problem.names, ", ")));
    }
    for (double v : options.initial) {
      if (!(v > 0) || !std::isfinite(v)) {
        parameter_error("initial", fmt::format("{}", v), "positive finite starting parameters");
      }
    }
    base.push_back(options.initial);
  }
  for (const auto& s : problem.starts) base.push_back(s);
  if (base.empty()) throw ConvergenceError(problem.model + ": no starting point");
  const std::size_t wanted =
      options.starts > 0 ? static_cast<std::size_t>(options.starts) : base.size();
  std::vector<std::vector<double>> starts;
  // Deterministic jitter factors for extra starts: exp(±0.7), exp(±1.4), ... per coordinate.
  for (std::size_t s = 0; s < wanted; ++s) {
    std::vector<double> start = base[s % base.size()];
    const std::size_t round = s / base.size();
    if (round > 0) {
      for (std::size_t i = 0; i < k; ++i) {
        const double sign = ((i + round) % 2 == 0) ? 1.0 : -1.0;
        start[i] *= std::exp(sign * 0.7 * static_cast<double>((round + 1) / 2 + (round % 2)));
      }
    }
    starts.push_back(std::move(start));
  }
  return starts;
}

}  // namespace

std::string nlopt_result_name(int code) {
  switch (code) {
    case nlopt::FAILURE:
      return "NLOPT_FAILURE";
    case nlopt::INVALID_ARGS:
      return "NLOPT_INVALID_ARGS";
    case nlopt::OUT_OF_MEMORY:
      return "NLOPT_OUT_OF_MEMORY";
    case nlopt::ROUNDOFF_LIMITED:
      return "NLOPT_ROUNDOFF_LIMITED";
    case nlopt::FORCED_STOP:
      return "NLOPT_FORCED_STOP";
    case nlopt::SUCCESS:
      return "NLOPT_SUCCESS";
    case nlopt::STOPVAL_REACHED:
      return "NLOPT_STOPVAL_REACHED";
    case nlopt::FTOL_REACHED:
      return "NLOPT_FTOL_REACHED";
    case nlopt::XTOL_REACHED:
      return "NLOPT_XTOL_REACHED";
    case nlopt::MAXEVAL_REACHED:
      return "NLOPT_MAXEVAL_REACHED";
    case nlopt::MAXTIME_REACHED:
      return "NLOPT_MAXTIME_REACHED";
    default:
      return fmt::format("NLOPT_RESULT_{}", code);
  }
}

std::vector<double> log_parameter_hessian(const MaximizeProblem& problem,
                                          std::span<const double> theta, double l2_penalty,
                                          std::span<const double> gradient_at_theta) {
  const std::size_t k = theta.size();
  Objective obj;
  obj.problem = &problem;
  obj.penalty = l2_penalty;
  std::vector<double> u(k);
  for (std::size_t i = 0; i < k; ++i) u[i] = std::log(theta[i]);
  std::vector<double> h(k * k, std::numeric_limits<double>::quiet_NaN());
  std::vector<double> gp(k), gm(k);
  const bool forward = gradient_at_theta.size() == k;
  for (std::size_t j = 0; j < k; ++j) {
    std::vector<double> up = u, um = u;
    if (forward) {
      // Forward differences from the known gradient (one evaluation per parameter). Step 1e-6:
      // truncation error ~ step/2 relative, round-off of the summed gradient ~1e-10 relative.
      const double step = 1e-6 * std::max(1.0, std::abs(u[j]));
      up[j] += step;
      if (!(obj(up, gp) < kHuge)) return h;  // NaN-filled: caller treats as singular
      for (std::size_t i = 0; i < k; ++i) {
        h[i * k + j] = (gp[i] - gradient_at_theta[i]) / step;
      }
      continue;
    }
    // Step ~ cube root of machine epsilon, scaled by |u_j| (central differences of the gradient).
    const double step = 1e-5 * std::max(1.0, std::abs(u[j]));
    up[j] += step;
    um[j] -= step;
    const double fp = obj(up, gp);
    const double fm = obj(um, gm);
    if (!(fp < kHuge) || !(fm < kHuge)) return h;  // NaN-filled: caller treats as singular
    for (std::size_t i = 0; i < k; ++i) h[i * k + j] = (gp[i] - gm[i]) / (2 * step);
  }
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = i + 1; j < k; ++j) {
      const double s = 0.5 * (h[i * k + j] + h[j * k + i]);
      h[i * k + j] = h[j * k + i] = s;
    }
  }
  return h;
}

namespace {

/// Runs every start on `problem` and returns the best. With the model's own starts (no explicit
/// --starts), two starts that end at the same optimum (objective equal to 1e-9 relative) settle
/// it: the remaining starts are skipped.
StartResult best_of_starts(const MaximizeProblem& problem, const FitOptions& options) {
  const std::size_t k = problem.names.size();
  StartResult best;
  std::vector<double> finished;  // objective values reached by the starts so far
  for (const auto& start : collect_starts(problem, options)) {
    if (start.size() != k) throw ConvergenceError(problem.model + ": start of wrong length");
    StartResult r = run_start(problem, options, start);
    bool agreed = false;
    if (options.starts == 0 && std::isfinite(r.f) && r.f < kHuge) {
      for (double f : finished)
        agreed = agreed || std::abs(f - r.f) <= 1e-9 * std::max(1.0, std::abs(r.f));
      finished.push_back(r.f);
    }
    if (r.f < best.f) best = std::move(r);
    if (agreed) break;
  }
  return best;
}

/// Preconditioner from the subsample's curvature: with H = Hessian of the subsample objective
/// per customer at θ (log-parameters) and H = L Lᵀ, M = L⁻ᵀ makes the full objective's Hessian
/// in v (u = log θ + M v) close to the identity, so that L-BFGS's first steps are Newton steps
/// and the full data needs a few evaluations instead of building its curvature from scratch.
/// Empty when H is not positive definite.
std::vector<double> whitening(const MaximizeProblem& sample, const StartResult& at,
                              const FitOptions& options) {
  const std::size_t k = at.u.size();
  std::vector<double> theta(k);
  for (std::size_t i = 0; i < k; ++i) theta[i] = std::exp(at.u[i]);
  const std::vector<double> h = log_parameter_hessian(sample, theta, options.l2_penalty, at.grad);
  Eigen::MatrixXd H(k, k);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      if (!std::isfinite(h[i * k + j])) return {};
      H(i, j) = h[i * k + j] / std::max(1.0, sample.n_customers);
    }
  }
  const Eigen::LLT<Eigen::MatrixXd> llt(H);
  if (llt.info() != Eigen::Success) return {};
  const Eigen::MatrixXd M = llt.matrixU().solve(Eigen::MatrixXd::Identity(k, k));  // L⁻ᵀ = U⁻¹
  std::vector<double> out(k * k);
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) out[i * k + j] = M(i, j);
  }
  return out;
}

}  // namespace

FitResult maximize_likelihood(const MaximizeProblem& problem, const FitOptions& options) {
  const std::size_t k = problem.names.size();
  FitResult fit;
  fit.model = problem.model;
  fit.names = problem.names;
  fit.n_customers = problem.n_customers;
  fit.n_patterns = problem.n_patterns;

  StartResult best;
  if (problem.presearch && options.presearch) {
    // Large input: the starts search the subsample; the full data is fitted once, from the best
    // optimum found there. Should that end anywhere but at a stationary point, every start runs
    // on the full data after all.
    const StartResult pre = best_of_starts(*problem.presearch, options);
    if (std::isfinite(pre.f) && pre.f < kHuge) {
      std::vector<double> from(k);
      for (std::size_t i = 0; i < k; ++i) from[i] = std::exp(pre.u[i]);
      StartResult r =
          run_start(problem, options, from, whitening(*problem.presearch, pre, options));
      if (std::isfinite(r.f) && r.f < kHuge && stationary(r, problem)) best = std::move(r);
    }
  }
  if (best.u.empty()) best = best_of_starts(problem, options);
  if (!std::isfinite(best.f) || !(best.f < kHuge)) {
    throw ConvergenceError(fmt::format(
        "{}: no starting point gives a finite log-likelihood; the data may not suit this model",
        problem.model));
  }

  fit.estimates.resize(k);
  for (std::size_t i = 0; i < k; ++i) fit.estimates[i] = std::exp(best.u[i]);
  fit.log_likelihood = best.log_likelihood;
  fit.iterations = best.evaluations;
  fit.optimizer_status = nlopt_result_name(best.result);

  // Convergence: a clean stop on the tolerances, or a round-off stop or a generic failure of the
  // line search with a gradient that is small relative to the data size (L-BFGS often ends this
  // way at the optimum).
  std::vector<std::string> notes;
  const bool clean_stop = best.result == nlopt::SUCCESS || best.result == nlopt::FTOL_REACHED ||
                          best.result == nlopt::XTOL_REACHED ||
                          best.result == nlopt::STOPVAL_REACHED;
  fit.converged =
      (clean_stop || best.result == nlopt::ROUNDOFF_LIMITED || best.result == nlopt::FAILURE) &&
      stationary(best, problem);
  if (!fit.converged) {
    notes.push_back(
        fmt::format("did not converge ({} via {} after {} evaluations; max |gradient| "
                    "in log-parameters {:.3g})",
                    fit.optimizer_status, best.algorithm, best.evaluations, best.grad_inf));
  }
  bool at_bound = false;
  for (std::size_t i = 0; i < k; ++i) {
    if (std::abs(best.u[i]) >= problem.log_bound - 1e-6) at_bound = true;
  }
  if (at_bound) {
    notes.push_back(fmt::format(
        "a parameter reached the search bound exp(±{}); the model may be degenerate for this data",
        problem.log_bound));
  }

  // Standard errors from the observed information in log-parameters.
  const std::vector<double> h =
      log_parameter_hessian(problem, fit.estimates, options.l2_penalty, best.grad);
  Eigen::MatrixXd H(k, k);
  bool finite = true;
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = 0; j < k; ++j) {
      H(i, j) = h[i * k + j];
      finite = finite && std::isfinite(h[i * k + j]);
    }
  }
  bool singular = !finite;
  if (!singular) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(H);
    const Eigen::VectorXd lambda = eig.eigenvalues();
    const double max_abs = lambda.cwiseAbs().maxCoeff();
    if (eig.info() != Eigen::Success || !(max_abs > 0) || lambda.minCoeff() <= 1e-10 * max_abs) {
      singular = true;
    } else {
      const Eigen::MatrixXd cov =
          eig.eigenvectors() * lambda.cwiseInverse().asDiagonal() * eig.eigenvectors().transpose();
      fit.log_covariance.resize(k * k);
      fit.std_errors.resize(k);
      fit.ci_lower.resize(k);
      fit.ci_upper.resize(k);
      for (std::size_t i = 0; i < k; ++i) {
        for (std::size_t j = 0; j < k; ++j) fit.log_covariance[i * k + j] = cov(i, j);
        const double se_log = std::sqrt(cov(i, i));
        fit.std_errors[i] = fit.estimates[i] * se_log;  // delta method
        fit.ci_lower[i] = std::exp(best.u[i] - 1.96 * se_log);
        fit.ci_upper[i] = std::exp(best.u[i] + 1.96 * se_log);
      }
    }
  }
  if (singular) {
    fit.hessian_singular = true;
    notes.push_back(
        "the Hessian of the log-likelihood is singular or not negative definite at the estimate; "
        "standard errors and intervals are not available (parameters may be unidentified)");
  }
  fit.message = fmt::format("{}", fmt::join(notes, "; "));
  return fit;
}

}  // namespace ltv::detail
