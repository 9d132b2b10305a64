#include "ltv/segment/segment.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "segment_test_support.hpp"

namespace ltv {
namespace {

using test::make_summary;
using test::RowSpec;

// ---- scores -------------------------------------------------------------------------------------

TEST(RfmScores, QuintilesOfDistinctValues) {
  std::vector<double> v{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  auto s = quantile_scores(v, 5, false);
  EXPECT_EQ(s, (std::vector<std::uint8_t>{1, 1, 2, 2, 3, 3, 4, 4, 5, 5}));
  auto r = quantile_scores(v, 5, true);  // lower is better (recency)
  EXPECT_EQ(r, (std::vector<std::uint8_t>{5, 5, 4, 4, 3, 3, 2, 2, 1, 1}));
}

TEST(RfmScores, TiesShareTheLowestScoreOfTheirBlock) {
  // Six one-purchase customers of ten: all get F = 1 (nobody is strictly below them); the next
  // value has six customers below it: 1 + floor(5 * 6 / 10) = 4.
  std::vector<double> v{1, 1, 1, 1, 1, 1, 2, 3, 4, 5};
  auto s = quantile_scores(v, 5, false);
  EXPECT_EQ(s, (std::vector<std::uint8_t>{1, 1, 1, 1, 1, 1, 4, 4, 5, 5}));
  // Order of input does not matter; tied values always get equal scores.
  std::vector<double> w{5, 1, 4, 1, 3, 1, 2, 1, 1, 1};
  auto t = quantile_scores(w, 5, false);
  EXPECT_EQ(t, (std::vector<std::uint8_t>{5, 1, 5, 1, 4, 1, 4, 1, 1, 1}));
  // Everyone tied: everyone gets 1.
  std::vector<double> same(7, 3.0);
  for (auto x : quantile_scores(same, 5, true)) EXPECT_EQ(x, 1);
}

TEST(RfmScores, CutPointsCountTheBoundaryAsReached) {
  std::vector<double> cuts{30, 90};
  std::vector<double> days{0, 30, 31, 90, 91};
  EXPECT_EQ(cut_scores(days, cuts, true), (std::vector<std::uint8_t>{3, 3, 2, 2, 1}));
  std::vector<double> orders{1, 2, 4.9, 5, 6};
  std::vector<double> fcuts{2, 5};
  EXPECT_EQ(cut_scores(orders, fcuts, false), (std::vector<std::uint8_t>{1, 2, 2, 3, 3}));
}

TEST(RfmScores, PercentileInterpolatesLikeNumpy) {
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4}, 50), 2.5);
  EXPECT_DOUBLE_EQ(percentile({4, 1, 3, 2, 5}, 50), 3);
  EXPECT_DOUBLE_EQ(percentile({1, 2, 3, 4, 5}, 80), 4.2);
  EXPECT_DOUBLE_EQ(percentile({7, std::nan("")}, 10), 7);
  EXPECT_TRUE(std::isnan(percentile({}, 50)));
}

// ---- RFM segments with the default rules, scores dialled through cut points ---------------------

SegmentConfig cut_config() {
  SegmentConfig c = default_segment_config();
  c.rfm.recency.cuts = {30, 60, 90, 120};      // days: <=30 -> 5 ... >120 -> 1
  c.rfm.frequency.cuts = {2, 3, 4, 5};         // orders: 1 -> 1 ... 5+ -> 5
  c.rfm.monetary.cuts = {100, 200, 300, 400};  // revenue
  return c;
}

// A customer with scores (r, f, m) under cut_config(), as of day 1000.
RowSpec with_scores(int r, int f, int m) {
  const std::int32_t as_of = 1000;
  std::int32_t last = as_of - (r == 5 ? 10 : r == 4 ? 45 : r == 3 ? 75 : r == 2 ? 105 : 200);
  std::int64_t orders = f;
  double revenue = m * 100.0 - 50.0;
  return RowSpec{last - 100 * (orders > 1), last, orders, revenue};
}

