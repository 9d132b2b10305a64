#pragma once
// Closed-form moments of the BTYD models used to check the simulator.

#include <cmath>

#include "ltv/sim/simulate.hpp"

namespace ltv::test {

/// Gauss hypergeometric 2F1(a, b; c; z) by its power series, 0 <= z < 1 (terms summed until they
/// no longer change the sum in double precision).
inline double hyp2f1_series(double a, double b, double c, double z) {
  double term = 1.0, sum = 1.0;
  for (int k = 0; k < 1000000; ++k) {
    term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
    const double next = sum + term;
    if (next == sum) break;
    sum = next;
  }
  return sum;
}

/// BG/NBD E[X(t)]: Fader, Hardie & Lee (2005), "Counting your customers the easy way", eq. (9).
inline double bgnbd_expected_transactions(const ltv::sim::BgNbdParams& p, double t) {
  const double z = t / (p.alpha + t);
  const double f = hyp2f1_series(p.r, p.b, p.a + p.b - 1.0, z);
  return (p.a + p.b - 1.0) / (p.a - 1.0) * (1.0 - std::pow(p.alpha / (p.alpha + t), p.r) * f);
}

}  // namespace ltv::test
