#include <gtest/gtest.h>

#include <algorithm>

#include "ltv/segment/segment.hpp"
#include "segment_test_support.hpp"

namespace ltv {
namespace {

TEST(SegmentHistory, TransitionMatricesCountMoversAndDrops) {
  // "reg" buys every 10 days from day 0 until day 100, then stops; "late" first buys on day 150;
  // "steady" keeps buying every 10 days.
  std::vector<test::Purchase> rows;
  for (int d = 0; d <= 100; d += 10) rows.push_back({"reg", d, 10});
  for (int d = 0; d <= 200; d += 10) rows.push_back({"steady", d, 20});
  rows.push_back({"late", 150, 5});
  auto log = test::make_log(rows);
  std::vector<std::int32_t> days{100, 200};
  SegmentConfig c = default_segment_config();
  c.lifecycle.vip_share = 0;
  auto h = segment_history(log, days, c, nullptr, TimeUnit::day);
  ASSERT_EQ(h.snapshots.size(), 2u);
  EXPECT_EQ(h.snapshots[0].customer_ids.size(), 2u);
  EXPECT_EQ(h.snapshots[1].customer_ids.size(), 3u);
  ASSERT_EQ(h.transitions.size(), 3u);
  const SegmentTransition* stage = nullptr;
  for (const auto& t : h.transitions)
    if (t.scheme == "stage") stage = &t;
  ASSERT_NE(stage, nullptr);
  const std::size_t m = stage->labels.size();
  auto idx = [&](const std::string& s) {
    return static_cast<std::size_t>(std::find(stage->labels.begin(), stage->labels.end(), s) -
                                    stage->labels.begin());
  };
  // reg: active -> lost (100 days silent = 10x its 10-day rhythm); steady: active -> active;
  // late: not a customer -> new.
  EXPECT_EQ(stage->counts[idx("active") * m + idx("lost")], 1u);
  EXPECT_EQ(stage->counts[idx("active") * m + idx("active")], 1u);
  EXPECT_EQ(stage->counts[idx("(none)") * m + idx("new")], 1u);
  EXPECT_DOUBLE_EQ(stage->value[idx("active") * m + idx("lost")], 110);
  EXPECT_DOUBLE_EQ(stage->value[idx("active") * m + idx("active")], 420);
  std::size_t total = 0;
  for (auto c2 : stage->counts) total += c2;
  EXPECT_EQ(total, 3u);
  ASSERT_EQ(stage->dropped_ids, (std::vector<std::string>{"reg"}));
  EXPECT_EQ(stage->dropped_from[0], "active");
  EXPECT_EQ(stage->dropped_to[0], "lost");

  std::vector<std::int32_t> bad{200, 100};
  EXPECT_THROW(segment_history(log, bad, c, nullptr, TimeUnit::day), InputError);
}

}  // namespace
}  // namespace ltv
