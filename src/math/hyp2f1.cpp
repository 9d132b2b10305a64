#include "math/hyp2f1.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "math/de_quadrature.hpp"

namespace ltv::detail {

namespace {

constexpr double kSeriesEps = 1e-17;

/// log(1 + e^y) without overflow.
double softplus(double y) {
  return y > 0 ? y + std::log1p(std::exp(-y)) : std::log1p(std::exp(y));
}

/// Series Σ (p)_n/(q)_n z^n with termwise derivatives. Returns false when it has not converged
/// within max_terms.
bool unit_series(double p, double q, double z, int max_terms, LogHyp2f1Unit& out) {
  // c_n = Π_{k<n} (p+k)/(q+k) z^n; ∂c_n/∂p = c_n Σ_{k<n} 1/(p+k); ∂c_n/∂q = -c_n Σ_{k<n} 1/(q+k);
  // ∂c_n/∂z = n c_n / z = n a_n with a_n = c_n / z (tracked directly so that z = 0 works).
  double sum = 1, sum_p = 0, sum_q = 0, sum_z = 0;
  double a = 1;  // a_n for n >= 1 (a_1 = p/q after the first step)
  double hp = 0, hq = 0;
  const double d = q - p;
  const double inv_d1 = d > 1 ? 1 / (d - 1) : 0, inv_d2 = d > 2 ? 1 / (d - 2) : 0;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (int n = 0; n < max_terms; ++n) {
    const double inv_qn = 1 / (q + n), inv_pn = 1 / (p + n);
    const double ratio = (p + n) * inv_qn;
    a = (n == 0) ? ratio : a * ratio * z;  // a_{n+1}
    const double c = a * z;                // c_{n+1}
    hp += inv_pn;
    hq += inv_qn;
    sum += c;
    sum_p += c * hp;
    sum_q -= c * hq;
    sum_z += (n + 1) * a;
    if (c > 1e-12 * sum && a > 1e-12 * (sum + sum_z)) continue;  // cheap pre-check
    // Tail bounds after c_{n+1}: geometric with ratio r = max(ratio z, z) < 1, or (for d = q-p
    // > 1, however near 1 z is) the z = 1 value: Σ_{k>n+1} c_k <= c_{n+1} (p+n+1)/(d-1).
    const double r = std::max(ratio * z, z);
    const double geo = r < 1 ? r / (1 - r) : kInf;
    const double at_one = d > 1 ? (p + n + 1) * inv_d1 : kInf;
    const double tail = c * std::min(geo, at_one);
    // Σ k c_k over the tail: one more factor (n+2)/(1-r), or (n+2)(1 + (p+n+1)/(d-2)).
    const double tail_k =
        (n + 2) * std::min(r < 1 ? a * geo / (1 - r) : geo,
                           d > 2 ? a * (at_one + 1) * (1 + (p + n + 1) * inv_d2) : kInf);
    if (tail <= kSeriesEps * sum && tail_k <= 10 * kSeriesEps * (sum + sum_z)) {
      out.log_value = std::log(sum);
      out.d_p = sum_p / sum;
      out.d_q = sum_q / sum;
      out.d_z = sum_z / sum;
      return true;
    }
  }
  return false;
}

/// F = (q-1) ∫_0^∞ exp(ψ(u)) du, ψ(u) = -p log(z + (1-z) e^u) - (q-p-1) u, integrated in y = log u.
/// (From the Pareto/NBD tail integral ∫_t^∞ (α+τ)^-p (β+τ)^-(q-p) dτ with α = 1, β = 1-z, t = 0.)
LogHyp2f1Unit unit_integral(double p, double q, double z) {
  const double d = q - p;
  auto log_base = [z](double u) {  // log(z + (1-z) e^u), stable for every u
    return u <= 0 ? std::log1p((1 - z) * std::expm1(u)) : u + std::log((1 - z) + z * std::exp(-u));
  };
  auto phi = [&](double y) {
    const double u = std::exp(y);
    return -p * log_base(u) - (d - 1) * u + y;
  };
  auto eval = [&](double y, std::array<double, 4>& g) {
    const double u = std::exp(y);
    const double lb = log_base(u);
    g[0] = 1;
    g[1] = u - lb;
    g[2] = -u;
    // ∂ψ/∂z = -p (1 - e^u) / (z + (1-z) e^u)
    g[3] = u <= 0 ? p * std::expm1(u) / std::exp(lb)
                  : -p * (std::exp(-u) - 1) / (z * std::exp(-u) + (1 - z));
    return -p * lb - (d - 1) * u + y;
  };
  // Guess: the mode of e^(-(q-1)u) u in y = log u, at u = 1/(q-1).
  const double y_star = find_mode(phi, -40.0, 40.0, -std::log(q - 1));
  const double width = peak_width(phi, y_star);
  const auto r = de_integrate<4>(eval, y_star, width);
  if (!r.converged || !(r.sums[0] > 0)) {
    throw ModelError(fmt::format("2F1(1, {}, {}; {}): quadrature did not converge", p, q, z));
  }
  LogHyp2f1Unit out;
  out.log_value = std::log(q - 1) + r.log_scale + std::log(r.sums[0]);
  out.d_p = r.sums[1] / r.sums[0];
  out.d_q = 1 / (q - 1) + r.sums[2] / r.sums[0];
  out.d_z = r.sums[3] / r.sums[0];
  return out;
}

/// Positive-term series of 2F1(a, b; c; z) in log space. Returns NaN when not converged.
double general_series(double a, double b, double c, double z, long max_terms) {
  double term = 1, sum = 1, log_offset = 0;
  for (long n = 0; n < max_terms; ++n) {
    const double dn = static_cast<double>(n);
    const double ratio = (a + dn) * (b + dn) / ((c + dn) * (dn + 1)) * z;
    term *= ratio;
    sum += term;
    if (sum > 1e280) {  // rescale: keep log_offset + log(sum)
      sum *= 1e-280;
      term *= 1e-280;
      log_offset += 280 * std::log(10.0);
    }
    if (term == 0) return log_offset + std::log(sum);
    // The ratio tends to z; it is monotone in n for large n, so max(ratio, z) bounds the tail.
    const double r = std::max(ratio, z);
    if (r < 1 && term * r / (1 - r) <= kSeriesEps * sum) return log_offset + std::log(sum);
  }
  return std::numeric_limits<double>::quiet_NaN();
}

/// Euler's integral for c > b > 0, in the logit variable t = 1/(1+e^-y).
double general_integral(double a, double b, double c, double z) {
  auto phi = [&](double y) {
    // log t = -softplus(-y), log(1-t) = -softplus(y), 1 - z t = (1-z) + z (1-t).
    const double one_minus_t = std::exp(-softplus(y));
    return -b * softplus(-y) - (c - b) * softplus(y) - a * std::log((1 - z) + z * one_minus_t);
  };
  auto eval = [&](double y, std::array<double, 1>& g) {
    g[0] = 1;
    return phi(y);
  };
  const double y_star = find_mode(phi, -60.0, 60.0, std::log(b / (c - b)));
  const double width = peak_width(phi, y_star);
  const auto r = de_integrate<1>(eval, y_star, width);
  if (!r.converged || !(r.sums[0] > 0)) {
    throw ModelError(fmt::format("2F1({}, {}; {}; {}): quadrature did not converge", a, b, c, z));
  }
  return std::lgamma(c) - std::lgamma(b) - std::lgamma(c - b) + r.log_scale + std::log(r.sums[0]);
}

}  // namespace

LogHyp2f1Unit log_hyp2f1_unit(double p, double q, double z, bool derivatives) {
  if (!(p > 0) || !(q > 1) || !(z >= 0) || !(z < 1) || !std::isfinite(p) || !std::isfinite(q)) {
    throw ModelError(fmt::format("2F1(1, {}; {}; {}): needs p > 0, q > 1, 0 <= z < 1", p, q, z));
  }
  (void)derivatives;
  LogHyp2f1Unit out;
  // Near z = 1 the series still converges fast when q - p is large (terms fall like n^-(q-p)).
  if (unit_series(p, q, z, z <= 0.985 ? 6000 : 1000, out)) return out;
  return unit_integral(p, q, z);
}

double log_hyp2f1(double a, double b, double c, double z) {
  if (!(a > 0) || !(b > 0) || !(c > 0) || !(z >= 0) || !(z < 1) || !std::isfinite(a) ||
      !std::isfinite(b) || !std::isfinite(c)) {
    throw ModelError(
        fmt::format("2F1({}, {}; {}; {}): needs a, b, c > 0 and 0 <= z < 1", a, b, c, z));
  }
  // Euler's transformation 2F1(a,b;c;z) = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z) takes out the
  // (1-z)^(c-a-b) singularity when c-a-b < 0, so that no large cancelling terms remain.
  if (c - a - b < 0 && c > a && c > b) {
    return (c - a - b) * std::log1p(-z) + log_hyp2f1(c - a, c - b, c, z);
  }
  // 2F1(1, p; q; z): the dedicated routine (series, or its well-conditioned integral near z = 1).
  if (c > 1 && (a == 1 || b == 1)) return log_hyp2f1_unit(a == 1 ? b : a, c, z, false).log_value;
  const bool integral_ok = c > b || c > a;
  const long quick = z <= 0.9 ? 200000 : 6000;
  double v = general_series(a, b, c, z, quick);
  if (std::isfinite(v)) return v;
  if (integral_ok) {
    // Euler's integral needs c > b > 0; 2F1 is symmetric in a and b.
    return c > b ? general_integral(a, b, c, z) : general_integral(b, a, c, z);
  }
  v = general_series(a, b, c, z, 1000000);
  if (std::isfinite(v)) return v;
  throw ModelError(
      fmt::format("2F1({}, {}; {}; {}): series did not converge (z too near 1 for c <= min(a, b))",
                  a, b, c, z));
}

double log_hyperu(double a, double b, double z) {
  if (!(a > 0) || !(z > 0) || !std::isfinite(a) || !std::isfinite(b) || !std::isfinite(z)) {
    throw ModelError(fmt::format("U({}, {}, {}): needs a > 0, z > 0", a, b, z));
  }
  // t = e^y: log integrand a y - z e^y + (b - a - 1) log(1 + e^y) (Jacobian included).
  auto phi = [&](double y) { return a * y - z * std::exp(y) + (b - a - 1) * softplus(y); };
  auto eval = [&](double y, std::array<double, 1>& g) {
    g[0] = 1;
    return phi(y);
  };
  const double centre = std::log(a / z);
  const double y_star = find_mode(phi, centre - 60, centre + 60, centre);
  const double width = peak_width(phi, y_star);
  const auto r = de_integrate<1>(eval, y_star, width);
  if (!r.converged || !(r.sums[0] > 0)) {
    throw ModelError(fmt::format("U({}, {}, {}): quadrature did not converge", a, b, z));
  }
  return -std::lgamma(a) + r.log_scale + std::log(r.sums[0]);
}

}  // namespace ltv::detail
