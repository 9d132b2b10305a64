#include "ltv/workspace/side_tables.hpp"

#include <fmt/format.h>

#include <cmath>
#include <unordered_map>

namespace ltv {

CustomerGroups groups_from_table(const TransactionLog& log, const Table& t,
                                 const std::string& id_column, const std::string& label_column,
                                 std::vector<std::string>* notes) {
  std::size_t unmatched = 0;
  CustomerGroups g = groups_from_labels(log, label_column, t.column(id_column),
                                        t.column(label_column), &unmatched);
  if (unmatched > 0 && notes != nullptr) {
    notes->push_back(
        fmt::format("{} customer ids of {} are not in the transactions", unmatched, t.source));
  }
  return g;
}

std::vector<double> values_from_table(const TransactionLog& log, const Table& t,
                                      const std::string& id_column,
                                      const std::string& value_column) {
  const auto& ids = t.column(id_column);
  const std::vector<double> values = t.numbers(value_column, std::nan(""));
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t c = 0; c < log.customer_ids.size(); ++c) index.emplace(log.customer_ids[c], c);
  std::vector<double> out(log.customer_count(), std::nan(""));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto it = index.find(ids[i]);
    if (it != index.end()) out[it->second] = values[i];
  }
  return out;
}

SpendTable spend_from_table(const Table& t, const std::string& channel_column,
                            const std::string& period_column, const std::string& amount_column,
                            PeriodUnit unit) {
  SpendTable spend;
  spend.period = unit;
  spend.channel = t.column(channel_column);
  spend.spend = t.numbers(amount_column);
  const auto& periods = t.column(period_column);
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const std::string where = t.source + ":" + std::to_string(t.lines[i]);
    spend.period_index.push_back(parse_period(periods[i], unit, where));
  }
  return spend;
}

}  // namespace ltv
