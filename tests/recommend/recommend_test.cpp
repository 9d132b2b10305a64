#include "ltv/recommend/recommend.hpp"

#include <gtest/gtest.h>

#include "ltv/error.hpp"
#include "retail_log.hpp"

namespace {

// Hand-made log. Items: bike, helmet, lock, bottle.
//   c0: bike d0, helmet d10, lock d100
//   c1: bike d0, helmet d0, bottle d5
//   c2: bike d0, lock d30
//   c3: helmet d0, bike d20
//   c4: bottle d0
ltv::TransactionLog bikes() {
  ltv::TransactionLog log;
  log.customer_ids = {"c0", "c1", "c2", "c3", "c4"};
  log.product = ltv::CategoricalColumn{"product", {"bike", "helmet", "lock", "bottle"}, {}};
  auto add = [&](std::uint32_t c, std::uint32_t item, std::int32_t day) {
    log.customer.push_back(c);
    log.product->codes.push_back(item);
    log.day.push_back(day);
  };
  add(0, 0, 0), add(0, 1, 10), add(0, 2, 100);
  add(1, 0, 0), add(1, 1, 0), add(1, 3, 5);
  add(2, 0, 0), add(2, 2, 30);
  add(3, 1, 0), add(3, 0, 20);
  add(4, 3, 0);
  return log;
}

std::uint32_t share_customers(const ltv::FollowOnTable& t, std::uint32_t x, std::uint32_t y) {
  for (auto k = t.offsets[x]; k < t.offsets[x + 1]; ++k)
    if (t.next[k] == y) return t.customers[k];
  return 0;
}

}  // namespace

TEST(Recommend, HistoriesKeepFirstAndLastDay) {
  auto log = bikes();
  log.product->codes.push_back(0);  // c0 buys a bike again on day 50
  log.customer.push_back(0);
  log.day.push_back(50);
  auto h = ltv::purchase_histories(log);
  ASSERT_EQ(h.customer_count(), 5u);
  auto items = h.items_of(0);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0], 0u);
  EXPECT_EQ(h.first_day[0], 0);
  EXPECT_EQ(h.last_day[0], 50);
  ltv::TransactionLog no_products;
  EXPECT_THROW(ltv::purchase_histories(no_products), ltv::InputError);
}

TEST(Recommend, FollowOnCountsWithinWindow) {
  auto h = ltv::purchase_histories(bikes());
  ltv::FollowOnOptions o;
  o.window_days = 60;
  o.min_customers = 1;
  auto t = ltv::follow_on(h, o);
  EXPECT_EQ(t.buyers[0], 4u);               // bike
  EXPECT_EQ(share_customers(t, 0, 1), 2u);  // bike -> helmet: c0 (d10), c1 (same day)
  EXPECT_EQ(share_customers(t, 0, 2), 1u);  // bike -> lock: c2 (d30); c0's d100 is too late
  EXPECT_EQ(share_customers(t, 1, 0), 2u);  // helmet -> bike: c1 same day, c3 d20
  EXPECT_EQ(share_customers(t, 3, 0), 0u);  // bottle never precedes bike
  o.same_day = false;
  t = ltv::follow_on(h, o);
  EXPECT_EQ(share_customers(t, 0, 1), 1u);
  o.window_days = 100;
  t = ltv::follow_on(h, o);
  EXPECT_EQ(share_customers(t, 0, 2), 2u);
  o.window_days = -1;
  EXPECT_THROW(ltv::follow_on(h, o), ltv::InputError);
}

