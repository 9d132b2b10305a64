#include "ltv/data/regularity.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/load.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

TransactionLog make_log(std::vector<std::string> ids,
                        std::vector<std::tuple<std::uint32_t, std::int32_t, double>> rows) {
  TransactionLog log;
  log.customer_ids = std::move(ids);
  for (auto [c, d, a] : rows) {
    log.customer.push_back(c);
    log.day.push_back(d);
    log.amount.push_back(a);
  }
  return log;
}

TEST(Regularity, SumsLogInterPurchaseTimesOfCalibrationPurchaseDays) {
  // Customer a: days 0, 0 (same day: one purchase), 7, 21, a return on day 24, a holdout
  // purchase on day 40. Customer b: a single purchase. Customer c: days 3, 5 (in days: 2/7 week).
  auto log = make_log({"a", "b", "c"}, {{0, 0, 10},
                                        {0, 0, 5},
                                        {0, 7, 20},
                                        {1, 14, 8},
                                        {0, 21, 30},
                                        {0, 24, -30},
                                        {2, 5, 1},
                                        {2, 3, 1},
                                        {0, 40, 9}});
  SummaryOptions options;
  options.calibration_end = 30;
  options.observation_end = 45;
  const auto s = summarize(log, options);
  const auto litt = log_intertransaction_times(log, s);
  ASSERT_EQ(litt.size(), 3u);
  // Weeks: gaps 1 and 2 -> ln 1 + ln 2.
  EXPECT_DOUBLE_EQ(litt[0], std::log(2.0));
  EXPECT_EQ(litt[1], 0.0);
  EXPECT_DOUBLE_EQ(litt[2], std::log(2.0 / 7.0));
  // In days the same customer has ln 7 + ln 14.
  options.time_unit = TimeUnit::day;
  const auto in_days = log_intertransaction_times(log, summarize(log, options));
  EXPECT_NEAR(in_days[0], std::log(7.0) + std::log(14.0), 1e-12);
}

TEST(Regularity, RejectsASummaryOfAnotherLog) {
  auto log = make_log({"a"}, {{0, 0, 1}, {0, 7, 1}});
  SummaryOptions options;
  const auto s = summarize(log, options);
  auto other = make_log({"a"}, {{0, 0, 1}, {0, 5, 1}, {0, 7, 1}});
  EXPECT_THROW(log_intertransaction_times(other, s), InputError);
  CustomerSummary bad = s;
  bad.customer[0] = 5;
  EXPECT_THROW(log_intertransaction_times(log, bad), InputError);
}

TEST(Regularity, GroceryTotalMatchesIndependentComputation) {
  // BTYDplus elog2cbs(groceryElog, T.cal = "2006-12-31")$litt summed over the 1,525 customers;
  // recomputed from ../shared/data/grocery_elog/groceryElog.csv with a separate Python script
  // (distinct purchase days per customer up to 2006-12-31, sum of ln(gap in days / 7)):
  // 5,539.048349633416 over 5,569 repeat purchases.
  LoadOptions o;
  o.columns.customer = "cust";
  o.columns.date = "date";
  LoadReport report;
  const auto log =
      load_transactions(test::shared_data("grocery_elog/groceryElog.csv").string(), o, report);
  SummaryOptions so;
  so.calibration_end = parse_date("2006-12-31");
  const auto s = summarize(log, so);
  const auto litt = log_intertransaction_times(log, s);
  double sum = 0, x = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    sum += litt[i];
    x += s.frequency[i];
    if (s.frequency[i] == 0) {
      EXPECT_EQ(litt[i], 0.0);
    }
  }
  EXPECT_EQ(s.size(), 1525u);
  EXPECT_EQ(x, 5569.0);
  EXPECT_NEAR(sum, 5539.048349633416, 1e-8);
}

}  // namespace
}  // namespace ltv
