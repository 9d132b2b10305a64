// RFM segments and life-cycle stages agree by construction (RfmConfig::recency_follows_stage,
// docs/segments.md "RFM and the life cycle"): the R score is capped by the stage, so no
// customer who is lapsing or lost is in an RFM segment that needs a recent purchase
// (Champions, Loyal, New, Promising, Potential loyalist). Issue 25: on CDNOW master quintile R
// scores on a mostly dormant base made hundreds of customers "Champions" and "lost" at once.
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/io/load.hpp"
#include "ltv/segment/segment.hpp"
#include "ltv/sim/simulate.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

const std::set<std::string> kActiveSegments = {"Champions", "Loyal", "New", "Promising",
                                               "Potential loyalist"};

bool late(LifecycleStage s) {
  return s == LifecycleStage::lapsing || s == LifecycleStage::lost;
}

/// Customers in an "active" RFM segment whose stage is lapsing or lost.
std::size_t conflicts(const SegmentResult& r) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < r.size(); ++i)
    n += late(r.stage[i]) && kActiveSegments.count(rfm_segment_name(r, i)) > 0;
  return n;
}

/// The caps of docs/segments.md for `scores` R scores.
int cap(LifecycleStage s, int scores) {
  const int middle = (scores + 1) / 2;
  if (s == LifecycleStage::lost) return 1;
  if (s == LifecycleStage::lapsing) return std::max(1, middle - 1);
  if (s == LifecycleStage::at_risk) return middle;
  return scores;
}

/// Checks the cap rule customer by customer against the plain scores.
void expect_capped(const SegmentResult& with, const SegmentResult& plain, int scores) {
  ASSERT_EQ(with.size(), plain.size());
  std::size_t lowered = 0;
  for (std::size_t i = 0; i < with.size(); ++i) {
    ASSERT_EQ(with.stage[i], plain.stage[i]) << i;  // the stage does not depend on RFM
    const int expected = std::min<int>(plain.r[i], cap(with.stage[i], scores));
    ASSERT_EQ(with.r[i], expected) << i;
    EXPECT_EQ(with.f[i], plain.f[i]);
    EXPECT_EQ(with.m[i], plain.m[i]);
    lowered += with.r[i] < plain.r[i];
  }
  EXPECT_EQ(with.recency_capped, lowered);
  EXPECT_EQ(plain.recency_capped, 0u);
}

SegmentConfig plain_config() {
  SegmentConfig c = default_segment_config();
  c.rfm.recency_follows_stage = false;
  return c;
}

// A simulated CDNOW-like base (BG/NBD with the CDNOW estimates, everyone acquired in the first
// quarter of two years): by the end most customers are dormant.
TEST(RfmStageConsistency, SimulatedDormantBaseHasNoActiveSegmentWhileLapsingOrLost) {
  sim::SimulationOptions o;
  o.customers = 4000;
  o.seed = 25;
  o.transactions_only = true;
  const TransactionLog log = sim::simulate_transaction_log(o);
  SummaryOptions so;
  so.time_unit = TimeUnit::day;
  const CustomerSummary summary = summarize(log, so);
  ASSERT_EQ(summary.size(), 4000u);

  const SegmentResult plain = segment_customers(summary, nullptr, nullptr, plain_config());
  const SegmentResult with = segment_customers(summary, nullptr, nullptr, default_segment_config());
  EXPECT_GT(conflicts(plain), 0u) << "the simulated base should show the problem without the rule";
  EXPECT_EQ(conflicts(with), 0u);
  expect_capped(with, plain, 5);
  EXPECT_GT(with.recency_capped, 0u);

  // With P(alive) scores the stage can be worse than the rhythm says; the rule still holds.
  CustomerScores scores;
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t i = 0; i < summary.size(); ++i) scores.p_alive.push_back(u(rng));
  const SegmentResult plain_p = segment_customers(summary, &scores, nullptr, plain_config());
  const SegmentResult with_p =
      segment_customers(summary, &scores, nullptr, default_segment_config());
  EXPECT_GT(conflicts(plain_p), 0u);
  EXPECT_EQ(conflicts(with_p), 0u);
  expect_capped(with_p, plain_p, 5);
}

TEST(RfmStageConsistency, CapsFollowTheNumberOfScores) {
  sim::SimulationOptions o;
  o.customers = 1500;
  o.seed = 7;
  o.transactions_only = true;
  const TransactionLog log = sim::simulate_transaction_log(o);
  SummaryOptions so;
  so.time_unit = TimeUnit::day;
  const CustomerSummary summary = summarize(log, so);
  for (int bins : {2, 3, 4, 7, 10}) {
    SegmentConfig with = default_segment_config();
    with.rfm.recency.bins = bins;
    SegmentConfig plain = with;
    plain.rfm.recency_follows_stage = false;
    expect_capped(segment_customers(summary, nullptr, nullptr, with),
                  segment_customers(summary, nullptr, nullptr, plain), bins);
  }
  // Cut points: [30, 182, 365] days give scores 1..4.
  SegmentConfig with = default_segment_config();
  with.rfm.recency.cuts = {30, 182, 365};
  SegmentConfig plain = with;
  plain.rfm.recency_follows_stage = false;
  expect_capped(segment_customers(summary, nullptr, nullptr, with),
                segment_customers(summary, nullptr, nullptr, plain), 4);
}

