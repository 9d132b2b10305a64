#pragma once
// Small special-function helpers in log space shared by the models (internal: ltv::detail).

#include <math.h>  // lgamma_r (glibc): re-entrant, unlike std::lgamma which writes `signgam`
#include <algorithm>
#include <cmath>
#include <limits>

namespace ltv::detail {

/// log(exp(a) + exp(b)) without overflow; -inf when both are -inf.
inline double log_sum_exp(double a, double b) noexcept {
  const double m = std::max(a, b);
  if (m == -std::numeric_limits<double>::infinity()) return m;
  return m + std::log1p(std::exp(std::min(a, b) - m));
}

/// log(1 + exp(x)) (softplus) without overflow.
inline double log1p_exp(double x) noexcept {
  return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x));
}

/// ln Γ(x) for x > 0; thread-safe (used inside OpenMP loops).
inline double log_gamma(double x) noexcept {
  int sign = 0;
  return ::lgamma_r(x, &sign);
}

/// Stirling's series for ln Γ(n) - ((n - ½) ln n - n + ½ ln 2π) and for ψ(n) - ln n, n >= 1e3
/// (the next terms, 1/(1680 n⁷) and 1/(240 n⁸), are below 1e-24).
inline double stirling_log_gamma_tail(double n) noexcept {
  const double n2 = n * n;
  return 1 / (12 * n) - 1 / (360 * n * n2) + 1 / (1260 * n * n2 * n2);
}
inline double stirling_digamma_tail(double n) noexcept {
  const double n2 = n * n;
  return -1 / (2 * n) - 1 / (12 * n2) + 1 / (120 * n2 * n2) - 1 / (252 * n2 * n2 * n2);
}

/// ln Γ(a + x) - ln Γ(a) for a > 0, x >= 0. The plain difference loses the digits of ln Γ(a)
/// when a is large (an NBD shape r → ∞: ln Γ(1.8e7) ≈ 2.8e8 leaves ~3e-8 absolute error), so
/// for a >= 1e3 the difference of Stirling's series is taken term by term:
/// (a - ½) log1p(x/a) + x ln(a+x) - x + tail(a+x) - tail(a).
inline double log_gamma_ratio(double a, double x) noexcept {
  if (x == 0) return 0;
  if (a < 1e3) return log_gamma(a + x) - log_gamma(a);
  const double b = a + x;
  return (a - 0.5) * std::log1p(x / a) + x * std::log(b) - x +
         (stirling_log_gamma_tail(b) - stirling_log_gamma_tail(a));
}

/// ψ(a + x) - ψ(a) for a > 0, x >= 0, with `digamma` the caller's ψ; for a >= 1e3 from
/// Stirling's series, log1p(x/a) + tail(a+x) - tail(a), without the cancellation of ψ(a+x) - ψ(a).
template <class Digamma>
double digamma_ratio(double a, double x, Digamma digamma) {
  if (x == 0) return 0;
  if (a < 1e3) return digamma(a + x) - digamma(a);
  return std::log1p(x / a) + (stirling_digamma_tail(a + x) - stirling_digamma_tail(a));
}

/// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b) for a, b > 0.
inline double log_beta(double a, double b) noexcept {
  return log_gamma(a) + log_gamma(b) - log_gamma(a + b);
}

}  // namespace ltv::detail
