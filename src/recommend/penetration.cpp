#include "ltv/recommend/penetration.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>

#include "ltv/error.hpp"

namespace ltv {

namespace {

const CategoricalColumn& column_of(const TransactionLog& log, ItemLevel level) {
  if (level == ItemLevel::item) {
    if (!log.product)
      input_error({"", 0, "product"}, "no product column", "a product / item column");
    return *log.product;
  }
  if (!log.category) input_error({"", 0, "category"}, "no category column", "a category column");
  return *log.category;
}

std::vector<std::uint8_t> code_mask(const CategoricalColumn& column,
                                    std::span<const std::string> names) {
  std::unordered_map<std::string_view, std::uint32_t> code;
  for (std::uint32_t i = 0; i < column.values.size(); ++i) code.emplace(column.values[i], i);
  std::vector<std::uint8_t> mask(column.values.size(), 0);
  for (const auto& name : names) {
    auto it = code.find(name);
    if (it == code.end()) {
      input_error({"", 0, column.name}, name, "a value of column '" + column.name + "'");
    }
    mask[it->second] = 1;
  }
  return mask;
}

bool is_purchase(const TransactionLog& log, std::size_t r) {
  if (!log.quantity.empty() && !(log.quantity[r] > 0)) return false;
  if (!log.amount.empty() && log.amount[r] < 0) return false;
  return true;
}

}  // namespace

std::vector<std::uint8_t> buyers_of(const TransactionLog& log, ItemLevel level,
                                    std::span<const std::string> names,
                                    std::optional<std::int32_t> from_day,
                                    std::optional<std::int32_t> before_day) {
  const auto& column = column_of(log, level);
  auto mask = code_mask(column, names);
  std::vector<std::uint8_t> flag(log.customer_count(), 0);
  for (std::size_t r = 0; r < log.size(); ++r) {
    if (from_day && log.day[r] < *from_day) continue;
    if (before_day && log.day[r] >= *before_day) continue;
    if (mask[column.codes[r]] && is_purchase(log, r)) flag[log.customer[r]] = 1;
  }
  return flag;
}

PenetrationCurve penetration(const TransactionLog& log, const PenetrationOptions& options) {
  if (options.products.empty()) parameter_error("product", "nothing", "at least one product");
  if (log.size() == 0) input_error({"", 0, "transactions"}, "an empty log", "at least one row");
  const auto& column = column_of(log, options.level);
  auto mask = code_mask(column, options.products);
  const std::int32_t end =
      options.end_day.value_or(*std::max_element(log.day.begin(), log.day.end()));
  if (end < options.launch_day) {
    parameter_error("end", "a day before the launch", "a day on or after the launch date");
  }
  std::vector<std::uint8_t> target = options.target;
  if (target.empty()) {
    target.assign(log.customer_count(), 0);
    for (std::size_t r = 0; r < log.size(); ++r)
      if (log.day[r] <= end) target[log.customer[r]] = 1;
  } else if (target.size() != log.customer_count()) {
    input_error({}, std::to_string(target.size()) + " target flags",
                std::to_string(log.customer_count()) + " (one per customer)");
  }
  PenetrationCurve curve;
  for (auto t : target) curve.target_size += t;
  if (curve.target_size == 0) parameter_error("target", "an empty group", "at least one customer");
  // First purchase day of the product since launch, per target customer.
  constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::max();
  std::vector<std::int32_t> first(log.customer_count(), kNever);
  for (std::size_t r = 0; r < log.size(); ++r) {
    auto c = log.customer[r];
    if (!target[c] || !mask[column.codes[r]] || !is_purchase(log, r)) continue;
    if (log.day[r] < options.launch_day || log.day[r] > end) continue;
    first[c] = std::min(first[c], log.day[r]);
  }
  const std::int32_t weeks = (end - options.launch_day) / 7 + 1;
  curve.new_buyers.assign(static_cast<std::size_t>(weeks), 0);
  for (auto d : first)
    if (d != kNever) ++curve.new_buyers[static_cast<std::size_t>((d - options.launch_day) / 7)];
  std::uint64_t total = 0;
  for (std::int32_t w = 0; w < weeks; ++w) {
    total += curve.new_buyers[static_cast<std::size_t>(w)];
    curve.week.push_back(static_cast<std::uint32_t>(w + 1));
    curve.week_start.push_back(options.launch_day + 7 * w);
    curve.cumulative.push_back(total);
    curve.share.push_back(static_cast<double>(total) / static_cast<double>(curve.target_size));
  }
  return curve;
}

ReachTable reach(const TransactionLog& log, ItemLevel level,
                 std::span<const std::string> segment_of_customer, std::uint64_t min_buyers,
                 std::optional<std::int32_t> from_day, std::optional<std::int32_t> before_day) {
  if (segment_of_customer.size() != log.customer_count()) {
    input_error({}, std::to_string(segment_of_customer.size()) + " segment labels",
                std::to_string(log.customer_count()) + " (one per customer)");
  }
  const auto& column = column_of(log, level);
  std::map<std::string, std::uint32_t> segment_index;
  for (const auto& s : segment_of_customer)
    if (!s.empty()) segment_index.emplace(s, 0);
  std::vector<std::string> names;
  for (auto& [name, index] : segment_index) {
    index = static_cast<std::uint32_t>(names.size());
    names.push_back(name);
  }
  std::vector<std::int64_t> seg(log.customer_count(), -1);
  std::vector<std::uint64_t> size(names.size(), 0);
  for (std::size_t c = 0; c < log.customer_count(); ++c) {
    if (segment_of_customer[c].empty()) continue;
    seg[c] = segment_index[segment_of_customer[c]];
    ++size[static_cast<std::size_t>(seg[c])];
  }
  // Distinct (segment, item, customer) triples.
  std::vector<std::uint64_t> keys;  // item << 32 | customer, per segment bucket
  std::vector<std::vector<std::uint64_t>> per_segment(names.size());
  for (std::size_t r = 0; r < log.size(); ++r) {
    auto c = log.customer[r];
    if (seg[c] < 0 || !is_purchase(log, r)) continue;
    if (from_day && log.day[r] < *from_day) continue;
    if (before_day && log.day[r] >= *before_day) continue;
    per_segment[static_cast<std::size_t>(seg[c])].push_back(
        (static_cast<std::uint64_t>(column.codes[r]) << 32) | c);
  }
  ReachTable table;
  for (std::size_t s = 0; s < names.size(); ++s) {
    auto& v = per_segment[s];
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
    std::vector<std::pair<std::uint32_t, std::uint64_t>> counts;
    for (std::size_t i = 0; i < v.size();) {
      auto item = static_cast<std::uint32_t>(v[i] >> 32);
      std::size_t j = i;
      while (j < v.size() && (v[j] >> 32) == item) ++j;
      counts.emplace_back(item, j - i);
      i = j;
    }
    std::stable_sort(counts.begin(), counts.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    for (auto [item, n] : counts) {
      if (n < min_buyers) continue;
      table.segment.push_back(names[s]);
      table.item.push_back(column.values[item]);
      table.segment_size.push_back(size[s]);
      table.buyers.push_back(n);
      table.share.push_back(static_cast<double>(n) / static_cast<double>(size[s]));
    }
  }
  return table;
}

}  // namespace ltv
