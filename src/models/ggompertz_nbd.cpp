// Gamma-Gompertz/NBD model (Bemmaor & Glady 2012, Management Science 58(5) 1012-1021, "B&G";
// CLVTools ggomnbd). Derivations and numerical choices: docs/models-ggomnbd.md.
#include "ltv/models/ggompertz_nbd.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/digamma.hpp>

#include "ltv/error.hpp"
#include "math/de_quadrature.hpp"
#include "math/optimize.hpp"
#include "math/parallel.hpp"
#include "math/special.hpp"
#include "models/nbd_family.hpp"
#include "models/presearch.hpp"

namespace ltv::ggompertz_nbd {

namespace {

constexpr const char* kModel = "ggomnbd";
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
using Grad = std::array<double, 5>;  // d/d(r, alpha, b, s, beta)

void check_params(const GgompertzNbdParams& p) {
  const double v[5] = {p.r, p.alpha, p.b, p.s, p.beta};
  const char* names[5] = {"r", "alpha", "b", "s", "beta"};
  for (int i = 0; i < 5; ++i) {
    if (!(v[i] > 0) || !std::isfinite(v[i])) {
      throw ModelError(
          fmt::format("ggomnbd: parameter {} must be positive and finite, got {}", names[i], v[i]));
    }
  }
}

void check_patterns(const RfmPatterns& patterns) {
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    detail::nbd::check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
  }
}

double checked(double value, const char* what, const GgompertzNbdParams& p) {
  if (!std::isfinite(value)) {
    throw ModelError(
        fmt::format("ggomnbd: {} could not be computed for r={}, alpha={}, b={}, s={}, beta={}",
                    what, p.r, p.alpha, p.b, p.s, p.beta));
  }
  return value;
}

double log_sigmoid(double y) {
  return y > 0 ? -std::log1p(std::exp(-y)) : y - std::log1p(std::exp(y));
}
double sigmoid(double y) {
  return y >= 0 ? 1 / (1 + std::exp(-y)) : std::exp(y) / (1 + std::exp(y));
}
double softplus(double d) {
  if (d == kNegInf) return 0;
  return d > 0 ? d + std::log1p(std::exp(-d)) : std::log1p(std::exp(d));
}

/// ln S(t) = s ln(β / (β + e^{bt} − 1)) (B&G eq. (4), the gamma mixture of Gompertz survival
/// exp(−η(e^{bt} − 1))), with expm1 so that small b t keeps its digits.
double log_survival(const GgompertzNbdParams& p, double t) {
  const double bt = p.b * t;
  if (bt < 30) return -p.s * std::log1p(std::expm1(bt) / p.beta);
  return -p.s * (bt + std::log1p((p.beta - 1) * std::exp(-bt)) - std::log(p.beta));
}

/// The dead part of the likelihood relative to the alive part, with gradients:
///   alive = (α+T)^−A (β/(β+E_T))^s,  dead = b s β^s I,  I = ∫_{t_x}^T (α+τ)^−A (β+E_τ)^−(s+1)
///   e^{bτ} dτ,
/// A = r + x, E_τ = e^{bτ} − 1 (B&G eq. (8): the customer died at τ in (t_x, T]).
/// d = ln dead − ln alive. The integrand relative to (α+T)^−A (β+E_T)^−s is
///   exp ψ(τ),  ψ(τ) = A log1p((T−τ)/(α+τ)) − (s+1) ln(β+E_τ) + s ln(β+E_T) + bτ.
/// `g` receives E_τ[∂ ln integrand/∂θ] (weights ∝ integrand).
struct Dead {
  double d = kNegInf;
  Grad g{};
};

/// ln(β + e^{bτ} − 1) without overflow for large bτ and with its digits for small bτ.
double log_beta_expm1(double beta, double bt) {
  if (bt < 30) return std::log(beta + std::expm1(bt));
  return bt + std::log1p((beta - 1) * std::exp(-bt));
}

/// e^{bτ} / (β + e^{bτ} − 1) (in (0, ∞), → 1 for large bτ).
double gompertz_ratio(double beta, double bt) {
  if (bt < 30) return std::exp(bt) / (beta + std::expm1(bt));
  return 1 / (1 + (beta - 1) * std::exp(-bt));
}

/// The integrand of I relative to its scale and its five log-derivative weights.
struct Integrand {
  const GgompertzNbdParams& p;
  double A, T, l_bT, shift;
  double t_x = 0, w = 0;  ///< τ = t_x + e^u − w (the panels are in u; Jacobian e^u)
  /// ψ(τ), with −(s+1) ln(β+E_τ) + s ln(β+E_T) = s log1p((E_T − E_τ)/(β+E_τ)) − ln(β+E_τ) so
  /// that large s (s, β → ∞: a homogeneous Gompertz) does not cancel digits;
  /// E_T − E_τ = e^{bτ} expm1(b(T−τ)).
  double psi(double tau) const {
    const double l_be = log_beta_expm1(p.beta, p.b * tau);
    const double gap = std::exp(p.b * tau - l_be) * std::expm1(p.b * (T - tau));
    return A * std::log1p((T - tau) / (p.alpha + tau)) + p.s * std::log1p(gap) - l_be + p.b * tau;
  }
  void operator()(double u, bool want, std::array<double, 6>& out) const {
    const double eu = std::exp(u);
    const double tau = std::clamp(t_x + eu - w, t_x, T);
    const double f = std::exp(psi(tau) - shift + u);
    out[0] = f;
    if (!want) return;
    const double l_be = log_beta_expm1(p.beta, p.b * tau);
    out[1] = -f * std::log(p.alpha + tau);
    out[2] = -f * A / (p.alpha + tau);
    out[3] = f * (tau - (p.s + 1) * tau * gompertz_ratio(p.beta, p.b * tau));
    out[4] = -f * std::log1p(std::expm1(p.b * tau) / p.beta);  // ln β − ln(β+E_τ)
    out[5] = -f * (p.s + 1) * std::exp(-l_be);
  }
};

/// Adaptive 31-point Gauss-Kronrod on [lo, hi] with the embedded 15-point Gauss rule as the
/// error check, bisecting until the rules agree to 1e-13 of the whole integral (value) and 1e-10
/// (gradient sums, relative to their L1 size). Adds into `sum` and `l1`; false when the depth
/// runs out.
bool kronrod_panel(const Integrand& f, double lo, double hi, bool want, int depth, double scale,
                   std::array<double, 6>& sum, std::array<double, 6>& l1) {
  using Kronrod = boost::math::quadrature::gauss_kronrod<double, 31>;
  using Gauss = boost::math::quadrature::gauss<double, 15>;
  const auto& nodes = Kronrod::abscissa();
  const auto& wk = Kronrod::weights();
  const auto& wg = Gauss::weights();
  const double mid = 0.5 * (lo + hi), half = 0.5 * (hi - lo);
  std::array<double, 6> k{}, g{}, a{}, v{};
  const int parts = want ? 6 : 1;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (int sign = -1; sign <= 1; sign += 2) {
      if (i == 0 && sign == 1) continue;
      f(mid + sign * half * nodes[i], want, v);
      for (int j = 0; j < parts; ++j) {
        k[j] += wk[i] * v[j];
        a[j] += wk[i] * std::abs(v[j]);
        if (i % 2 == 0) g[j] += wg[i / 2] * v[j];
      }
    }
  }
  bool ok = std::isfinite(k[0]) && std::abs(k[0] - g[0]) * half <= 1e-13 * scale;
  for (int j = 1; j < parts && ok; ++j) {
    ok = std::isfinite(k[j]) && std::abs(k[j] - g[j]) <= 1e-10 * a[j] + 1e-300;
  }
  if (ok) {
    for (int j = 0; j < parts; ++j) {
      sum[j] += k[j] * half;
      l1[j] += a[j] * half;
    }
    return true;
  }
  if (depth <= 0 || !std::isfinite(k[0])) return false;
  return kronrod_panel(f, lo, mid, want, depth - 1, scale, sum, l1) &&
         kronrod_panel(f, mid, hi, want, depth - 1, scale, sum, l1);
}