TEST(RfmSegments, DefaultRulesNameTheTenSegments) {
  struct Case {
    int r, f, m;
    const char* segment;
  };
  const Case cases[] = {
      {5, 5, 5, "Champions"},
      {4, 4, 4, "Champions"},
      {5, 5, 3, "Loyal"},
      {3, 4, 5, "Loyal"},
      {2, 5, 5, "Can't lose them"},
      {1, 4, 4, "Can't lose them"},
      {2, 4, 3, "At risk"},
      {1, 3, 1, "At risk"},
      {5, 1, 1, "New"},
      {5, 1, 5, "New"},
      {4, 1, 2, "Promising"},
      {5, 2, 2, "Potential loyalist"},
      {4, 3, 5, "Potential loyalist"},
      {3, 3, 3, "Need attention"},
      {3, 2, 1, "Need attention"},
      {3, 1, 1, "About to sleep"},
      {2, 2, 2, "Lost/Hibernating"},
      {1, 1, 1, "Lost/Hibernating"},
  };
  std::vector<RowSpec> rows;
  for (const auto& c : cases) rows.push_back(with_scores(c.r, c.f, c.m));
  auto summary = make_summary(rows, 1000);
  auto res = segment_customers(summary, nullptr, nullptr, cut_config());
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(res.r[i], cases[i].r) << i;
    EXPECT_EQ(res.f[i], cases[i].f) << i;
    EXPECT_EQ(res.m[i], cases[i].m) << i;
    EXPECT_EQ(rfm_segment_name(res, i), cases[i].segment)
        << "r" << cases[i].r << " f" << cases[i].f << " m" << cases[i].m;
  }
}

TEST(RfmSegments, EveryScoreCombinationGetsOneOfTheTen) {
  std::vector<RowSpec> rows;
  for (int r = 1; r <= 5; ++r)
    for (int f = 1; f <= 5; ++f)
      for (int m = 1; m <= 5; ++m) rows.push_back(with_scores(r, f, m));
  auto res = segment_customers(make_summary(rows, 1000), nullptr, nullptr, cut_config());
  ASSERT_EQ(res.rfm_segment_names.size(), 11u);
  for (std::size_t i = 0; i < res.size(); ++i) EXPECT_NE(rfm_segment_name(res, i), "Other") << i;
}

TEST(RfmSegments, OnePurchaseCustomerScoresLowestFrequency) {
  // Quintiles: three one-purchase customers and two repeaters.
  auto summary = make_summary({{900, 900, 1, 50},
                               {990, 990, 1, 20},
                               {500, 500, 1, 10},
                               {100, 995, 8, 800},
                               {200, 960, 3, 300}},
                              1000);
  auto res = segment_customers(summary, nullptr, nullptr, default_segment_config());
  EXPECT_EQ(res.f[0], 1);
  EXPECT_EQ(res.f[1], 1);
  EXPECT_EQ(res.f[2], 1);
  EXPECT_EQ(res.f[4], 4);  // three customers strictly below: 1 + floor(5 * 3 / 5)
  EXPECT_EQ(res.f[3], 5);
  EXPECT_EQ(res.average_check[0], 50);
  EXPECT_EQ(rfm_segment_name(res, 3), "Champions");
  // The one-purchase customer bought 10 days ago: r = 4 (three customers bought longer ago), f = 1.
  EXPECT_EQ(res.r[1], 4);
  EXPECT_EQ(rfm_segment_name(res, 1), "Promising");
}

TEST(RfmSegments, MeasuresCanBeOrdersPerYearAndAverageCheck) {
  SegmentConfig c = default_segment_config();
  c.rfm.frequency_measure = "orders_per_year";
  c.rfm.frequency.cuts = {1, 2, 12};  // yearly / half-yearly / monthly
  c.rfm.monetary_measure = "average_check";
  c.rfm.monetary.cuts = {20, 100};
  // tenure 365.25 days -> orders_per_year == orders
  auto summary = make_summary({{0, 365, 12, 240}, {0, 300, 2, 400}, {0, 10, 1, 19.99}}, 365);
  auto res = segment_customers(summary, nullptr, nullptr, c);
  EXPECT_EQ(res.f[0], 4);
  EXPECT_EQ(res.f[1], 3);
  EXPECT_EQ(res.f[2], 2);  // 1 order in 365 days = 1.0007 per year: reaches the first cut
  EXPECT_EQ(res.m[0], 2);  // check 20: reaches the first cut
  EXPECT_EQ(res.m[1], 3);  // check 200
  EXPECT_EQ(res.m[2], 1);  // check 19.99
}

