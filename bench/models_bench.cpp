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

#include "ltv/data/regularity.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/load.hpp"
#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_cnbd_k.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/ggompertz_nbd.hpp"
#include "ltv/models/mbg_cnbd_k.hpp"
#include "ltv/models/nbd.hpp"
#include "ltv/models/pareto_nbd.hpp"
#include "ltv/models/sbg.hpp"
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

// ---- models of issue 22 (nbd, bgcnbdk, mbgcnbdk, ggomnbd, sbg) ---------------------------------
// The reference libraries (BTYDplus, CLVTools: R) are not installed on this machine (no R), so
// these run alone; their published timings are not comparable (other machines).

/// groceryElog as BTYDplus's vignette summarises it (T.cal = 2006-12-31, weeks), with litt.
ltv::RegularityPatterns grocery() {
  ltv::LoadOptions o;
  o.columns.customer = "cust";
  o.columns.date = "date";
  ltv::LoadReport report;
  const auto log = ltv::load_transactions(
      ltv::bench::shared_data("grocery_elog/groceryElog.csv").string(), o, report);
  ltv::SummaryOptions so;
  so.calibration_end = ltv::parse_date("2006-12-31");
  const auto s = ltv::summarize(log, so);
  const auto litt = ltv::log_intertransaction_times(log, s);
  return ltv::compress_regularity_patterns(s.frequency, s.recency, s.T, litt);
}

void BM_NbdFitCdnow(benchmark::State& state) {
  const auto patterns = cdnow();
  for (auto _ : state) benchmark::DoNotOptimize(ltv::nbd::fit(patterns).log_likelihood);
}
BENCHMARK(BM_NbdFitCdnow)->Unit(benchmark::kMillisecond);

/// (M)BG/CNBD-k on groceryElog: range(0) = 0 searches k (BTYDplus's grid, here k = 1..4), else
/// fits that k only.
template <bool Modified>
void BM_CnbdKFitGrocery(benchmark::State& state) {
  const auto data = grocery();
  ltv::CnbdKFitOptions o;
  o.k = static_cast<int>(state.range(0));
  for (auto _ : state) {
    auto fit = Modified ? ltv::mbg_cnbd_k::fit(data, o) : ltv::bg_cnbd_k::fit(data, o);
    benchmark::DoNotOptimize(fit.log_likelihood);
  }
  state.counters["patterns"] = static_cast<double>(data.patterns.size());
}
BENCHMARK(BM_CnbdKFitGrocery<false>)->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CnbdKFitGrocery<true>)->Arg(0)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_MbgCnbdKCetGrocery(benchmark::State& state) {
  const auto data = grocery();
  const ltv::CnbdKParams p{2, 1.3292, 2.8126, 0.4247, 0.7900};
  for (auto _ : state) {
    auto cet = ltv::mbg_cnbd_k::conditional_expected_transactions(p, 52, data.patterns);
    benchmark::DoNotOptimize(cet.data());
  }
  state.counters["patterns/s"] = benchmark::Counter(
      static_cast<double>(data.patterns.size()) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate);
}
BENCHMARK(BM_MbgCnbdKCetGrocery)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_GgompertzNbdFitCdnow(benchmark::State& state) {
  const auto patterns = cdnow();
  for (auto _ : state) benchmark::DoNotOptimize(ltv::ggompertz_nbd::fit(patterns).log_likelihood);
}
BENCHMARK(BM_GgompertzNbdFitCdnow)->Unit(benchmark::kMillisecond);

void BM_GgompertzNbdLogLikelihoodCdnow(benchmark::State& state) {
  const auto patterns = cdnow();
  const ltv::GgompertzNbdParams p{0.8, 5.0, 0.05, 1.2, 3.0};
  double g[5];
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        ltv::ggompertz_nbd::log_likelihood(p, patterns, std::span<double, 5>(g)));
  }
}
BENCHMARK(BM_GgompertzNbdLogLikelihoodCdnow)->Unit(benchmark::kMillisecond);

void BM_SbgFitTwoCohorts(benchmark::State& state) {
  // Fader & Hardie (2007) Table 1, years 0-7 of the regular and high-end cohorts (per 1,000).
  const std::vector<ltv::SurvivalCohort> cohorts = {{{1000, 631, 468, 382, 326, 289, 262, 241}},
                                                    {{1000, 869, 743, 653, 593, 551, 517, 491}}};
  for (auto _ : state) benchmark::DoNotOptimize(ltv::sbg::fit(cohorts).log_likelihood);
}
BENCHMARK(BM_SbgFitTwoCohorts)->Unit(benchmark::kMicrosecond);

void BM_ParetoNbdFitCdnowForScale(benchmark::State& state) {
  // Pareto/NBD on CDNOW in the same program, for scale (its own benchmark is in pnbd_bench).
  const auto patterns = cdnow();
  for (auto _ : state) benchmark::DoNotOptimize(ltv::pareto_nbd::fit(patterns).log_likelihood);
}
BENCHMARK(BM_ParetoNbdFitCdnowForScale)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