/// I by adaptive Gauss-Kronrod in u = ln(w + τ − t_x), where w is the smaller of the two decay
/// scales of the integrand at t_x — (α+t_x)/A of the purchase factor and
/// (β+E_{t_x})/((s+1) b e^{b t_x}) of the Gompertz factor — so that a peak at t_x as narrow as w
/// spreads over an O(1) range of u.
bool integrate_kronrod(const GgompertzNbdParams& p, double A, double t_x, double T, bool want,
                       double& log_i, Grad& g) {
  Integrand f{p, A, T, log_beta_expm1(p.beta, p.b * T), 0.0};
  const double w_purchase = (p.alpha + t_x) / A;
  const double w_life = std::exp(log_beta_expm1(p.beta, p.b * t_x) - p.b * t_x) / ((p.s + 1) * p.b);
  f.t_x = t_x;
  f.w = std::min({w_purchase, w_life, T - t_x});
  if (!(f.w > 0) || !std::isfinite(f.w)) return false;
  const double u0 = std::log(f.w), u1 = std::log(f.w + T - t_x);
  // Scale: the largest ψ (with the Jacobian) on a coarse grid in u.
  double shift = -std::numeric_limits<double>::infinity();
  for (int i = 0; i <= 16; ++i) {
    const double u = u0 + (u1 - u0) * i / 16.0;
    shift = std::max(shift, f.psi(std::clamp(t_x + std::exp(u) - f.w, t_x, T)) + u);
  }
  if (!std::isfinite(shift)) return false;
  f.shift = shift;
  // A first estimate of the whole integral for the absolute tolerance of the panels.
  std::array<double, 6> sum{}, l1{};
  kronrod_panel(f, u0, u1, false, 0, std::numeric_limits<double>::infinity(), sum, l1);
  const double scale = sum[0];
  if (!(scale > 0) || !std::isfinite(scale)) return false;
  sum = {};
  l1 = {};
  if (!kronrod_panel(f, u0, u1, want, 12, scale, sum, l1)) return false;
  if (!(sum[0] > 0)) return false;
  if (want) {
    for (std::size_t j = 1; j < 6; ++j) g[j - 1] = sum[j] / sum[0];
  }
  log_i = std::log(sum[0]) + shift;
  return true;
}