// ---- ABCDX ------------------------------------------------------------------------------------

CustomerSummary abcdx_population() {
  // orders / revenue of five active customers (last purchase 10 days before day 1000) and one
  // inactive heavy customer that must not move the thresholds.
  return make_summary({{500, 990, 1, 10},    // D
                       {500, 990, 2, 40},    // orders and check exactly on the medians -> D
                       {500, 990, 3, 90},    // A
                       {500, 990, 4, 40},    // C
                       {500, 990, 1, 40},    // B
                       {0, 400, 100, 1e5}},  // inactive, A
                      1000);
}

TEST(Abcdx, MediansOfActiveCustomersAndStrictlyAboveRule) {
  auto res = segment_customers(abcdx_population(), nullptr, nullptr, default_segment_config());
  EXPECT_DOUBLE_EQ(res.abcdx_frequency_threshold, 2);
  EXPECT_DOUBLE_EQ(res.abcdx_check_threshold, 20);
  std::vector<AbcdxClass> want{AbcdxClass::D, AbcdxClass::D, AbcdxClass::A,
                               AbcdxClass::C, AbcdxClass::B, AbcdxClass::A};
  EXPECT_EQ(res.abcdx, want);
}

TEST(Abcdx, ValueThresholdsAndXFromPotentialAttribute) {
  SegmentConfig c = default_segment_config();
  c.abcdx.frequency = Threshold{false, 1};
  c.abcdx.check = Threshold{false, 35};
  c.abcdx.potential_field = "potential";
  auto summary = abcdx_population();
  std::vector<std::string> ids{"a", "b", "c", "d", "e", "f"};
  Attributes attrs = align_attributes(ids, std::vector<std::string>{"a", "c", "zz"},
                                      {{"potential", {"1000", "5000", "1"}}});
  auto res = segment_customers(summary, nullptr, &attrs, c);
  // often = orders > 1, high = check > 35
  EXPECT_EQ(res.abcdx[1], AbcdxClass::C);
  EXPECT_EQ(res.abcdx[4], AbcdxClass::B);
  // "a": potential 1000 above the 80th percentile (of 1000, 5000 -> 4200)? No: 1000 < 4200.
  // "c": potential 5000 is above it, but revenue 90 is not low (median revenue of actives 40).
  EXPECT_EQ(res.abcdx[0], AbcdxClass::D);
  EXPECT_EQ(res.abcdx[2], AbcdxClass::C);  // check 30 is not above 35
  c.abcdx.potential = Threshold{false, 500};
  res = segment_customers(summary, nullptr, &attrs, c);
  EXPECT_EQ(res.abcdx[0], AbcdxClass::X);  // potential 1000 > 500 and revenue 10 <= 40
  EXPECT_EQ(res.abcdx[2], AbcdxClass::C);  // potential 5000 but spends too much already
  EXPECT_DOUBLE_EQ(res.potential_score[0], 1000);
  EXPECT_TRUE(std::isnan(res.potential_score[1]));

  c.abcdx.potential_field = "no_such_column";
  EXPECT_THROW(segment_customers(summary, nullptr, &attrs, c), InputError);
}

