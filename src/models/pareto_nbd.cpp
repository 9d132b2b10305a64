// Pareto/NBD model (Schmittlein, Morrison & Colombo 1987), in the forms of Fader & Hardie (2005),
// "A Note on Deriving the Pareto/NBD Model and Related Expressions" (the note), and Fader,
// Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis" (DERT).
// Derivations and numerical choices: docs/models-pnbd.md.
#include "ltv/models/pareto_nbd.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/quadrature/gauss_kronrod.hpp>
#include <boost/math/special_functions/digamma.hpp>

#include "ltv/error.hpp"
#include "math/de_quadrature.hpp"
#include "math/hyp2f1.hpp"
#include "math/optimize.hpp"
#include "math/parallel.hpp"
#include "math/special.hpp"
#include "models/presearch.hpp"

namespace ltv::pareto_nbd {

namespace {

constexpr double kNegInf = -std::numeric_limits<double>::infinity();
using Grad = std::array<double, 4>;  // d/d(r, alpha, s, beta)

void check_params(const ParetoNbdParams& p) {
  const double v[4] = {p.r, p.alpha, p.s, p.beta};
  const char* names[4] = {"r", "alpha", "s", "beta"};
  for (int i = 0; i < 4; ++i) {
    if (!(v[i] > 0) || !std::isfinite(v[i])) {
      throw ModelError(
          fmt::format("pnbd: parameter {} = {} must be positive and finite", names[i], v[i]));
    }
  }
}

void check_customer(double x, double t_x, double T) {
  if (!std::isfinite(x) || x < 0) {
    input_error(SourceLocation{"", 0, "x"}, fmt::format("{}", x),
                "a number of repeat transactions >= 0");
  }
  if (!std::isfinite(T) || T < 0) {
    input_error(SourceLocation{"", 0, "T"}, fmt::format("{}", T), "a finite time >= 0");
  }
  if (!std::isfinite(t_x) || t_x < 0 || t_x > T) {
    input_error(SourceLocation{"", 0, "t_x"}, fmt::format("{} (T = {})", t_x, T),
                "a recency with 0 <= t_x <= T");
  }
}

void check_time(double t, const char* name) {
  if (!std::isfinite(t) || t < 0) {
    input_error(SourceLocation{"", 0, name}, fmt::format("{}", t), "a finite time >= 0");
  }
}

/// Never lets a NaN out: a numerical failure becomes a ModelError naming the quantity.
double checked(double value, const char* what, const ParetoNbdParams& p) {
  if (std::isnan(value)) {
    throw ModelError(fmt::format("pnbd: {} could not be computed for r={}, alpha={}, s={}, beta={}",
                                 what, p.r, p.alpha, p.s, p.beta));
  }
  return value;
}

double log_sum_exp(double a, double b) {
  if (a == kNegInf) return b;
  if (b == kNegInf) return a;
  const double m = std::max(a, b);
  return m + std::log1p(std::exp(-std::abs(a - b)));
}

/// σ(y) = 1/(1+e^-y) and log σ(y), log(1-σ(y)) without cancellation.
double log_sigmoid(double y) {
  return y > 0 ? -std::log1p(std::exp(-y)) : y - std::log1p(std::exp(y));
}
double sigmoid(double y) {
  return y >= 0 ? 1 / (1 + std::exp(-y)) : std::exp(y) / (1 + std::exp(y));
}

/// Point a + (b-a) σ(y), accurate near both ends of [a, b].
double map_interval(double a, double b, double y) {
  return y <= 0 ? a + (b - a) * sigmoid(y) : b - (b - a) * sigmoid(-y);
}

/// log of tail(t) = ∫_t^∞ (α+τ)^-A (β+τ)^-B dτ, A = r+x, B = s+1, relative to the "alive" term
/// (α+T)^-A (β+T)^-s, with the gradient of the absolute log tail. With the larger of α, β as base
/// (the note's eqs. (19)-(22) cases α >= β and α < β), Euler's transform of the note's
/// 2F1(r+s+x, ·; r+s+x+1; z) gives
///   α >= β: tail = (α+t)^-A (β+t)^-(B-1) / (A+B-1) · 2F1(1, A; A+B; (α-β)/(α+t))
///   α <  β: tail = (β+t)^-B (α+t)^-(A-1) / (A+B-1) · 2F1(1, B; A+B; (β-α)/(β+t))
/// whose series has positive terms with ratio below z. The caller passes the logs it shares
/// with the other terms: rel = A log((α+T)/(α+t)) + s log((β+T)/(β+t)) (from log1p, so that no
/// digits are lost for large x, where A log(α+T) alone is ~1e5), la = log(α+t), lb = log(β+t)
/// and log_norm = log(A+B-1).
double log_tail_relative(const ParetoNbdParams& p, double x, double t, double rel, double la,
                         double lb, double log_norm, Grad* grad) {
  const double A = p.r + x, B = p.s + 1;
  const double inv_sum = 1 / (A + B - 1);
  if (p.alpha >= p.beta) {
    const double z = (p.alpha - p.beta) / (p.alpha + t);
    const auto F = detail::log_hyp2f1_unit(A, A + B, z);
    if (grad != nullptr) {
      (*grad)[0] = -la - inv_sum + F.d_p + F.d_q;
      (*grad)[1] = -A / (p.alpha + t) + F.d_z * (p.beta + t) / ((p.alpha + t) * (p.alpha + t));
      (*grad)[2] = -lb - inv_sum + F.d_q;
      (*grad)[3] = -(B - 1) / (p.beta + t) - F.d_z / (p.alpha + t);
    }
    return rel - log_norm + F.log_value;
  }
  const double z = (p.beta - p.alpha) / (p.beta + t);
  const auto F = detail::log_hyp2f1_unit(B, A + B, z);
  if (grad != nullptr) {
    (*grad)[0] = -la - inv_sum + F.d_q;
    (*grad)[1] = -(A - 1) / (p.alpha + t) - F.d_z / (p.beta + t);
    (*grad)[2] = -lb - inv_sum + F.d_p + F.d_q;
    (*grad)[3] = -B / (p.beta + t) + F.d_z * (p.alpha + t) / ((p.beta + t) * (p.beta + t));
  }
  return rel + (la - lb) - log_norm + F.log_value;
}

/// log I - l_alive, I = ∫_{t_x}^T (α+τ)^-A (β+τ)^-B dτ, by double-exponential quadrature (no
/// cancellation), with the gradient of log I from the weighted means of the log-integrand's
/// derivatives.
double log_integral_direct_relative(const ParetoNbdParams& p, double x, double t_x, double T,
                                    Grad* grad) {
  const double A = p.r + x, B = p.s + 1, width = T - t_x;
  const double log_width = std::log(width);
  auto eval = [&](double y, std::array<double, 5>& g) {
    const double tau = map_interval(t_x, T, y);
    g[0] = 1;
    g[1] = -std::log(p.alpha + tau);
    g[2] = -std::log(p.beta + tau);
    g[3] = -A / (p.alpha + tau);
    g[4] = -B / (p.beta + tau);
    // (α+τ)^-A (β+τ)^-B / ((α+T)^-A (β+T)^-B), Jacobian of τ = t_x + (T-t_x) σ(y).
    return A * std::log1p((T - tau) / (p.alpha + tau)) +
           B * std::log1p((T - tau) / (p.beta + tau)) + log_width + log_sigmoid(y) +
           log_sigmoid(-y);
  };
  auto phi = [&](double y) {
    std::array<double, 5> g{};
    return eval(y, g);
  };
  const double y_star = detail::find_mode(phi, -700.0, 40.0);
  const auto r = detail::de_integrate<5>(eval, y_star, detail::peak_width(phi, y_star));
  if (!(r.sums[0] > 0)) return std::numeric_limits<double>::quiet_NaN();
  if (grad != nullptr) {
    // sums 1..4 are the means of d/dr, d/ds, d/dα, d/dβ; Grad is ordered (r, α, s, β).
    (*grad)[0] = r.sums[1] / r.sums[0];
    (*grad)[1] = r.sums[3] / r.sums[0];
    (*grad)[2] = r.sums[2] / r.sums[0];
    (*grad)[3] = r.sums[4] / r.sums[0];
  }
  // The integrand was divided by (α+T)^-A (β+T)^-(s+1); l_alive has (β+T)^-s.
  return r.log_scale + std::log(r.sums[0]) - std::log(p.beta + T);
}

/// As log_integral_direct_relative, by 20-point Gauss-Legendre for the common short-interval
/// case (T - t_x small against α + t_x and β + t_x, integrand varying by at most e^2 over the
/// interval: far from its singularities at -α, -β, so the rule is exact to rounding). Returns
/// NaN when that case does not apply.
double log_integral_gauss_relative(const ParetoNbdParams& p, double x, double t_x, double T,
                                   Grad* grad) {
  const double A = p.r + x, B = p.s + 1, width = T - t_x;
  const double eps_a = width / (p.alpha + t_x), eps_b = width / (p.beta + t_x);
  const double phi_max = A * std::log1p(eps_a) + B * std::log1p(eps_b);  // at τ = t_x
  if (!(eps_a <= 0.25 && eps_b <= 0.25 && phi_max <= 2)) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  using Rule = boost::math::quadrature::gauss<double, 20>;
  const auto& nodes = Rule::abscissa();
  const auto& weights = Rule::weights();
  const double mid = 0.5 * (t_x + T), half = 0.5 * width;
  std::array<double, 5> sums{};
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (int sign = -1; sign <= 1; sign += 2) {
      if (nodes[i] == 0 && sign == 1) continue;
      const double tau = mid + sign * half * nodes[i];
      const double f = weights[i] * std::exp(A * std::log1p((T - tau) / (p.alpha + tau)) +
                                             B * std::log1p((T - tau) / (p.beta + tau)));
      sums[0] += f;
      if (grad != nullptr) {
        sums[1] -= f * std::log(p.alpha + tau);
        sums[2] -= f * std::log(p.beta + tau);
        sums[3] -= f * A / (p.alpha + tau);
        sums[4] -= f * B / (p.beta + tau);
      }
    }
  }
  if (grad != nullptr) {
    (*grad)[0] = sums[1] / sums[0];
    (*grad)[1] = sums[3] / sums[0];
    (*grad)[2] = sums[2] / sums[0];
    (*grad)[3] = sums[4] / sums[0];
  }
  return std::log(sums[0] * half) - std::log(p.beta + T);
}

/// As log_integral_direct_relative, by 31-point Gauss-Kronrod in v = log(c + τ), c = min(α, β),
/// with the embedded 15-point Gauss rule as the check: for z = |α-β|/(max(α,β)+t_x) near 1,
/// where the tails' series need hundreds of terms or fail (e.g. r, α → ∞ with β small: the
/// substitution takes out the (β+τ)^-B peak at τ = t_x, and (α+τ)^-A ≈ e^(-(A/α)τ) is smooth).
/// Returns NaN unless the two rules agree to 1e-13 (the value) and 1e-9 (the gradient sums).
double log_integral_kronrod_relative(const ParetoNbdParams& p, double x, double t_x, double T,
                                     Grad* grad) {
  using Kronrod = boost::math::quadrature::gauss_kronrod<double, 31>;
  using Gauss = boost::math::quadrature::gauss<double, 15>;
  const auto& nodes = Kronrod::abscissa();  // 16: 0 and the positive nodes; even ones are Gauss
  const auto& wk = Kronrod::weights();
  const auto& wg = Gauss::weights();
  const double A = p.r + x, B = p.s + 1, c = std::min(p.alpha, p.beta);
  const double v0 = std::log(c + t_x), v1 = std::log(c + T);
  const double mid = 0.5 * (v0 + v1), half = 0.5 * (v1 - v0);
  std::array<double, 5> k{}, g{};
  // Scale: the log-integrand at v0 (its maximum when the integrand decreases).
  const double shift =
      A * std::log1p((T - t_x) / (p.alpha + t_x)) + B * std::log1p((T - t_x) / (p.beta + t_x)) + v0;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    for (int sign = -1; sign <= 1; sign += 2) {
      if (i == 0 && sign == 1) continue;
      const double v = mid + sign * half * nodes[i];
      const double ct = std::exp(v);  // c + τ
      const double tau = std::clamp(ct - c, t_x, T);
      // (α+τ)^-A (β+τ)^-B relative to its value at T, times the Jacobian dτ/dv = c + τ.
      const double f = std::exp(A * std::log1p((T - tau) / (p.alpha + tau)) +
                                B * std::log1p((T - tau) / (p.beta + tau)) + v - shift);
      const double terms[5] = {1, -std::log(p.alpha + tau), -std::log(p.beta + tau),
                               -A / (p.alpha + tau), -B / (p.beta + tau)};
      const int parts = grad != nullptr ? 5 : 1;
      for (int j = 0; j < parts; ++j) {
        k[j] += wk[i] * f * terms[j];
        if (i % 2 == 0) g[j] += wg[i / 2] * f * terms[j];
      }
    }
  }
  if (!(k[0] > 0) || !(std::abs(k[0] - g[0]) <= 1e-13 * k[0])) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  if (grad != nullptr) {
    for (int j = 1; j < 5; ++j) {
      if (!(std::abs(k[j] - g[j]) <= 1e-9 * std::abs(k[j]) + 1e-12 * k[0])) {
        return std::numeric_limits<double>::quiet_NaN();
      }
    }
    (*grad)[0] = k[1] / k[0];
    (*grad)[1] = k[3] / k[0];
    (*grad)[2] = k[2] / k[0];
    (*grad)[3] = k[4] / k[0];
  }
  // The integrand was divided by (α+T)^-A (β+T)^-(s+1); l_alive has (β+T)^-s.
  return std::log(k[0] * half) + shift - std::log(p.beta + T);
}