TEST(Recommend, ScoresExplainsAndExcludesOwned) {
  auto h = ltv::purchase_histories(bikes());
  ltv::FollowOnOptions fo;
  fo.min_customers = 1;
  auto t = ltv::follow_on(h, fo);
  ltv::RecommendOptions ro;
  ro.top_n = 2;
  std::vector<std::uint32_t> c2{2};  // owns bike, lock
  auto recs = ltv::recommend(h, t, ro, c2);
  ASSERT_EQ(recs.size(), 2u);
  // helmet: bike -> helmet 2/4, lock -> helmet none: score 0.5. bottle: bike -> bottle 1/4.
  EXPECT_EQ(recs.item_names[recs.item[0]], "helmet");
  EXPECT_DOUBLE_EQ(recs.score[0], 0.5);
  EXPECT_EQ(recs.explain(0), "bought bike; 50% of bike buyers buy helmet within 60 days");
  EXPECT_EQ(recs.item_names[recs.item[1]], "bottle");
  EXPECT_DOUBLE_EQ(recs.score[1], 0.25);
  // Never recommends owned items under the default policy; with none, bike may come back.
  std::vector<std::uint32_t> c3{3};  // owns helmet, bike
  recs = ltv::recommend(h, t, ro, c3);
  for (std::size_t i = 0; i < recs.size(); ++i) {
    EXPECT_NE(recs.item_names[recs.item[i]], "bike");
    EXPECT_NE(recs.item_names[recs.item[i]], "helmet");
  }
  // Durable policy: only bikes are durable, so helmets may be recommended again.
  ro.exclude = ltv::ExcludeOwned::durable;
  ro.durable = {1, 0, 0, 0};
  ro.top_n = 3;
  recs = ltv::recommend(h, t, ro, c3);
  bool helmet = false;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    EXPECT_NE(recs.item_names[recs.item[i]], "bike");
    helmet |= recs.item_names[recs.item[i]] == "helmet";
  }
  EXPECT_TRUE(helmet);
  // c4 (bottle only) has no followers: popularity fills the list.
  ro = {};
  ro.top_n = 1;
  std::vector<std::uint32_t> c4{4};
  recs = ltv::recommend(h, t, ro, c4);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs.because[0], ltv::Recommendations::kNoReason);
  EXPECT_EQ(recs.item_names[recs.item[0]], "bike");
  EXPECT_EQ(recs.explain(0), "popular: 80% of customers bought bike");
  EXPECT_THROW(ltv::parse_exclude_owned("some"), ltv::InputError);
}

TEST(Recommend, PopularityBaselineSkipsOwned) {
  auto h = ltv::purchase_histories(bikes());
  ltv::RecommendOptions ro;
  ro.top_n = 10;
  auto recs = ltv::recommend_popular(h, ro);
  // c4 owns the bottle: gets bike (4), helmet (3), lock (2).
  std::vector<std::string> c4;
  for (std::size_t i = 0; i < recs.size(); ++i)
    if (recs.customer[i] == 4) c4.push_back(recs.item_names[recs.item[i]]);
  EXPECT_EQ(c4, (std::vector<std::string>{"bike", "helmet", "lock"}));
}

// Time split of Online Retail: history before 2011-09-01, test purchases from then on.
TEST(Recommend, OnlineRetailTimeSplitBeatsPopularity) {
  auto log = ltv::test::online_retail_log();
  ASSERT_EQ(log.customer_count(), 4372u);
  ltv::EvaluationOptions o;
  o.split_day = ltv::test::civil_day(2011, 9, 1);
  auto e = ltv::evaluate_recommendations(log, o);
  ASSERT_EQ(e.model.size(), 2u);
  std::printf("history customers %llu, evaluated %llu\n",
              static_cast<unsigned long long>(e.history_customers),
              static_cast<unsigned long long>(e.evaluated_customers));
  for (std::size_t i = 0; i < e.model.size(); ++i) {
    std::printf("k=%zu model hit %.4f prec %.4f rec %.4f | popular hit %.4f prec %.4f rec %.4f\n",
                e.model[i].k, e.model[i].hit_rate, e.model[i].precision, e.model[i].recall,
                e.popularity[i].hit_rate, e.popularity[i].precision, e.popularity[i].recall);
    EXPECT_GT(e.model[i].hit_rate, e.popularity[i].hit_rate);
    EXPECT_GT(e.model[i].precision, e.popularity[i].precision);
  }
}
