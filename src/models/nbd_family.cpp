#include "models/nbd_family.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>

#include "ltv/error.hpp"
#include "math/optimize.hpp"
#include "math/parallel.hpp"
#include "math/special.hpp"
#include "models/presearch.hpp"

namespace ltv::detail::nbd {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();

double digamma(double v) {
  return boost::math::digamma(v);
}

/// ln of P(N >= n) for N ~ NegBin(r, success probability 1 - z) counting failures with
/// probability z: I_z(n, r) (regularised incomplete beta). n = 0 gives 0.
double log_nb_tail(double n, double r, double z) {
  if (n <= 0) return 0.0;
  if (z <= 0) return kNegInf;
  return std::log(boost::math::ibeta(n, r, z));
}

/// E[h(p, 1 − p)] for p ~ Beta(a, b) by tanh-sinh quadrature, split at p = 1/2 so that both p and
/// q = 1 − p are exact near the end points. An end point with exponent a < 1 (b < 1) is
/// integrable but singular, with mass spread over many decades of p (for a = 0.02 down to
/// p ~ 1e-100); there we substitute p = u^(1/a) (q = w^(1/b)), which absorbs p^(a−1) dp = du / a
/// and leaves a bounded integrand. h must be bounded and accept p = 0 (or q = 0).
template <class H>
double beta_expectation(H h, double a, double b) {
  thread_local boost::math::quadrature::tanh_sinh<double> integrator(12);
  const double lb = log_beta(a, b);
  const double tol = 1e-13;
  double left = 0, right = 0;
  if (a < 1) {
    auto f = [&](double u) -> double {
      const double lp = std::log(u) / a;  // log p
      const double q = -std::expm1(lp);
      return h(std::exp(lp), q) * std::exp((b - 1) * std::log(q) - lb) / a;
    };
    left = integrator.integrate(f, 0.0, std::exp2(-a), tol);
  } else {
    auto f = [&](double p) -> double {
      if (p <= 0) return 0.0;
      return h(p, 1.0 - p) * std::exp((a - 1) * std::log(p) + (b - 1) * std::log1p(-p) - lb);
    };
    left = integrator.integrate(f, 0.0, 0.5, tol);
  }
  if (b < 1) {
    auto f = [&](double w) -> double {
      const double lq = std::log(w) / b;  // log q
      const double p = -std::expm1(lq);
      return h(p, std::exp(lq)) * std::exp((a - 1) * std::log(p) - lb) / b;
    };
    right = integrator.integrate(f, 0.0, std::exp2(-b), tol);
  } else {
    auto f = [&](double q) -> double {
      if (q <= 0) return 0.0;
      return h(1.0 - q, q) * std::exp((a - 1) * std::log1p(-q) + (b - 1) * std::log(q) - lb);
    };
    right = integrator.integrate(f, 0.0, 0.5, tol);
  }
  return left + right;
}

}  // namespace

void check_params(const Params& p, const char* model) {
  const double v[4] = {p.r, p.alpha, p.a, p.b};
  const char* n[4] = {"r", "alpha", "a", "b"};
  for (int i = 0; i < 4; ++i) {
    if (!(v[i] > 0) || !std::isfinite(v[i])) {
      throw ModelError(
          fmt::format("{}: parameter {} must be positive and finite, got {}", model, n[i], v[i]));
    }
  }
}

void check_customer(double x, double t_x, double T) {
  if (!std::isfinite(x) || x < 0 || x != std::floor(x)) {
    input_error(SourceLocation{"", 0, "x"}, fmt::format("{}", x),
                "a whole number of repeat transactions >= 0");
  }
  if (!std::isfinite(T) || T < 0)
    input_error(SourceLocation{"", 0, "T"}, fmt::format("{}", T), "a finite time >= 0");
  if (!std::isfinite(t_x) || t_x < 0 || t_x > T * (1 + 1e-9) + 1e-12) {
    input_error(SourceLocation{"", 0, "t_x"}, fmt::format("{}", t_x),
                fmt::format("a time in [0, T = {}]", T));
  }
}

