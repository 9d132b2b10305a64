// Benchmarks of the cross-sell kernels: frequent itemsets + rules on Online Retail's invoices
// and Groceries, follow-on counts and recommendations for 1M simulated customers.
// Run: build/bin/basket_bench (from the release build; reads ../shared/data).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "ltv/io/csv.hpp"
#include "ltv/recommend/association.hpp"
#include "ltv/recommend/recommend.hpp"
#include "shared_data.hpp"

namespace {

std::filesystem::path shared(const std::string& relative) {
  return ltv::bench::shared_data(relative);
}

/// Online Retail as baskets: InvoiceNo -> StockCode (all 25,900 invoices, cancellations too).
const ltv::Baskets& retail_baskets() {
  static const ltv::Baskets baskets = [] {
    ltv::CsvReader reader(shared("online_retail/online_retail.csv.gz").string());
    std::vector<std::string> invoices, items;
    ltv::CsvRecord r;
    while (reader.next(r)) {
      invoices.emplace_back(r[0]);
      items.emplace_back(r[1]);
    }
    return ltv::baskets_from_pairs(invoices, items);
  }();
  return baskets;
}

const ltv::Baskets& groceries_baskets() {
  static const ltv::Baskets baskets = [] {
    ltv::CsvOptions o;
    o.has_header = true;
    ltv::CsvReader reader(shared("groceries/groceries_long.csv").string(), o);
    std::vector<std::string> ids, items;
    ltv::CsvRecord r;
    while (reader.next(r)) {
      ids.emplace_back(r[0]);
      items.emplace_back(r[1]);
    }
    return ltv::baskets_from_pairs(ids, items);
  }();
  return baskets;
}

void mine(benchmark::State& state, const ltv::Baskets& baskets, const std::string& support) {
  ltv::ItemsetOptions io;
  io.min_support = ltv::parse_ratio(support, "s");
  ltv::RuleOptions ro;
  ro.min_confidence = ltv::parse_ratio("0.5", "c");
  std::size_t itemsets = 0, rules = 0;
  for (auto _ : state) {
    auto sets = ltv::frequent_itemsets(baskets, io);
    auto r = ltv::association_rules(sets, ro);
    itemsets = sets.size();
    rules = r.size();
    benchmark::DoNotOptimize(r.count.data());
  }
  state.counters["baskets"] = static_cast<double>(baskets.size());
  state.counters["itemsets"] = static_cast<double>(itemsets);
  state.counters["rules"] = static_cast<double>(rules);
}

void BM_RulesOnlineRetail(benchmark::State& state) {
  static const char* supports[] = {"0.02", "0.01", "0.005"};
  state.SetLabel(std::string("min support ") + supports[state.range(0)] + ", confidence 0.5");
  mine(state, retail_baskets(), supports[state.range(0)]);
}
BENCHMARK(BM_RulesOnlineRetail)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_RulesGroceries(benchmark::State& state) {
  state.SetLabel("min support 0.001, confidence 0.5");
  mine(state, groceries_baskets(), "0.001");
}
BENCHMARK(BM_RulesGroceries)->Unit(benchmark::kMillisecond);

/// 1M customers over 5,000 items in 50 themes: each customer buys 1-16 items (mean ~8), mostly
/// from one or two themes, over a year; item popularity is skewed within a theme.
const ltv::PurchaseHistories& million_customers() {
  static const ltv::PurchaseHistories h = [] {
    constexpr std::uint32_t kCustomers = 1'000'000, kItems = 5000, kThemes = 50;
    std::mt19937_64 rng(42);
    ltv::PurchaseHistories out;
    for (std::uint32_t i = 0; i < kItems; ++i) out.item_names.push_back("item" + std::to_string(i));
    out.customer_ids.reserve(kCustomers);
    std::uniform_int_distribution<int> n_items(1, 16), theme(0, kThemes - 1), day(0, 364),
        other(0, kItems - 1);
    std::geometric_distribution<int> within(0.05);
    std::bernoulli_distribution second_theme(0.3), stray(0.1);
    std::vector<std::pair<std::int32_t, std::uint32_t>> bought;
    for (std::uint32_t c = 0; c < kCustomers; ++c) {
      out.customer_ids.push_back(std::to_string(c));
      int t1 = theme(rng), t2 = second_theme(rng) ? theme(rng) : t1;
      int k = n_items(rng);
      bought.clear();
      std::int32_t d = day(rng) / 2;
      for (int j = 0; j < k; ++j) {
        std::uint32_t item;
        if (stray(rng)) {
          item = static_cast<std::uint32_t>(other(rng));
        } else {
          int t = (j % 2 == 0) ? t1 : t2;
          item = static_cast<std::uint32_t>(t * (kItems / kThemes) +
                                            std::min(within(rng), int(kItems / kThemes) - 1));
        }
        bool dup = false;
        for (auto& b : bought) dup |= b.second == item;
        if (dup) continue;
        bought.emplace_back(d, item);
        d += within(rng);
      }
      std::sort(bought.begin(), bought.end());
      for (auto [dd, item] : bought) {
        out.items.push_back(item);
        out.first_day.push_back(dd);
        out.last_day.push_back(dd);
      }
      out.offsets.push_back(out.items.size());
    }
    return out;
  }();
  return h;
}

void BM_FollowOnMillionCustomers(benchmark::State& state) {
  const auto& h = million_customers();
  ltv::FollowOnOptions o;
  std::size_t pairs = 0;
  for (auto _ : state) {
    auto t = ltv::follow_on(h, o);
    pairs = t.size();
    benchmark::DoNotOptimize(t.next.data());
  }
  state.counters["customers"] = static_cast<double>(h.customer_count());
  state.counters["lines"] = static_cast<double>(h.items.size());
  state.counters["pairs_kept"] = static_cast<double>(pairs);
}
BENCHMARK(BM_FollowOnMillionCustomers)->Unit(benchmark::kMillisecond)->Iterations(1);

void BM_RecommendMillionCustomers(benchmark::State& state) {
  const auto& h = million_customers();
  auto table = ltv::follow_on(h, {});
  ltv::RecommendOptions o;
  o.top_n = 10;
  std::size_t rows = 0;
  for (auto _ : state) {
    auto recs = ltv::recommend(h, table, o);
    rows = recs.size();
    benchmark::DoNotOptimize(recs.item.data());
  }
  state.counters["customers"] = static_cast<double>(h.customer_count());
  state.counters["recommendations"] = static_cast<double>(rows);
}
BENCHMARK(BM_RecommendMillionCustomers)->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace

BENCHMARK_MAIN();
