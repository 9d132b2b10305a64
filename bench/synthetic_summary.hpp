#pragma once
// A synthetic day-unit customer summary for the benchmarks (2 years of observation, geometric
// repeat counts, log-normal checks), the same for every benchmark that needs one.
#include <cstddef>
#include <cstdint>
#include <random>

#include "ltv/data/summary.hpp"

namespace ltv::bench {

inline ltv::CustomerSummary synthetic(std::size_t n) {
  std::mt19937_64 rng(1);
  std::geometric_distribution<int> repeat(0.3);
  std::uniform_int_distribution<int> first(0, 700);
  std::lognormal_distribution<double> check(3.5, 0.8);
  ltv::CustomerSummary s;
  s.time_unit = ltv::TimeUnit::day;
  s.calibration_end = s.observation_end = 730;
  s.has_amount = true;
  for (auto* v : {&s.frequency, &s.recency, &s.T, &s.monetary_value, &s.revenue}) v->resize(n);
  s.customer.resize(n);
  s.first_purchase.resize(n);
  s.last_purchase.resize(n);
  s.orders.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    int f0 = first(rng);
    int x = repeat(rng);
    int span = x == 0 ? 0 : std::uniform_int_distribution<int>(x, 730 - f0)(rng);
    double avg = check(rng);
    s.customer[i] = static_cast<std::uint32_t>(i);
    s.first_purchase[i] = f0;
    s.last_purchase[i] = f0 + span;
    s.frequency[i] = x;
    s.recency[i] = span;
    s.T[i] = 730 - f0;
    s.orders[i] = x + 1;
    s.revenue[i] = avg * (x + 1);
    s.monetary_value[i] = x ? avg : 0;
  }
  return s;
}

}  // namespace ltv::bench
