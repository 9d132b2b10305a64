#include <gtest/gtest.h>

#include "analytics_fixture.hpp"
#include "ltv/analytics/cohorts.hpp"
#include "ltv/analytics/ltv.hpp"
#include "ltv/error.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {
namespace {

using test::make_log;

TEST(HistoricalLtv, PerCustomerAndDistribution) {
  const auto log = make_log({{"A", "2020-01-05", 10, "o1", "web"},
                             {"A", "2020-01-05", 20, "o1", "web"},
                             {"B", "2020-01-10", 50, "o4", "store"},
                             {"A", "2020-01-20", 30, "o2", "web"},
                             {"C", "2020-02-01", 70, "o6", "store"},
                             {"B", "2020-02-14", 60, "o5", "web"},
                             {"D", "2020-03-03", 40, "o3", "store"}});
  const HistoricalLtv h = historical_ltv(log);
  ASSERT_EQ(h.size(), 4u);
  EXPECT_DOUBLE_EQ(h.revenue[0], 60);
  EXPECT_EQ(h.orders[0], 2);
  EXPECT_DOUBLE_EQ(h.revenue[1], 110);
  const ValueDistribution d = describe_values(h.revenue);  // 60, 110, 70, 40
  EXPECT_DOUBLE_EQ(d.total, 280);
  EXPECT_DOUBLE_EQ(d.mean, 70);
  EXPECT_DOUBLE_EQ(d.median, 65);
  EXPECT_DOUBLE_EQ(d.p25, 55);                   // sorted 40 60 70 110, h = 0.75
  EXPECT_DOUBLE_EQ(d.top20_share, 110.0 / 280);  // ceil(0.8) = 1 customer
  const auto groups = groups_from_first_purchase(log, "channel");
  const auto rows = ltv_distribution(h, &groups);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].group, "web");
  EXPECT_EQ(rows[1].customers, 1);  // A
  EXPECT_EQ(rows[2].group, "store");
  EXPECT_EQ(rows[2].customers, 3);  // B, C, D
}

TEST(FormulaLtv, ShowsEachFactor) {
  // Two customers over 2019-2020; yearly retention: A active 2019 and 2020 (retained), B only 2019.
  const auto log = make_log({{"A", "2019-01-01", 100, "a1", "web"},
                             {"A", "2020-12-31", 100, "a2", "web"},
                             {"B", "2019-01-01", 50, "b1", "store"},
                             {"B", "2019-07-02", 50, "b2", "store"}});
  FormulaLtvOptions o;
  o.retention_period = PeriodUnit::year;
  o.margin = 0.5;
  const auto rows = formula_ltv(log, o);
  ASSERT_EQ(rows.size(), 1u);
  const FormulaLtvRow& r = rows[0];
  EXPECT_DOUBLE_EQ(r.average_check, 75);
  // Exposure 2 x 731 days -> 4 orders / (1462 / 365.2425) years.
  EXPECT_NEAR(r.purchases_per_year, 4.0 / 1462 * 365.2425, 1e-12);
  EXPECT_DOUBLE_EQ(r.retention_rate, 0.5);  // 2019: A, B active; 2020: A
  EXPECT_DOUBLE_EQ(r.lifespan_years_retention, 2.0);
  EXPECT_DOUBLE_EQ(r.lifespan_years, 2.0);
  EXPECT_NEAR(r.ltv_revenue, 75 * r.purchases_per_year * 2.0, 1e-9);
  EXPECT_NEAR(*r.ltv_margin, r.ltv_revenue * 0.5, 1e-9);
  EXPECT_NEAR(r.lifespan_years_observed, (730.0 + 182.0) / 2 / 365.2425, 1e-12);
  o.margin = 1.5;
  EXPECT_THROW(formula_ltv(log, o), InputError);
}

TEST(Cohorts, RetentionAndLtvCurveByHand) {
  const auto log = make_log({{"A", "2020-01-05", 10, "o1", "web"},
                             {"B", "2020-01-10", 50, "o2", "web"},
                             {"A", "2020-02-20", 30, "o3", "web"},
                             {"A", "2020-02-21", 5, "o4", "web"},
                             {"C", "2020-02-01", 70, "o5", "web"},
                             {"B", "2020-03-14", 60, "o6", "web"}});
  const CohortReport r = build_cohorts(log, {});
  // Jan cohort: ages 0,1,2; Feb cohort: ages 0,1; Mar: none.
  ASSERT_EQ(r.cells.size(), 5u);
  const CohortCell& jan0 = r.cells[0];
  EXPECT_EQ(jan0.cohort, "2020-01");
  EXPECT_EQ(jan0.cohort_size, 2);
  EXPECT_EQ(jan0.active_customers, 2);
  EXPECT_DOUBLE_EQ(jan0.cumulative_revenue_per_customer, 30);
  const CohortCell& jan1 = r.cells[1];
  EXPECT_EQ(jan1.period, "2020-02");
  EXPECT_EQ(jan1.active_customers, 1);
  EXPECT_DOUBLE_EQ(jan1.retention, 0.5);
  EXPECT_EQ(jan1.orders, 2);
  EXPECT_DOUBLE_EQ(jan1.revenue, 35);
  EXPECT_DOUBLE_EQ(jan1.cumulative_revenue_per_customer, 47.5);
  const CohortCell& jan2 = r.cells[2];
  EXPECT_DOUBLE_EQ(jan2.cumulative_revenue_per_customer, 77.5);
  EXPECT_FALSE(jan2.complete);
  const CohortCell& feb1 = r.cells[4];
  EXPECT_EQ(feb1.cohort, "2020-02");
  EXPECT_EQ(feb1.active_customers, 0);
  const auto m = cohort_matrix(r, "retention");
  ASSERT_EQ(m.rows(), 2u);
  EXPECT_EQ(m.spec().columns.back().name, "p2");
  EXPECT_DOUBLE_EQ(m.real(3, 0), 0.5);
  EXPECT_TRUE(m.is_null(4, 1));
  EXPECT_THROW(cohort_matrix(r, "happiness"), InputError);
}

}  // namespace
}  // namespace ltv

#include "ltv/analytics/standard.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {
namespace {

TEST(StandardAnalytics, BundlesTablesAndNotesShortHistory) {
  const auto log = test::make_log({{"A", "2020-01-05", 10, "o1", "web"},
                                   {"B", "2020-01-10", 50, "o2", "web"},
                                   {"A", "2020-02-20", 30, "o3", "web"}});
  const AnalyticsReport r = run_standard_analytics(log, {});
  EXPECT_FALSE(r.forecast);  // two months: too short
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_FALSE(r.cohorts.cells.empty());
  EXPECT_EQ(r.ltv_formula.size(), 1u);
  EXPECT_DOUBLE_EQ(r.kpis.rows[0].revenue, 90);
}

}  // namespace
}  // namespace ltv
