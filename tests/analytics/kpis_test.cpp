#include "ltv/analytics/kpis.hpp"
#include "ltv/workspace/tables.hpp"

#include <gtest/gtest.h>

#include "analytics_fixture.hpp"
#include "ltv/error.hpp"

namespace ltv {
namespace {

using test::make_log;

// A: Jan 5 (o1: 10 + 20), Jan 20 (o2: 30), Mar 3 (o3: 40)
// B: Jan 10 (o4: 50), Feb 14 (o5: 60)
// C: Feb 1 (o6: 70)
TransactionLog small_log() {
  return make_log({{"A", "2020-01-05", 10, "o1", "web"},
                   {"A", "2020-01-05", 20, "o1", "web"},
                   {"B", "2020-01-10", 50, "o4", "store"},
                   {"A", "2020-01-20", 30, "o2", "web"},
                   {"C", "2020-02-01", 70, "o6", "store"},
                   {"B", "2020-02-14", 60, "o5", "web"},
                   {"A", "2020-03-03", 40, "o3", "store"}},
                  true);
}

const KpiRow& row(const KpiReport& r, const std::string& group, const std::string& period) {
  for (const KpiRow& k : r.rows)
    if (k.group == group && k.period == period) return k;
  ADD_FAILURE() << "no row " << group << " " << period;
  static KpiRow none;
  return none;
}

TEST(Kpis, MonthlyFiguresByHand) {
  KpiOptions o;
  o.churn_days = 30;
  const KpiReport r = compute_kpis(small_log(), o);
  ASSERT_EQ(r.rows.size(), 4u);  // all + Jan, Feb, Mar
  const KpiRow& jan = row(r, "all", "2020-01");
  EXPECT_EQ(jan.customers, 2);
  EXPECT_EQ(jan.active_customers, 2);
  EXPECT_EQ(jan.new_customers, 2);
  EXPECT_EQ(jan.returning_customers, 0);
  EXPECT_EQ(jan.orders, 3);
  EXPECT_DOUBLE_EQ(jan.revenue, 110);
  EXPECT_DOUBLE_EQ(*jan.profit, 27.5);
  EXPECT_DOUBLE_EQ(*jan.margin, 0.25);
  EXPECT_DOUBLE_EQ(jan.average_check, 110.0 / 3);
  EXPECT_DOUBLE_EQ(jan.repeat_purchase_rate, 0.5);  // A had 2 orders in January
  // Exposure: A from Jan 5 (27 days), B from Jan 10 (22 days) -> 49 customer-days.
  EXPECT_NEAR(jan.purchases_per_customer_per_year, 3.0 / 49 * 365.2425, 1e-12);
  EXPECT_DOUBLE_EQ(jan.average_lifespan_days, (15.0 + 0.0) / 2);

  const KpiRow& feb = row(r, "all", "2020-02");
  EXPECT_EQ(feb.customers, 3);
  EXPECT_EQ(feb.active_customers, 2);  // B, C
  EXPECT_EQ(feb.new_customers, 1);     // C
  EXPECT_EQ(feb.returning_customers, 1);
  EXPECT_DOUBLE_EQ(feb.returning_share, 0.5);
  EXPECT_DOUBLE_EQ(feb.revenue, 130);
  // Churn at Feb 29 with 30 days: A's last purchase Jan 20 (40 days) -> churned; B Feb 14, C Feb 1
  // no.
  EXPECT_EQ(feb.churned_customers, 1);
  EXPECT_NEAR(feb.churned_share, 1.0 / 3, 1e-15);

  const KpiRow& mar = row(r, "all", "2020-03");
  EXPECT_FALSE(mar.complete);  // observation ends Mar 3
  EXPECT_EQ(mar.active_customers, 1);
  EXPECT_EQ(mar.returning_customers, 1);
  // At Mar 3: A bought today; B last Feb 14 (18 days); C last Feb 1 (31 days) -> C churned.
  EXPECT_EQ(mar.churned_customers, 1);

  const KpiRow& all = row(r, "all", "all");
  EXPECT_EQ(all.customers, 3);
  EXPECT_EQ(all.orders, 6);
  EXPECT_DOUBLE_EQ(all.revenue, 280);
  EXPECT_EQ(all.returning_customers, 2);  // A and B ordered more than once
  EXPECT_DOUBLE_EQ(all.repeat_purchase_rate, 2.0 / 3);
  EXPECT_DOUBLE_EQ(all.average_lifespan_days, (58.0 + 35.0 + 0.0) / 3);
  EXPECT_EQ(all.churned_customers, 1);
}

TEST(Kpis, BreakdownByRowColumn) {
  KpiOptions o;
  o.breakdown = "channel";
  const KpiReport r = compute_kpis(small_log(), o);
  const KpiRow& web = row(r, "web", "all");
  EXPECT_EQ(web.customers, 2);  // A, B
  EXPECT_DOUBLE_EQ(web.revenue, 120);
  EXPECT_EQ(web.orders, 3);  // o1, o2, o5
  const KpiRow& store_feb = row(r, "store", "2020-02");
  EXPECT_EQ(store_feb.active_customers, 1);
  EXPECT_EQ(store_feb.new_customers, 1);
  EXPECT_DOUBLE_EQ(store_feb.revenue, 70);
  const KpiRow& web_feb = row(r, "web", "2020-02");
  EXPECT_EQ(web_feb.returning_customers, 1);  // B first bought in January (in store)
}

TEST(Kpis, RejectsBadOptions) {
  KpiOptions o;
  o.breakdown = "colour";
  EXPECT_THROW(compute_kpis(small_log(), o), InputError);
  o.breakdown.clear();
  o.churn_days = 0;
  EXPECT_THROW(compute_kpis(small_log(), o), InputError);
}

TEST(Kpis, TopItemsByRevenueAndBuyers) {
  // Store leads on both revenue and buyers, so the top 1 holds one item.
  EXPECT_EQ(top_items(small_log(), "channel", 1).size(), 1u);
  const auto items = top_items(small_log(), "channel", 2);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].item, "store");  // 50 + 70 + 40 = 160
  EXPECT_DOUBLE_EQ(items[0].revenue, 160);
  EXPECT_EQ(items[0].buyers, 3);
  EXPECT_EQ(items[1].item, "web");
  EXPECT_EQ(items[1].buyers, 2);
  EXPECT_EQ(items[1].rank_by_revenue, 2);
}

TEST(Kpis, TableHasOneRowPerPeriodAndNoNaN) {
  const auto t = kpi_table(compute_kpis(small_log(), {}));
  EXPECT_EQ(t.rows(), 4u);
  const std::string csv = to_csv(t);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "group,period,complete,customers,active_customers,new_customers,returning_customers,"
            "returning_share,"
            "orders,revenue,profit,margin,average_check,purchases_per_customer_per_year,repeat_"
            "purchase_rate,"
            "average_lifespan_days,churned_customers,churned_share");
  EXPECT_EQ(csv.find("nan"), std::string::npos);
}

}  // namespace
}  // namespace ltv
