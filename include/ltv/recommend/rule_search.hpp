#pragma once
/// Association rules with bounded defaults on real catalogues. Fixed thresholds that suit a
/// 169-category grocery panel give a million rules on a 4,000-product gift catalogue (Online
/// Retail) and none on a 20,000-product panel with thin baskets (Complete Journey). The search
/// here raises the support threshold until at most a target number of rules pass, caps the
/// itemset length, and falls back to coarser levels (categories, departments) when the items are
/// too sparse to give rules, and reports every threshold it tried (docs/association-rules.md,
/// "Adaptive defaults"). Explicit thresholds keep using frequent_itemsets / association_rules
/// unchanged.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ltv/recommend/association.hpp"
#include "ltv/recommend/baskets.hpp"

namespace ltv {

/// Options of search_association_rules (defaults documented in docs/association-rules.md).
struct RuleSearchOptions {
  std::size_t target_rules = 1000;  ///< at most this many rules (> 0)
  Ratio min_confidence{1, 10};      ///< fixed, as `ltv analyze`'s default 0.1
  /// The floor of the support threshold: never fewer baskets behind an itemset than the larger
  /// of min_count and ceil(min_support x baskets) (analyze's defaults 10 and 0.001).
  std::uint64_t min_count = 10;
  Ratio min_support{1, 1000};
  std::size_t max_length = 3;  ///< longest itemset: rules {a, b} => {c} at most (0 = no limit)
  /// Fewer rules than this at the floor means the items are too sparse: the next coarser level
  /// is searched (when given).
  std::size_t min_rules = 10;
  /// Mining guard per threshold tried: more itemsets than this counts as too many rules.
  std::size_t max_itemsets = 200000;
};

/// A coarser level to fall back to: the same baskets with items mapped to groups (e.g. with
/// baskets_from_log(level = category) or map_items_partial over a products file).
struct RuleLevel {
  std::string name;                  ///< e.g. "category", "department"
  const Baskets* baskets = nullptr;  ///< must outlive the call
};

/// One support threshold tried.
struct RuleSearchStep {
  std::string level;            ///< "item" or the RuleLevel name
  std::uint64_t min_count = 0;  ///< support count threshold tried
  std::size_t itemsets = 0;     ///< frequent itemsets found (a lower bound when over the guard)
  std::size_t rules = 0;        ///< rules passing the confidence (0 when over the guard)
  bool over_guard = false;      ///< the mining stopped at max_itemsets
};

/// The outcome at one level (the finest first).
struct RuleLevelOutcome {
  std::string level;
  std::size_t baskets = 0;        ///< baskets mined
  std::size_t items = 0;          ///< distinct items (groups) at that level
  std::uint64_t floor_count = 0;  ///< the lowest support count allowed
  std::uint64_t min_count = 0;    ///< the support count threshold reached
  std::size_t rules = 0;          ///< rules at that threshold
};

/// What search_association_rules did and found.
struct RuleSearchResult {
  std::string level = "item";     ///< the level of `rules`: "item" or a RuleLevel name
  std::size_t level_index = 0;    ///< 0 = items, k = the k-th coarser level
  std::size_t baskets = 0;        ///< baskets mined at that level
  std::size_t items = 0;          ///< distinct items (or groups) at that level
  FrequentItemsets itemsets;      ///< at the chosen threshold
  AssociationRules rules;         ///< sorted by lift, as association_rules()
  std::uint64_t floor_count = 0;  ///< the lowest support count allowed at that level
  std::uint64_t min_count = 0;    ///< the support count threshold used
  double min_support = 0;         ///< min_count / baskets
  Ratio min_confidence;
  std::size_t max_length = 0;
  bool raised = false;  ///< the threshold was raised above the floor to stay within the target
  std::vector<RuleLevelOutcome> levels;  ///< every level searched, finest first
  std::vector<RuleSearchStep> steps;     ///< every threshold tried, in order
  /// Plain words, e.g. "1000 rules (item level, 18536 baskets, 3684 items); support raised from
  /// 0.00103 (count >= 19) to 0.0096 (count >= 178) to keep at most 1000 rules; itemsets of at
  /// most 3 items; confidence >= 0.1".
  std::string note;
};

/// Searches the support threshold at the item level and, while a level gives fewer than
/// options.min_rules rules at its floor, at each of the `coarser` levels in turn; the first level
/// with at least min_rules rules is used (else the one with the most rules, the finer on ties).
/// At each level: the smallest support count >= the floor whose rules number at most
/// options.target_rules (exact: the rules only grow as the count falls; found by halving from
/// the most frequent item's count, then bisection). Throws parameter_error for target_rules = 0,
/// no baskets, or a coarser level without baskets.
RuleSearchResult search_association_rules(const Baskets& items,
                                          std::span<const RuleLevel> coarser = {},
                                          const RuleSearchOptions& options = {});

}  // namespace ltv
