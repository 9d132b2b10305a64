// Model kernels: BG/NBD fit on the CDNOW sample, log-likelihood evaluations on 1M patterns,
// CET per customer. Run: build/bin/models_bench (release build).
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "models/nbd_family.hpp"
#include "shared_data.hpp"

namespace {

/// Columns of a small numeric CSV under ../shared/data (beside the repository).
std::vector<std::vector<double>> read_columns(const std::string& relative, std::size_t n) {
  const auto path = ltv::bench::shared_data(relative);
  std::ifstream in(path);
  if (!in) throw std::runtime_error("missing " + path.string());
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> cols(n);
  while (std::getline(in, line)) {
    std::stringstream ss(line);
    std::string f;
    for (std::size_t c = 0; c < n && std::getline(ss, f, ','); ++c) cols[c].push_back(std::stod(f));
  }
  return cols;
}

ltv::RfmPatterns cdnow() {
  const auto c = read_columns("cdnow/cdnow_customers_summary.csv", 4);  // ID,frequency,recency,T
  return ltv::compress_patterns(c[1], c[2], c[3]);
}

void BM_BgNbdFitCdnow(benchmark::State& state) {
  const auto patterns = cdnow();
  for (auto _ : state) {
    auto fit = ltv::bg_nbd::fit(patterns);
    benchmark::DoNotOptimize(fit.log_likelihood);
  }
  state.counters["patterns"] = static_cast<double>(patterns.size());
}
BENCHMARK(BM_BgNbdFitCdnow)->Unit(benchmark::kMillisecond);

/// 1M distinct patterns from the BG/NBD simulator with continuous ages (so few merge).
ltv::RfmPatterns million() {
  std::vector<double> T(1'000'000);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(1, 78);
  for (auto& t : T) t = u(rng);
  return ltv::bg_nbd::simulate({0.243, 4.414, 0.793, 2.426}, T, 7);
}

void BM_BgNbdLogLikelihood1M(benchmark::State& state) {
  static const auto patterns = million();
  const bool gradient = state.range(0) != 0;
  std::vector<double> g(gradient ? 4 : 0);
  const ltv::detail::nbd::Params p{0.243, 4.414, 0.793, 2.426};
  for (auto _ : state) {
    benchmark::DoNotOptimize(ltv::detail::nbd::log_likelihood(p, 0, patterns, g));
  }
  state.counters["patterns"] = static_cast<double>(patterns.size());
  state.counters["patterns/s"] = benchmark::Counter(
      static_cast<double>(patterns.size()) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BgNbdLogLikelihood1M)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

/// BG/NBD customers at day resolution: N customers simulated in continuous time (ages uniform
/// over 0..13 weeks of acquisition before a 104-week window end, as `ltv simulate`), recency and
/// T rounded down to whole days (in weeks) and compressed, as a summary of dated transactions.
ltv::RfmPatterns day_resolution(std::size_t n) {
  std::vector<double> T(n);
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> u(91.0, 104.0);
  for (auto& t : T) t = u(rng);
  const ltv::RfmPatterns c = ltv::bg_nbd::simulate({0.243, 4.414, 0.793, 2.426}, T, 11);
  std::vector<double> x(c.size()), t_x(c.size()), big_t(c.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    x[i] = c.x[i];
    big_t[i] = std::floor(c.T[i] * 7) / 7;
    t_x[i] = x[i] > 0 ? std::min(std::floor(c.t_x[i] * 7) / 7, big_t[i]) : 0.0;
  }
  return ltv::compress_patterns(x, t_x, big_t, c.weight);
}

/// Fit time against the number of customers (10k .. 10M) after compression to day patterns.
void BM_BgNbdFitDayPatterns(benchmark::State& state) {
  const auto patterns = day_resolution(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    auto fit = ltv::bg_nbd::fit(patterns);
    benchmark::DoNotOptimize(fit.log_likelihood);
  }
  state.counters["customers"] = static_cast<double>(state.range(0));
  state.counters["patterns"] = static_cast<double>(patterns.size());
}
BENCHMARK(BM_BgNbdFitDayPatterns)
    ->Arg(10'000)
    ->Arg(100'000)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

void BM_BgNbdCetPerCustomer(benchmark::State& state) {
  const ltv::BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  double x = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ltv::bg_nbd::conditional_expected_transactions(p, 39, x, 30, 38.86));
    x = x > 20 ? 0 : x + 1;
  }
}
BENCHMARK(BM_BgNbdCetPerCustomer)->Unit(benchmark::kMicrosecond);

void BM_BgNbdCetCdnowPatterns(benchmark::State& state) {
  const auto patterns = cdnow();
  const ltv::BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  for (auto _ : state) {
    auto cet = ltv::bg_nbd::conditional_expected_transactions(p, 39, patterns);
    benchmark::DoNotOptimize(cet.data());
  }
  state.counters["patterns/s"] = benchmark::Counter(
      static_cast<double>(patterns.size()) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_BgNbdCetCdnowPatterns)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_BgBbFitDonations(benchmark::State& state) {
  const auto c = read_columns("donations/donations.csv", 4);  // frequency,recency,periods,weights
  const auto patterns = ltv::compress_patterns(c[0], c[1], c[2], c[3]);
  for (auto _ : state) {
    auto fit = ltv::bg_bb::fit(patterns);
    benchmark::DoNotOptimize(fit.log_likelihood);
  }
}
BENCHMARK(BM_BgBbFitDonations)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