/// The same integral by double-exponential quadrature in y, τ = t_x + (T − t_x) σ(y) (no
/// assumption on the integrand's shape beyond unimodality in y).
bool integrate_de(const GgompertzNbdParams& p, double A, double t_x, double T, bool want,
                  double& log_i, Grad& g) {
  const double width = T - t_x, log_width = std::log(width);
  auto eval = [&](double y, std::array<double, 6>& w) {
    const double s_y = sigmoid(y);
    const double tau = y <= 0 ? t_x + width * s_y : T - width * sigmoid(-y);
    const double l_be = log_beta_expm1(p.beta, p.b * tau);
    w[0] = 1;
    if (want) {
      w[1] = -std::log(p.alpha + tau);
      w[2] = -A / (p.alpha + tau);
      w[3] = tau - (p.s + 1) * tau * gompertz_ratio(p.beta, p.b * tau);
      w[4] = -std::log1p(std::expm1(p.b * tau) / p.beta);
      w[5] = -(p.s + 1) * std::exp(-l_be);
    }
    const double gap = std::exp(p.b * tau - l_be) * std::expm1(p.b * (T - tau));
    return A * std::log1p((T - tau) / (p.alpha + tau)) + p.s * std::log1p(gap) - l_be + p.b * tau +
           log_width + log_sigmoid(y) + log_sigmoid(-y);
  };
  auto phi = [&](double y) {
    std::array<double, 6> w{};
    return eval(y, w);
  };
  const double y_star = detail::find_mode(phi, -700.0, 40.0);
  const auto r = detail::de_integrate<6>(eval, y_star, detail::peak_width(phi, y_star));
  if (!(r.sums[0] > 0)) return false;
  if (want) {
    for (std::size_t j = 1; j < 6; ++j) g[j - 1] = r.sums[j] / r.sums[0];
  }
  log_i = r.log_scale + std::log(r.sums[0]);
  return true;
}