/// The two parts of the likelihood bracket (the note): alive at T, and died in (t_x, T].
struct Parts {
  /// log c + l_alive, c = Γ(r+x) α^r β^s / Γ(r), l_alive = -(r+x) log(α+T) - s log(β+T):
  /// the log-likelihood of the customer alive at T.
  double log_alive = 0;
  double d_dead = kNegInf;  ///< l_dead - l_alive, l_dead = log s + log I (-inf when t_x = T)
  Grad g_alive{}, g_dead{}, g_c{};
};

/// Terms that depend on the parameters only (log α, log β, log s), and on (params, x):
/// lnΓ(r+x) - lnΓ(r), ψ(r+x) - ψ(r) and log(r+x+s); cached across the patterns (sorted by x) in
/// the sums.
struct XTerms {
  double log_alpha = 0, log_beta = 0, log_s = 0;
  double x = -1;
  double log_gamma_ratio = 0, digamma_diff = 0, log_norm = 0;
  bool ready = false;
};

using NoPromote = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

void update_x_terms(const ParetoNbdParams& p, double x, bool want_grad, XTerms& xt) {
  if (!xt.ready) {
    xt.ready = true;
    xt.log_alpha = std::log(p.alpha);
    xt.log_beta = std::log(p.beta);
    xt.log_s = std::log(p.s);
  }
  if (xt.x == x) return;
  xt.x = x;
  xt.log_gamma_ratio = detail::log_gamma_ratio(p.r, x);
  xt.digamma_diff = want_grad
                        ? detail::digamma_ratio(
                              p.r, x, [](double v) { return boost::math::digamma(v, NoPromote()); })
                        : 0.0;
  xt.log_norm = std::log(p.r + x + p.s);
}

