#include "ltv/recommend/baskets.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "ltv/error.hpp"

namespace ltv {

namespace {

/// Interns strings to dense ids in order of first appearance.
class Interner {
 public:
  std::uint32_t id(std::string_view text) {
    auto it = ids_.find(std::string(text));
    if (it != ids_.end()) return it->second;
    auto next = static_cast<std::uint32_t>(names_.size());
    names_.emplace_back(text);
    ids_.emplace(names_.back(), next);
    return next;
  }
  std::vector<std::string> take() { return std::move(names_); }

 private:
  std::unordered_map<std::string, std::uint32_t> ids_;
  std::vector<std::string> names_;
};

/// Groups (basket, item) id pairs into CSR with sorted unique items (counting sort on basket).
void fill_csr(Baskets& out, std::size_t basket_count, const std::vector<std::uint32_t>& basket_of,
              const std::vector<std::uint32_t>& item_of) {
  std::vector<std::uint64_t> offsets(basket_count + 1, 0);
  for (auto b : basket_of) ++offsets[b + 1];
  for (std::size_t b = 0; b < basket_count; ++b) offsets[b + 1] += offsets[b];
  std::vector<std::uint32_t> items(item_of.size());
  std::vector<std::uint64_t> cursor(offsets.begin(), offsets.end() - 1);
  for (std::size_t r = 0; r < basket_of.size(); ++r) items[cursor[basket_of[r]]++] = item_of[r];
  out.offsets.assign(1, 0);
  out.offsets.reserve(basket_count + 1);
  out.items.clear();
  out.items.reserve(items.size());
  for (std::size_t b = 0; b < basket_count; ++b) {
    auto first = items.begin() + static_cast<std::ptrdiff_t>(offsets[b]);
    auto last = items.begin() + static_cast<std::ptrdiff_t>(offsets[b + 1]);
    std::sort(first, last);
    last = std::unique(first, last);
    out.items.insert(out.items.end(), first, last);
    out.offsets.push_back(out.items.size());
  }
}

}  // namespace

Baskets baskets_from_pairs(std::span<const std::string> basket_keys,
                           std::span<const std::string> items) {
  if (basket_keys.size() != items.size()) {
    input_error({}, std::to_string(items.size()) + " items",
                std::to_string(basket_keys.size()) + " items (one per basket key)");
  }
  Interner baskets_seen;
  Interner items_seen;
  std::vector<std::uint32_t> basket_of(items.size());
  std::vector<std::uint32_t> item_of(items.size());
  for (std::size_t r = 0; r < items.size(); ++r) {
    basket_of[r] = baskets_seen.id(basket_keys[r]);
    item_of[r] = items_seen.id(items[r]);
  }
  Baskets out;
  out.basket_ids = baskets_seen.take();
  out.item_names = items_seen.take();
  fill_csr(out, out.basket_ids.size(), basket_of, item_of);
  return out;
}

Baskets baskets_from_lines(std::string_view text, char separator) {
  Interner items_seen;
  std::vector<std::uint32_t> basket_of;
  std::vector<std::uint32_t> item_of;
  Baskets out;
  std::size_t line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    auto basket = static_cast<std::uint32_t>(out.basket_ids.size());
    out.basket_ids.push_back(std::to_string(line_number));
    std::size_t start = 0;
    while (start <= line.size()) {
      std::size_t stop = line.find(separator, start);
      if (stop == std::string_view::npos) stop = line.size();
      std::string_view field = line.substr(start, stop - start);
      if (!field.empty()) {
        basket_of.push_back(basket);
        item_of.push_back(items_seen.id(field));
      }
      start = stop + 1;
    }
  }
  out.item_names = items_seen.take();
  fill_csr(out, out.basket_ids.size(), basket_of, item_of);
  return out;
}

BasketKey parse_basket_key(std::string_view text) {
  if (text == "order" || text == "invoice") return BasketKey::order;
  if (text == "customer_day" || text == "customer-day") return BasketKey::customer_day;
  parameter_error("basket_by", std::string(text), "one of order, customer_day");
}

ItemLevel parse_item_level(std::string_view text) {
  if (text == "item" || text == "product") return ItemLevel::item;
  if (text == "category") return ItemLevel::category;
  parameter_error("level", std::string(text), "one of item, category");
}