TEST(Abcdx, XFromLookalikeToClassA) {
  // Class A customers buy often with a high check; customer 6 buys rarely but looks like A on
  // the chosen feature (tenure), while D customers are new.
  std::vector<RowSpec> rows;
  for (int i = 0; i < 10; ++i) rows.push_back({100, 990, 10, 1000});  // A, tenure 900
  for (int i = 0; i < 10; ++i) rows.push_back({900, 990, 1, 5});      // D, tenure 100
  rows.push_back({105, 990, 1, 5});                                   // D by spend, A-like
  SegmentConfig c = default_segment_config();
  c.abcdx.lookalike_features = {"tenure_days"};
  c.abcdx.lookalike_min_score = 0.95;
  auto res = segment_customers(make_summary(rows, 1000), nullptr, nullptr, c);
  EXPECT_EQ(res.abcdx[0], AbcdxClass::A);
  EXPECT_EQ(res.abcdx[20], AbcdxClass::X);
  for (int i = 10; i < 20; ++i) EXPECT_EQ(res.abcdx[i], AbcdxClass::D) << i;
}

// ---- life cycle ---------------------------------------------------------------------------------

TEST(Lifecycle, RhythmRatioThresholdsNewAndLostDays) {
  SegmentConfig c = default_segment_config();
  c.lifecycle.vip_share = 0;
  // interval 30 days (4 orders over 90 days) unless stated; as of day 2000.
  auto row = [](std::int32_t last, std::int64_t orders = 4, std::int32_t span = 90) {
    return RowSpec{last - span, last, orders, 100.0 * orders};
  };
  auto summary = make_summary({row(1980),             // 20 days: ratio 0.67 -> active
                               row(1955),             // 45 days: ratio exactly 1.5 -> active
                               row(1954),             // 46 days -> at risk
                               row(1910),             // 90 days: exactly 3 -> at risk
                               row(1880),             // 120 days: 4 -> lapsing
                               row(1820),             // 180 days: exactly 6 -> lapsing
                               row(1790),             // 210 days: 7 -> lost
                               {1950, 1950, 1, 50},   // first purchase 50 days ago -> new
                               {1000, 1200, 2, 50},   // interval 200, 800 days silent -> lost
                               {1900, 1900, 1, 50}},  // one purchase 100 days ago
                              2000);
  auto res = segment_customers(summary, nullptr, nullptr, c);
  using S = LifecycleStage;
  std::vector<S> want{S::active,  S::active, S::at_risk,      S::at_risk, S::lapsing,
                      S::lapsing, S::lost,   S::new_customer, S::lost,    S::lapsing};
  // One-purchase customer: default interval = median of repeaters' intervals (30 x7, 200) = 30,
  // so 100 days is 3.33x -> lapsing.
  EXPECT_DOUBLE_EQ(res.default_interval_days, 30);
  EXPECT_EQ(res.stage, want);
  EXPECT_DOUBLE_EQ(res.rhythm_ratio[1], 1.5);
  EXPECT_NE(stage_reason(res, 2, nullptr).find("1.5x their usual 30-day interval"),
            std::string::npos)
      << stage_reason(res, 2, nullptr);
  EXPECT_NE(stage_reason(res, 8, nullptr).find("no purchase for 800 days"), std::string::npos);
  EXPECT_NE(stage_reason(res, 9, nullptr).find("one purchase 100 days ago"), std::string::npos);
}

TEST(Lifecycle, PAliveMakesAStageWorseNeverBetterAndVipTakesTopValue) {
  SegmentConfig c = default_segment_config();
  c.lifecycle.vip_share = 0.25;
  std::vector<RowSpec> rows;
  for (int i = 0; i < 8; ++i) rows.push_back({1000, 1990, 11, 100.0 * (i + 1)});  // active
  rows.push_back({1000, 1700, 11, 50});  // rhythm: 300 / 99 days > 3 -> lapsing
  auto summary = make_summary(rows, 2000);
  CustomerScores scores;
  scores.p_alive = {0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.2, 0.99};
  auto res = segment_customers(summary, &scores, nullptr, c);
  EXPECT_EQ(res.stage[7], LifecycleStage::lapsing);  // rhythm active, P(alive) 0.2 < 0.3
  EXPECT_NE(stage_reason(res, 7, &scores).find("P(alive) 0.20"), std::string::npos);
  EXPECT_EQ(res.stage[8], LifecycleStage::lapsing);  // P(alive) high does not rescue it
  // VIP: top 25% of the 7 active customers by revenue (no CLV): above the 75th percentile of
  // 100..700, which is 550 -> 600 and 700.
  EXPECT_EQ(res.stage[6], LifecycleStage::vip);
  EXPECT_EQ(res.stage[5], LifecycleStage::vip);
  EXPECT_EQ(res.stage[4], LifecycleStage::active);
  // With predicted CLV the value is the CLV; ties at the threshold (six at 1) are not VIP.
  scores.predicted_clv = {900, 1, 1, 1, 1, 1, 1, 1, 1};
  res = segment_customers(summary, &scores, nullptr, c);
  EXPECT_EQ(res.stage[0], LifecycleStage::vip);
  EXPECT_EQ(res.stage[6], LifecycleStage::active);
}