Dead dead_part(const GgompertzNbdParams& p, double x, double t_x, double T, bool want) {
  Dead out;
  if (!(T > t_x)) return out;  // t_x = T: cannot have died in (t_x, T]
  const double A = p.r + x;
  double log_i = 0;
  Grad g{};
  if (!integrate_kronrod(p, A, t_x, T, want, log_i, g) &&
      !integrate_de(p, A, t_x, T, want, log_i, g)) {
    out.d = std::numeric_limits<double>::quiet_NaN();
    return out;
  }
  // ln dead − ln alive = ln b + ln s + ln I_rel (the β^s of dead and alive cancel against the
  // s ln(β+E_T) inside ψ).
  out.d = std::log(p.b) + std::log(p.s) + log_i;
  if (want) {
    out.g = g;
    out.g[2] += 1 / p.b;
    out.g[3] += 1 / p.s;  // the ln β of s ln β is inside the weights (ln β − ln(β+E_τ))
    out.g[4] += p.s / p.beta;
  }
  return out;
}

struct XCache {
  double x = -1, lg = 0, dg = 0;
};

/// ln L = lnΓ(r+x) − lnΓ(r) + r ln α + ln alive + softplus(d) (B&G eq. (8)), gradient by
/// ∂ln L = ∂c + w_alive ∂ln alive + w_dead ∂ln dead, w = softmax.
double log_likelihood_one(const GgompertzNbdParams& p, double x, double t_x, double T, Grad* grad,
                          XCache& cache) {
  const bool want = grad != nullptr;
  if (cache.x != x) {
    cache.x = x;
    cache.lg = detail::log_gamma_ratio(p.r, x);
    cache.dg = want
                   ? detail::digamma_ratio(p.r, x, [](double v) { return boost::math::digamma(v); })
                   : 0.0;
  }
  const double A = p.r + x;
  const double l_beT = log_beta_expm1(p.beta, p.b * T);
  const double log_alive =
      -p.r * std::log1p(T / p.alpha) - x * std::log(p.alpha + T) + log_survival(p, T);
  const Dead dead = dead_part(p, x, t_x, T, want);
  if (std::isnan(dead.d)) return std::numeric_limits<double>::quiet_NaN();
  if (want) {
    const double w_dead = dead.d == kNegInf ? 0.0 : sigmoid(dead.d);
    const double w_alive = dead.d == kNegInf ? 1.0 : sigmoid(-dead.d);
    // ln alive + r ln α: ∂/∂(r, α, b, s, β).
    const Grad g_alive = {
        -std::log(p.alpha + T), -A / (p.alpha + T), -p.s * T * gompertz_ratio(p.beta, p.b * T),
        -std::log1p(std::expm1(p.b * T) / p.beta), p.s / p.beta - p.s * std::exp(-l_beT)};
    const Grad g_c = {cache.dg + std::log(p.alpha), p.r / p.alpha, 0, 0, 0};
    for (std::size_t k = 0; k < 5; ++k) {
      (*grad)[k] = g_c[k] + w_alive * g_alive[k] + (w_dead > 0 ? w_dead * dead.g[k] : 0.0);
    }
  }
  return cache.lg + log_alive + softplus(dead.d);
}

struct Sums {
  double ll = 0;
  Grad g{};
  bool failed = false;
  Sums& operator+=(const Sums& o) {
    ll += o.ll;
    for (std::size_t k = 0; k < 5; ++k) g[k] += o.g[k];
    failed = failed || o.failed;
    return *this;
  }
};