void check_time(double t, const char* name) {
  if (!std::isfinite(t) || t < 0) {
    input_error(SourceLocation{"", 0, name}, fmt::format("{}", t), "a finite time >= 0");
  }
}

// ---- likelihood ---------------------------------------------------------------------------------
//
// FHL 2005 eq. 6 (m = 0), Batislam et al. 2007 (m = 1), with k = x + m dropout opportunities:
//   L = Γ(r+x) α^r / Γ(r) · [ B(a, b+k)/B(a,b) (α+T)^-(r+x) + 1{k>0} B(a+1, b+k-1)/B(a,b)
//   (α+t_x)^-(r+x) ]
// ln L = lnΓ(r+x) − lnΓ(r) + r ln α + LSE(c1, c2).

namespace {

/// Sums of the log-likelihood and its gradient over patterns [begin, end).
struct LlSums {
  double ll = 0, r = 0, alpha = 0, a = 0, b = 0;
  LlSums& operator+=(const LlSums& o) {
    ll += o.ll;
    r += o.r;
    alpha += o.alpha;
    a += o.a;
    b += o.b;
    return *this;
  }
};

LlSums log_likelihood_range(const Params& p, int m, const RfmPatterns& pat, bool want,
                            std::size_t begin, std::size_t end) {
  const double r = p.r, alpha = p.alpha, a = p.a, b = p.b;
  const double log_alpha = std::log(alpha), log_a = std::log(a);
  // Large shapes (r, α → ∞: Poisson purchases; b → ∞: no drop-out) are the limits fits often
  // approach. There r ln α and (r+x) ln(α+T), or lnΓ(r+x) and lnΓ(r), cancel to ~1e-8, so the
  // terms are formed as differences directly: lnΓ ratios and ψ differences by Stirling's series
  // (special.hpp), r ln(α/(α+T)) by log1p.
  const bool large_r = r > 64;
  // Per-x cache (patterns are sorted by x, so runs of equal x share these terms).
  double cached_x = -1;
  double lg_ratio = 0, lb1 = 0, lb2 = 0, psi_ratio = 0, dc1a = 0, dc2a = 0, dc1b = 0, dc2b = 0;
  LlSums s;
  for (std::size_t i = begin; i < end; ++i) {
    const double x = pat.x[i], t_x = pat.t_x[i], T = pat.T[i], w = pat.weight[i];
    const double k = x + m;
    if (x != cached_x) {
      cached_x = x;
      lg_ratio = log_gamma_ratio(r, x);
      // ln B(a, b+k) - ln B(a, b) and ln B(a+1, b+k-1) - ln B(a, b) as lnΓ ratios.
      const double lg_bk = log_gamma_ratio(b, k), lg_abk = log_gamma_ratio(a + b, k);
      lb1 = lg_bk - lg_abk;
      lb2 = k > 0 ? log_a + log_gamma_ratio(b, k - 1) - lg_abk : kNegInf;
      if (want) {
        psi_ratio = digamma_ratio(r, x, digamma);
        const double d_bk = digamma_ratio(b, k, digamma);       // ψ(b+k) - ψ(b)
        const double d_abk = digamma_ratio(a + b, k, digamma);  // ψ(a+b+k) - ψ(a+b)
        dc1a = -d_abk;
        dc2a = 1.0 / a - d_abk;
        dc1b = d_bk - d_abk;
        dc2b = k > 0 ? d_bk - 1.0 / (b + k - 1) - d_abk : 0.0;
      }
    }
    const double l_T = std::log(alpha + T);
    // r ln(α/(α+T)) - x ln(α+T): the r ln α of the constant folded into each term.
    const double c1 =
        lb1 + (large_r ? -r * std::log1p(T / alpha) : r * (log_alpha - l_T)) - x * l_T;
    // ln L = lnΓ(r+x) − lnΓ(r) + LSE(c1, c2); the weights of the two terms in the gradient,
    // w1 = e^(c1−LSE) and w2 = e^(c2−LSE), come from the same exponential as the LSE.
    double lse = c1, w1 = 1, w2 = 0, l_tx = 0;
    if (k > 0) {
      l_tx = std::log(alpha + t_x);
      const double c2 =
          lb2 + (large_r ? -r * std::log1p(t_x / alpha) : r * (log_alpha - l_tx)) - x * l_tx;
      const double e = std::exp(-std::abs(c1 - c2));  // e^(min − max), in (0, 1]
      lse = std::max(c1, c2) + std::log(1 + e);       // 1 + e in (1, 2]: log is exact enough
      const double w_max = 1 / (1 + e), w_min = e * w_max;
      w1 = c1 >= c2 ? w_max : w_min;
      w2 = c1 >= c2 ? w_min : w_max;
    }
    s.ll += w * (lg_ratio + lse);
    if (want) {
      s.r += w * (psi_ratio + log_alpha - w1 * l_T - w2 * l_tx);
      s.alpha += w * (r / alpha - (r + x) * (w1 / (alpha + T) + w2 / (alpha + t_x)));
      s.a += w * (w1 * dc1a + w2 * dc2a);
      s.b += w * (w1 * dc1b + w2 * dc2b);
    }
  }
  return s;
}

}  // namespace

