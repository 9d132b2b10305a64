#pragma once
// Double-exponential (sinh-sinh) quadrature over the real line for positive, unimodal integrands
// given in log space, with several weight functions integrated at once (internal: ltv::detail).
//
// Computes S_k = ∫ exp(φ(y) - φ(y*)) g_k(y) dy for k = 0..K-1, where y* is the mode of φ, by the
// trapezoidal rule in v after y = y* + w sinh(v) (Takahasi & Mori 1974; the real-line variant of
// tanh-sinh). The step is halved until every sum changes by less than `tolerance` relative to
// the L1 size of its integrand (at least 1e-10 for the weights k >= 1). Used for the integral
// representations of 2F1, Tricomi U and the Pareto/NBD integrals when series converge too slowly.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>

namespace ltv::detail {

template <std::size_t K>
struct DeIntegral {
  double log_scale = 0;  ///< φ(y*): the integrals are exp(log_scale) * sums
  std::array<double, K> sums{};
  bool converged = false;
};

/// Locates the mode of a unimodal log-density φ on [lo, hi], starting from the guess y0: walks
/// uphill with doubling steps to bracket the maximum, then refines by golden section. Non-finite
/// φ values count as -infinity.
template <class Phi>
double find_mode(const Phi& phi, double lo, double hi, double y0 = 0.0) {
  auto val = [&](double y) {
    const double v = phi(y);
    return std::isfinite(v) ? v : -std::numeric_limits<double>::infinity();
  };
  y0 = std::clamp(y0, lo, hi);
  double f0 = val(y0);
  // Direction of ascent.
  double step = 0.5;
  double fr = val(std::min(hi, y0 + step)), fl = val(std::max(lo, y0 - step));
  double a, b;
  if (fr <= f0 && fl <= f0) {
    a = std::max(lo, y0 - step);
    b = std::min(hi, y0 + step);
  } else {
    const double dir = fr > fl ? 1.0 : -1.0;
    double prev = y0, cur = y0 + dir * step, fcur = dir > 0 ? fr : fl;
    double before = y0 - dir * step;
    if (f0 == -std::numeric_limits<double>::infinity() && fcur == f0) {
      // Both non-finite around the guess: fall back to a coarse grid.
      double best_y = lo, best = -std::numeric_limits<double>::infinity();
      for (double y = lo; y <= hi; y += 0.5) {
        const double v = val(y);
        if (v > best) {
          best = v;
          best_y = y;
        }
      }
      prev = best_y;
      before = best_y - 0.5;
      cur = best_y + 0.5;
    } else {
      for (int i = 0; i < 200; ++i) {
        step *= 2;
        const double next = std::clamp(cur + dir * step, lo, hi);
        const double fnext = val(next);
        before = prev;
        prev = cur;
        cur = next;
        if (fnext < fcur || next == lo || next == hi) break;
        fcur = fnext;
      }
    }
    a = std::min(before, cur);
    b = std::max(before, cur);
  }
  const double g = 0.5 * (std::sqrt(5.0) - 1);
  double c = b - g * (b - a), d = a + g * (b - a);
  double fc = val(c), fd = val(d);
  for (int i = 0; i < 100 && b - a > 1e-7 * (1 + std::abs(a)); ++i) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - g * (b - a);
      fc = val(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + g * (b - a);
      fd = val(d);
    }
  }
  return 0.5 * (a + b);
}

/// Width of the peak of φ at its mode y: 1/sqrt(-φ''(y)) by central differences (1 if flat).
template <class Phi>
double peak_width(const Phi& phi, double y) {
  const double h = 1e-3 * (1 + std::abs(y));
  const double f0 = phi(y), fp = phi(y + h), fm = phi(y - h);
  const double second = (fp - 2 * f0 + fm) / (h * h);
  if (!std::isfinite(second) || second >= -1e-300) return 1.0;
  return std::min(1e6, std::max(1e-8, 1 / std::sqrt(-second)));
}

/// `eval(y, g)` returns φ(y) and fills g (std::array<double, K>) with the weight functions.
template <std::size_t K, class Eval>
DeIntegral<K> de_integrate(const Eval& eval, double y_star, double width,
                           double tolerance = 1e-13) {
  DeIntegral<K> out;
  std::array<double, K> g{};
  out.log_scale = eval(y_star, g);
  if (!std::isfinite(out.log_scale)) return out;
  std::array<double, K> sum{}, l1{};
  // Adds the points v = offset + k*step for k in both directions (k = 0 included when
  // include_zero), walking outward until the integrand is negligible.
  auto add_points = [&](double step, double offset, std::array<double, K>& acc,
                        std::array<double, K>& acc_l1) {
    for (int dir = -1; dir <= 1; dir += 2) {
      int small = 0;
      for (int k = 0; k < 100000; ++k) {
        const double v = dir * (offset + k * step);
        if (offset == 0 && k == 0 && dir == 1) continue;  // v = 0 counted once
        if (std::abs(v) > 30) break;
        const double y = y_star + width * std::sinh(v);
        const double jac = width * std::cosh(v);
        const double phi = eval(y, g);
        const double wgt = std::isfinite(phi) ? std::exp(phi - out.log_scale) * jac : 0.0;
        bool negligible = !(wgt > 1e-300);
        for (std::size_t i = 0; i < K; ++i) {
          if (wgt > 0 && std::isfinite(g[i])) {
            acc[i] += wgt * g[i];
            acc_l1[i] += wgt * std::abs(g[i]);
          }
        }
        if (!negligible && wgt < 1e-19 * acc_l1[0]) negligible = true;
        small = negligible ? small + 1 : 0;
        if (small >= 3) break;
      }
    }
  };
  double step = 0.5;
  add_points(step, 0.0, sum, l1);
  std::array<double, K> prev{};
  for (std::size_t i = 0; i < K; ++i) prev[i] = sum[i] * step;
  for (int level = 0; level < 12; ++level) {
    add_points(step, step / 2, sum, l1);  // odd points of the halved step
    step /= 2;
    bool done = level >= 1;
    for (std::size_t i = 0; i < K; ++i) {
      const double now = sum[i] * step;
      // The weight functions (derivatives) carry rounding noise near 1e-12 of their L1 size;
      // they need less accuracy than the value.
      const double tol_i = i == 0 ? tolerance : std::max(tolerance, 1e-10);
      if (std::abs(now - prev[i]) > tol_i * l1[i] * step) done = false;
      prev[i] = now;
    }
    if (done) {
      out.converged = true;
      break;
    }
  }
  for (std::size_t i = 0; i < K; ++i) out.sums[i] = prev[i];
  return out;
}

}  // namespace ltv::detail
