// The main job on every real data set in ../shared/data (issue 25): a complete answer (scores,
// CLV where there are amounts, segments, actions, rules), no NaN anywhere, no boundary fit
// presented as a finding, bounded rule counts, RFM segments that agree with the life-cycle stage,
// and every loaded customer accounted for. CDNOW master and Online Retail are the `Slow` ones.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "ltv/ltv.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

struct RealData {
  std::string file;  ///< under ../shared/data
  LoadOptions load;
  std::string products;  ///< optional products file
  bool has_amount = true;
};

Analysis analyze_real(const RealData& d) {
  Workspace ws(TransactionSource::file(test::shared_data(d.file).string(), d.load));
  SideInputs side;
  if (!d.products.empty()) side.products = read_table(test::shared_data(d.products).string());
  return ws.analyze(AnalyzeOptions{}, side);
}

/// The customers in an "active" RFM segment (docs/segments.md) whose stage is lapsing or lost.
std::size_t rfm_stage_conflicts(const ResultTable& customers) {
  static const std::set<std::string, std::less<>> active = {"Champions", "Loyal", "New",
                                                            "Promising", "Potential loyalist"};
  const std::size_t rfm = customers.spec().index("rfm_segment");
  const std::size_t stage = customers.spec().index("stage");
  std::size_t n = 0;
  for (std::size_t i = 0; i < customers.rows(); ++i) {
    const std::string_view s = customers.text(stage, i);
    n += (s == "lapsing" || s == "lost") && active.count(customers.text(rfm, i)) > 0;
  }
  return n;
}

/// The properties every real data set must have.
void expect_complete_honest_answer(const Analysis& a, const RealData& d) {
  SCOPED_TRACE(d.file);
  ASSERT_GT(a.customers, 0u);
  // Every loaded customer is analysed or counted under a reason.
  const auto& acc = a.customer_accounting;
  ASSERT_TRUE(acc.is_object());
  EXPECT_EQ(acc["loaded"].get<std::size_t>(), a.load.customers);
  EXPECT_EQ(acc["summarised"].get<std::size_t>(), a.customers);
  EXPECT_EQ(acc["loaded"].get<std::size_t>(),
            a.customers + acc["only_returns"]["count"].get<std::size_t>() +
                acc["no_purchase_by_calibration_end"]["count"].get<std::size_t>());
  // CLV wherever there are amounts; otherwise the absence is explained.
  if (d.has_amount) {
    ASSERT_TRUE(a.spend_model.has_value()) << a.spend_model_note;
    ASSERT_TRUE(a.clv_total.has_value());
    EXPECT_TRUE(std::isfinite(*a.clv_total) && *a.clv_total > 0);
    EXPECT_TRUE(a.predicted_revenue.has_value() && *a.predicted_revenue > 0);
    EXPECT_NE(a.spend_model_note.find("fitted on"), std::string::npos) << a.spend_model_note;
  } else {
    EXPECT_FALSE(a.clv_total.has_value());
    EXPECT_NE(a.spend_model_note.find("no amounts"), std::string::npos) << a.spend_model_note;
  }
  // No boundary fit presented as a finding: an unidentified, unpenalised fit is flagged, and a
  // measured P(alive) is not 1 for everyone.
  if (a.identification == "not_identified") EXPECT_FALSE(a.p_alive_measured);
  if (a.p_alive_measured) EXPECT_LT(a.likely_active, static_cast<double>(a.customers));
  // No NaN in any table; every per-customer score present.
  for (const auto& [name, table] : a.tables) {
    for (std::size_t k = 0; k < table.columns(); ++k) {
      const ColumnSpec& c = table.spec().columns[k];
      for (std::size_t r = 0; r < table.rows(); ++r) {
        if (c.type == ColumnType::real && !table.is_null(k, r)) {
          ASSERT_TRUE(std::isfinite(table.real(k, r))) << name << "." << c.name << " row " << r;
        }
        if (c.type == ColumnType::text && !table.is_null(k, r)) {
          ASSERT_EQ(table.text(k, r).find("nan"), std::string_view::npos) << name << "." << c.name;
        }
      }
    }
  }
  const ResultTable& customers = *a.table("customers");
  for (const char* column : {"p_alive", "expected_purchases"}) {
    const std::size_t k = customers.spec().index(column);
    for (std::size_t r = 0; r < customers.rows(); ++r) ASSERT_FALSE(customers.is_null(k, r));
  }
  if (d.has_amount) {
    const std::size_t k = customers.spec().index("clv");
    for (std::size_t r = 0; r < customers.rows(); ++r) ASSERT_FALSE(customers.is_null(k, r)) << r;
  }
  EXPECT_EQ(rfm_stage_conflicts(customers), 0u);
  EXPECT_NE(a.table("actions"), nullptr);
  // Bounded association rules with the defaults, the thresholds said.
  if (const ResultTable* rules = a.table("basket/rules")) {
    EXPECT_LE(rules->rows(), 1000u);
    ASSERT_TRUE(a.extras.contains("basket"));
    EXPECT_TRUE(a.extras["basket"].contains("support_count_threshold"));
    EXPECT_TRUE(a.extras["basket"].contains("note"));
  }
}

