#include "ltv/analytics/groups.hpp"

#include <unordered_map>

#include "ltv/error.hpp"

namespace ltv {

const CategoricalColumn& find_column(const TransactionLog& log, std::string_view name,
                                     std::string_view option) {
  const std::pair<const char*, const std::optional<CategoricalColumn>*> roles[] = {
      {"order", &log.order},     {"product", &log.product}, {"category", &log.category},
      {"channel", &log.channel}, {"region", &log.region},
  };
  for (const auto& [role, column] : roles) {
    if (column->has_value() && (name == role || (*column)->name == name)) return **column;
  }
  for (const auto& column : log.extra) {
    if (column.name == name) return column;
  }
  std::string available;
  for (const auto& [role, column] : roles) {
    if (column->has_value()) available += (available.empty() ? "" : ", ") + std::string(role);
  }
  for (const auto& column : log.extra) available += (available.empty() ? "" : ", ") + column.name;
  parameter_error(std::string(option), std::string(name),
                  available.empty() ? std::string("a categorical column, but the data has none")
                                    : "a column of the data (" + available + ")");
}

CustomerGroups groups_from_first_purchase(const TransactionLog& log, std::string_view column_name,
                                          std::string_view option) {
  const CategoricalColumn& column = find_column(log, column_name, option);
  CustomerGroups g;
  g.name = std::string(column_name);
  g.code.assign(log.customer_count(), kNoGroup);
  const bool has_time = !log.second_of_day.empty();
  std::vector<std::int64_t> first(log.customer_count(), std::numeric_limits<std::int64_t>::max());
  std::vector<std::uint32_t> value(log.customer_count(), 0);
  for (std::size_t i = 0; i < log.size(); ++i) {
    const std::int64_t t = std::int64_t{log.day[i]} * 86400 + (has_time ? log.second_of_day[i] : 0);
    const std::uint32_t c = log.customer[i];
    if (t < first[c]) {
      first[c] = t;
      value[c] = column.codes[i];
    }
  }
  // Recode so that empty values share the "(unknown)" label.
  std::vector<std::uint32_t> recode(column.values.size(), kNoGroup);
  std::unordered_map<std::string, std::uint32_t> by_label;
  for (std::size_t c = 0; c < g.code.size(); ++c) {
    if (first[c] == std::numeric_limits<std::int64_t>::max()) continue;
    std::uint32_t& r = recode[value[c]];
    if (r == kNoGroup) {
      std::string label =
          column.values[value[c]].empty() ? std::string(kUnknownLabel) : column.values[value[c]];
      auto [it, inserted] = by_label.emplace(label, static_cast<std::uint32_t>(g.labels.size()));
      if (inserted) g.labels.push_back(label);
      r = it->second;
    }
    g.code[c] = r;
  }
  return g;
}

CustomerGroups groups_from_labels(const TransactionLog& log, std::string name,
                                  const std::vector<std::string>& customer_ids,
                                  const std::vector<std::string>& labels,
                                  std::size_t* unmatched_ids) {
  CustomerGroups g;
  g.name = std::move(name);
  g.code.assign(log.customer_count(), kNoGroup);
  std::unordered_map<std::string_view, std::uint32_t> index;
  index.reserve(log.customer_ids.size());
  for (std::size_t c = 0; c < log.customer_ids.size(); ++c)
    index.emplace(log.customer_ids[c], static_cast<std::uint32_t>(c));
  std::unordered_map<std::string, std::uint32_t> by_label;
  std::size_t unmatched = 0;
  for (std::size_t i = 0; i < customer_ids.size() && i < labels.size(); ++i) {
    auto it = index.find(customer_ids[i]);
    if (it == index.end()) {
      ++unmatched;
      continue;
    }
    std::string label = labels[i].empty() ? std::string(kUnknownLabel) : labels[i];
    auto [lit, inserted] = by_label.emplace(label, static_cast<std::uint32_t>(g.labels.size()));
    if (inserted) g.labels.push_back(label);
    g.code[it->second] = lit->second;
  }
  if (unmatched_ids != nullptr) *unmatched_ids = unmatched;
  return g;
}

}  // namespace ltv
