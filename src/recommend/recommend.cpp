#include "ltv/recommend/recommend.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <unordered_set>

#include "ltv/error.hpp"
#include "math/parallel.hpp"

namespace ltv {

namespace {

const CategoricalColumn& item_column(const TransactionLog& log, ItemLevel level) {
  if (level == ItemLevel::item) {
    if (!log.product)
      input_error({"", 0, "product"}, "no product column", "a product / item column");
    return *log.product;
  }
  if (!log.category) input_error({"", 0, "category"}, "no category column", "a category column");
  return *log.category;
}

/// Items ordered by buyers (descending), then id.
std::vector<std::uint32_t> popularity_order(const PurchaseHistories& h,
                                            std::vector<std::uint32_t>* buyers_out = nullptr) {
  std::vector<std::uint32_t> buyers(h.item_count(), 0);
  for (auto item : h.items) ++buyers[item];
  std::vector<std::uint32_t> order(h.item_count());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return buyers[a] > buyers[b]; });
  while (!order.empty() && buyers[order.back()] == 0) order.pop_back();
  if (buyers_out) *buyers_out = std::move(buyers);
  return order;
}

std::vector<std::uint32_t> all_customers_with_history(const PurchaseHistories& h) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t c = 0; c < h.customer_count(); ++c) {
    if (h.offsets[c + 1] > h.offsets[c]) out.push_back(c);
  }
  return out;
}

bool excluded(const RecommendOptions& o, std::uint32_t item) {
  switch (o.exclude) {
    case ExcludeOwned::all:
      return true;
    case ExcludeOwned::durable:
      return item < o.durable.size() && o.durable[item] != 0;
    case ExcludeOwned::none:
      return false;
  }
  return true;
}

/// Per-thread scratch of the scorer.
struct Scratch {
  std::vector<double> keep;  ///< prod (1 - share) per candidate
  std::vector<std::uint32_t> best_x, best_count, best_buyers;
  std::vector<double> best_share;
  std::vector<std::uint8_t> owned;
  std::vector<std::uint32_t> touched;
  explicit Scratch(std::size_t n)
      : keep(n, 1.0), best_x(n), best_count(n), best_buyers(n), best_share(n, -1.0), owned(n, 0) {}
};

/// Output of a block of customers.
struct Block {
  std::vector<std::uint32_t> customer, rank, item, because, because_customers, because_buyers;
  std::vector<double> score;
};

void append(Recommendations& out, const Block& b) {
  out.customer.insert(out.customer.end(), b.customer.begin(), b.customer.end());
  out.rank.insert(out.rank.end(), b.rank.begin(), b.rank.end());
  out.item.insert(out.item.end(), b.item.begin(), b.item.end());
  out.score.insert(out.score.end(), b.score.begin(), b.score.end());
  out.because.insert(out.because.end(), b.because.begin(), b.because.end());
  out.because_customers.insert(out.because_customers.end(), b.because_customers.begin(),
                               b.because_customers.end());
  out.because_buyers.insert(out.because_buyers.end(), b.because_buyers.begin(),
                            b.because_buyers.end());
}

/// Scores one customer into `block`; `table` may be null (popularity only).
void score_customer(std::uint32_t c, const PurchaseHistories& h, const FollowOnTable* table,
                    const RecommendOptions& o, const std::vector<std::uint32_t>& popular,
                    const std::vector<std::uint32_t>& buyers, std::uint64_t customer_total,
                    Scratch& s, Block& block) {
  auto owned_items = h.items_of(c);
  for (auto x : owned_items) s.owned[x] = 1;
  s.touched.clear();
  if (table != nullptr) {
    for (auto x : owned_items) {
      for (auto k = table->offsets[x]; k < table->offsets[x + 1]; ++k) {
        std::uint32_t y = table->next[k];
        if (s.owned[y] && excluded(o, y)) continue;
        double share = table->share(x, k);
        if (s.best_share[y] < 0) s.touched.push_back(y);
        s.keep[y] *= 1.0 - share;
        if (share > s.best_share[y]) {
          s.best_share[y] = share;
          s.best_x[y] = x;
          s.best_count[y] = table->customers[k];
          s.best_buyers[y] = table->buyers[x];
        }
      }
    }
  }
  auto better = [&](std::uint32_t a, std::uint32_t b) {
    double sa = 1.0 - s.keep[a], sb = 1.0 - s.keep[b];
    if (sa != sb) return sa > sb;
    if (s.best_share[a] != s.best_share[b]) return s.best_share[a] > s.best_share[b];
    return a < b;
  };
  std::size_t take = std::min(o.top_n, s.touched.size());
  std::partial_sort(s.touched.begin(), s.touched.begin() + static_cast<std::ptrdiff_t>(take),
                    s.touched.end(), better);
  std::uint32_t rank = 0;
  for (std::size_t i = 0; i < take; ++i) {
    std::uint32_t y = s.touched[i];
    block.customer.push_back(c);
    block.rank.push_back(++rank);
    block.item.push_back(y);
    block.score.push_back(1.0 - s.keep[y]);
    block.because.push_back(s.best_x[y]);
    block.because_customers.push_back(s.best_count[y]);
    block.because_buyers.push_back(s.best_buyers[y]);
  }
  if (rank < o.top_n && (table == nullptr || o.fill_with_popular)) {
    for (auto y : popular) {
      if (rank >= o.top_n) break;
      if ((s.owned[y] && excluded(o, y)) || s.best_share[y] >= 0) continue;
      block.customer.push_back(c);
      block.rank.push_back(++rank);
      block.item.push_back(y);
      block.score.push_back(customer_total == 0 ? 0.0
                                                : static_cast<double>(buyers[y]) /
                                                      static_cast<double>(customer_total));
      block.because.push_back(Recommendations::kNoReason);
      block.because_customers.push_back(buyers[y]);
      block.because_buyers.push_back(static_cast<std::uint32_t>(customer_total));
    }
  }
  for (auto y : s.touched) {
    s.keep[y] = 1.0;
    s.best_share[y] = -1.0;
  }
  for (auto x : owned_items) s.owned[x] = 0;
}

