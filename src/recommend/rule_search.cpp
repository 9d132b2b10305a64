// Association rules with bounded defaults: the support threshold searched for a target number of
// rules, a category fallback for sparse items (rule_search.hpp, docs/association-rules.md).
#include "ltv/recommend/rule_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "ltv/error.hpp"

namespace ltv {

namespace {

/// The outcome of one level's search.
struct LevelResult {
  std::size_t baskets = 0, items = 0;
  std::uint64_t floor = 0, used = 0;
  bool raised = false;
  FrequentItemsets itemsets;
  AssociationRules rules;
};

/// Mines at support count `count`: the rules when they fit the target, nothing otherwise.
struct Attempt {
  bool fits = false;
  FrequentItemsets itemsets;
  AssociationRules rules;
};

Attempt attempt(const Baskets& baskets, const std::string& level, std::uint64_t count,
                const RuleSearchOptions& options, std::vector<RuleSearchStep>& steps) {
  ItemsetOptions io;
  io.min_support = Ratio{0, 1};
  io.min_count = count;
  io.max_length = options.max_length;
  io.max_itemsets = options.max_itemsets;
  Attempt a;
  a.itemsets = frequent_itemsets(baskets, io);
  RuleSearchStep step;
  step.level = level;
  step.min_count = a.itemsets.min_count;
  step.itemsets = a.itemsets.size();
  if (!a.itemsets.complete) {
    step.over_guard = true;
    steps.push_back(step);
    return a;
  }
  RuleOptions ro;
  ro.min_confidence = options.min_confidence;
  a.rules = association_rules(a.itemsets, ro);
  step.rules = a.rules.size();
  steps.push_back(step);
  a.fits = a.rules.size() <= options.target_rules;
  return a;
}

LevelResult search_level(const Baskets& baskets, const std::string& level,
                         const RuleSearchOptions& options, std::vector<RuleSearchStep>& steps) {
  LevelResult out;
  out.baskets = baskets.size();
  out.items = baskets.item_count();
  out.floor = std::max<std::uint64_t>(
      {options.min_count, min_count_for(options.min_support, baskets.size()), 1});
  std::vector<std::uint64_t> item_count(baskets.item_count(), 0);
  for (auto item : baskets.items) ++item_count[item];
  const std::uint64_t top =
      item_count.empty() ? 0 : *std::max_element(item_count.begin(), item_count.end());
  // Nothing reaches the floor: no itemsets at all (mined once, for the record).
  std::uint64_t hi = std::max(top, out.floor);
  Attempt best = attempt(baskets, level, hi, options, steps);
  std::uint64_t lo = 0;  // a count known to give too many rules (0 = none found yet)
  if (!best.fits) {
    // Only when many items tie at the top: above every item count nothing is frequent.
    lo = hi;
    hi = baskets.size() + 1;
    best = attempt(baskets, level, hi, options, steps);
  } else {
    // Halve down to the floor while the rules fit.
    while (hi > out.floor) {
      const std::uint64_t next = std::max(out.floor, hi / 2);
      Attempt a = attempt(baskets, level, next, options, steps);
      if (!a.fits) {
        lo = next;
        break;
      }
      hi = next;
      best = std::move(a);
    }
  }
  // Bisection between a count that gives too many rules and one that fits.
  while (lo != 0 && hi - lo > 1) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    Attempt a = attempt(baskets, level, mid, options, steps);
    if (a.fits) {
      hi = mid;
      best = std::move(a);
    } else {
      lo = mid;
    }
  }
  out.used = hi;
  out.raised = hi > out.floor;
  out.itemsets = std::move(best.itemsets);
  out.rules = std::move(best.rules);
  return out;
}

std::string threshold_text(std::uint64_t count, std::size_t baskets) {
  return fmt::format("{:.3g} (count >= {})",
                     static_cast<double>(count) / static_cast<double>(baskets), count);
}

}  // namespace

RuleSearchResult search_association_rules(const Baskets& items, std::span<const RuleLevel> coarser,
                                          const RuleSearchOptions& options) {
  if (options.target_rules == 0) {
    parameter_error("target_rules", "0", "a positive number of rules");
  }
  if (items.size() == 0) parameter_error("basket", "no baskets", "at least one basket");
  for (const RuleLevel& level : coarser) {
    if (level.baskets == nullptr || level.baskets->size() == 0) {
      parameter_error("level '" + level.name + "'", "no baskets", "the baskets of a coarser level");
    }
  }
  RuleSearchResult out;
  out.min_confidence = options.min_confidence;
  out.max_length = options.max_length;
  LevelResult chosen = search_level(items, "item", options, out.steps);
  std::size_t chosen_index = 0;
  auto outcome = [](const std::string& name, const LevelResult& r) {
    return RuleLevelOutcome{name, r.baskets, r.items, r.floor, r.used, r.rules.size()};
  };
  out.levels.push_back(outcome("item", chosen));
  for (std::size_t k = 0; k < coarser.size() && chosen.rules.size() < options.min_rules; ++k) {
    LevelResult next = search_level(*coarser[k].baskets, coarser[k].name, options, out.steps);
    out.levels.push_back(outcome(coarser[k].name, next));
    if (next.rules.size() > chosen.rules.size()) {
      chosen = std::move(next);
      chosen_index = k + 1;
    }
  }
  out.level_index = chosen_index;
  out.level = out.levels[chosen_index].level;
  out.baskets = chosen.baskets;
  out.items = chosen.items;
  out.floor_count = chosen.floor;
  out.min_count = chosen.used;
  out.min_support = static_cast<double>(chosen.used) / static_cast<double>(chosen.baskets);
  out.raised = chosen.raised;
  out.itemsets = std::move(chosen.itemsets);
  out.rules = std::move(chosen.rules);

  std::string note =
      fmt::format("{} rules ({} level, {} baskets, {} {})", out.rules.size(), out.level,
                  out.baskets, out.items, chosen_index == 0 ? "items" : "groups");
  if (chosen_index > 0) {
    std::vector<std::string> sparse;
    for (std::size_t k = 0; k < chosen_index; ++k) {
      const RuleLevelOutcome& l = out.levels[k];
      sparse.push_back(fmt::format("{} level: {} rules at support {}", l.level, l.rules,
                                   threshold_text(l.floor_count, l.baskets)));
    }
    note += fmt::format(", because the finer levels are too sparse ({})", fmt::join(sparse, "; "));
  } else if (out.levels.size() > 1) {
    note += ": no coarser level gives more rules";
  }
  if (out.raised) {
    note += fmt::format("; support raised from {} to {} to keep at most {} rules",
                        threshold_text(out.floor_count, out.baskets),
                        threshold_text(out.min_count, out.baskets), options.target_rules);
  } else {
    note += fmt::format("; support {}", threshold_text(out.min_count, out.baskets));
  }
  if (options.max_length > 0) {
    note += fmt::format("; itemsets of at most {} items", options.max_length);
  }
  note += fmt::format("; confidence >= {:g}", options.min_confidence.value());
  out.note = std::move(note);
  return out;
}

}  // namespace ltv
