// BG/BB: Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
// setting", Marketing Science 29(6), 1086-1108. All sums of Beta-function ratios in log space.
#include "ltv/models/bg_bb.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <boost/math/special_functions/digamma.hpp>

#include "ltv/error.hpp"
#include "math/optimize.hpp"
#include "math/special.hpp"

namespace ltv::bg_bb {

namespace {

using detail::log_beta;
using detail::log_sum_exp;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();

void check_params(const BgBbParams& p) {
  const double v[4] = {p.alpha, p.beta, p.gamma, p.delta};
  const char* n[4] = {"alpha", "beta", "gamma", "delta"};
  for (int i = 0; i < 4; ++i) {
    if (!(v[i] > 0) || !std::isfinite(v[i])) {
      throw ModelError(
          fmt::format("bgbb: parameter {} must be positive and finite, got {}", n[i], v[i]));
    }
  }
}

bool whole(double v) {
  return std::isfinite(v) && v >= 0 && v == std::floor(v);
}

void check_customer(double x, double t_x, double n) {
  if (!whole(n)) {
    input_error(SourceLocation{"", 0, "n"}, fmt::format("{}", n),
                "a whole number of transaction opportunities >= 0");
  }
  if (!whole(x) || x > n) {
    input_error(SourceLocation{"", 0, "x"}, fmt::format("{}", x),
                fmt::format("a whole number of transactions in [0, n = {}]", n));
  }
  if (!whole(t_x) || t_x > n || t_x < x || (x == 0 && t_x != 0)) {
    input_error(SourceLocation{"", 0, "t_x"}, fmt::format("{}", t_x),
                fmt::format("the opportunity of the last transaction: a whole number in [x = {}, "
                            "n = {}] (0 when x = 0)",
                            x, n));
  }
}

void check_count(double v, const char* name) {
  if (!whole(v)) {
    input_error(SourceLocation{"", 0, name}, fmt::format("{}", v), "a whole number >= 0");
  }
}

// ln of the terms of FHS 2010 eq. 5 (without the common −lnB(α,β) − lnB(γ,δ)):
//   alive through n:   lnB(α+x, β+n−x) + lnB(γ, δ+n)
//   dropped at t_x+i+1: lnB(α+x, β+t_x−x+i) + lnB(γ+1, δ+t_x+i),  i = 0..n−t_x−1
double log_l(const BgBbParams& p, double x, double t_x, double n) {
  double acc = log_beta(p.alpha + x, p.beta + n - x) + log_beta(p.gamma, p.delta + n);
  for (double i = 0; i < n - t_x; i += 1) {
    acc = log_sum_exp(acc, log_beta(p.alpha + x, p.beta + t_x - x + i) +
                               log_beta(p.gamma + 1, p.delta + t_x + i));
  }
  return acc - log_beta(p.alpha, p.beta) - log_beta(p.gamma, p.delta);
}

double log_likelihood_impl(const BgBbParams& p, const RfmPatterns& pat, std::span<double> grad) {
  const bool want = !grad.empty();
  using boost::math::digamma;
  const double lb_ab = log_beta(p.alpha, p.beta), lb_gd = log_beta(p.gamma, p.delta);
  double psi_a = 0, psi_b = 0, psi_ab = 0, psi_g = 0, psi_d = 0, psi_gd = 0;
  if (want) {
    psi_a = digamma(p.alpha);
    psi_b = digamma(p.beta);
    psi_ab = digamma(p.alpha + p.beta);
    psi_g = digamma(p.gamma);
    psi_d = digamma(p.delta);
    psi_gd = digamma(p.gamma + p.delta);
  }
  double ll = 0, g[4] = {0, 0, 0, 0};
  std::vector<double> lt, da, db, dg, dd;
  for (std::size_t k = 0; k < pat.size(); ++k) {
    const double x = pat.x[k], t_x = pat.t_x[k], n = pat.T[k], w = pat.weight[k];
    lt.clear();
    da.clear();
    db.clear();
    dg.clear();
    dd.clear();
    auto add = [&](double u1, double v1, double u2, double v2) {
      // Term lnB(u1, v1) + lnB(u2, v2) with u1 = α+x, v1 = β+..., u2 = γ or γ+1, v2 = δ+...
      lt.push_back(log_beta(u1, v1) + log_beta(u2, v2));
      if (want) {
        const double s1 = digamma(u1 + v1), s2 = digamma(u2 + v2);
        da.push_back(digamma(u1) - s1);
        db.push_back(digamma(v1) - s1);
        dg.push_back(digamma(u2) - s2);
        dd.push_back(digamma(v2) - s2);
      }
    };
    add(p.alpha + x, p.beta + n - x, p.gamma, p.delta + n);
    for (double i = 0; i < n - t_x; i += 1) {
      add(p.alpha + x, p.beta + t_x - x + i, p.gamma + 1, p.delta + t_x + i);
    }
    double lse = kNegInf;
    for (double v : lt) lse = log_sum_exp(lse, v);
    ll += w * (lse - lb_ab - lb_gd);
    if (want) {
      double ga = 0, gb = 0, gg = 0, gd = 0;
      for (std::size_t j = 0; j < lt.size(); ++j) {
        const double s = std::exp(lt[j] - lse);
        ga += s * da[j];
        gb += s * db[j];
        gg += s * dg[j];
        gd += s * dd[j];
      }
      g[0] += w * (ga - (psi_a - psi_ab));
      g[1] += w * (gb - (psi_b - psi_ab));
      g[2] += w * (gg - (psi_g - psi_gd));
      g[3] += w * (gd - (psi_d - psi_gd));
    }
  }
  if (want) {
    for (int i = 0; i < 4; ++i) grad[i] = g[i];
  }
  return ll;
}

/// ln of sum_{i=1..m} B(γ, δ+n+i)/B(γ, δ) (expected number of alive opportunities), by the ratio
/// B(γ, v+1)/B(γ, v) = v/(γ+v).
double log_alive_sum(const BgBbParams& p, double n, double m) {
  double term = log_beta(p.gamma, p.delta + n + 1) - log_beta(p.gamma, p.delta);
  double acc = kNegInf;
  for (double i = 1; i <= m; i += 1) {
    acc = log_sum_exp(acc, term);
    const double v = p.delta + n + i;
    term += std::log(v / (p.gamma + v));
  }
  return acc;
}

double log_choose(double n, double k) {
  return detail::log_gamma(n + 1) - detail::log_gamma(k + 1) - detail::log_gamma(n - k + 1);
}

}  // namespace

double log_likelihood(const BgBbParams& params, double x, double t_x, double n) {
  check_params(params);
  check_customer(x, t_x, n);
  return log_l(params, x, t_x, n);
}

double log_likelihood(const BgBbParams& params, const RfmPatterns& patterns) {
  check_params(params);
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
  }
  return log_likelihood_impl(params, patterns, {});
}