Parts parts(const ParetoNbdParams& p, double x, double t_x, double T, bool want_grad,
            XTerms* cache = nullptr) {
  Parts out;
  const double A = p.r + x;
  XTerms local;
  XTerms& xt = cache != nullptr ? *cache : local;
  update_x_terms(p, x, want_grad, xt);
  const double la_T = std::log(p.alpha + T), lb_T = std::log(p.beta + T);
  // r log(α/(α+T)) and s log(β/(β+T)): by log1p when the shape is large (r, α → ∞ or
  // s, β → ∞), where r log α and r log(α+T) would cancel to ~r·1e-15.
  const double r_part = p.r > 64 ? -p.r * std::log1p(T / p.alpha) : p.r * (xt.log_alpha - la_T);
  const double s_part = p.s > 64 ? -p.s * std::log1p(T / p.beta) : p.s * (xt.log_beta - lb_T);
  out.log_alive = xt.log_gamma_ratio + r_part - x * la_T + s_part;
  if (want_grad) {
    out.g_c = {xt.digamma_diff + xt.log_alpha, p.r / p.alpha, xt.log_beta, p.s / p.beta};
    out.g_alive = {-la_T, -A / (p.alpha + T), -lb_T, -p.s / (p.beta + T)};
  }
  if (!(T > t_x)) return out;  // t_x = T: the customer cannot have died in (t_x, T]
  Grad g1{}, g2{};
  Grad* gp1 = want_grad ? &g1 : nullptr;
  Grad* gp2 = want_grad ? &g2 : nullptr;
  bool direct = false;
  double rel_i = kNegInf;  // log I - l_alive
  // z of the tail at t_x near 1: the series are long or fail; integrate directly if the
  // Gauss-Kronrod pair agrees.
  const double z1 = std::abs(p.alpha - p.beta) / (std::max(p.alpha, p.beta) + t_x);
  if (z1 > 0.985) {
    rel_i = log_integral_kronrod_relative(p, x, t_x, T, want_grad ? &out.g_dead : nullptr);
    if (!std::isnan(rel_i)) {
      out.d_dead = xt.log_s + rel_i;
      if (want_grad) out.g_dead[2] += 1 / p.s;
      return out;
    }
    rel_i = kNegInf;
  }
  try {
    // log((α+T)/(α+t_x)) and log((β+T)/(β+t_x)) by log1p (exact for T - t_x small); the logs at
    // t_x follow from those at T.
    const double da = std::log1p((T - t_x) / (p.alpha + t_x));
    const double db = std::log1p((T - t_x) / (p.beta + t_x));
    const double lt1 =
        log_tail_relative(p, x, t_x, A * da + p.s * db, la_T - da, lb_T - db, xt.log_norm, gp1);
    const double lt2 = log_tail_relative(p, x, T, 0.0, la_T, lb_T, xt.log_norm, gp2);
    const double rho = std::exp(lt2 - lt1);
    // I = tail(t_x) - tail(T). The subtraction loses log10(1/(1-rho)) digits of I and, when the
    // subtraction is bad (rho near 1): integrate directly instead.
    if (!(rho < 0.99)) {
      direct = true;
    } else {
      // (No further check needed: I >= (1-rho) tail(t_x), so the lost digits are bounded.)
      rel_i = lt1 + std::log1p(-rho);
      if (want_grad) {
        for (int k = 0; k < 4; ++k) out.g_dead[k] = (g1[k] - rho * g2[k]) / (1 - rho);
      }
    }
  } catch (const ModelError&) {
    direct = true;
  }
  if (direct) {
    rel_i = log_integral_gauss_relative(p, x, t_x, T, want_grad ? &out.g_dead : nullptr);
    if (std::isnan(rel_i)) {
      rel_i = log_integral_direct_relative(p, x, t_x, T, want_grad ? &out.g_dead : nullptr);
    }
  }
  out.d_dead = xt.log_s + rel_i;
  if (want_grad) out.g_dead[2] += 1 / p.s;
  return out;
}

