// Segmentation speed: RFM scores + the ten RFM rule segments, ABCDX and life-cycle stages with
// the built-in config, on synthetic customer summaries of 100k to 10M customers.
//   build/bin/segment_bench --benchmark_filter=SegmentCustomers
#include <benchmark/benchmark.h>

#include <random>

#include "ltv/segment/segment.hpp"

namespace {

ltv::CustomerSummary synthetic(std::size_t n) {
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

void SegmentCustomers(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const ltv::CustomerSummary s = synthetic(n);
  const ltv::SegmentConfig config = ltv::default_segment_config();
  for (auto _ : state) {
    ltv::SegmentResult r = ltv::segment_customers(s, nullptr, nullptr, config);
    benchmark::DoNotOptimize(r.stage.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["customers"] = static_cast<double>(n);
}
BENCHMARK(SegmentCustomers)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void QuantileScores(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const ltv::CustomerSummary s = synthetic(n);
  for (auto _ : state) {
    auto r = ltv::quantile_scores(s.revenue, 5, false);
    benchmark::DoNotOptimize(r.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(QuantileScores)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void RuleEvaluation(benchmark::State& state) {
  const std::size_t n = 1'000'000;
  const ltv::CustomerSummary s = synthetic(n);
  ltv::SegmentFields fields(s, nullptr, nullptr, s.calibration_end);
  auto rule =
      ltv::RuleExpr::parse("recency_days <= 90 and orders >= 3 or revenue between 100 and 500")
          .bind(fields.resolver());
  for (auto _ : state) {
    std::size_t hits = 0;
    for (std::size_t i = 0; i < n; ++i) hits += rule.evaluate(i);
    benchmark::DoNotOptimize(hits);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}
BENCHMARK(RuleEvaluation)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