FitResult fit(const RfmPatterns& patterns, const FitOptions& options) {
  if (patterns.size() == 0 || !(patterns.customers() > 0)) {
    input_error(SourceLocation{"", 0, "x"}, "no customers", "at least one customer to fit bgbb");
  }
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
  }
  detail::MaximizeProblem problem;
  problem.model = "bgbb";
  problem.names = {"alpha", "beta", "gamma", "delta"};
  problem.n_customers = patterns.customers();
  problem.n_patterns = patterns.size();
  problem.log_likelihood = [&patterns](std::span<const double> th, std::span<double> g) {
    return log_likelihood_impl(BgBbParams{th[0], th[1], th[2], th[3]}, patterns, g);
  };
  // Opportunities are already a natural unit; no time rescaling is needed.
  problem.starts = {{1.0, 1.0, 1.0, 1.0}, {0.5, 0.5, 0.5, 3.0}, {2.0, 1.0, 1.0, 5.0}};
  return detail::maximize_likelihood(problem, options);
}

BgBbParams params(const FitResult& fit) {
  if (fit.estimates.size() != 4) {
    throw ModelError(
        fmt::format("bgbb: fit result has {} parameters, expected 4 (alpha, beta, gamma, delta)",
                    fit.estimates.size()));
  }
  BgBbParams p{fit.estimates[0], fit.estimates[1], fit.estimates[2], fit.estimates[3]};
  check_params(p);
  return p;
}

double expected_transactions(const BgBbParams& params, double n) {
  check_params(params);
  check_count(n, "n");
  if (n == 0) return 0.0;
  // FHS 2010 eq. 7, as the sum of P(alive at i) E[p] (no singularity at gamma = 1).
  return params.alpha / (params.alpha + params.beta) * std::exp(log_alive_sum(params, 0, n));
}

double p_alive(const BgBbParams& params, double x, double t_x, double n, double ahead) {
  check_params(params);
  check_customer(x, t_x, n);
  check_count(ahead, "ahead");
  // FHS 2010 eq. 11 (ahead = 1): B(α+x, β+n−x)/B(α,β) · B(γ, δ+n+ahead)/B(γ,δ) / L.
  const double num =
      log_beta(params.alpha + x, params.beta + n - x) - log_beta(params.alpha, params.beta) +
      log_beta(params.gamma, params.delta + n + ahead) - log_beta(params.gamma, params.delta);
  return std::exp(num - log_l(params, x, t_x, n));
}

double conditional_expected_transactions(const BgBbParams& params, double n_star, double x,
                                         double t_x, double n) {
  check_params(params);
  check_customer(x, t_x, n);
  check_count(n_star, "n_star");
  if (n_star == 0) return 0.0;
  // FHS 2010 eq. 13: (1/L) B(α+x+1, β+n−x)/B(α,β) · Σ_{i=1..n*} B(γ, δ+n+i)/B(γ,δ).
  const double lnum = log_beta(params.alpha + x + 1, params.beta + n - x) -
                      log_beta(params.alpha, params.beta) + log_alive_sum(params, n, n_star);
  return std::exp(lnum - log_l(params, x, t_x, n));
}