Recommendations run_recommend(const PurchaseHistories& h, const FollowOnTable* table,
                              const RecommendOptions& o, std::span<const std::uint32_t> customers) {
  if (o.top_n == 0) parameter_error("top", "0", "a positive number of recommendations");
  Recommendations out;
  out.item_names = h.item_names;
  out.customer_ids = h.customer_ids;
  out.window_days = table ? table->window_days : 0;
  std::vector<std::uint32_t> buyers;
  auto popular = popularity_order(h, &buyers);
  std::uint64_t total = 0;
  for (std::size_t c = 0; c < h.customer_count(); ++c) total += h.offsets[c + 1] > h.offsets[c];
  out.customer_total = total;
  std::vector<std::uint32_t> all;
  if (customers.empty()) {
    all = all_customers_with_history(h);
    customers = all;
  }
  for (auto c : customers) {
    if (c >= h.customer_count()) parameter_error("customer", std::to_string(c), "a known customer");
  }
  constexpr std::size_t kBlock = 2048;
  const std::size_t n_blocks = (customers.size() + kBlock - 1) / kBlock;
  std::vector<Block> blocks(n_blocks);
  const auto n_items = h.item_count();
  detail::ParallelErrors errors;
#pragma omp parallel
  {
    std::optional<Scratch> scratch;
    errors.run([&] { scratch.emplace(n_items); });
#pragma omp for schedule(dynamic, 4)
    for (std::int64_t b = 0; b < static_cast<std::int64_t>(n_blocks); ++b) {
      errors.run([&] {
        auto first = static_cast<std::size_t>(b) * kBlock;
        auto last = std::min(customers.size(), first + kBlock);
        for (auto i = first; i < last; ++i) {
          score_customer(customers[i], h, table, o, popular, buyers, total, *scratch,
                         blocks[static_cast<std::size_t>(b)]);
        }
      });
    }
  }
  errors.rethrow();
  std::size_t rows = 0;
  for (const auto& b : blocks) rows += b.item.size();
  out.customer.reserve(rows);
  out.rank.reserve(rows);
  out.item.reserve(rows);
  out.score.reserve(rows);
  out.because.reserve(rows);
  out.because_customers.reserve(rows);
  out.because_buyers.reserve(rows);
  for (auto& b : blocks) {
    append(out, b);
    b = Block{};
  }
  return out;
}

}  // namespace