/// log(1 + e^d) without overflow.
double softplus(double d) {
  if (d == kNegInf) return 0;
  return d > 0 ? d + std::log1p(std::exp(-d)) : std::log1p(std::exp(d));
}

double log_likelihood_one(const ParetoNbdParams& p, double x, double t_x, double T, Grad* grad,
                          XTerms* cache = nullptr) {
  const Parts q = parts(p, x, t_x, T, grad != nullptr, cache);
  if (grad != nullptr) {
    const double w_dead = q.d_dead == kNegInf ? 0.0 : sigmoid(q.d_dead);
    const double w_alive = q.d_dead == kNegInf ? 1.0 : sigmoid(-q.d_dead);
    for (int k = 0; k < 4; ++k) {
      (*grad)[k] = q.g_c[k] + w_alive * q.g_alive[k] + (w_dead > 0 ? w_dead * q.g_dead[k] : 0.0);
    }
  }
  return q.log_alive + softplus(q.d_dead);
}

double log_p_alive(const ParetoNbdParams& p, double x, double t_x, double T) {
  return -softplus(parts(p, x, t_x, T, false).d_dead);
}

/// -expm1(-e L) / e, continuous at e = 0 (where it is L).
double one_minus_pow_over(double e, double L) {
  return e == 0 ? L : -std::expm1(-e * L) / e;
}

