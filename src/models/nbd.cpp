// NBD model (Ehrenberg 1959; Morrison & Schmittlein 1988; in the customer-base form of Fader &
// Hardie 2004, "Illustrating the Performance of the NBD as a Benchmark Model for Customer-Base
// Analysis", brucehardie.com note 005, and BTYDplus `nbd.*`). Equations: docs/models-nbd.md.
#include "ltv/models/nbd.hpp"

#include <algorithm>
#include <cmath>
#include <random>

#include <fmt/format.h>
#include <boost/math/special_functions/digamma.hpp>

#include "ltv/error.hpp"
#include "math/optimize.hpp"
#include "math/parallel.hpp"
#include "math/special.hpp"
#include "models/nbd_family.hpp"
#include "models/presearch.hpp"

namespace ltv::nbd {

namespace {

constexpr const char* kModel = "nbd";

void check_params(const NbdParams& p) {
  const double v[2] = {p.r, p.alpha};
  const char* names[2] = {"r", "alpha"};
  for (int i = 0; i < 2; ++i) {
    if (!(v[i] > 0) || !std::isfinite(v[i])) {
      throw ModelError(
          fmt::format("nbd: parameter {} must be positive and finite, got {}", names[i], v[i]));
    }
  }
}

void check_patterns(const RfmPatterns& patterns) {
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    detail::nbd::check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
  }
}

/// r ln(alpha/(alpha+T)) without the cancellation of r ln alpha - r ln(alpha+T) at large r.
double r_log_ratio(double r, double alpha, double T) {
  return -r * std::log1p(T / alpha);
}

struct Sums {
  double ll = 0, r = 0, alpha = 0;
  Sums& operator+=(const Sums& o) {
    ll += o.ll;
    r += o.r;
    alpha += o.alpha;
    return *this;
  }
};

/// Ehrenberg's NBD timing likelihood (Fader & Hardie 2004 note 005, eq. (2) without the count
/// model's constant x ln T - ln x!; BTYDplus nbd.LL):
///   L = Γ(r+x)/Γ(r) · (α/(α+T))^r · (α+T)^-x,
/// ∂ln L/∂r = ψ(r+x) − ψ(r) + ln(α/(α+T)),  ∂ln L/∂α = r/α − (r+x)/(α+T).
Sums sum_range(const NbdParams& p, const RfmPatterns& pat, bool want, std::size_t begin,
               std::size_t end) {
  Sums s;
  double cached_x = -1, lg = 0, dg = 0;
  const auto digamma = [](double v) { return boost::math::digamma(v); };
  for (std::size_t i = begin; i < end; ++i) {
    const double x = pat.x[i], T = pat.T[i], w = pat.weight[i];
    if (x != cached_x) {
      cached_x = x;
      lg = detail::log_gamma_ratio(p.r, x);
      if (want) dg = detail::digamma_ratio(p.r, x, digamma);
    }
    const double l_aT = std::log(p.alpha + T);
    const double ratio = r_log_ratio(p.r, p.alpha, T);
    s.ll += w * (lg + ratio - x * l_aT);
    if (want) {
      s.r += w * (dg - std::log1p(T / p.alpha));
      s.alpha += w * (p.r / p.alpha - (p.r + x) / (p.alpha + T));
    }
  }
  return s;
}

double sum_ll(const NbdParams& p, const RfmPatterns& pat, std::span<double> gradient) {
  const bool want = !gradient.empty();
  const Sums total = detail::chunked_sum<Sums>(pat.size(), 4096, [&](std::size_t b, std::size_t e) {
    return sum_range(p, pat, want, b, e);
  });
  if (want) {
    gradient[0] = total.r;
    gradient[1] = total.alpha;
  }
  return total.ll;
}

void check_n(double n) {
  if (!std::isfinite(n) || n < 0 || n != std::floor(n)) {
    input_error(SourceLocation{"", 0, "n"}, fmt::format("{}", n), "a whole number >= 0");
  }
}

/// Negative binomial pmf of n events in a window of length t for lambda ~ Gamma(shape, rate):
/// Γ(shape+n)/(Γ(shape) n!) (rate/(rate+t))^shape (t/(rate+t))^n, in log space.
double nb_pmf(double shape, double rate, double n, double t) {
  if (t <= 0) return n == 0 ? 1.0 : 0.0;
  const double log_p = detail::log_gamma_ratio(shape, n) - detail::log_gamma(n + 1) -
                       shape * std::log1p(t / rate) +
                       (n > 0 ? n * (std::log(t) - std::log(rate + t)) : 0.0);
  return std::exp(log_p);
}

}  // namespace

double log_likelihood(const NbdParams& params, double x, double t_x, double T) {
  check_params(params);
  detail::nbd::check_customer(x, t_x, T);
  RfmPatterns one;
  one.x = {x};
  one.t_x = {t_x};
  one.T = {T};
  one.weight = {1.0};
  return sum_range(params, one, false, 0, 1).ll;
}

double log_likelihood(const NbdParams& params, const RfmPatterns& patterns) {
  check_params(params);
  check_patterns(patterns);
  return sum_ll(params, patterns, {});
}