double sum_ll(const GgompertzNbdParams& p, const RfmPatterns& pat, Grad* grad) {
  const bool want = grad != nullptr;
  const Sums total =
      detail::chunked_sum<Sums>(pat.size(), 256, [&](std::size_t begin, std::size_t end) {
        Sums s;
        XCache cache;
        for (std::size_t i = begin; i < end; ++i) {
          Grad g{};
          const double ll =
              log_likelihood_one(p, pat.x[i], pat.t_x[i], pat.T[i], want ? &g : nullptr, cache);
          if (!std::isfinite(ll)) s.failed = true;
          s.ll += pat.weight[i] * ll;
          for (std::size_t k = 0; k < 5; ++k) s.g[k] += pat.weight[i] * g[k];
        }
        return s;
      });
  if (grad != nullptr) *grad = total.g;
  if (total.failed || !std::isfinite(total.ll)) return kNegInf;
  return total.ll;
}

/// ∫_0^t S(u) du by adaptive Gauss-Kronrod (S is smooth and decreasing, in (0, 1]).
double integrated_survival(const GgompertzNbdParams& p, double t) {
  if (t <= 0) return 0.0;
  auto f = [&](double u) { return std::exp(log_survival(p, u)); };
  double error = 0;
  const double v =
      boost::math::quadrature::gauss_kronrod<double, 31>::integrate(f, 0.0, t, 15, 1e-13, &error);
  return v;
}

/// The posterior model of a customer alive at T: λ ~ Gamma(r+x, α+T) and a remaining lifetime
/// with hazard η e^{bT} b e^{bu}, η | alive ~ Gamma(s, β + E_T), i.e. a Gompertz scale
/// η' = η e^{bT} ~ Gamma(s, (β + E_T) e^{−bT}).
GgompertzNbdParams posterior(const GgompertzNbdParams& p, double x, double T) {
  return {p.r + x, p.alpha + T, p.b, p.s, std::exp(log_beta_expm1(p.beta, p.b * T) - p.b * T)};
}

double log_p_alive(const GgompertzNbdParams& p, double x, double t_x, double T) {
  const Dead dead = dead_part(p, x, t_x, T, false);
  return -softplus(dead.d);
}

double nb_log_pmf(double r, double alpha, double n, double t) {
  return detail::log_gamma_ratio(r, n) - detail::log_gamma(n + 1) - r * std::log1p(t / alpha) +
         (n > 0 ? n * (std::log(t) - std::log(alpha + t)) : 0.0);
}

double pmf(const GgompertzNbdParams& p, double n, double t) {
  if (t <= 0) return n == 0 ? 1.0 : 0.0;
  // Alive through t, or died at τ in (0, t] with f(τ) = s b e^{bτ} β^s (β+E_τ)^−(s+1) (B&G eq.
  // (5)):
  //   P(X(t)=n) = NB(n; t) S(t) + ∫_0^t NB(n; τ) f(τ) dτ.
  const double first = std::exp(nb_log_pmf(p.r, p.alpha, n, t) + log_survival(p, t));
  auto f = [&](double tau) {
    if (tau <= 0) return n == 0 ? std::exp(std::log(p.s) + std::log(p.b) - std::log(p.beta)) : 0.0;
    const double log_f = std::log(p.s) + std::log(p.b) + p.b * tau + p.s * std::log(p.beta) -
                         (p.s + 1) * log_beta_expm1(p.beta, p.b * tau);
    return std::exp(nb_log_pmf(p.r, p.alpha, n, tau) + log_f);
  };
  double error = 0;
  const double second =
      boost::math::quadrature::gauss_kronrod<double, 31>::integrate(f, 0.0, t, 15, 1e-12, &error);
  return std::min(1.0, first + second);
}

void check_n(double n) {
  if (!std::isfinite(n) || n < 0 || n != std::floor(n)) {
    input_error(SourceLocation{"", 0, "n"}, fmt::format("{}", n), "a whole number >= 0");
  }
}

}  // namespace

double log_likelihood(const GgompertzNbdParams& params, double x, double t_x, double T) {
  check_params(params);
  detail::nbd::check_customer(x, t_x, T);
  XCache cache;
  return checked(log_likelihood_one(params, x, t_x, T, nullptr, cache), "log-likelihood", params);
}

double log_likelihood(const GgompertzNbdParams& params, const RfmPatterns& patterns) {
  check_params(params);
  check_patterns(patterns);
  return checked(sum_ll(params, patterns, nullptr), "log-likelihood", params);
}