PurchaseHistories purchase_histories(const TransactionLog& log, const HistoryOptions& options) {
  const CategoricalColumn& column = item_column(log, options.level);
  PurchaseHistories h;
  h.item_names = column.values;
  h.customer_ids = log.customer_ids;
  const std::size_t n_customers = log.customer_count();
  auto keep_row = [&](std::size_t r) {
    if (options.from_day && log.day[r] < *options.from_day) return false;
    if (options.before_day && log.day[r] >= *options.before_day) return false;
    if (options.skip_returns) {
      if (!log.quantity.empty() && !(log.quantity[r] > 0)) return false;
      if (!log.amount.empty() && log.amount[r] < 0) return false;
    }
    return true;
  };
  std::vector<std::uint64_t> start(n_customers + 1, 0);
  for (std::size_t r = 0; r < log.size(); ++r) {
    if (keep_row(r)) ++start[log.customer[r] + 1];
  }
  for (std::size_t c = 0; c < n_customers; ++c) start[c + 1] += start[c];
  struct Entry {
    std::uint32_t item;
    std::int32_t day;
  };
  std::vector<Entry> entries(start.back());
  std::vector<std::uint64_t> cursor(start.begin(), start.end() - 1);
  for (std::size_t r = 0; r < log.size(); ++r) {
    if (keep_row(r)) entries[cursor[log.customer[r]]++] = Entry{column.codes[r], log.day[r]};
  }
  struct Span {
    std::uint32_t item;
    std::int32_t first, last;
  };
  std::vector<Span> spans;
  h.offsets.assign(1, 0);
  h.offsets.reserve(n_customers + 1);
  for (std::size_t c = 0; c < n_customers; ++c) {
    auto first = entries.begin() + static_cast<std::ptrdiff_t>(start[c]);
    auto last = entries.begin() + static_cast<std::ptrdiff_t>(start[c + 1]);
    std::sort(first, last, [](const Entry& a, const Entry& b) {
      return a.item != b.item ? a.item < b.item : a.day < b.day;
    });
    spans.clear();
    for (auto it = first; it != last; ++it) {
      if (!spans.empty() && spans.back().item == it->item) {
        spans.back().last = it->day;
      } else {
        spans.push_back(Span{it->item, it->day, it->day});
      }
    }
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
      return a.first != b.first ? a.first < b.first : a.item < b.item;
    });
    for (const auto& s : spans) {
      h.items.push_back(s.item);
      h.first_day.push_back(s.first);
      h.last_day.push_back(s.last);
    }
    h.offsets.push_back(h.items.size());
  }
  return h;
}

FollowOnTable follow_on(const PurchaseHistories& h, const FollowOnOptions& options) {
  if (options.window_days < 0) {
    parameter_error("window", std::to_string(options.window_days), "a number of days >= 0");
  }
  const std::size_t n_items = h.item_count();
  FollowOnTable t;
  t.item_names = h.item_names;
  t.window_days = options.window_days;
  t.buyers.assign(n_items, 0);
  for (auto item : h.items) ++t.buyers[item];
  for (std::size_t c = 0; c < h.customer_count(); ++c)
    t.customer_count += h.offsets[c + 1] > h.offsets[c];
  // Buyers of each item with the day they first bought it (item-major lists).
  std::vector<std::uint64_t> start(n_items + 1, 0);
  for (std::size_t x = 0; x < n_items; ++x) start[x + 1] = start[x] + t.buyers[x];
  std::vector<std::uint32_t> buyer_customer(h.items.size());
  std::vector<std::int32_t> buyer_day(h.items.size());
  {
    std::vector<std::uint64_t> cursor(start.begin(), start.end() - 1);
    for (std::uint32_t c = 0; c < h.customer_count(); ++c) {
      for (auto k = h.offsets[c]; k < h.offsets[c + 1]; ++k) {
        auto slot = cursor[h.items[k]]++;
        buyer_customer[slot] = c;
        buyer_day[slot] = h.first_day[k];
      }
    }
  }
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> followers(n_items);
  detail::ParallelErrors errors;
#pragma omp parallel
  {
    std::vector<std::uint32_t> counts;
    std::vector<std::uint32_t> touched;
    errors.run([&] { counts.assign(n_items, 0); });
#pragma omp for schedule(dynamic, 16)
    for (std::int64_t xi = 0; xi < static_cast<std::int64_t>(n_items); ++xi) {
      errors.run([&] {
        auto x = static_cast<std::uint32_t>(xi);
        touched.clear();
        for (auto b = start[x]; b < start[x + 1]; ++b) {
          auto c = buyer_customer[b];
          std::int32_t t0 = buyer_day[b];
          auto days = h.first_days_of(c);
          auto items = h.items_of(c);
          auto it = options.same_day ? std::lower_bound(days.begin(), days.end(), t0)
                                     : std::upper_bound(days.begin(), days.end(), t0);
          for (; it != days.end() && *it <= t0 + options.window_days; ++it) {
            auto y = items[static_cast<std::size_t>(it - days.begin())];
            if (y == x) continue;
            if (counts[y]++ == 0) touched.push_back(y);
          }
        }
        auto& f = followers[x];
        for (auto y : touched) {
          if (counts[y] >= options.min_customers) f.emplace_back(y, counts[y]);
          counts[y] = 0;
        }
        std::sort(f.begin(), f.end(), [](const auto& a, const auto& b) {
          return a.second != b.second ? a.second > b.second : a.first < b.first;
        });
        if (f.size() > options.max_per_item) f.resize(options.max_per_item);
      });
    }
  }
  errors.rethrow();
  for (std::size_t x = 0; x < n_items; ++x) {
    for (auto [y, n] : followers[x]) {
      t.next.push_back(y);
      t.customers.push_back(n);
    }
    t.offsets.push_back(t.next.size());
  }
  return t;
}