void check_patterns(const RfmPatterns& patterns) {
  const std::size_t n = patterns.size();
  if (patterns.t_x.size() != n || patterns.T.size() != n || patterns.weight.size() != n) {
    input_error(SourceLocation{"", 0, "patterns"},
                fmt::format("lengths x={}, t_x={}, T={}, weight={}", n, patterns.t_x.size(),
                            patterns.T.size(), patterns.weight.size()),
                "columns of equal length");
  }
  for (std::size_t i = 0; i < n; ++i) {
    check_customer(patterns.x[i], patterns.t_x[i], patterns.T[i]);
    if (!(patterns.weight[i] >= 0) || !std::isfinite(patterns.weight[i])) {
      input_error(SourceLocation{"", 0, "weight"}, fmt::format("{}", patterns.weight[i]),
                  "a finite weight >= 0");
    }
  }
}

struct LlSums {
  double ll = 0;
  Grad g{};
  bool failed = false;
  LlSums& operator+=(const LlSums& o) {
    ll += o.ll;
    for (int k = 0; k < 4; ++k) g[k] += o.g[k];
    failed = failed || o.failed;
    return *this;
  }
};

double sum_log_likelihood(const ParetoNbdParams& p, const RfmPatterns& patterns, Grad* grad) {
  const bool want = grad != nullptr;
  // Fixed chunks on a dynamic schedule: balanced (the cost per pattern grows with x, and the
  // patterns are sorted by x) and the same sum on any number of threads.
  const LlSums total =
      detail::chunked_sum<LlSums>(patterns.size(), 1024, [&](std::size_t begin, std::size_t end) {
        LlSums s;
        XTerms cache;  // patterns are sorted by x, so it mostly hits
        for (std::size_t i = begin; i < end; ++i) {
          const double w = patterns.weight[i];
          if (w == 0) continue;
          try {
            Grad g{};
            const double ll = log_likelihood_one(p, patterns.x[i], patterns.t_x[i], patterns.T[i],
                                                 want ? &g : nullptr, &cache);
            if (!std::isfinite(ll)) s.failed = true;
            s.ll += w * ll;
            for (int k = 0; k < 4; ++k) s.g[k] += w * g[k];
          } catch (const std::exception&) {
            s.failed = true;
          }
        }
        return s;
      });
  if (grad != nullptr) *grad = total.g;
  if (total.failed || !std::isfinite(total.ll)) return kNegInf;
  return total.ll;
}

}  // namespace

