#pragma once
/// Sequences and next-best-offer recommendations from purchase histories: "what do customers buy
/// after X", scored recommendations with a reason, a popularity baseline, and a time-split
/// evaluation (hit rate and precision at k).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/transaction_log.hpp"
#include "ltv/recommend/baskets.hpp"

namespace ltv {

/// Distinct items bought by each customer of a log, with the first and last day of purchase.
/// Customer c's items are `items[offsets[c] .. offsets[c+1])`, sorted by first day, then id.
/// Customer indices are the log's.
struct PurchaseHistories {
  std::vector<std::string> item_names;
  std::vector<std::string> customer_ids;
  std::vector<std::uint64_t> offsets{0};
  std::vector<std::uint32_t> items;
  std::vector<std::int32_t> first_day;
  std::vector<std::int32_t> last_day;

  std::size_t customer_count() const noexcept { return offsets.size() - 1; }
  std::size_t item_count() const noexcept { return item_names.size(); }
  std::span<const std::uint32_t> items_of(std::size_t c) const noexcept {
    return {items.data() + offsets[c], items.data() + offsets[c + 1]};
  }
  std::span<const std::int32_t> first_days_of(std::size_t c) const noexcept {
    return {first_day.data() + offsets[c], first_day.data() + offsets[c + 1]};
  }
};

/// Options of purchase_histories.
struct HistoryOptions {
  ItemLevel level = ItemLevel::item;
  std::optional<std::int32_t> from_day;    ///< first day included (unset: all)
  std::optional<std::int32_t> before_day;  ///< first day excluded (unset: all)
  bool skip_returns = true;  ///< ignore rows with quantity <= 0 or amount < 0 (returns, refunds)
};

/// Builds histories. Throws InputError when the log lacks the product (or category) column.
PurchaseHistories purchase_histories(const TransactionLog& log, const HistoryOptions& options = {});

/// Options of follow_on.
struct FollowOnOptions {
  std::int32_t window_days = 60;    ///< Y counts when first bought within this many days of X
  bool same_day = true;             ///< count Y first bought on the day X was first bought
  std::uint32_t min_customers = 3;  ///< drop pairs seen for fewer customers
  std::size_t max_per_item = 50;    ///< keep the strongest followers of each item
};

/// "Customers who bought X then bought Y": for each antecedent item x, its followers
/// `next[offsets[x] .. offsets[x+1])` with `customers` = customers whose first purchase of Y lies
/// in [first purchase of X, + window_days] (the left end only when same_day), strongest first.
/// `buyers[x]` = customers who bought x; share = customers / buyers[x].
struct FollowOnTable {
  std::vector<std::string> item_names;
  std::int32_t window_days = 60;
  std::uint64_t customer_count = 0;   ///< customers with a history
  std::vector<std::uint32_t> buyers;  ///< per item
  std::vector<std::uint64_t> offsets{0};
  std::vector<std::uint32_t> next;
  std::vector<std::uint32_t> customers;

  std::size_t size() const noexcept { return next.size(); }
  /// customers[k] / buyers[x] for the pair stored at position k with antecedent x.
  double share(std::uint32_t x, std::size_t k) const noexcept {
    return static_cast<double>(customers[k]) / static_cast<double>(buyers[x]);
  }
};

/// Counts follow-on purchases (item-major; parallel over items with OpenMP). Throws
/// parameter_error for a negative window.
FollowOnTable follow_on(const PurchaseHistories& histories, const FollowOnOptions& options = {});

/// Which already-owned items may not be recommended again.
enum class ExcludeOwned {
  all,      ///< never recommend an item the customer bought (default)
  durable,  ///< only items flagged durable (the rest are consumables bought again)
  none      ///< recommend anything
};
/// Parses all / durable / none (for --exclude-owned); throws parameter_error.
ExcludeOwned parse_exclude_owned(std::string_view text);

/// Options of recommend and recommend_popular.
struct RecommendOptions {
  std::size_t top_n = 10;
  ExcludeOwned exclude = ExcludeOwned::all;
  std::vector<std::uint8_t> durable;  ///< per item (1 = durable); used with ExcludeOwned::durable
  bool fill_with_popular = true;      ///< top up short lists with the most bought items
};

/// Recommendations, grouped by customer (in the order requested; all customers: ascending) and
/// rank (1 = best). `because[i]` is the owned item whose follow-on share gave the score, or
/// kNoReason for popularity fill-ins; `because_customers` / `because_buyers` is that share.
struct Recommendations {
  static constexpr std::uint32_t kNoReason = 0xFFFFFFFFu;
  std::vector<std::string> item_names;
  std::vector<std::string> customer_ids;
  std::int32_t window_days = 60;
  std::uint64_t customer_total = 0;  ///< customers behind the popularity shares
  std::vector<std::uint32_t> customer;
  std::vector<std::uint32_t> rank;
  std::vector<std::uint32_t> item;
  std::vector<double> score;  ///< 1 - prod(1 - share) over owned items; popularity share
  std::vector<std::uint32_t> because;
  std::vector<std::uint32_t> because_customers;
  std::vector<std::uint32_t> because_buyers;

  std::size_t size() const noexcept { return item.size(); }
  /// "bought X; 31% of X buyers buy Y within 60 days" or "popular: bought by 12% of customers".
  std::string explain(std::size_t i) const;
};

/// Next best offers for `customers` (indices into the histories; empty = every customer with
/// a history): score(Y) = 1 - prod over owned X of (1 - share(X -> Y)), excluding owned items
/// per the policy. Parallel over customers with OpenMP.
Recommendations recommend(const PurchaseHistories& histories, const FollowOnTable& table,
                          const RecommendOptions& options = {},
                          std::span<const std::uint32_t> customers = {});

/// The baseline: the items bought by the most customers, minus owned items per the policy.
Recommendations recommend_popular(const PurchaseHistories& histories,
                                  const RecommendOptions& options = {},
                                  std::span<const std::uint32_t> customers = {});

/// Options of evaluate_recommendations.
struct EvaluationOptions {
  std::int32_t split_day = 0;           ///< history: day < split; test: day >= split
  std::optional<std::int32_t> end_day;  ///< last test day (inclusive); unset: end of log
  std::vector<std::size_t> ks{5, 10};   ///< cut-offs
  ItemLevel level = ItemLevel::item;
  FollowOnOptions follow_on;
  RecommendOptions recommend;  ///< top_n is raised to the largest k
};

/// Metrics of one method at one cut-off k.
struct RankingMetrics {
  std::size_t k = 0;
  double hit_rate = 0;   ///< share of evaluated customers with at least one hit in the top k
  double precision = 0;  ///< mean of hits / k
  double recall = 0;     ///< mean of hits / relevant items
};

/// Time-split evaluation. Evaluated customers have a history before the split and buy at least
/// one relevant item after it; relevant = items bought in the test period that the policy lets
/// us recommend (with ExcludeOwned::all: items new to the customer).
struct RecommendEvaluation {
  std::int32_t split_day = 0;
  std::uint64_t history_customers = 0;
  std::uint64_t evaluated_customers = 0;
  std::vector<RankingMetrics> model;
  std::vector<RankingMetrics> popularity;
};

/// Runs the evaluation on a log. Throws parameter_error when the split leaves no history or no
/// test purchases.
RecommendEvaluation evaluate_recommendations(const TransactionLog& log,
                                             const EvaluationOptions& options);

}  // namespace ltv