double log_likelihood_one(const Params& p, int m, double x, double t_x, double T) {
  RfmPatterns one;
  one.x = {x};
  one.t_x = {t_x};
  one.T = {T};
  one.weight = {1.0};
  return log_likelihood_range(p, m, one, false, 0, 1).ll;
}

double log_likelihood(const Params& p, int m, const RfmPatterns& pat, std::span<double> gradient) {
  const bool want = !gradient.empty();
  // Fixed chunks (not one per thread) so that the sum is the same on any number of cores.
  const LlSums total =
      chunked_sum<LlSums>(pat.size(), 4096, [&](std::size_t begin, std::size_t end) {
        return log_likelihood_range(p, m, pat, want, begin, end);
      });
  if (want) {
    gradient[0] = total.r;
    gradient[1] = total.alpha;
    gradient[2] = total.a;
    gradient[3] = total.b;
  }
  return total.ll;
}

// ---- expectations -------------------------------------------------------------------------------

double expected_if_alive(double r, double alpha, double a, double b, double t) {
  if (t <= 0) return 0.0;
  const double scale = t / alpha;
  // h(p) = (1/p)(1 − (α/(α+pt))^r) = scale (1 − (1+y)^−r) / y with y = p t/α; bounded by r·scale.
  auto h = [&](double p, double) -> double {
    const double y = p * scale;
    if (y < 1e-8) return scale * r * (1 - 0.5 * (r + 1) * y);
    return -std::expm1(-r * std::log1p(y)) / p;
  };
  return beta_expectation(h, a, b);
}

double expected_transactions(const Params& p, int m, double t) {
  // FHL 2005 eq. 9 (m = 0); MBG/NBD: (b/(a+b)) times the same with b+1 (BTYDplus mbgnbd).
  const double alive0 = m == 0 ? 1.0 : std::exp(log_beta(p.a, p.b + m) - log_beta(p.a, p.b));
  return alive0 * expected_if_alive(p.r, p.alpha, p.a, p.b + m, t);
}

double p_alive(const Params& p, int m, double x, double t_x, double T) {
  // FHL 2005 (note "Computing P(alive)"): 1 / (1 + 1{k>0} a/(b+k−1) ((α+T)/(α+t_x))^(r+x)).
  const double k = x + m;
  if (k <= 0) return 1.0;
  const double z =
      std::log(p.a / (p.b + k - 1)) + (p.r + x) * std::log1p((T - t_x) / (p.alpha + t_x));
  return std::exp(-log1p_exp(z));
}

