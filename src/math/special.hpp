#pragma once
// Small special-function helpers in log space shared by the models (internal: ltv::detail).

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

/// log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b) for a, b > 0.
inline double log_beta(double a, double b) noexcept {
  return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
}

}  // namespace ltv::detail