RealData cdnow_sample() {
  RealData d;
  d.file = "cdnow/CDNOW_sample.txt";
  d.load.csv.has_header = false;
  d.load.columns.customer = "2";
  d.load.columns.date = "3";
  d.load.columns.amount = "5";
  return d;
}

TEST(RealData, CdnowSampleGivesACompleteAnswer) {
  const RealData d = cdnow_sample();
  const Analysis a = analyze_real(d);
  expect_complete_honest_answer(a, d);
  EXPECT_EQ(a.customers, 2357u);
}

TEST(RealData, GroceryEventLogWithoutAmountsGivesACountModelAnswer) {
  RealData d;
  d.file = "grocery_elog/groceryElog.csv";
  d.load.columns.customer = "cust";
  d.load.columns.date = "date";
  d.has_amount = false;
  const Analysis a = analyze_real(d);
  expect_complete_honest_answer(a, d);
  EXPECT_EQ(a.customers, 1525u);
}

TEST(RealData, ApparelGivesACompleteAnswer) {
  RealData d;
  d.file = "apparel/apparelTrans.csv";
  d.load.columns.customer = "Id";
  d.load.columns.date = "Date";
  d.load.columns.amount = "Price";
  const Analysis a = analyze_real(d);
  expect_complete_honest_answer(a, d);
  EXPECT_EQ(a.customers, 600u);
}

TEST(RealData, CompleteJourneySlowGivesACompleteAnswerWithRulesAtACoarserLevel) {
  RealData d;
  d.file = "completejourney/transactions_sample.csv.gz";
  d.load.columns.customer = "household_id";
  d.load.columns.date = "transaction_timestamp";
  d.load.columns.amount = "sales_value";
  d.load.columns.order = "basket_id";
  d.load.columns.product = "product_id";
  d.products = "completejourney/products.csv.gz";
  const Analysis a = analyze_real(d);
  expect_complete_honest_answer(a, d);
  // Product ids are too sparse in a sample of lines; the products file's levels give rules.
  ASSERT_NE(a.table("basket/rules"), nullptr);
  EXPECT_GT(a.table("basket/rules")->rows(), 0u);
  EXPECT_NE(a.extras["basket"]["level"], "item");
}

TEST(RealData, CdnowMasterSlowGivesClvWithTheZeroSpendCustomerCounted) {
  RealData d;
  d.file = "cdnow/CDNOW_master.txt";
  d.load.columns.customer = "1";
  d.load.columns.date = "2";
  d.load.columns.amount = "4";
  const Analysis a = analyze_real(d);
  expect_complete_honest_answer(a, d);
  EXPECT_EQ(a.customers, 23570u);
  // One repeat customer has a zero mean spend (its repeat purchases are $0): left out, counted.
  EXPECT_EQ(a.spend_customers["zero_spend"]["count"], 1);
  EXPECT_EQ(a.spend_customers["used"]["count"].get<std::size_t>() + 1,
            a.spend_customers["repeat"]["count"].get<std::size_t>());
}

TEST(RealData, OnlineRetailSlowIsIdentifiedOrSaysSoAndBoundsItsRules) {
  RealData d;
  d.file = "online_retail/online_retail.csv.gz";
  d.load.columns.customer = "CustomerID";
  d.load.columns.date = "InvoiceDate";
  d.load.columns.order = "InvoiceNo";
  d.load.columns.quantity = "Quantity";
  d.load.columns.price = "UnitPrice";
  d.load.columns.product = "StockCode";
  const Analysis a = analyze_real(d);
  expect_complete_honest_answer(a, d);
  EXPECT_EQ(a.load.customers, 4372u);
  EXPECT_EQ(a.customers, 4339u);
  EXPECT_EQ(a.customer_accounting["only_returns"]["count"], 33);
  // Every plain fit has no dropout here: the choice is penalised or flagged, never silent, and
  // "likely active" is not everyone.
  EXPECT_TRUE(a.l2_penalty > 0 || !a.p_alive_measured) << a.model_choice_reason;
  EXPECT_FALSE(a.model_choice_reason.empty());
  EXPECT_LT(a.likely_active, static_cast<double>(a.customers));
  // Sums are exact (cents, not floating point): a customer whose returns cancel the repeat
  // purchases to the cent has a zero mean spend, not a rounding residue below zero.
  EXPECT_EQ(a.spend_customers["negative_spend"]["count"], 8);
  EXPECT_EQ(a.spend_customers["zero_spend"]["count"], 4) << a.spend_customers.dump();
}

}  // namespace
}  // namespace ltv
