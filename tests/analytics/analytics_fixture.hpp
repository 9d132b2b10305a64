#pragma once
// Small hand-built transaction logs for the analytics tests.

#include <cstdint>
#include <string>
#include <vector>

#include "ltv/analytics/periods.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv::test {

struct Line {
  std::string customer;
  std::string date;  // YYYY-MM-DD
  double amount;
  std::string order;
  std::string channel;
};

inline std::uint32_t intern(std::vector<std::string>& values, const std::string& v) {
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] == v) return static_cast<std::uint32_t>(i);
  values.push_back(v);
  return static_cast<std::uint32_t>(values.size() - 1);
}

inline TransactionLog make_log(const std::vector<Line>& lines, bool with_profit = false) {
  TransactionLog log;
  log.order = CategoricalColumn{"order_id", {}, {}};
  log.channel = CategoricalColumn{"channel", {}, {}};
  for (const Line& l : lines) {
    log.customer.push_back(intern(log.customer_ids, l.customer));
    log.day.push_back(parse_period(l.date, PeriodUnit::day));
    log.amount.push_back(l.amount);
    if (with_profit) log.profit.push_back(l.amount * 0.25);
    log.order->codes.push_back(intern(log.order->values, l.order));
    log.channel->codes.push_back(intern(log.channel->values, l.channel));
  }
  return log;
}

}  // namespace ltv::test