ExcludeOwned parse_exclude_owned(std::string_view text) {
  if (text == "all") return ExcludeOwned::all;
  if (text == "durable") return ExcludeOwned::durable;
  if (text == "none") return ExcludeOwned::none;
  parameter_error("exclude_owned", std::string(text), "one of all, durable, none");
}

std::string Recommendations::explain(std::size_t i) const {
  const auto& y = item_names[item[i]];
  if (because[i] == kNoReason) {
    double pct = because_buyers[i] == 0 ? 0.0 : 100.0 * because_customers[i] / because_buyers[i];
    return fmt::format("popular: {:.0f}% of customers bought {}", pct, y);
  }
  double pct = 100.0 * because_customers[i] / because_buyers[i];
  return fmt::format("bought {}; {:.0f}% of {} buyers buy {} within {} days",
                     item_names[because[i]], pct, item_names[because[i]], y, window_days);
}

Recommendations recommend(const PurchaseHistories& histories, const FollowOnTable& table,
                          const RecommendOptions& options,
                          std::span<const std::uint32_t> customers) {
  if (table.item_names.size() != histories.item_count()) {
    parameter_error("level", "a follow-on table over another item list",
                    "the table built from the same histories");
  }
  return run_recommend(histories, &table, options, customers);
}

Recommendations recommend_popular(const PurchaseHistories& histories,
                                  const RecommendOptions& options,
                                  std::span<const std::uint32_t> customers) {
  return run_recommend(histories, nullptr, options, customers);
}

RecommendEvaluation evaluate_recommendations(const TransactionLog& log,
                                             const EvaluationOptions& options) {
  if (options.ks.empty()) parameter_error("k", "nothing", "at least one cut-off");
  HistoryOptions train_options;
  train_options.level = options.level;
  train_options.before_day = options.split_day;
  auto train = purchase_histories(log, train_options);
  HistoryOptions test_options;
  test_options.level = options.level;
  test_options.from_day = options.split_day;
  if (options.end_day) test_options.before_day = *options.end_day + 1;
  auto test = purchase_histories(log, test_options);

  RecommendEvaluation result;
  result.split_day = options.split_day;
  std::vector<std::uint32_t> evaluated;
  std::vector<std::vector<std::uint32_t>> relevant(train.customer_count());
  for (std::uint32_t c = 0; c < train.customer_count(); ++c) {
    if (train.offsets[c + 1] == train.offsets[c]) continue;
    ++result.history_customers;
    auto owned = train.items_of(c);
    std::unordered_set<std::uint32_t> owned_set(owned.begin(), owned.end());
    for (auto y : test.items_of(c)) {
      if (owned_set.count(y) && excluded(options.recommend, y)) continue;
      relevant[c].push_back(y);
    }
    if (!relevant[c].empty()) evaluated.push_back(c);
  }
  if (result.history_customers == 0) {
    parameter_error("evaluate", "a date before every purchase", "a date with purchases before it");
  }
  if (evaluated.empty()) {
    parameter_error("evaluate", "a date after every purchase", "a date with purchases after it");
  }
  result.evaluated_customers = evaluated.size();
  auto ro = options.recommend;
  ro.top_n = *std::max_element(options.ks.begin(), options.ks.end());
  auto table = follow_on(train, options.follow_on);
  auto model = recommend(train, table, ro, evaluated);
  auto popular = recommend_popular(train, ro, evaluated);
  auto score = [&](const Recommendations& recs) {
    std::vector<RankingMetrics> metrics;
    for (auto k : options.ks) {
      RankingMetrics m;
      m.k = k;
      std::size_t i = 0;
      for (auto c : evaluated) {
        std::unordered_set<std::uint32_t> rel(relevant[c].begin(), relevant[c].end());
        std::size_t hits = 0;
        while (i < recs.size() && recs.customer[i] < c) ++i;
        for (std::size_t j = i; j < recs.size() && recs.customer[j] == c; ++j) {
          if (recs.rank[j] <= k && rel.count(recs.item[j])) ++hits;
        }
        m.hit_rate += hits > 0 ? 1.0 : 0.0;
        m.precision += static_cast<double>(hits) / static_cast<double>(k);
        m.recall += static_cast<double>(hits) / static_cast<double>(rel.size());
      }
      double n = static_cast<double>(evaluated.size());
      m.hit_rate /= n;
      m.precision /= n;
      m.recall /= n;
      metrics.push_back(m);
    }
    return metrics;
  };
  result.model = score(model);
  result.popularity = score(popular);
  return result;
}

}  // namespace ltv