double log_likelihood(const ParetoNbdParams& params, double x, double t_x, double T) {
  check_params(params);
  check_customer(x, t_x, T);
  return checked(log_likelihood_one(params, x, t_x, T, nullptr), "log-likelihood", params);
}

double log_likelihood(const ParetoNbdParams& params, const RfmPatterns& patterns) {
  check_params(params);
  check_patterns(patterns);
  const double ll = sum_log_likelihood(params, patterns, nullptr);
  if (!std::isfinite(ll)) checked(std::nan(""), "log-likelihood", params);
  return ll;
}

double log_likelihood(const ParetoNbdParams& params, const RfmPatterns& patterns,
                      std::span<double, 4> gradient) {
  check_params(params);
  check_patterns(patterns);
  Grad g{};
  const double ll = sum_log_likelihood(params, patterns, &g);
  if (!std::isfinite(ll)) checked(std::nan(""), "log-likelihood", params);
  std::copy(g.begin(), g.end(), gradient.begin());
  return ll;
}

FitResult fit(const RfmPatterns& patterns, const FitOptions& options) {
  check_patterns(patterns);
  if (patterns.size() == 0 || !(patterns.customers() > 0)) {
    input_error(SourceLocation{"", 0, "x"}, "no customers", "at least one customer to fit");
  }
  double sum_t = 0, sum_w = 0;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    sum_t += patterns.weight[i] * patterns.T[i];
    sum_w += patterns.weight[i];
  }
  const double mean_T = sum_t / sum_w;
  if (!(mean_T > 0)) {
    input_error(SourceLocation{"", 0, "T"}, "all T = 0", "customers observed for some time T > 0");
  }
  detail::MaximizeProblem problem;
  problem.model = "pnbd";
  problem.names = {"r", "alpha", "s", "beta"};
  problem.n_customers = sum_w;
  problem.n_patterns = patterns.size();
  // Starting points scaled by the mean age: alpha and beta are in time units.
  problem.starts = {{1.0, mean_T, 1.0, mean_T}, {0.5, mean_T / 3, 0.5, mean_T / 3}};
  const auto ll = [](const RfmPatterns& data, std::span<const double> theta,
                     std::span<double> gradient) {
    const ParetoNbdParams p{theta[0], theta[1], theta[2], theta[3]};
    Grad g{};
    const double value = sum_log_likelihood(p, data, gradient.empty() ? nullptr : &g);
    if (!gradient.empty()) std::copy(g.begin(), g.end(), gradient.begin());
    return value;
  };
  problem.log_likelihood = [&patterns, ll](std::span<const double> theta,
                                           std::span<double> gradient) {
    return ll(patterns, theta, gradient);
  };
  problem.presearch = detail::presearch_problem(problem, patterns, ll);
  return detail::maximize_likelihood(problem, options);
}