TEST(Lifecycle, ScoresOfTheWrongLengthAreRejected) {
  auto summary = make_summary({{0, 10, 2, 10}}, 20);
  CustomerScores scores;
  scores.p_alive = {0.5, 0.5};
  EXPECT_THROW(segment_customers(summary, &scores, nullptr, default_segment_config()), InputError);
  EXPECT_THROW(segment_customers(summary, nullptr, nullptr, default_segment_config(), 5),
               InputError);
}

// ---- custom segments, derived fields
// --------------------------------------------------------------

TEST(CustomSegments, RulesOverAttributesDerivedFieldsAndLabelsWithOverlaps) {
  using test::Purchase;
  // day 18993 = 2022-01-01
  const std::int32_t d0 = 18993;
  auto log = test::make_log({{"ann", d0, 10},
                             {"ann", d0 + 30, 10},
                             {"ann", d0 + 60, 30},
                             {"bob", d0, 100},
                             {"bob", d0 + 200, 5},
                             {"cat", d0 + 10, 7}});
  log.category = CategoricalColumn{"category", {"coffee", "tea"}, {0, 0, 1, 1, 0, 1}};
  auto summary = test::summarize_days(log, d0 + 90);
  auto ids = summary_customer_ids(log, summary);
  ASSERT_EQ(ids, (std::vector<std::string>{"ann", "bob", "cat"}));
  Attributes attrs = align_attributes(ids, std::vector<std::string>{"bob", "ann", "cat"},
                                      {{"region", {"Kazan", "Moscow", "Moscow"}},
                                       {"birth_date", {"1950-05-05", "1992-04-01", "1997-01-01"}}});
  attrs.columns.push_back(preferred_category(log, summary));
  // bob's purchase at d0+200 is after the as-of date and must be ignored: bob = tea (100).
  EXPECT_EQ(attrs.columns.back().values[attrs.columns.back().codes[0]], "tea");  // ann 30 vs 20
  EXPECT_EQ(attrs.columns.back().values[attrs.columns.back().codes[1]], "tea");
  EXPECT_EQ(attrs.columns.back().values[attrs.columns.back().codes[2]], "tea");

  SegmentConfig c = parse_segment_config(R"(
[[custom]]
name = "Moscow 25-34 monthly tea"
rule = "region = Moscow and age between 25 and 34 and cadence = monthly and preferred_category = tea"
description = "test"

[[custom]]
name = "Young"
rule = "age_band in ['25-34', '18-24']"

[[custom]]
name = "New and Moscow"
rule = "stage = new and region = Moscow"
)",
                                         "custom.toml");
  auto res = segment_customers(summary, nullptr, &attrs, c);
  ASSERT_EQ(res.custom_names.size(), 3u);
  // ann: Moscow, born 1992-04-01 -> 30 on 2022-04-01 (as of), interval 30 -> monthly.
  EXPECT_EQ(res.custom_member[0], (std::vector<std::uint8_t>{1, 0, 0}));
  // cat born 1997-01-01 -> 25.
  EXPECT_EQ(res.custom_member[1], (std::vector<std::uint8_t>{1, 0, 1}));
  EXPECT_EQ(res.custom_member[2], (std::vector<std::uint8_t>{1, 0, 1}));
  auto overlaps = custom_overlaps(res);
  EXPECT_EQ(overlaps, (std::vector<std::size_t>{1, 1, 1, 1, 2, 2, 1, 2, 2}));
}