double log_likelihood(const GgompertzNbdParams& params, const RfmPatterns& patterns,
                      std::span<double, 5> gradient) {
  check_params(params);
  check_patterns(patterns);
  Grad g{};
  const double ll = checked(sum_ll(params, patterns, &g), "log-likelihood", params);
  std::copy(g.begin(), g.end(), gradient.begin());
  return ll;
}

FitResult fit(const RfmPatterns& patterns, const FitOptions& options) {
  if (patterns.size() == 0 || !(patterns.customers() > 0)) {
    input_error(SourceLocation{"", 0, "x"}, "no customers", "at least one customer to fit ggomnbd");
  }
  check_patterns(patterns);
  double sum_w = 0, sum_T = 0;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    sum_w += patterns.weight[i];
    sum_T += patterns.weight[i] * patterns.T[i];
  }
  const double mean_T = sum_T / sum_w;
  if (!(mean_T > 0)) {
    input_error(SourceLocation{"", 0, "T"}, "all T = 0", "customers observed for some time T > 0");
  }
  detail::MaximizeProblem problem;
  problem.model = kModel;
  problem.names = {"r", "alpha", "b", "s", "beta"};
  problem.n_customers = sum_w;
  problem.n_patterns = patterns.size();
  // Starts in the data's time scale: near the Pareto/NBD limit (β/b plays Pareto's β), and one
  // with a marked Gompertz ageing (b T̄ = 1).
  problem.starts = {{1.0, mean_T, 0.1 / mean_T, 1.0, 0.1},
                    {0.5, mean_T / 3, 1.0 / mean_T, 0.5, 1.0},
                    {1.0, mean_T, 0.01 / mean_T, 0.5, 0.01}};
  const auto ll = [](const RfmPatterns& data, std::span<const double> th, std::span<double> g) {
    const GgompertzNbdParams p{th[0], th[1], th[2], th[3], th[4]};
    Grad gr{};
    const double v = sum_ll(p, data, g.empty() ? nullptr : &gr);
    if (!g.empty()) std::copy(gr.begin(), gr.end(), g.begin());
    return v;
  };
  problem.log_likelihood = [&patterns, ll](std::span<const double> th, std::span<double> g) {
    return ll(patterns, th, g);
  };
  problem.presearch = detail::presearch_problem(problem, patterns, ll);
  FitResult f = detail::maximize_likelihood(problem, options);
  if (f.hessian_singular) {
    const double ratio = f.estimates[4] / f.estimates[2];
    if (!f.message.empty()) f.message += "; ";
    f.message += fmt::format(
        "(b, beta) lie on the ridge towards the Pareto/NBD limit (b -> 0 with beta / b = {:.4g} "
        "fixed): b and beta are not identified separately on this data",
        ratio);
  }
  return f;
}

GgompertzNbdParams params(const FitResult& fit) {
  if (fit.estimates.size() != 5 || (!fit.model.empty() && fit.model != kModel)) {
    throw ModelError(fmt::format(
        "ggomnbd: fit result of model '{}' with {} parameters, expected ggomnbd (r, alpha, b, s, "
        "beta)",
        fit.model, fit.estimates.size()));
  }
  GgompertzNbdParams p{fit.estimates[0], fit.estimates[1], fit.estimates[2], fit.estimates[3],
                       fit.estimates[4]};
  check_params(p);
  return p;
}

double survival(const GgompertzNbdParams& params, double t) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  return std::exp(log_survival(params, t));
}

double expected_transactions(const GgompertzNbdParams& params, double t) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  // E[X(t)] = E[λ] E[min(τ, t)] = (r/α) ∫_0^t S(u) du (B&G eq. (6), integrated by parts).
  return checked(params.r / params.alpha * integrated_survival(params, t), "E[X(t)]", params);
}

double p_alive(const GgompertzNbdParams& params, double x, double t_x, double T) {
  check_params(params);
  detail::nbd::check_customer(x, t_x, T);
  // alive / (alive + dead) (B&G eq. (9)).
  return checked(std::exp(log_p_alive(params, x, t_x, T)), "P(alive)", params);
}