ParetoNbdParams params(const FitResult& fit) {
  if (fit.model != "pnbd" || fit.estimates.size() != 4) {
    throw ModelError(fmt::format(
        "pnbd: fit result of model '{}' with {} parameters, expected pnbd (r, alpha, s, beta)",
        fit.model, fit.estimates.size()));
  }
  return {fit.estimates[0], fit.estimates[1], fit.estimates[2], fit.estimates[3]};
}

double expected_transactions(const ParetoNbdParams& params, double t) {
  check_params(params);
  check_time(t, "t");
  // E[X(t)] = r β / (α (s-1)) [1 - (β/(β+t))^(s-1)] (the note; s = 1: (r β/α) log(1 + t/β)).
  return params.r * params.beta / params.alpha *
         one_minus_pow_over(params.s - 1, std::log1p(t / params.beta));
}

double p_alive(const ParetoNbdParams& params, double x, double t_x, double T) {
  check_params(params);
  check_customer(x, t_x, T);
  return checked(std::exp(log_p_alive(params, x, t_x, T)), "P(alive)", params);
}

double p_alive_at(const ParetoNbdParams& params, double t, double x, double t_x, double T) {
  check_params(params);
  check_customer(x, t_x, T);
  check_time(t, "t");
  // μ | alive at T ~ Gamma(s, β+T); P(survive t more) = ((β+T)/(β+T+t))^s.
  return checked(
      std::exp(log_p_alive(params, x, t_x, T) - params.s * std::log1p(t / (params.beta + T))),
      "P(alive at T+t)", params);
}

double conditional_expected_transactions(const ParetoNbdParams& params, double t, double x,
                                         double t_x, double T) {
  check_params(params);
  check_customer(x, t_x, T);
  check_time(t, "t");
  // (r+x)(β+T) / ((α+T)(s-1)) [1 - ((β+T)/(β+T+t))^(s-1)] · P(alive) (the note).
  const double bT = params.beta + T;
  const double if_alive = (params.r + x) * bT / (params.alpha + T) *
                          one_minus_pow_over(params.s - 1, std::log1p(t / bT));
  return checked(if_alive * std::exp(log_p_alive(params, x, t_x, T)), "CET", params);
}

std::vector<double> conditional_expected_transactions(const ParetoNbdParams& params, double t,
                                                      const RfmPatterns& patterns) {
  check_params(params);
  check_patterns(patterns);
  std::vector<double> out(patterns.size());
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    out[i] =
        conditional_expected_transactions(params, t, patterns.x[i], patterns.t_x[i], patterns.T[i]);
  }
  return out;
}