TEST(CustomSegments, BirthdayBoundaryAndMissingAge) {
  auto summary =
      make_summary({{0, 10, 2, 10}, {0, 10, 2, 10}, {0, 10, 2, 10}}, 18993);  // 2022-01-01
  Attributes attrs = align_attributes(std::vector<std::string>{"a", "b", "c"},
                                      std::vector<std::string>{"a", "b", "c"},
                                      {{"birth_date", {"1997-01-01", "1997-01-02", "not a date"}}});
  SegmentFields fields(summary, nullptr, &attrs, 18993);
  const FieldColumn* age = fields.find("age");
  ASSERT_NE(age, nullptr);
  EXPECT_EQ(age->numbers[0], 25);  // birthday today
  EXPECT_EQ(age->numbers[1], 24);  // tomorrow
  EXPECT_TRUE(std::isnan(age->numbers[2]));
  const FieldColumn* band = fields.find("age_band");
  EXPECT_EQ(band->values[band->codes[0]], "25-34");
  EXPECT_EQ(band->values[band->codes[1]], "18-24");
  EXPECT_EQ(band->values[band->codes[2]], "");
}

TEST(CustomSegments, UnknownFieldInARuleNamesTheConfigLine) {
  SegmentConfig c =
      parse_segment_config("[[custom]]\nname = \"x\"\nrule = \"regoin = Moscow\"\n", "my.toml");
  auto summary = make_summary({{0, 10, 2, 10}}, 20);
  try {
    segment_customers(summary, nullptr, nullptr, c);
    FAIL();
  } catch (const InputError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("my.toml:3"), std::string::npos) << m;
    EXPECT_NE(m.find("regoin"), std::string::npos) << m;
    EXPECT_NE(m.find("recency_days"), std::string::npos) << m;
  }
}

// ---- tables -------------------------------------------------------------------------------------

TEST(SegmentTable, SharesSumToOneAndAveragesAreRatiosOfTotals) {
  auto summary = abcdx_population();
  CustomerScores scores;
  scores.predicted_clv = {1, 2, 3, 4, 5, 6};
  auto config = default_segment_config();
  auto res = segment_customers(summary, &scores, nullptr, config);
  auto table = segment_table(res, summary, &scores, config);
  for (const char* scheme : {"rfm", "abcdx", "stage"}) {
    double cs = 0, rs = 0;
    std::size_t n = 0;
    for (const auto& row : table)
      if (row.scheme == scheme)
        cs += row.customer_share, rs += row.revenue_share, n += row.customers;
    EXPECT_NEAR(cs, 1, 1e-12) << scheme;
    EXPECT_NEAR(rs, 1, 1e-12) << scheme;
    EXPECT_EQ(n, summary.size()) << scheme;
  }
  for (const auto& row : table) {
    if (row.scheme == "abcdx" && row.segment == "D") {
      EXPECT_EQ(row.customers, 2u);
      EXPECT_DOUBLE_EQ(row.revenue, 50);
      EXPECT_DOUBLE_EQ(row.average_check, 50.0 / 3);
      EXPECT_DOUBLE_EQ(row.frequency, 1.5);
      EXPECT_DOUBLE_EQ(row.predicted_ltv, 1.5);
      EXPECT_EQ(row.description, "Low average check and few purchases");
    }
  }
}

// ---- config -------------------------------------------------------------------------------------

TEST(SegmentConfigFile, BuiltInDefaultEqualsExampleFile) {
  std::ifstream in(std::string(LTV_TEST_SOURCE_DIR) + "/../examples/segments.toml");
  ASSERT_TRUE(in) << "examples/segments.toml missing";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), default_segment_config_text())
      << "run scripts/embed_configs.py after editing examples/segments.toml";
  auto c = default_segment_config();
  ASSERT_EQ(c.rfm.segments.size(), 10u);
  EXPECT_EQ(c.rfm.segments.front().name, "Champions");
  EXPECT_EQ(c.rfm.segments.back().name, "Lost/Hibernating");
  for (const auto& s : c.rfm.segments) {
    EXPECT_FALSE(s.description.empty()) << s.name;
    EXPECT_TRUE(s.purpose == "raise activity" || s.purpose == "raise spend" ||
                s.purpose == "keep service level")
        << s.name;
  }
}