double conditional_expected_transactions(const Params& p, int m, double t, double x, double t_x,
                                         double T) {
  // FHL 2005 eq. 10: P(alive) · E[purchases in (T, T+t] | alive], where the posterior given alive
  // is lambda ~ Gamma(r+x, α+T), p ~ Beta(a, b+k).
  if (t <= 0) return 0.0;
  const double alive = p_alive(p, m, x, t_x, T);
  return alive * expected_if_alive(p.r + x, p.alpha + T, p.a, p.b + x + m, t);
}

double p_n_transactions(const Params& p, int m, double n, double t) {
  // FHL 2005 eq. 8 (m = 0); with k = n + m:
  //   P(X(t)=n) = B(a,b+k)/B(a,b) NB(n; r, α/(α+t)) + 1{k>0} B(a+1,b+k−1)/B(a,b) P(NB >= n).
  if (t <= 0) return n == 0 ? 1.0 : 0.0;
  const double k = n + m;
  const double lb = log_beta(p.a, p.b);
  const double log_z = std::log(t / (p.alpha + t));
  const double log_nb = log_gamma(p.r + n) - log_gamma(p.r) - log_gamma(n + 1) +
                        p.r * std::log(p.alpha / (p.alpha + t)) + (n > 0 ? n * log_z : 0.0);
  const double t1 = log_beta(p.a, p.b + k) - lb + log_nb;
  const double t2 =
      k > 0 ? log_beta(p.a + 1, p.b + k - 1) - lb + log_nb_tail(n, p.r, t / (p.alpha + t))
            : kNegInf;
  return std::exp(log_sum_exp(t1, t2));
}

double conditional_p_n_transactions(const Params& p, int m, double n, double t, double x,
                                    double t_x, double T) {
  // Fader & Hardie, "Deriving the conditional PMF of the BG/NBD model" (2006), generalised to
  // k = x + m. Common factors α^r/(Γ(r)B(a,b)) cancel between numerator and L.
  if (t <= 0) return n == 0 ? 1.0 : 0.0;
  const double k = x + m;
  const double lg_rx = log_gamma(p.r + x);
  const double l_T = std::log(p.alpha + T), l_tx = std::log(p.alpha + t_x);
  const double dead = k > 0 ? log_beta(p.a + 1, p.b + k - 1) + lg_rx - (p.r + x) * l_tx : kNegInf;
  const double log_l = log_sum_exp(log_beta(p.a, p.b + k) + lg_rx - (p.r + x) * l_T, dead);
  // Dead before T (only for n = 0).
  const double term_a = n == 0 ? dead : kNegInf;
  // Alive at T, n purchases in (T, T+t], still alive at the end.
  const double term_b = log_beta(p.a, p.b + k + n) + (n > 0 ? n * std::log(t) : 0.0) -
                        log_gamma(n + 1) + log_gamma(p.r + x + n) -
                        (p.r + x + n) * std::log(p.alpha + T + t);
  // Alive at T, dropped out right after the n-th purchase in (T, T+t].
  const double term_c = n > 0 ? log_beta(p.a + 1, p.b + k + n - 1) + lg_rx - (p.r + x) * l_T +
                                    log_nb_tail(n, p.r + x, t / (p.alpha + T + t))
                              : kNegInf;
  return std::exp(log_sum_exp(log_sum_exp(term_a, term_b), term_c) - log_l);
}

double dert(const Params& p, int m, double delta, double x, double t_x, double T) {
  // ∫_0^∞ e^{−δs} (rate of purchases at T+s) ds = P(alive) E[λ/(δ+λp)] over the posterior given
  // alive: λ ~ Gamma(r+x, α+T), p ~ Beta(a, b+k). For fixed p, with E[λ e^{−λc}] =
  // (shape/rate)(rate/(rate+c))^(shape+1):
  //   E_λ[λ/(δ+λp)] = ∫_0^∞ e^{−δs} (shape/rate) (1 + p s/rate)^−(shape+1) ds,
  // a positive integrand (no cancellation); s is scaled by its initial decay rate
  // κ = δ + p (shape+1)/rate so that exp-sinh sees a unit scale for every customer (x up to 1e4).
  const double alive = p_alive(p, m, x, t_x, T);
  const double shape = p.r + x, rate = p.alpha + T, a = p.a, b = p.b + x + m;
  thread_local boost::math::quadrature::exp_sinh<double> inner(9);
  auto g = [&](double pp, double) -> double {
    const double kappa = delta + pp * (shape + 1) / rate;
    auto h = [&](double v) -> double {
      return std::exp(-delta * v / kappa - (shape + 1) * std::log1p(pp * v / (kappa * rate)));
    };
    return shape / rate / kappa * inner.integrate(h, 1e-12);
  };
  return alive * beta_expectation(g, a, b);
}

