// Shifted-beta-geometric model: Fader & Hardie (2007), "How to Project Customer Retention", JIM
// 21(1) ("FH07", eqs. (7)-(9) and appendix B); DEL / DERL from Fader & Hardie (2010),
// "Customer-Base Valuation in a Contractual Setting", Marketing Science 29(1) ("FH10", eqs. (5),
// (6)). Equations and numerical choices: docs/models-sbg.md.
#include "ltv/models/sbg.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/digamma.hpp>

#include "ltv/error.hpp"
#include "math/optimize.hpp"
#include "math/special.hpp"

namespace ltv::sbg {

namespace {

constexpr const char* kModel = "sbg";

void check_params(const SbgParams& p) {
  const double v[2] = {p.gamma, p.delta};
  const char* names[2] = {"gamma", "delta"};
  for (int i = 0; i < 2; ++i) {
    if (!(v[i] > 0) || !std::isfinite(v[i])) {
      throw ModelError(
          fmt::format("sbg: parameter {} must be positive and finite, got {}", names[i], v[i]));
    }
  }
}

void check_cohorts(std::span<const SurvivalCohort> cohorts) {
  if (cohorts.empty()) {
    input_error(SourceLocation{"", 0, "alive"}, "no cohort", "at least one cohort");
  }
  for (std::size_t c = 0; c < cohorts.size(); ++c) {
    const auto& a = cohorts[c].alive;
    const std::string where = fmt::format("alive (cohort #{})", c + 1);
    if (a.size() < 2) {
      input_error(SourceLocation{"", 0, where}, fmt::format("{} counts", a.size()),
                  "the initial count and at least one period");
    }
    if (!(a[0] > 0) || !std::isfinite(a[0])) {
      input_error(SourceLocation{"", 0, where}, fmt::format("{} at period 0", a[0]),
                  "a positive finite number of customers at the start");
    }
    for (std::size_t t = 1; t < a.size(); ++t) {
      if (!std::isfinite(a[t]) || a[t] < 0 || a[t] > a[t - 1]) {
        input_error(SourceLocation{"", 0, where}, fmt::format("{} at period {}", a[t], t),
                    fmt::format("a count in [0, {}] (customers never come back)", a[t - 1]));
      }
    }
  }
}

void check_whole(double v, double min, const char* name) {
  if (!std::isfinite(v) || v < min || v != std::floor(v)) {
    input_error(SourceLocation{"", 0, name}, fmt::format("{}", v),
                fmt::format("a whole number >= {}", min));
  }
}

void check_rate(double d) {
  if (!std::isfinite(d) || d < 0) {
    input_error(SourceLocation{"", 0, "discount-rate"}, fmt::format("{}", d),
                "a finite discount rate >= 0 per period");
  }
}

double digamma(double v) {
  return boost::math::digamma(v);
}

/// LL (FH07 eq. (B3)) with ln P(T=t) = ln B(γ+1, δ+t−1) − ln B(γ, δ) and ln S(t) = ln B(γ, δ+t) −
/// ln B(γ, δ), and its gradient from ∂ ln B(p, q)/∂p = ψ(p) − ψ(p+q).
double ll_and_gradient(const SbgParams& p, std::span<const SurvivalCohort> cohorts,
                       std::span<double> gradient) {
  const double g = p.gamma, d = p.delta;
  const double lb0 = detail::log_beta(g, d);
  const bool want = !gradient.empty();
  const double psi_g = want ? digamma(g) : 0, psi_d = want ? digamma(d) : 0,
               psi_gd = want ? digamma(g + d) : 0, psi_g1 = want ? digamma(g + 1) : 0;
  double ll = 0, dg = 0, dd = 0;
  for (const auto& cohort : cohorts) {
    const auto& a = cohort.alive;
    const std::size_t last = a.size() - 1;
    for (std::size_t t = 1; t <= last; ++t) {
      const double lost = a[t - 1] - a[t];
      if (lost <= 0) continue;
      const double td = static_cast<double>(t);
      ll += lost * (detail::log_beta(g + 1, d + td - 1) - lb0);
      if (want) {
        const double psi_all = digamma(g + d + td);
        dg += lost * ((psi_g1 - psi_all) - (psi_g - psi_gd));
        dd += lost * ((digamma(d + td - 1) - psi_all) - (psi_d - psi_gd));
      }
    }
    if (a[last] > 0) {
      const double tl = static_cast<double>(last);
      ll += a[last] * (detail::log_beta(g, d + tl) - lb0);
      if (want) {
        const double psi_all = digamma(g + d + tl);
        dg += a[last] * ((psi_g - psi_all) - (psi_g - psi_gd));
        dd += a[last] * ((digamma(d + tl) - psi_all) - (psi_d - psi_gd));
      }
    }
  }
  if (want) {
    gradient[0] = dg;
    gradient[1] = dd;
  }
  return ll;
}

/// sum_{j>=0} prod_{i=0}^{j} r_{n+i} z^j with r_t = (δ+t−1)/(γ+δ+t−1): the DERL series of FH10
/// eq. (6) (the 2F1 series times its prefactor). Terms shrink by at least z < 1 per step; the
/// remainder after a term is below term·z/(1−z).
double derl_series(double g, double d, double n, double z) {
  double term = (d + n - 1) / (g + d + n - 1), sum = term;
  for (long j = 1; j < 50'000'000; ++j) {
    term *= (d + n - 1 + j) / (g + d + n - 1 + j) * z;
    sum += term;
    if (term * z / (1 - z) <= 1e-16 * sum) return sum;
  }
  return sum;
}

/// The same as an expectation over the churn probability of a customer who survived n−1
/// renewals, θ ~ Beta(γ, δ+n−1): E[(1+d)(1−θ)/(d+θ)] (the geometric series in closed form), by
/// tanh-sinh quadrature; used for small d where the series needs ~40/d terms.
double derl_integral(double g, double d, double n, double disc) {
  const double q = d + n - 1;
  const double lb = detail::log_beta(g, q);
  boost::math::quadrature::tanh_sinh<double> integrator;
  auto f = [&](double th) {
    const double one_minus = 1 - th;
    if (th <= 0 || one_minus <= 0) return 0.0;
    return std::exp((g - 1) * std::log(th) + (q - 1) * std::log1p(-th) - lb) * (1 + disc) *
           one_minus / (disc + th);
  };
  return integrator.integrate(f, 0.0, 1.0, 1e-13);
}

}  // namespace

double log_likelihood(const SbgParams& params, std::span<const SurvivalCohort> cohorts) {
  check_params(params);
  check_cohorts(cohorts);
  return ll_and_gradient(params, cohorts, {});
}

FitResult fit(std::span<const SurvivalCohort> cohorts, const FitOptions& options) {
  check_cohorts(cohorts);
  double start = 0, lost = 0, survivors = 0;
  for (const auto& c : cohorts) {
    start += c.alive.front();
    lost += c.alive.front() - c.alive.back();
    survivors += c.alive.back();
  }
  if (!(lost > 0) || !(survivors > 0)) {
    input_error(SourceLocation{"", 0, "alive"},
                fmt::format("{} customers lost and {} still alive", lost, survivors),
                "cohorts where some customers churned and some survived (otherwise gamma and "
                "delta are not identified)");
  }
  detail::MaximizeProblem problem;
  problem.model = kModel;
  problem.names = {"gamma", "delta"};
  problem.n_customers = start;
  problem.n_patterns = cohorts.size();
  problem.starts = {{1.0, 1.0}, {0.5, 2.0}, {2.0, 5.0}};
  problem.log_likelihood = [cohorts](std::span<const double> th, std::span<double> g) {
    return ll_and_gradient(SbgParams{th[0], th[1]}, cohorts, g);
  };
  return detail::maximize_likelihood(problem, options);
}

SbgParams params(const FitResult& fit) {
  if (fit.estimates.size() != 2 || (!fit.model.empty() && fit.model != kModel)) {
    throw ModelError(
        fmt::format("sbg: fit result of model '{}' with {} parameters, expected sbg (gamma, delta)",
                    fit.model, fit.estimates.size()));
  }
  SbgParams p{fit.estimates[0], fit.estimates[1]};
  check_params(p);
  return p;
}

double p_churn(const SbgParams& params, double t) {
  check_params(params);
  check_whole(t, 1, "t");
  // FH07 eq. (7): P(T = t) = B(γ+1, δ+t−1) / B(γ, δ).
  return std::exp(detail::log_beta(params.gamma + 1, params.delta + t - 1) -
                  detail::log_beta(params.gamma, params.delta));
}

double survival(const SbgParams& params, double t) {
  check_params(params);
  check_whole(t, 0, "t");
  // FH07 eq. (8): S(t) = B(γ, δ+t) / B(γ, δ).
  return std::exp(detail::log_beta(params.gamma, params.delta + t) -
                  detail::log_beta(params.gamma, params.delta));
}

double retention(const SbgParams& params, double t) {
  check_params(params);
  check_whole(t, 1, "t");
  // FH07 eq. (9).
  return (params.delta + t - 1) / (params.gamma + params.delta + t - 1);
}

double expected_lifetime(const SbgParams& params) {
  check_params(params);
  if (!(params.gamma > 1)) {
    throw ModelError(fmt::format(
        "sbg: the expected lifetime is infinite for gamma = {} <= 1 (a heavy tail of loyal "
        "customers); use a discount rate",
        params.gamma));
  }
  // E[T] = Σ_{t≥0} S(t) = E[1/θ] = (γ+δ−1)/(γ−1).
  return (params.gamma + params.delta - 1) / (params.gamma - 1);
}

double derl(const SbgParams& params, double discount_rate, double renewals) {
  check_params(params);
  check_rate(discount_rate);
  check_whole(renewals, 0, "renewals");
  const double g = params.gamma, d = params.delta, n = renewals + 1;
  if (discount_rate == 0) {
    if (!(g > 1)) {
      throw ModelError(fmt::format(
          "sbg: the undiscounted residual lifetime is infinite for gamma = {} <= 1; use a "
          "discount rate > 0",
          g));
    }
    // Σ_{j≥0} P(T > n+j | T > n−1) = E[(1−θ)/θ], θ ~ Beta(γ, δ+n−1): (δ+n−1)/(γ−1).
    return (d + n - 1) / (g - 1);
  }
  const double z = 1 / (1 + discount_rate);
  const double value =
      discount_rate >= 1e-3 ? derl_series(g, d, n, z) : derl_integral(g, d, n, discount_rate);
  if (!std::isfinite(value)) {
    throw ModelError(fmt::format("sbg: DERL could not be computed for gamma={}, delta={}, d={}", g,
                                 d, discount_rate));
  }
  return value;
}

double del(const SbgParams& params, double discount_rate) {
  check_params(params);
  check_rate(discount_rate);
  // FH10 eq. (5): DEL = 2F1(1, δ; γ+δ; 1/(1+d)) = 1 + DERL(d, 0 renewals) / (1+d): the first
  // payment now, then the payments of a customer about to make the first renewal, one period on.
  if (discount_rate == 0) return expected_lifetime(params);
  return 1 + derl(params, discount_rate, 0) / (1 + discount_rate);
}

double ltv(const SbgParams& params, double value_per_period, double discount_rate,
           double renewals) {
  if (!std::isfinite(value_per_period)) {
    input_error(SourceLocation{"", 0, "value"}, fmt::format("{}", value_per_period),
                "a finite value per period");
  }
  return value_per_period * derl(params, discount_rate, renewals);
}

SurvivalCohort simulate(const SbgParams& params, double customers, int periods,
                        std::uint64_t seed) {
  check_params(params);
  check_whole(customers, 1, "customers");
  if (periods < 1) {
    input_error(SourceLocation{"", 0, "periods"}, fmt::format("{}", periods), "at least 1");
  }
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> ga(params.gamma, 1.0), gd(params.delta, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  SurvivalCohort out;
  out.alive.assign(static_cast<std::size_t>(periods) + 1, 0.0);
  const auto n = static_cast<long long>(customers);
  for (long long i = 0; i < n; ++i) {
    const double u = ga(rng), v = gd(rng);
    const double theta = u / (u + v);
    out.alive[0] += 1;
    for (int t = 1; t <= periods; ++t) {
      if (unif(rng) < theta) break;  // cancels at the end of period t
      out.alive[static_cast<std::size_t>(t)] += 1;
    }
  }
  return out;
}

}  // namespace ltv::sbg
