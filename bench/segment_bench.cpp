// Segmentation speed: RFM scores + the ten RFM rule segments, ABCDX and life-cycle stages with
// the built-in config, on synthetic customer summaries of 100k to 10M customers.
//   build/bin/segment_bench --benchmark_filter=SegmentCustomers
#include <benchmark/benchmark.h>

#include "ltv/segment/segment.hpp"
#include "synthetic_summary.hpp"

namespace {

using ltv::bench::synthetic;

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