// ---- fitting ------------------------------------------------------------------------------------

FitResult fit(const RfmPatterns& patterns, const FitOptions& options, int m, const char* model) {
  if (patterns.size() == 0 || !(patterns.customers() > 0)) {
    input_error(SourceLocation{"", 0, "x"}, "no customers",
                fmt::format("at least one customer to fit {}", model));
  }
  double sum_w = 0, sum_x = 0, sum_T = 0;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
    sum_w += patterns.weight[i];
    sum_x += patterns.weight[i] * patterns.x[i];
    sum_T += patterns.weight[i] * patterns.T[i];
  }
  if (!(sum_T > 0)) {
    input_error(SourceLocation{"", 0, "T"}, "all T = 0",
                "customers observed for some time (T > 0)");
  }
  MaximizeProblem problem;
  problem.model = model;
  problem.names = {"r", "alpha", "a", "b"};
  problem.n_customers = sum_w;
  problem.n_patterns = patterns.size();
  const auto ll = [m](const RfmPatterns& data, std::span<const double> th, std::span<double> g) {
    return log_likelihood(Params{th[0], th[1], th[2], th[3]}, m, data, g);
  };
  problem.log_likelihood = [&patterns, ll](std::span<const double> th, std::span<double> g) {
    return ll(patterns, th, g);
  };
  // Time scale: with log-parameters a change of time unit only shifts log α, so the data's own
  // scale enters through the starts: α ≈ r · mean(T) / mean(x) matches the mean purchase rate.
  const double mean_T = sum_T / sum_w;
  const double rate = std::max(sum_x / sum_w, 0.05) / mean_T;
  problem.starts = {
      {1.0, 1.0 / rate, 1.0, 1.0}, {0.5, 0.5 / rate, 0.5, 2.0}, {2.0, 2.0 / rate, 2.0, 5.0}};
  problem.presearch = presearch_problem(problem, patterns, ll);
  return maximize_likelihood(problem, options);
}

Params params_from(const FitResult& fit, const char* model) {
  if (fit.estimates.size() != 4) {
    throw ModelError(fmt::format("{}: fit result has {} parameters, expected 4 (r, alpha, a, b)",
                                 model, fit.estimates.size()));
  }
  Params p{fit.estimates[0], fit.estimates[1], fit.estimates[2], fit.estimates[3]};
  check_params(p, model);
  return p;
}

RfmPatterns simulate(const Params& p, int m, std::span<const double> T, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_dist(p.r, 1.0 / p.alpha);
  std::gamma_distribution<double> ga(p.a, 1.0), gb(p.b, 1.0);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  std::vector<double> xs(T.size()), txs(T.size());
  for (std::size_t i = 0; i < T.size(); ++i) {
    const double lambda = lambda_dist(rng);
    const double u = ga(rng), v = gb(rng);
    const double drop = u / (u + v);
    double x = 0, t_x = 0, t = 0;
    bool alive = !(m == 1 && unif(rng) < drop);
    while (alive) {
      t += std::exponential_distribution<double>(lambda)(rng);
      if (t > T[i]) break;
      x += 1;
      t_x = t;
      if (unif(rng) < drop) alive = false;
    }
    xs[i] = x;
    txs[i] = t_x;
  }
  return compress_patterns(xs, txs, T);
}

}  // namespace ltv::detail::nbd
