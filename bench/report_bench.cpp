// Report kernels: the Pareto curve (a sort of the per-customer values), a heat map render, and
// the whole report built from a directory whose customers.csv has N rows (every other input
// absent, so the time is the per-customer streaming and aggregation).
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "ltv/report/report.hpp"
#include "ltv/report/svg.hpp"

namespace {

std::vector<double> lognormal_values(std::size_t n) {
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> d(3.5, 1.2);
  std::vector<double> v(n);
  for (auto& x : v) x = d(rng);
  return v;
}

void BM_ParetoCurve(benchmark::State& state) {
  const auto values = lognormal_values(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(ltv::report::pareto_curve(values));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_ParetoCurve)->Arg(100'000)->Arg(1'000'000)->Unit(benchmark::kMillisecond);

void BM_RenderHeatMap(benchmark::State& state) {
  ltv::report::HeatMap h;
  h.title = "bench";
  const auto n = static_cast<std::size_t>(state.range(0));
  for (std::size_t i = 0; i < n; ++i) {
    h.rows.push_back(std::to_string(i));
    h.columns.push_back(std::to_string(i));
  }
  h.values = lognormal_values(n * n);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string svg = ltv::report::render(h);
    bytes = svg.size();
    benchmark::DoNotOptimize(svg.data());
  }
  state.counters["svg_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderHeatMap)->Arg(16)->Arg(48)->Unit(benchmark::kMillisecond);

void BM_BuildReport(benchmark::State& state) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / fmt::format("ltv_report_bench_{}", state.range(0));
  fs::create_directories(dir);
  {
    std::ofstream f(dir / "customers.csv");
    f << "customer_id,frequency,recency,T,monetary_value,first_purchase,last_purchase,orders,"
         "revenue,p_alive,expected_purchases,expected_spend,clv,rfm_segment,abcdx,stage\n";
    const auto revenue = lognormal_values(static_cast<std::size_t>(state.range(0)));
    for (std::size_t i = 0; i < revenue.size(); ++i) {
      f << fmt::format(
          "C{},{},{},{},{:.2f},2024-01-01,2024-06-01,{},{:.2f},{:.4f},{:.3f},{:.2f},{:.2f},Loyal,B,"
          "active\n",
          i, i % 7, i % 50, 60 + i % 40, revenue[i] / 3, 1 + i % 7, revenue[i], (i % 100) / 100.0,
          (i % 10) / 3.0, revenue[i] / 4, revenue[i] / 2);
    }
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    const auto report = ltv::report::build_report(dir);
    bytes = report.html.size();
    benchmark::DoNotOptimize(report.html.data());
  }
  state.counters["html_bytes"] = static_cast<double>(bytes);
  state.SetItemsProcessed(state.iterations() * state.range(0));
  fs::remove_all(dir);
}
BENCHMARK(BM_BuildReport)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