TEST(SegmentConfigFile, ParsesThresholdsCutsAndKeepsDefaultSegments) {
  auto c = parse_segment_config(R"(
[rfm]
recency_cuts = [30, 182, 365]
recency_labels = ["lapsed", "yearly", "half-yearly", "monthly"]
monetary_measure = "average_check"
[abcdx]
frequency = { value = 3 }
check = "median"
[lifecycle]
new_days = 60
[clusters]
features = ["recency_days", "orders"]
k = 3
)",
                                "c.toml");
  EXPECT_EQ(c.rfm.recency.cuts, (std::vector<double>{30, 182, 365}));
  EXPECT_EQ(c.rfm.recency.labels.size(), 4u);
  EXPECT_EQ(c.rfm.monetary_measure, "average_check");
  EXPECT_FALSE(c.abcdx.frequency.percentile);
  EXPECT_EQ(c.abcdx.frequency.value, 3);
  EXPECT_TRUE(c.abcdx.check.percentile);
  EXPECT_EQ(c.lifecycle.new_days, 60);
  ASSERT_TRUE(c.clusters.has_value());
  EXPECT_EQ(c.clusters->k, 3);
  EXPECT_EQ(c.rfm.segments.size(), 10u);  // built-in rules kept
}

TEST(SegmentConfigFile, ErrorsNameFileLineAndExpectation) {
  auto message = [](const std::string& text) {
    try {
      parse_segment_config(text, "bad.toml");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  std::string m = message("[rfm]\nrecency_bins = 5\nfrequncy_bins = 4\n");
  EXPECT_NE(m.find("bad.toml:3"), std::string::npos) << m;
  EXPECT_NE(m.find("frequncy_bins"), std::string::npos) << m;
  m = message("[rfm]\nrecency_cuts = [90, 30]\n");
  EXPECT_NE(m.find("ascending"), std::string::npos) << m;
  m = message("[[rfm.segment]]\nname = \"A\"\n\nrule = \"r >= \"\n");
  EXPECT_NE(m.find("bad.toml:4"), std::string::npos) << m;
  EXPECT_NE(m.find("a value"), std::string::npos) << m;
  m = message("[abcdx]\ncheck = { percentile = 150 }\n");
  EXPECT_NE(m.find("bad.toml:2"), std::string::npos) << m;
  m = message("[lifecycle]\nat_risk_ratio = 4\nlapsing_ratio = 3\n");
  EXPECT_NE(m.find("at_risk_ratio <= lapsing_ratio"), std::string::npos) << m;
  m = message("[rfm\n");
  EXPECT_NE(m.find("bad.toml:1"), std::string::npos) << m;
  m = message("[[custom]]\nname = \"x\"\n");
  EXPECT_NE(m.find("a rule for segment 'x'"), std::string::npos) << m;
  m = message("[rfm]\nrecency_bins = 2.5\n");
  EXPECT_NE(m.find("whole number"), std::string::npos) << m;
  EXPECT_THROW(load_segment_config("/nonexistent/segments.toml"), InputError);
}

}  // namespace
}  // namespace ltv

