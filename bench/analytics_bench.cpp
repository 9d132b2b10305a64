// Throughput of KPIs and cohorts on simulated transaction logs built in memory (rows/s).
//   build/bin/analytics_bench --benchmark_filter='/100000000' (needs about 4 GB of memory)
// Logs: rows/10 customers, first purchases uniform over 2 years, later purchases at random
// gaps; rows grouped by customer, each with an order id per purchase day and 3 channels.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <map>
#include <memory>
#include <random>

#include "ltv/analytics/cohorts.hpp"
#include "ltv/analytics/kpis.hpp"

namespace {

const ltv::TransactionLog& simulated_log(std::size_t rows) {
  static std::map<std::size_t, std::unique_ptr<ltv::TransactionLog>> cache;
  auto& slot = cache[rows];
  if (slot) return *slot;
  slot = std::make_unique<ltv::TransactionLog>();
  ltv::TransactionLog& log = *slot;
  const std::size_t customers = std::max<std::size_t>(1, rows / 10);
  std::mt19937_64 rng(7);
  const std::int32_t start = 19723;  // 2024-01-01
  log.customer_ids.resize(customers);
  log.customer.reserve(rows);
  log.day.reserve(rows);
  log.amount.reserve(rows);
  log.channel = ltv::CategoricalColumn{"channel", {"web", "app", "store"}, {}};
  log.channel->codes.reserve(rows);
  std::size_t c = 0;
  while (log.customer.size() < rows) {
    const std::size_t id = c % customers;
    if (log.customer_ids[id].empty()) log.customer_ids[id] = fmt::format("C{}", id);
    std::int32_t day = start + static_cast<std::int32_t>(rng() % 730);
    const std::size_t n = 1 + rng() % 19;  // mean 10 rows per customer
    const std::uint32_t channel = static_cast<std::uint32_t>(rng() % 3);
    for (std::size_t k = 0; k < n && log.customer.size() < rows; ++k) {
      log.customer.push_back(static_cast<std::uint32_t>(id));
      log.day.push_back(std::min(day, start + 729));
      log.amount.push_back(5.0 + static_cast<double>(rng() % 10000) / 100.0);
      log.channel->codes.push_back(channel);
      if (rng() % 3 == 0) day += 1 + static_cast<std::int32_t>(rng() % 60);
    }
    ++c;
  }
  return log;
}

void BM_Kpis(benchmark::State& state) {
  const auto& log = simulated_log(static_cast<std::size_t>(state.range(0)));
  ltv::KpiOptions o;
  for (auto _ : state) benchmark::DoNotOptimize(ltv::compute_kpis(log, o));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_KpisByChannel(benchmark::State& state) {
  const auto& log = simulated_log(static_cast<std::size_t>(state.range(0)));
  ltv::KpiOptions o;
  o.breakdown = "channel";
  for (auto _ : state) benchmark::DoNotOptimize(ltv::compute_kpis(log, o));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

void BM_Cohorts(benchmark::State& state) {
  const auto& log = simulated_log(static_cast<std::size_t>(state.range(0)));
  ltv::CohortOptions o;
  for (auto _ : state) benchmark::DoNotOptimize(ltv::build_cohorts(log, o));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}

}  // namespace

BENCHMARK(BM_Kpis)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Arg(100'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_KpisByChannel)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Arg(100'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();
BENCHMARK(BM_Cohorts)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Arg(100'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

BENCHMARK_MAIN();