TEST(RfmStageConsistency, ConfigKeyIsABooleanAndRfmRulesMayNameTheStage) {
  const SegmentConfig off =
      parse_segment_config("[rfm]\nrecency_follows_stage = false\n", "seg.toml");
  EXPECT_FALSE(off.rfm.recency_follows_stage);
  EXPECT_TRUE(default_segment_config().rfm.recency_follows_stage);
  try {
    parse_segment_config("[rfm]\nrecency_follows_stage = 1\n", "seg.toml");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("seg.toml:2"), std::string::npos) << what;
    EXPECT_NE(what.find("rfm.recency_follows_stage"), std::string::npos) << what;
    EXPECT_NE(what.find("true or false"), std::string::npos) << what;
  }
  // The stage is computed before the RFM segments, so their rules can use it.
  const SegmentConfig staged = parse_segment_config(
      "[[rfm.segment]]\nname = \"Active\"\nrule = \"stage in [new, active, vip]\"\n"
      "[[rfm.segment]]\nname = \"Rest\"\nrule = \"true\"\n",
      "seg.toml");
  sim::SimulationOptions o;
  o.customers = 300;
  o.transactions_only = true;
  SummaryOptions so;
  so.time_unit = TimeUnit::day;
  const CustomerSummary summary = summarize(sim::simulate_transaction_log(o), so);
  const SegmentResult r = segment_customers(summary, nullptr, nullptr, staged);
  for (std::size_t i = 0; i < r.size(); ++i) {
    const bool active = r.stage[i] == LifecycleStage::new_customer ||
                        r.stage[i] == LifecycleStage::active || r.stage[i] == LifecycleStage::vip;
    EXPECT_EQ(rfm_segment_name(r, i), active ? "Active" : "Rest") << i;
  }
}

// The last snapshot of a history can be segmented with the model scores of the current
// summary, so that the end of the transitions equals the current segments (`ltv analyze`).
TEST(RfmStageConsistency, HistoryEndsWithTheScoredSegments) {
  sim::SimulationOptions o;
  o.customers = 800;
  o.seed = 11;
  o.transactions_only = true;
  const TransactionLog log = sim::simulate_transaction_log(o);
  SummaryOptions so;
  so.time_unit = TimeUnit::day;
  const CustomerSummary summary = summarize(log, so);
  CustomerScores scores;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> u(0, 1);
  for (std::size_t i = 0; i < summary.size(); ++i) scores.p_alive.push_back(u(rng));
  const SegmentConfig config = default_segment_config();
  const SegmentResult now = segment_customers(summary, &scores, nullptr, config);
  const std::int32_t days[] = {summary.calibration_end - 91, summary.calibration_end};
  const SegmentHistory h = segment_history(log, days, config, nullptr, TimeUnit::day, &scores);
  const SegmentSnapshot& end = h.snapshots.back();
  ASSERT_EQ(end.customer_ids.size(), summary.size());
  std::size_t differ_without = 0;
  const SegmentHistory plain = segment_history(log, days, config, nullptr, TimeUnit::day);
  for (std::size_t i = 0; i < summary.size(); ++i) {
    EXPECT_EQ(end.rfm_segment[i], rfm_segment_name(now, i)) << i;
    EXPECT_EQ(end.stage[i], to_string(now.stage[i])) << i;
    differ_without += plain.snapshots.back().stage[i] != end.stage[i];
  }
  EXPECT_GT(differ_without, 0u);  // the scores matter at the end
  CustomerScores short_scores;
  short_scores.p_alive.assign(summary.size() - 1, 0.5);
  EXPECT_THROW(segment_history(log, days, config, nullptr, TimeUnit::day, &short_scores),
               InputError);
}

// CDNOW master (23,570 customers who first bought in Q1 1997, observed to 1998-06-30): a mostly
// dormant base. Quintile R scores alone put lapsing and lost customers into Champions, Loyal and
// Potential loyalist; with the stage cap none is.
TEST(RfmStageConsistency, CdnowMasterHasNoChampionWhoIsLapsingOrLost) {
  LoadOptions o;
  o.columns.customer = "customer_id";
  o.columns.date = "date";
  o.columns.amount = "dollar_value";
  LoadReport report;
  const auto log =
      load_transactions(test::shared_data("cdnow/CDNOW_master.txt").string(), o, report);
  SummaryOptions so;
  so.time_unit = TimeUnit::day;
  const CustomerSummary summary = summarize(log, so);
  ASSERT_EQ(summary.size(), 23570u);
  const SegmentResult plain = segment_customers(summary, nullptr, nullptr, plain_config());
  const SegmentResult with = segment_customers(summary, nullptr, nullptr, default_segment_config());
  std::size_t champions_late = 0;
  for (std::size_t i = 0; i < plain.size(); ++i)
    champions_late += late(plain.stage[i]) && rfm_segment_name(plain, i) == "Champions";
  EXPECT_GT(champions_late, 0u);
  EXPECT_EQ(conflicts(with), 0u);
  expect_capped(with, plain, 5);
  // Frequent big spenders who went silent are now "Can't lose them", not "Champions".
  std::size_t moved = 0;
  for (std::size_t i = 0; i < with.size(); ++i) {
    if (rfm_segment_name(plain, i) == "Champions" && late(with.stage[i])) {
      ++moved;
      EXPECT_EQ(rfm_segment_name(with, i), "Can't lose them") << i;
    }
  }
  EXPECT_EQ(moved, champions_late);
}

}  // namespace
}  // namespace ltv
