#include "ltv/recommend/penetration.hpp"

#include <gtest/gtest.h>

#include "ltv/error.hpp"

namespace {

// Launch of "gps" on day 100. Target: buyers of "bike" before the launch (c0, c1, c2).
//   c0: bike d10, gps d101 (week 1), gps d120
//   c1: bike d20, gps d115 (week 3)
//   c2: bike d30
//   c3: gps d102 (not in the target)
//   c4: lock d130 (extends the log to day 130)
ltv::TransactionLog launch_log() {
  ltv::TransactionLog log;
  log.customer_ids = {"c0", "c1", "c2", "c3", "c4"};
  log.product = ltv::CategoricalColumn{"product", {"bike", "gps", "lock"}, {}};
  log.category = ltv::CategoricalColumn{"category", {"bikes", "accessories"}, {}};
  auto add = [&](std::uint32_t c, std::uint32_t item, std::int32_t day) {
    log.customer.push_back(c);
    log.product->codes.push_back(item);
    log.category->codes.push_back(item == 0 ? 0 : 1);
    log.day.push_back(day);
  };
  add(0, 0, 10), add(0, 1, 101), add(0, 1, 120);
  add(1, 0, 20), add(1, 1, 115);
  add(2, 0, 30);
  add(3, 1, 102);
  add(4, 2, 130);
  return log;
}

}  // namespace

TEST(Penetration, WeekByWeekShareOfTargetGroup) {
  auto log = launch_log();
  std::vector<std::string> bike{"bike"};
  ltv::PenetrationOptions o;
  o.products = {"gps"};
  o.launch_day = 100;
  o.target = ltv::buyers_of(log, ltv::ItemLevel::item, bike, {}, 100);
  auto curve = ltv::penetration(log, o);
  EXPECT_EQ(curve.target_size, 3u);
  ASSERT_EQ(curve.size(), 5u);  // days 100..130: weeks 1..5
  EXPECT_EQ(curve.new_buyers[0], 1u);
  EXPECT_EQ(curve.new_buyers[1], 0u);
  EXPECT_EQ(curve.new_buyers[2], 1u);
  EXPECT_EQ(curve.cumulative[4], 2u);
  EXPECT_DOUBLE_EQ(curve.share[0], 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(curve.share[4], 2.0 / 3.0);
  EXPECT_EQ(curve.week_start[2], 114);
  // Without a target: all 5 customers; c3 adopts too.
  o.target.clear();
  curve = ltv::penetration(log, o);
  EXPECT_EQ(curve.target_size, 5u);
  EXPECT_EQ(curve.cumulative.back(), 3u);
  o.products = {"nope"};
  EXPECT_THROW(ltv::penetration(log, o), ltv::InputError);
  o.products.clear();
  EXPECT_THROW(ltv::penetration(log, o), ltv::InputError);
}

TEST(Penetration, ReachOfEveryItemInEverySegment) {
  auto log = launch_log();
  std::vector<std::string> segment{"loyal", "loyal", "new", "new", ""};
  auto table = ltv::reach(log, ltv::ItemLevel::category, segment);
  // loyal (c0, c1): bikes 2/2, accessories 2/2; new (c2, c3): bikes 1/2, accessories 1/2.
  ASSERT_EQ(table.size(), 4u);
  EXPECT_EQ(table.segment[0], "loyal");
  EXPECT_DOUBLE_EQ(table.share[0], 1.0);
  EXPECT_EQ(table.segment[2], "new");
  EXPECT_EQ(table.segment_size[2], 2u);
  EXPECT_DOUBLE_EQ(table.share[2], 0.5);
  auto items = ltv::reach(log, ltv::ItemLevel::item, segment, 2);
  ASSERT_EQ(items.size(), 2u);  // loyal: bike 2, gps 2
  std::vector<std::string> wrong{"x"};
  EXPECT_THROW(ltv::reach(log, ltv::ItemLevel::item, wrong), ltv::InputError);
}
