#pragma once
// Small builders shared by the segment tests.
#include <cstdint>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv::test {

struct Purchase {
  std::string customer;
  std::int32_t day;
  double amount;
};

/// A log from (customer, day, amount) rows; customers are interned in order of appearance.
inline TransactionLog make_log(const std::vector<Purchase>& rows) {
  TransactionLog log;
  std::unordered_map<std::string, std::uint32_t> index;
  for (const auto& p : rows) {
    auto [it, inserted] =
        index.emplace(p.customer, static_cast<std::uint32_t>(log.customer_ids.size()));
    if (inserted) log.customer_ids.push_back(p.customer);
    log.customer.push_back(it->second);
    log.day.push_back(p.day);
    log.amount.push_back(p.amount);
  }
  return log;
}

/// Summary in days with calibration end `as_of`.
inline CustomerSummary summarize_days(const TransactionLog& log, std::int32_t as_of) {
  SummaryOptions o;
  o.time_unit = TimeUnit::day;
  o.calibration_end = as_of;
  o.observation_end = as_of;
  return summarize(log, o);
}

/// A summary built directly from columns (one purchase day per order).
struct RowSpec {
  std::int32_t first, last;
  std::int64_t orders;
  double revenue;
};
inline CustomerSummary make_summary(const std::vector<RowSpec>& rows, std::int32_t as_of) {
  CustomerSummary s;
  s.time_unit = TimeUnit::day;
  s.calibration_end = as_of;
  s.observation_end = as_of;
  s.has_amount = true;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    s.customer.push_back(static_cast<std::uint32_t>(i));
    s.frequency.push_back(static_cast<double>(r.orders - 1));
    s.recency.push_back(r.last - r.first);
    s.T.push_back(as_of - r.first);
    s.monetary_value.push_back(r.orders > 1 ? r.revenue / r.orders : 0);
    s.first_purchase.push_back(r.first);
    s.last_purchase.push_back(r.last);
    s.orders.push_back(r.orders);
    s.revenue.push_back(r.revenue);
  }
  return s;
}

}  // namespace ltv::test
