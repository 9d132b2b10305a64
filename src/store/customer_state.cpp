// Per-customer running aggregates (see customer_state.hpp).
#include "customer_state.hpp"

#include <algorithm>
#include <limits>

namespace ltv::store {

std::vector<CustomerState> customer_states(const TransactionLog& log,
                                           std::span<const std::int64_t> batch_of) {
  std::vector<CustomerState> states(log.customer_count());
  std::vector<std::uint8_t> seen(log.customer_count(), 0);
  for (std::size_t r = 0; r < log.size(); ++r) {
    CustomerState& s = states[log.customer[r]];
    const std::int32_t day = log.day[r];
    if (!seen[log.customer[r]]) {
      seen[log.customer[r]] = 1;
      s.first_batch = batch_of[r];
      s.first_line = log.line[r];
      s.first_row_day = s.last_row_day = day;
    } else {
      s.first_row_day = std::min(s.first_row_day, day);
      s.last_row_day = std::max(s.last_row_day, day);
    }
  }
  for (std::size_t c = 0; c < states.size(); ++c) states[c].customer_id = log.customer_ids[c];
  if (log.size() == 0) return states;
  // Every line is calibration (the calibration end is the last day of the log): the summary of
  // each customer's lines, whatever the end of the data a run later uses.
  SummaryOptions options;
  options.time_unit = TimeUnit::day;
  const CustomerSummary summary = summarize(log, options);
  for (std::size_t i = 0; i < summary.size(); ++i) {
    CustomerState& s = states[summary.customer[i]];
    s.purchase_days = static_cast<std::int64_t>(summary.frequency[i]) + 1;
    s.first_day = summary.first_purchase[i];
    s.last_day = summary.last_purchase[i];
    s.monetary_value = summary.monetary_value[i];
    s.revenue = summary.revenue[i];
    if (summary.has_profit) s.profit = summary.profit[i];
    s.orders = summary.orders[i];
  }
  return states;
}

TransactionLog customers_log(const TransactionLog& log, std::span<const std::int64_t> batch_of,
                             const std::vector<std::uint8_t>& keep,
                             std::vector<std::int64_t>& kept_batch_of) {
  TransactionLog out;
  std::vector<std::uint32_t> code(log.customer_count(), UINT32_MAX);
  const bool time = !log.second_of_day.empty();
  if (log.order) {
    out.order.emplace();
    out.order->name = log.order->name;
    out.order->values = log.order->values;  // distinct counts need only the codes
  }
  kept_batch_of.clear();
  for (std::size_t r = 0; r < log.size(); ++r) {
    const std::uint32_t c = log.customer[r];
    if (!keep[c]) continue;
    if (code[c] == UINT32_MAX) {
      code[c] = static_cast<std::uint32_t>(out.customer_ids.size());
      out.customer_ids.push_back(log.customer_ids[c]);
    }
    out.customer.push_back(code[c]);
    out.day.push_back(log.day[r]);
    out.line.push_back(log.line[r]);
    kept_batch_of.push_back(batch_of[r]);
    if (time) out.second_of_day.push_back(log.second_of_day[r]);
    if (log.has_amount()) out.amount.push_back(log.amount[r]);
    if (!log.quantity.empty()) out.quantity.push_back(log.quantity[r]);
    if (log.has_profit()) out.profit.push_back(log.profit[r]);
    if (log.order) out.order->codes.push_back(log.order->codes[r]);
  }
  return out;
}

CustomerSummary summary_from_states(std::vector<CustomerState>& states, TimeUnit unit,
                                    bool has_amount, bool has_profit,
                                    std::vector<std::string>& ids) {
  std::sort(states.begin(), states.end(), [](const CustomerState& a, const CustomerState& b) {
    return a.first_batch != b.first_batch ? a.first_batch < b.first_batch
                                          : a.first_line < b.first_line;
  });
  CustomerSummary s;
  s.time_unit = unit;
  ids.clear();
  if (states.empty()) return s;
  std::int32_t last = std::numeric_limits<std::int32_t>::min();
  for (const CustomerState& c : states) last = std::max(last, c.last_row_day);
  s.has_amount = has_amount;
  s.has_profit = has_profit;
  s.calibration_end = last;
  s.observation_end = last;
  s.has_holdout = false;
  const double days = days_per_unit(unit);
  for (std::size_t k = 0; k < states.size(); ++k) {
    const CustomerState& c = states[k];
    if (c.purchase_days == 0) continue;
    s.customer.push_back(static_cast<std::uint32_t>(k));
    ids.push_back(c.customer_id);
    // As summarize() computes them (ltv/data/summary.hpp).
    s.frequency.push_back(static_cast<double>(c.purchase_days - 1));
    s.recency.push_back((c.last_day - c.first_day) / days);
    s.T.push_back((s.calibration_end - c.first_day) / days);
    s.monetary_value.push_back(c.monetary_value);
    s.first_purchase.push_back(c.first_day);
    s.last_purchase.push_back(c.last_day);
    s.orders.push_back(c.orders);
    s.revenue.push_back(c.revenue);
    if (has_profit) s.profit.push_back(c.profit);
  }
  return s;
}

}  // namespace ltv::store