Baskets baskets_from_log(const TransactionLog& log, const BasketOptions& options) {
  const CategoricalColumn* item_column = nullptr;
  if (options.level == ItemLevel::item) {
    if (!log.product)
      input_error({"", 0, "product"}, "no product column", "a product / item column");
    item_column = &*log.product;
  } else {
    if (!log.category) input_error({"", 0, "category"}, "no category column", "a category column");
    item_column = &*log.category;
  }
  Baskets out;
  std::vector<std::uint32_t> basket_of(log.size());
  std::size_t basket_count = 0;
  if (options.key == BasketKey::order) {
    if (!log.order)
      input_error({"", 0, "order"}, "no order column", "an order / invoice id column");
    // Codes of the order column are dense in order of first appearance already.
    out.basket_ids = log.order->values;
    basket_count = out.basket_ids.size();
    for (std::size_t r = 0; r < log.size(); ++r) basket_of[r] = log.order->codes[r];
  } else {
    std::unordered_map<std::uint64_t, std::uint32_t> ids;
    for (std::size_t r = 0; r < log.size(); ++r) {
      std::uint64_t key = (static_cast<std::uint64_t>(log.customer[r]) << 32) |
                          static_cast<std::uint32_t>(log.day[r]);
      auto [it, inserted] = ids.emplace(key, static_cast<std::uint32_t>(ids.size()));
      if (inserted) {
        out.basket_ids.push_back(log.customer_ids[log.customer[r]] + "|" +
                                 std::to_string(log.day[r]));
      }
      basket_of[r] = it->second;
    }
    basket_count = out.basket_ids.size();
  }
  out.item_names = item_column->values;
  std::vector<std::uint32_t> item_of(item_column->codes.begin(), item_column->codes.end());
  if (options.skip_returns) {
    // Return / cancellation lines are not purchases: drop them (their basket may become empty).
    std::size_t kept = 0;
    for (std::size_t r = 0; r < log.size(); ++r) {
      bool is_return = (!log.quantity.empty() && !(log.quantity[r] > 0)) ||
                       (!log.amount.empty() && log.amount[r] < 0);
      if (is_return) continue;
      basket_of[kept] = basket_of[r];
      item_of[kept] = item_of[r];
      ++kept;
    }
    basket_of.resize(kept);
    item_of.resize(kept);
  }
  fill_csr(out, basket_count, basket_of, item_of);
  // Drop empty baskets (orders made only of return lines): they are not baskets.
  Baskets compact;
  compact.item_names = std::move(out.item_names);
  compact.items = std::move(out.items);
  compact.offsets.assign(1, 0);
  for (std::size_t b = 0; b < basket_count; ++b) {
    if (out.offsets[b + 1] == out.offsets[b]) continue;
    compact.basket_ids.push_back(std::move(out.basket_ids[b]));
    compact.offsets.push_back(out.offsets[b + 1]);
  }
  return compact;
}

Baskets map_items(const Baskets& baskets,
                  const std::unordered_map<std::string, std::string>& mapping) {
  Interner groups;
  std::vector<std::uint32_t> group_of(baskets.item_count());
  for (std::size_t i = 0; i < baskets.item_count(); ++i) {
    auto it = mapping.find(baskets.item_names[i]);
    if (it == mapping.end()) {
      // Loaders trim blanks around fields; hierarchy files may keep them ("cream cheese ").
      for (auto m = mapping.begin(); m != mapping.end() && it == mapping.end(); ++m) {
        std::string_view key = m->first;
        while (!key.empty() && key.back() == ' ') key.remove_suffix(1);
        while (!key.empty() && key.front() == ' ') key.remove_prefix(1);
        if (key == baskets.item_names[i]) it = m;
      }
    }
    if (it == mapping.end()) {
      input_error({"", 0, "item"}, baskets.item_names[i], "an item listed in the item hierarchy");
    }
    group_of[i] = groups.id(it->second);
  }
  std::vector<std::uint32_t> basket_of;
  std::vector<std::uint32_t> item_of;
  basket_of.reserve(baskets.items.size());
  item_of.reserve(baskets.items.size());
  for (std::size_t b = 0; b < baskets.size(); ++b) {
    for (auto item : baskets.basket(b)) {
      basket_of.push_back(static_cast<std::uint32_t>(b));
      item_of.push_back(group_of[item]);
    }
  }
  Baskets out;
  out.basket_ids = baskets.basket_ids;
  out.item_names = groups.take();
  fill_csr(out, baskets.size(), basket_of, item_of);
  return out;
}

MappedBaskets map_items_partial(const Baskets& baskets,
                                const std::unordered_map<std::string, std::string>& mapping,
                                std::size_t max_examples) {
  // Keys with blanks around them, by their trimmed text (matched when no key matches exactly).
  std::unordered_map<std::string_view, const std::string*> trimmed;
  for (const auto& [key, group] : mapping) {
    std::string_view k = key;
    while (!k.empty() && k.back() == ' ') k.remove_suffix(1);
    while (!k.empty() && k.front() == ' ') k.remove_prefix(1);
    if (k.size() != key.size()) trimmed.emplace(k, &group);
  }
  MappedBaskets out;
  Interner groups;
  constexpr std::uint32_t kUnmapped = UINT32_MAX;
  std::vector<std::uint32_t> group_of(baskets.item_count(), kUnmapped);
  for (std::size_t i = 0; i < baskets.item_count(); ++i) {
    const std::string* group = nullptr;
    if (auto it = mapping.find(baskets.item_names[i]); it != mapping.end()) {
      group = &it->second;
    } else if (auto t = trimmed.find(baskets.item_names[i]); t != trimmed.end()) {
      group = t->second;
    }
    if (group == nullptr || group->empty()) {
      ++out.unmapped_items;
      if (out.unmapped_examples.size() < max_examples) {
        out.unmapped_examples.push_back(baskets.item_names[i]);
      }
      continue;
    }
    group_of[i] = groups.id(*group);
  }
  std::vector<std::uint32_t> basket_of, item_of;
  basket_of.reserve(baskets.items.size());
  item_of.reserve(baskets.items.size());
  for (std::size_t b = 0; b < baskets.size(); ++b) {
    bool any = false;
    for (auto item : baskets.basket(b)) {
      if (group_of[item] == kUnmapped) {
        ++out.unmapped_occurrences;
        continue;
      }
      any = true;
      basket_of.push_back(static_cast<std::uint32_t>(out.baskets.basket_ids.size()));
      item_of.push_back(group_of[item]);
    }
    if (any) {
      out.baskets.basket_ids.push_back(b < baskets.basket_ids.size() ? baskets.basket_ids[b]
                                                                     : std::to_string(b + 1));
    } else {
      ++out.baskets_dropped;
    }
  }
  out.baskets.item_names = groups.take();
  fill_csr(out.baskets, out.baskets.basket_ids.size(), basket_of, item_of);
  return out;
}

}  // namespace ltv