std::vector<double> conditional_expected_transactions(const BgBbParams& params, double n_star,
                                                      const RfmPatterns& patterns) {
  std::vector<double> out(patterns.size());
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    out[i] = conditional_expected_transactions(params, n_star, patterns.x[i], patterns.t_x[i],
                                               patterns.T[i]);
  }
  return out;
}

double p_n_transactions(const BgBbParams& params, double k, double n) {
  check_params(params);
  check_count(k, "x");
  check_count(n, "n");
  if (k > n) return 0.0;
  // FHS 2010 eq. 8: C(n,k) B(α+k, β+n−k)/B(α,β) B(γ, δ+n)/B(γ,δ)
  //   + Σ_{i=k}^{n−1} C(i,k) B(α+k, β+i−k)/B(α,β) B(γ+1, δ+i)/B(γ,δ).
  const double lb = log_beta(params.alpha, params.beta) + log_beta(params.gamma, params.delta);
  double acc = log_choose(n, k) + log_beta(params.alpha + k, params.beta + n - k) +
               log_beta(params.gamma, params.delta + n);
  for (double i = k; i < n; i += 1) {
    acc = log_sum_exp(acc, log_choose(i, k) + log_beta(params.alpha + k, params.beta + i - k) +
                               log_beta(params.gamma + 1, params.delta + i));
  }
  return std::exp(acc - lb);
}

double conditional_p_n_transactions(const BgBbParams& params, double k, double n_star, double x,
                                    double t_x, double n) {
  check_params(params);
  check_customer(x, t_x, n);
  check_count(k, "x_star");
  check_count(n_star, "n_star");
  if (k > n_star) return 0.0;
  const BgBbParams& p = params;
  const double lb = log_beta(p.alpha, p.beta) + log_beta(p.gamma, p.delta);
  const double log_like = log_l(p, x, t_x, n);
  // Alive through n, then k transactions in n* more opportunities (eq. 8 applied to the posterior).
  double acc = log_choose(n_star, k) + log_beta(p.alpha + x + k, p.beta + n - x + n_star - k) +
               log_beta(p.gamma, p.delta + n + n_star) - lb;
  for (double i = k; i < n_star; i += 1) {
    acc = log_sum_exp(acc, log_choose(i, k) + log_beta(p.alpha + x + k, p.beta + n - x + i - k) +
                               log_beta(p.gamma + 1, p.delta + n + i) - lb);
  }
  double prob = std::exp(acc - log_like);
  if (k == 0) {
    // Dropped out by n: 1 − (alive-through-n term)/L.
    const double alive_n =
        log_beta(p.alpha + x, p.beta + n - x) + log_beta(p.gamma, p.delta + n) - lb;
    prob += -std::expm1(alive_n - log_like);
  }
  return prob;
}

double dert(const BgBbParams& params, double d, double x, double t_x, double n) {
  check_params(params);
  check_customer(x, t_x, n);
  if (!(d > 0) || !std::isfinite(d)) {
    parameter_error("discount_rate", fmt::format("{}", d), "a positive finite discount rate");
  }
  // FHS 2010 eq. 14: (1/L) B(α+x+1, β+n−x)/B(α,β) Σ_{i>=1} B(γ, δ+n+i)/B(γ,δ) (1+d)^−i.
  const BgBbParams& p = params;
  const double log_disc = -std::log1p(d);
  double term = log_beta(p.gamma, p.delta + n + 1) - log_beta(p.gamma, p.delta) + log_disc;
  double acc = kNegInf;
  for (double i = 1; i < 1e7; i += 1) {
    acc = log_sum_exp(acc, term);
    if (term < acc - 40) break;  // remaining terms decrease geometrically: below 1e-17 relative
    const double v = p.delta + n + i;
    term += std::log(v / (p.gamma + v)) + log_disc;
  }
  const double lnum = log_beta(p.alpha + x + 1, p.beta + n - x) - log_beta(p.alpha, p.beta) + acc;
  return std::exp(lnum - log_l(p, x, t_x, n));
}

RfmPatterns simulate(const BgBbParams& params, std::span<const double> n, std::uint64_t seed) {
  check_params(params);
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> g_a(params.alpha, 1.0), g_b(params.beta, 1.0);
  std::gamma_distribution<double> g_g(params.gamma, 1.0), g_d(params.delta, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::vector<double> xs(n.size()), txs(n.size()), ns(n.begin(), n.end());
  for (std::size_t c = 0; c < n.size(); ++c) {
    check_count(n[c], "n");
    const double u = g_a(rng), v = g_b(rng), s = g_g(rng), t = g_d(rng);
    const double p = u / (u + v), theta = s / (s + t);
    double x = 0, t_x = 0;
    for (double i = 1; i <= n[c]; i += 1) {
      if (unif(rng) < theta) break;  // drops out at the start of opportunity i
      if (unif(rng) < p) {
        x += 1;
        t_x = i;
      }
    }
    xs[c] = x;
    txs[c] = t_x;
  }
  return compress_patterns(xs, txs, ns);
}

}  // namespace ltv::bg_bb