double p_n_transactions(const ParetoNbdParams& params, double n, double t) {
  check_params(params);
  check_time(t, "t");
  if (!std::isfinite(n) || n < 0 || n != std::floor(n)) {
    input_error(SourceLocation{"", 0, "n"}, fmt::format("{}", n), "a whole number >= 0");
  }
  if (t == 0) return n == 0 ? 1.0 : 0.0;
  const double r = params.r, a = params.alpha, s = params.s, b = params.beta;
  // P(X(t)=n) = NB(n; t) (β/(β+t))^s + ∫_0^t NB(n; τ) s β^s (β+τ)^-(s+1) dτ, where
  // NB(n; τ) = Γ(r+n)/(Γ(r) n!) (α/(α+τ))^r (τ/(α+τ))^n: alive throughout, or died at τ.
  const double log_nb_coef = detail::log_gamma_ratio(r, n) - detail::log_gamma(n + 1);
  const double log_first = log_nb_coef + r * std::log(a / (a + t)) +
                           (n > 0 ? n * std::log(t / (a + t)) : 0.0) - s * std::log1p(t / b);
  const double log_t = std::log(t);
  auto eval = [&](double y, std::array<double, 1>& g) {
    g[0] = 1;
    const double tau = map_interval(0, t, y);
    const double log_tau = log_t + log_sigmoid(y);
    return log_nb_coef + r * std::log(a) - (r + n) * std::log(a + tau) +
           (n > 0 ? n * log_tau : 0.0) + std::log(s) + s * std::log(b) -
           (s + 1) * std::log(b + tau) + log_t + log_sigmoid(y) + log_sigmoid(-y);
  };
  auto phi = [&](double y) {
    std::array<double, 1> g{};
    return eval(y, g);
  };
  const double y_star = detail::find_mode(phi, -700.0, 40.0);
  const auto res = detail::de_integrate<1>(eval, y_star, detail::peak_width(phi, y_star));
  const double log_second = res.sums[0] > 0 ? res.log_scale + std::log(res.sums[0]) : kNegInf;
  const double p = std::exp(log_sum_exp(log_first, log_second));
  return std::min(1.0, checked(p, "P(X(t) = n)", params));
}

double conditional_p_n_transactions(const ParetoNbdParams& params, double n, double t, double x,
                                    double t_x, double T) {
  check_params(params);
  check_customer(x, t_x, T);
  const double alive = std::exp(log_p_alive(params, x, t_x, T));
  // Alive at T: the future is a Pareto/NBD with the posterior λ ~ Gamma(r+x, α+T),
  // μ ~ Gamma(s, β+T) (memoryless lifetime); dead: no purchases.
  const ParetoNbdParams post{params.r + x, params.alpha + T, params.s, params.beta + T};
  const double if_alive = p_n_transactions(post, n, t);
  return alive * if_alive + (n == 0 ? 1 - alive : 0.0);
}

double dert(const ParetoNbdParams& params, double delta, double x, double t_x, double T) {
  check_params(params);
  check_customer(x, t_x, T);
  if (!(delta > 0) || !std::isfinite(delta)) {
    input_error(SourceLocation{"", 0, "delta"}, fmt::format("{}", delta),
                "a continuous discount rate > 0 per time unit");
  }
  // FHL (2005) eq. (2): α^r β^s δ^(s-1) Γ(r+x+1) U(s, s; δ(β+T)) / (Γ(r) (α+T)^(r+x+1) L)
  //   = P(alive) (r+x)/(α+T) (β+T)^s δ^(s-1) U(s, s; δ(β+T)).
  const double bT = params.beta + T;
  const double log_value = log_p_alive(params, x, t_x, T) + std::log(params.r + x) -
                           std::log(params.alpha + T) + params.s * std::log(bT) +
                           (params.s - 1) * std::log(delta) +
                           detail::log_hyperu(params.s, params.s, delta * bT);
  return checked(std::exp(log_value), "DERT", params);
}

RfmPatterns simulate(const ParetoNbdParams& params, std::span<const double> T, std::uint64_t seed) {
  check_params(params);
  std::mt19937_64 rng(seed);
  std::gamma_distribution<double> lambda_dist(params.r, 1 / params.alpha);
  std::gamma_distribution<double> mu_dist(params.s, 1 / params.beta);
  std::vector<double> xs(T.size()), txs(T.size()), Ts(T.begin(), T.end());
  for (std::size_t i = 0; i < T.size(); ++i) {
    check_time(T[i], "T");
    const double lambda = lambda_dist(rng);
    const double mu = mu_dist(rng);
    const double lifetime = mu > 0 ? std::exponential_distribution<double>(mu)(rng)
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
  return compress_patterns(xs, txs, Ts);
}

}  // namespace ltv::pareto_nbd
