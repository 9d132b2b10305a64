#pragma once
// Field-by-field comparison of two transaction logs (sequential vs parallel loads and the like).
#include <gtest/gtest.h>

#include "ltv/data/transaction_log.hpp"

namespace ltv::test {

inline void expect_same_log(const TransactionLog& a, const TransactionLog& b) {
  EXPECT_EQ(a.customer_ids, b.customer_ids);
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.day, b.day);
  EXPECT_EQ(a.second_of_day, b.second_of_day);
  EXPECT_EQ(a.amount, b.amount);
  EXPECT_EQ(a.quantity, b.quantity);
  ASSERT_EQ(a.order.has_value(), b.order.has_value());
  if (a.order) {
    EXPECT_EQ(a.order->values, b.order->values);
    EXPECT_EQ(a.order->codes, b.order->codes);
  }
  ASSERT_EQ(a.extra.size(), b.extra.size());
  for (std::size_t k = 0; k < a.extra.size(); ++k) {
    EXPECT_EQ(a.extra[k].name, b.extra[k].name);
    EXPECT_EQ(a.extra[k].values, b.extra[k].values);
    EXPECT_EQ(a.extra[k].codes, b.extra[k].codes);
  }
}

}  // namespace ltv::test
