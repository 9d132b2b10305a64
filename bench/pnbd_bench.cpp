// Pareto/NBD benchmarks: the CDNOW-sample fit and log-likelihood (with gradient) throughput.
// Run: build/bin/pnbd_bench   (reads ../shared/data/cdnow/cdnow_customers_summary.csv, or
// $LTV_SHARED_DATA)
#include <benchmark/benchmark.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/models/pareto_nbd.hpp"
#include "shared_data.hpp"

namespace {

ltv::RfmPatterns cdnow() {
  const auto path = ltv::bench::shared_data("cdnow/cdnow_customers_summary.csv");
  std::ifstream in(path);
  if (!in) throw std::runtime_error("missing " + path.string());
  std::string line;
  std::getline(in, line);
  std::vector<double> x, t_x, T;
  while (std::getline(in, line)) {
    if (line.empty() || line == "\r") continue;
    std::stringstream ss(line);
    std::string f;
    std::vector<double> v;
    while (std::getline(ss, f, ',')) v.push_back(std::stod(f));
    x.push_back(v[1]);
    t_x.push_back(v[2]);
    T.push_back(v[3]);
  }
  return ltv::compress_patterns(x, t_x, T);
}

/// 100,000 distinct patterns: x in 0..60, t_x <= T in weeks (CDNOW-like ranges).
ltv::RfmPatterns distinct_patterns(std::size_t n) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> age(1, 78), frac(0, 1);
  std::geometric_distribution<int> freq(0.15);
  std::vector<double> x(n), t_x(n), T(n);
  for (std::size_t i = 0; i < n; ++i) {
    T[i] = age(rng);
    x[i] = std::min(freq(rng), 60);
    t_x[i] = x[i] > 0 ? T[i] * frac(rng) : 0.0;
  }
  return ltv::compress_patterns(x, t_x, T);
}

const ltv::ParetoNbdParams kBtyd{0.5533971, 10.5801985, 0.6060625, 11.6562237};

void BM_FitCdnow(benchmark::State& state) {
  const auto patterns = cdnow();
  for (auto _ : state) {
    auto fit = ltv::pareto_nbd::fit(patterns);
    benchmark::DoNotOptimize(fit.log_likelihood);
  }
  state.counters["patterns"] = static_cast<double>(patterns.size());
}
BENCHMARK(BM_FitCdnow)->Unit(benchmark::kMillisecond);

void BM_LogLikelihood100k(benchmark::State& state) {
  const auto patterns = distinct_patterns(100000);
  for (auto _ : state) {
    benchmark::DoNotOptimize(ltv::pareto_nbd::log_likelihood(kBtyd, patterns));
  }
  state.counters["patterns"] = static_cast<double>(patterns.size());
  state.counters["pattern_evals/s"] = benchmark::Counter(
      static_cast<double>(patterns.size()) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LogLikelihood100k)->Unit(benchmark::kMillisecond);

void BM_LogLikelihoodGradient100k(benchmark::State& state) {
  const auto patterns = distinct_patterns(100000);
  std::array<double, 4> g{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(ltv::pareto_nbd::log_likelihood(kBtyd, patterns, g));
  }
  state.counters["pattern_evals/s"] = benchmark::Counter(
      static_cast<double>(patterns.size()) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LogLikelihoodGradient100k)->Unit(benchmark::kMillisecond);

/// Log-likelihood (Arg 0) or log-likelihood + gradient (Arg 1) on 1M distinct patterns.
void BM_LogLikelihood1M(benchmark::State& state) {
  static const auto patterns = distinct_patterns(1000000);
  std::array<double, 4> g{};
  for (auto _ : state) {
    if (state.range(0) != 0) {
      benchmark::DoNotOptimize(ltv::pareto_nbd::log_likelihood(kBtyd, patterns, g));
    } else {
      benchmark::DoNotOptimize(ltv::pareto_nbd::log_likelihood(kBtyd, patterns));
    }
  }
  state.counters["patterns"] = static_cast<double>(patterns.size());
  state.counters["pattern_evals/s"] = benchmark::Counter(
      static_cast<double>(patterns.size()) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LogLikelihood1M)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
