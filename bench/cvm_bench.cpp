// CVM action rules over synthetic customers: the default playbook (examples/actions.toml) with
// priorities, caps and control groups, over fields prepared once (segments, model timing, NPS).
//   build/bin/cvm_bench
#include <benchmark/benchmark.h>

#include <cmath>

#include "ltv/cvm/actions.hpp"
#include "synthetic_summary.hpp"

namespace {

using ltv::bench::synthetic;

ltv::FittedCountModel bgnbd_days() {
  ltv::FitResult r;
  r.model = "bgnbd";
  r.names = {"r", "alpha", "a", "b"};
  r.estimates = {0.243, 4.414 * 7, 0.793, 2.426};  // CDNOW, alpha in days
  return ltv::FittedCountModel(r);
}

/// Everything the rules read, built once per size.
struct Prepared {
  ltv::CustomerSummary summary;
  ltv::CustomerScores scores;
  std::vector<std::string> ids;
  std::unique_ptr<ltv::SegmentFields> fields;
  ltv::FittedCountModel model = bgnbd_days();

  explicit Prepared(std::size_t n) : summary(synthetic(n)) {
    scores.p_alive.resize(n);
    for (std::size_t i = 0; i < n; ++i)
      scores.p_alive[i] = model.p_alive(summary.frequency[i], summary.recency[i], summary.T[i]);
    ids.resize(n);
    for (std::size_t i = 0; i < n; ++i) ids[i] = std::string("C").append(std::to_string(i));
    fields = std::make_unique<ltv::SegmentFields>(summary, &scores, nullptr, 730);
    ltv::segment_customers(summary, &scores, nullptr, ltv::default_segment_config(), 730,
                           fields.get());
    std::mt19937_64 rng(2);
    std::vector<double> nps(n, std::nan(""));
    std::uniform_int_distribution<int> score(0, 10);
    for (std::size_t i = 0; i < n; i += 10) nps[i] = score(rng);
    ltv::CvmFieldInputs in;
    in.summary = &summary;
    in.model = &model;
    in.nps = nps;
    in.as_of_day = 730;
    ltv::add_cvm_fields(*fields, in);
  }
};

Prepared& prepared(std::size_t n) {
  static std::unique_ptr<Prepared> p;
  if (!p || p->summary.size() != n) {
    p.reset();
    p = std::make_unique<Prepared>(n);
  }
  return *p;
}

void PlanActions(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Prepared& p = prepared(n);
  const ltv::ActionConfig config = ltv::default_action_config();
  std::size_t actions = 0;
  for (auto _ : state) {
    const ltv::ActionList list = ltv::plan_actions(config, *p.fields, p.ids, ltv::PlanOptions{});
    actions = list.size();
    benchmark::DoNotOptimize(list.row.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["customers"] = static_cast<double>(n);
  state.counters["actions"] = static_cast<double>(actions);
}
BENCHMARK(PlanActions)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void CvmFields(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Prepared& p = prepared(n);
  ltv::CvmFieldInputs in;
  in.summary = &p.summary;
  in.model = &p.model;
  in.as_of_day = 730;
  for (auto _ : state) ltv::add_cvm_fields(*p.fields, in);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.counters["customers"] = static_cast<double>(n);
}
BENCHMARK(CvmFields)->Arg(1'000'000)->Arg(10'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