double conditional_expected_transactions(const GgompertzNbdParams& params, double t, double x,
                                         double t_x, double T) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  detail::nbd::check_customer(x, t_x, T);
  // B&G eq. (10): P(alive) times the expected purchases of the posterior model.
  if (t == 0) return 0.0;
  const GgompertzNbdParams post = posterior(params, x, T);
  const double if_alive = post.r / post.alpha * integrated_survival(post, t);
  return checked(std::exp(log_p_alive(params, x, t_x, T)) * if_alive, "CET", params);
}

std::vector<double> conditional_expected_transactions(const GgompertzNbdParams& params, double t,
                                                      const RfmPatterns& patterns) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  check_patterns(patterns);
  std::vector<double> out(patterns.size());
  detail::parallel_for(patterns.size(), [&](std::size_t i) {
    out[i] =
        conditional_expected_transactions(params, t, patterns.x[i], patterns.t_x[i], patterns.T[i]);
  });
  return out;
}

double p_n_transactions(const GgompertzNbdParams& params, double n, double t) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  check_n(n);
  return checked(pmf(params, n, t), "P(X(t) = n)", params);
}

double conditional_p_n_transactions(const GgompertzNbdParams& params, double n, double t, double x,
                                    double t_x, double T) {
  check_params(params);
  detail::nbd::check_time(t, "t");
  check_n(n);
  detail::nbd::check_customer(x, t_x, T);
  const double alive = std::exp(log_p_alive(params, x, t_x, T));
  const double value = alive * pmf(posterior(params, x, T), n, t) + (n == 0 ? 1 - alive : 0.0);
  return checked(value, "conditional P(X = n)", params);
}

double dert(const GgompertzNbdParams& params, double delta, double x, double t_x, double T) {
  check_params(params);
  detail::nbd::check_customer(x, t_x, T);
  if (!(delta > 0) || !std::isfinite(delta)) {
    input_error(SourceLocation{"", 0, "delta"}, fmt::format("{}", delta),
                "a continuous discount rate > 0 per time unit");
  }
  // ∫_0^∞ e^{−δu} (expected purchase rate at T+u) du = P(alive) (r+x)/(α+T) ∫ e^{−δu} S*(u) du,
  // in v = δu (exp-sinh quadrature of a positive, decreasing integrand).
  const GgompertzNbdParams post = posterior(params, x, T);
  thread_local boost::math::quadrature::exp_sinh<double> integrator(9);
  auto f = [&](double v) { return std::exp(-v + log_survival(post, v / delta)); };
  const double integral = integrator.integrate(f, 1e-12) / delta;
  return checked(std::exp(log_p_alive(params, x, t_x, T)) * post.r / post.alpha * integral, "DERT",
                 params);
}

RfmPatterns simulate(const GgompertzNbdParams& params, std::span<const double> T,
                     std::uint64_t seed) {
  check_params(params);
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_dist(params.r, 1 / params.alpha);
  std::gamma_distribution<double> eta_dist(params.s, 1 / params.beta);
  std::exponential_distribution<double> unit_exp(1.0);
  std::vector<double> xs(T.size()), txs(T.size());
  for (std::size_t i = 0; i < T.size(); ++i) {
    detail::nbd::check_time(T[i], "T");
    const double lambda = lambda_dist(rng);
    const double eta = eta_dist(rng);
    // Inverse of the cumulative hazard η (e^{bτ} − 1) at a unit exponential.
    const double lifetime = eta > 0 ? std::log1p(unit_exp(rng) / eta) / params.b
                                    : std::numeric_limits<double>::infinity();
    const double end = std::min(lifetime, T[i]);
    double x = 0, t_x = 0, now = 0;
    if (lambda > 0) {
      std::exponential_distribution<double> gap(lambda);
      while (true) {
        now += gap(rng);
        if (now > end) break;
        ++x;
        t_x = now;
      }
    }
    xs[i] = x;
    txs[i] = t_x;
  }
  return compress_patterns(xs, txs, T);
}

}  // namespace ltv::ggompertz_nbd
