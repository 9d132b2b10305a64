#pragma once
/// Market baskets: each basket (an order / invoice, or a customer's purchases on one day) as a
/// sorted set of dense item ids. The input of frequent-itemset mining and association rules.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ltv/data/transaction_log.hpp"

namespace ltv {

/// Baskets in compressed-sparse-row form: the items of basket b are
/// `items[offsets[b] .. offsets[b+1])`, sorted ascending and without repeats.
struct Baskets {
  std::vector<std::string> item_names;    ///< item id -> name (in order of first appearance)
  std::vector<std::string> basket_ids;    ///< basket -> external id (order id, or "customer|date")
  std::vector<std::uint64_t> offsets{0};  ///< size() + 1 entries
  std::vector<std::uint32_t> items;       ///< item ids, sorted within each basket

  std::size_t size() const noexcept { return offsets.size() - 1; }
  std::size_t item_count() const noexcept { return item_names.size(); }
  /// The sorted item ids of basket `b`.
  std::span<const std::uint32_t> basket(std::size_t b) const noexcept {
    return {items.data() + offsets[b], items.data() + offsets[b + 1]};
  }
};

/// Builds baskets from two parallel string columns (one entry per line item). Baskets keep the
/// order of first appearance of their key; an item repeated within a basket counts once.
/// Throws InputError when the columns differ in length.
Baskets baskets_from_pairs(std::span<const std::string> basket_keys,
                           std::span<const std::string> items);

/// Builds baskets from one-basket-per-line text (the arules/`groceries.csv` layout: items
/// separated by `separator`, no header). Empty lines are skipped. Basket ids are the 1-based
/// line numbers.
Baskets baskets_from_lines(std::string_view text, char separator = ',');

/// What makes a basket when reading a transaction log.
enum class BasketKey {
  order,        ///< the order / invoice id column
  customer_day  ///< a customer's purchases on one day
};
/// Level at which items are counted.
enum class ItemLevel {
  item,     ///< the product column
  category  ///< the category column
};

/// Parses "order" / "customer_day" (for --basket-by); throws parameter_error.
BasketKey parse_basket_key(std::string_view text);
/// Parses "item" / "category" (for --level); throws parameter_error.
ItemLevel parse_item_level(std::string_view text);

/// Options of baskets_from_log.
struct BasketOptions {
  BasketKey key = BasketKey::order;
  ItemLevel level = ItemLevel::item;
  bool skip_returns = true;  ///< ignore lines with quantity <= 0 or amount < 0 (returns)
};

/// Groups the rows of a log into baskets (baskets left with no purchase line are dropped). Needs
/// the order column for BasketKey::order and the product (or category) column; throws
/// InputError naming the missing column otherwise.
Baskets baskets_from_log(const TransactionLog& log, const BasketOptions& options);

/// Re-labels every item through `mapping` (item name -> group name, e.g. the arules hierarchy
/// item -> level2) and merges repeats. A key matches after trimming blanks when no key matches
/// exactly. Throws InputError for an item the mapping lacks.
Baskets map_items(const Baskets& baskets,
                  const std::unordered_map<std::string, std::string>& mapping);

/// Baskets re-labelled through a mapping that may lack some items (e.g. a products file joined
/// on product id, where some products are missing), and what was left out.
struct MappedBaskets {
  Baskets baskets;                             ///< baskets left with no mapped item are dropped
  std::size_t unmapped_items = 0;              ///< distinct items the mapping lacks (left out)
  std::uint64_t unmapped_occurrences = 0;      ///< basket entries of those items
  std::size_t baskets_dropped = 0;             ///< baskets with no mapped item left
  std::vector<std::string> unmapped_examples;  ///< the first few such items, in item-id order
};

/// As map_items, but an item the mapping lacks (after the same blank-trimming match) is left
/// out and counted instead of being an error, and an empty group name counts as missing.
MappedBaskets map_items_partial(const Baskets& baskets,
                                const std::unordered_map<std::string, std::string>& mapping,
                                std::size_t max_examples = 5);

}  // namespace ltv