double log_likelihood(const NbdParams& params, const RfmPatterns& patterns,
                      std::span<double, 2> gradient) {
  check_params(params);
  check_patterns(patterns);
  return sum_ll(params, patterns, gradient);
}

FitResult fit(const RfmPatterns& patterns, const FitOptions& options) {
  if (patterns.size() == 0 || !(patterns.customers() > 0)) {
    input_error(SourceLocation{"", 0, "x"}, "no customers", "at least one customer to fit nbd");
  }
  check_patterns(patterns);
  double sum_w = 0, sum_x = 0, sum_T = 0;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    sum_w += patterns.weight[i];
    sum_x += patterns.weight[i] * patterns.x[i];
    sum_T += patterns.weight[i] * patterns.T[i];
  }
  if (!(sum_T > 0)) {
    input_error(SourceLocation{"", 0, "T"}, "all T = 0",
                "customers observed for some time (T > 0)");
  }
  detail::MaximizeProblem problem;
  problem.model = kModel;
  problem.names = {"r", "alpha"};
  problem.n_customers = sum_w;
  problem.n_patterns = patterns.size();
  // Starts: the mean purchase rate r/α = Σx / ΣT (the moment estimate), at two shapes.
  const double rate = std::max(sum_x, 0.05 * sum_w) / sum_T;
  problem.starts = {{1.0, 1.0 / rate}, {0.3, 0.3 / rate}, {3.0, 3.0 / rate}};
  const auto ll = [](const RfmPatterns& data, std::span<const double> th, std::span<double> g) {
    return sum_ll(NbdParams{th[0], th[1]}, data, g);
  };
  problem.log_likelihood = [&patterns, ll](std::span<const double> th, std::span<double> g) {
    return ll(patterns, th, g);
  };
  problem.presearch = detail::presearch_problem(problem, patterns, ll);
  return detail::maximize_likelihood(problem, options);
}

NbdParams params(const FitResult& fit) {
  if (fit.estimates.size() != 2 || (!fit.model.empty() && fit.model != kModel)) {
    throw ModelError(
        fmt::format("nbd: fit result of model '{}' with {} parameters, expected nbd "
                    "(r, alpha)",
                    fit.model, fit.estimates.size()));
  }
  NbdParams p{fit.estimates[0], fit.estimates[1]};
  check_params(p);
  return p;
}

double expected_transactions(const NbdParams& params, double t) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  // E[λ t] with E[λ] = r/α (Gamma mean).
  return params.r * t / params.alpha;
}

double conditional_expected_transactions(const NbdParams& params, double t, double x, double t_x,
                                         double T) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  detail::nbd::check_customer(x, t_x, T);
  // Gamma-Poisson conjugacy: λ | x, T ~ Gamma(r+x, α+T) (Morrison & Schmittlein 1988).
  return (params.r + x) * t / (params.alpha + T);
}

std::vector<double> conditional_expected_transactions(const NbdParams& params, double t,
                                                      const RfmPatterns& patterns) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  check_patterns(patterns);
  std::vector<double> out(patterns.size());
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    out[i] = (params.r + patterns.x[i]) * t / (params.alpha + patterns.T[i]);
  }
  return out;
}

double p_alive(const NbdParams& params, double x, double t_x, double T) {
  check_params(params);
  detail::nbd::check_customer(x, t_x, T);
  return 1.0;
}

double p_n_transactions(const NbdParams& params, double n, double t) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  check_n(n);
  // Ehrenberg (1959): X(t) ~ NegBin(r, α/(α+t)).
  return nb_pmf(params.r, params.alpha, n, t);
}

double conditional_p_n_transactions(const NbdParams& params, double n, double t, double x,
                                    double t_x, double T) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  check_n(n);
  detail::nbd::check_customer(x, t_x, T);
  return nb_pmf(params.r + x, params.alpha + T, n, t);
}

double dert(const NbdParams& params, double delta, double x, double t_x, double T) {
  check_params(params);
  detail::nbd::check_customer(x, t_x, T);
  if (!(delta > 0) || !std::isfinite(delta)) {
    input_error(SourceLocation{"", 0, "delta"}, fmt::format("{}", delta),
                "a continuous discount rate > 0 per time unit");
  }
  // ∫_0^∞ e^{-δs} E[λ | x, T] ds = (r+x)/((α+T) δ).
  return (params.r + x) / ((params.alpha + T) * delta);
}

RfmPatterns simulate(const NbdParams& params, std::span<const double> T, std::uint64_t seed) {
  check_params(params);
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_dist(params.r, 1.0 / params.alpha);
  std::vector<double> xs(T.size()), txs(T.size());
  for (std::size_t i = 0; i < T.size(); ++i) {
    detail::nbd::check_time(T[i], "T");
    const double lambda = lambda_dist(rng);
    double x = 0, t_x = 0, t = 0;
    if (lambda > 0) {
      std::exponential_distribution<double> gap(lambda);
      while (true) {
        t += gap(rng);
        if (t > T[i]) break;
        x += 1;
        t_x = t;
      }
    }
    xs[i] = x;
    txs[i] = t_x;
  }
  return compress_patterns(xs, txs, T);
}

}  // namespace ltv::nbd
