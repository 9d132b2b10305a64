#include "ltv/data/summary.hpp"

#include <gtest/gtest.h>

#include "ltv/error.hpp"

namespace ltv {
namespace {

// A log built by hand: customer index, day number, amount per row.
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

TEST(Summary, SameDayPurchasesMergeAndFirstDayIsExcludedFromMonetary) {
  // Customer 0: days 0 (10+5), 7 (20), 14 (30 + 10). Calibration ends at day 21.
  auto log = make_log({"a", "b"},
                      {{0, 0, 10}, {0, 0, 5}, {0, 7, 20}, {1, 14, 8}, {0, 14, 30}, {0, 14, 10}});
  SummaryOptions options;
  options.calibration_end = 21;
  auto s = summarize(log, options);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s.frequency[0], 2);
  EXPECT_DOUBLE_EQ(s.recency[0], 2.0);  // 14 days = 2 weeks
  EXPECT_DOUBLE_EQ(s.T[0], 3.0);
  EXPECT_DOUBLE_EQ(s.monetary_value[0], (20.0 + 40.0) / 2);
  EXPECT_DOUBLE_EQ(s.revenue[0], 75.0);
  EXPECT_EQ(s.orders[0], 3);
  // Customer 1: a single purchase.
  EXPECT_EQ(s.frequency[1], 0);
  EXPECT_EQ(s.recency[1], 0);
  EXPECT_DOUBLE_EQ(s.T[1], 1.0);
  EXPECT_EQ(s.monetary_value[1], 0);
  EXPECT_FALSE(s.has_holdout);
}

TEST(Summary, HoldoutCountsDaysAfterCalibrationAndDropsLateFirstBuyers) {
  auto log = make_log({"a", "b"},
                      {{0, 0, 10}, {0, 10, 20}, {0, 11, 30}, {0, 11, 5}, {0, 40, 1}, {1, 12, 9}});
  SummaryOptions options;
  options.calibration_end = 9;
  options.observation_end = 30;
  options.time_unit = TimeUnit::day;
  auto s = summarize(log, options);
  ASSERT_EQ(s.size(), 1u);  // customer b first bought in the holdout
  EXPECT_TRUE(s.has_holdout);
  EXPECT_EQ(s.frequency[0], 0);
  EXPECT_EQ(s.frequency_holdout[0], 2);  // days 10 and 11; day 40 is after observation end
  EXPECT_DOUBLE_EQ(s.monetary_value_holdout[0], (20.0 + 35.0) / 2);
  EXPECT_DOUBLE_EQ(s.duration_holdout, 21.0);
  EXPECT_DOUBLE_EQ(s.T[0], 9.0);
}

TEST(Summary, RejectsObservationEndBeforeCalibrationEnd) {
  auto log = make_log({"a"}, {{0, 5, 1}});
  SummaryOptions options;
  options.calibration_end = 10;
  options.observation_end = 8;
  EXPECT_THROW(summarize(log, options), InputError);
}

TEST(Summary, RejectsCalibrationEndBeforeFirstPurchase) {
  auto log = make_log({"a"}, {{0, 5, 1}});
  SummaryOptions options;
  options.calibration_end = 4;
  EXPECT_THROW(summarize(log, options), InputError);
}

TEST(Summary, TimeUnitParsing) {
  EXPECT_EQ(parse_time_unit("month"), TimeUnit::month);
  EXPECT_NEAR(days_per_unit(TimeUnit::month), 30.4375, 1e-12);
  EXPECT_THROW(parse_time_unit("fortnight"), InputError);
}

}  // namespace
}  // namespace ltv
