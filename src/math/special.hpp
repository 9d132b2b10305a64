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

/// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b) for a, b > 0.
inline double log_beta(double a, double b) noexcept {
  return log_gamma(a) + log_gamma(b) - log_gamma(a + b);
}

}  // namespace ltv::detail
