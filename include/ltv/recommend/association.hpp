#pragma once
/// Frequent itemsets (Eclat over tid-lists) and association rules with single-item consequents.
/// Thresholds are exact rationals and every comparison is done in integer arithmetic, so a rule
/// with confidence 16/20 passes `--min-confidence 0.8` (see docs/association-rules.md).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/recommend/baskets.hpp"

namespace ltv {

/// An exact threshold `numerator / denominator` in [0, 1].
struct Ratio {
  std::uint64_t numerator = 0;
  std::uint64_t denominator = 1;
  double value() const noexcept {
    return static_cast<double>(numerator) / static_cast<double>(denominator);
  }
};

/// Parses a threshold written as a decimal ("0.001", ".5", "1"), a percentage ("0.1%") or a
/// fraction ("1/3") into an exact Ratio. Throws parameter_error (naming `option`) unless it is a
/// number in [0, 1] with at most 18 significant decimals.
Ratio parse_ratio(std::string_view text, const std::string& option);

/// True when count / total >= threshold, in exact integer arithmetic. total must be > 0.
bool at_least(std::uint64_t count, std::uint64_t total, Ratio threshold) noexcept;

/// The smallest count c with c / total >= threshold (ceil(threshold * total)), at least 1.
std::uint64_t min_count_for(Ratio threshold, std::uint64_t total) noexcept;

/// Options of frequent_itemsets.
struct ItemsetOptions {
  Ratio min_support{1, 1000};   ///< relative support threshold (count / baskets)
  std::uint64_t min_count = 0;  ///< absolute count threshold; the larger of the two applies
  std::size_t max_length = 0;   ///< longest itemset; 0 = no limit (arules' default is 10)
  /// Mining stops once more itemsets than this are found (FrequentItemsets::complete is then
  /// false); 0 = no limit. A guard for searches over thresholds, not for final results.
  std::size_t max_itemsets = 0;
};

/// Frequent itemsets: itemset i is `items[offsets[i] .. offsets[i+1])` (sorted item ids) and
/// occurs in `count[i]` baskets. Ordered by length, then lexicographically by item id.
struct FrequentItemsets {
  std::vector<std::string> item_names;  ///< copied from the baskets
  std::uint64_t basket_count = 0;       ///< baskets mined
  std::uint64_t min_count = 0;          ///< the count threshold that was applied
  std::vector<std::uint64_t> offsets{0};
  std::vector<std::uint32_t> items;
  std::vector<std::uint64_t> count;
  /// false when ItemsetOptions::max_itemsets stopped the mining: the itemsets are a part only.
  bool complete = true;

  std::size_t size() const noexcept { return count.size(); }
  std::span<const std::uint32_t> itemset(std::size_t i) const noexcept {
    return {items.data() + offsets[i], items.data() + offsets[i + 1]};
  }
  /// Number of itemsets of each length: result[k] = itemsets with k items (result[0] = 0).
  std::vector<std::size_t> count_by_length() const;
};

/// Mines every itemset whose support count reaches the threshold (Eclat: depth-first
/// intersection of sorted basket-id lists). Throws parameter_error when there are no baskets.
FrequentItemsets frequent_itemsets(const Baskets& baskets, const ItemsetOptions& options);

/// Options of association_rules.
struct RuleOptions {
  Ratio min_confidence{1, 2};  ///< confidence = count(X u Y) / count(X), compared exactly
  std::size_t min_antecedent =
      1;  ///< smallest |X|; 0 also yields rules {} => {Y} (arules minlen=1)
};

/// Association rules X => {y}: rule r has antecedent `antecedent_items[offsets[r] ..
/// offsets[r+1])`, consequent item `consequent[r]`, `count[r]` = baskets holding X and y,
/// `antecedent_count[r]` = baskets holding X, `consequent_count[r]` = baskets holding y.
struct AssociationRules {
  std::vector<std::string> item_names;
  std::uint64_t basket_count = 0;
  std::vector<std::uint64_t> offsets{0};
  std::vector<std::uint32_t> antecedent_items;
  std::vector<std::uint32_t> consequent;
  std::vector<std::uint64_t> count;
  std::vector<std::uint64_t> antecedent_count;
  std::vector<std::uint64_t> consequent_count;

  std::size_t size() const noexcept { return consequent.size(); }
  std::span<const std::uint32_t> antecedent(std::size_t r) const noexcept {
    return {antecedent_items.data() + offsets[r], antecedent_items.data() + offsets[r + 1]};
  }
  /// count / baskets.
  double support(std::size_t r) const noexcept;
  /// count / antecedent_count.
  double confidence(std::size_t r) const noexcept;
  /// confidence / (consequent_count / baskets).
  double lift(std::size_t r) const noexcept;
};

/// Every rule X => {y} with X u {y} frequent, |X| >= min_antecedent and confidence reaching the
/// threshold exactly. Rules come sorted by lift, then confidence, then count (descending), then
/// by antecedent and consequent ids.
AssociationRules association_rules(const FrequentItemsets& itemsets, const RuleOptions& options);

/// Renders an itemset as "{a,b,c}" with item names sorted alphabetically (arules style).
std::string format_itemset(std::span<const std::uint32_t> items,
                           const std::vector<std::string>& item_names);

}  // namespace ltv