namespace ltv {
namespace {

TEST(Segment, EmptySummaryGivesEmptyResultAndFullTable) {
  auto summary = test::make_summary({}, 100);
  auto config = default_segment_config();
  auto res = segment_customers(summary, nullptr, nullptr, config);
  EXPECT_EQ(res.size(), 0u);
  auto table = segment_table(res, summary, nullptr, config);
  for (const auto& row : table) EXPECT_EQ(row.customers, 0u);
}

TEST(Segment, SingleCustomerWithOnePurchase) {
  auto summary = test::make_summary({{50, 50, 1, 20}}, 200);
  auto res = segment_customers(summary, nullptr, nullptr, default_segment_config());
  ASSERT_EQ(res.size(), 1u);
  EXPECT_EQ(res.r[0], 1);  // nobody is strictly worse
  EXPECT_EQ(res.f[0], 1);
  EXPECT_EQ(res.m[0], 1);
  EXPECT_EQ(rfm_segment_name(res, 0), "Lost/Hibernating");
  // No repeat buyers: the default interval falls back to 365 days; 150 days -> active.
  EXPECT_DOUBLE_EQ(res.default_interval_days, 365);
  EXPECT_EQ(res.stage[0], LifecycleStage::active);
  EXPECT_DOUBLE_EQ(res.average_check[0], 20);
}

TEST(Lookalike, SeedIdsNeedTheCustomerIdField) {
  auto summary = test::make_summary({{0, 90, 5, 500}, {0, 90, 5, 480}, {0, 10, 1, 5}}, 100);
  auto config = parse_segment_config(
      "[lookalike]\nseed_ids = [\"a\"]\nfeatures = [\"orders\", \"revenue\"]\ntop_n = 1\n",
      "l.toml");
  EXPECT_THROW(segment_customers(summary, nullptr, nullptr, config), InputError);
  SegmentFields fields(summary, nullptr, nullptr, 100);
  fields.add_text("customer_id", {0, 1, 2}, {"a", "b", "c"});
  auto res = segment_customers(summary, nullptr, nullptr, config, std::nullopt, &fields);
  ASSERT_EQ(res.lookalike_rows.size(), 1u);
  EXPECT_EQ(res.lookalike_rows[0], 1u);  // "b" looks like "a"
  config.lookalike->seed_ids = {"zz"};
  SegmentFields fields2(summary, nullptr, nullptr, 100);
  fields2.add_text("customer_id", {0, 1, 2}, {"a", "b", "c"});
  EXPECT_THROW(segment_customers(summary, nullptr, nullptr, config, std::nullopt, &fields2),
               InputError);
}

}  // namespace
}  // namespace ltv

namespace ltv {
namespace {

TEST(RfmScores, SelectionMatchesTheDefinitionOnRandomDataWithTies) {
  std::mt19937_64 rng(99);
  for (int trial = 0; trial < 50; ++trial) {
    const std::size_t n = 1 + rng() % 200;
    const int bins = 2 + static_cast<int>(rng() % 9);
    std::vector<double> v(n);
    for (auto& x : v) x = static_cast<double>(rng() % 12);  // many ties
    if (trial % 5 == 0) v[rng() % n] = std::nan("");
    for (bool lower : {false, true}) {
      auto got = quantile_scores(v, bins, lower);
      std::size_t m = 0;
      for (double x : v) m += !std::isnan(x);
      for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(v[i])) {
          EXPECT_EQ(got[i], 1);
          continue;
        }
        std::size_t worse = 0;
        for (double x : v)
          if (!std::isnan(x) && (lower ? x > v[i] : x < v[i])) ++worse;
        const int want = 1 + static_cast<int>(bins * worse / m);
        ASSERT_EQ(got[i], want) << "trial " << trial << " n " << n << " bins " << bins << " i "
                                << i;
      }
    }
  }
}

}  // namespace
}  // namespace ltv

namespace ltv {
namespace {

TEST(SegmentFieldsTest, AttributesDoNotShadowSummaryMeasures) {
  auto summary = test::make_summary({{0, 10, 2, 10}}, 20);
  Attributes attrs =
      align_attributes(std::vector<std::string>{"a"}, std::vector<std::string>{"a"},
                       {{"revenue", {"999"}}, {"age", {"41"}}, {"birth_date", {"2000-01-01"}}});
  SegmentFields fields(summary, nullptr, &attrs, 20);
  EXPECT_EQ(fields.find("revenue")->numbers[0], 10);
  EXPECT_EQ(fields.find("age")->numbers[0], 41);  // an age attribute wins over the derived one
}

}  // namespace
}  // namespace ltv
