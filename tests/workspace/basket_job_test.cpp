// The cross-sell job of `ltv basket` as a function: basket_job over a Workspace.
#include <gtest/gtest.h>

#include <map>

#include "job_test_support.hpp"
#include "ltv/workspace/jobs_cross_sell.hpp"

namespace ltv {
namespace {

const std::vector<std::string_view> kGroups{"source", "periods",    "output",
                                            "format", "cross_sell", "basket"};

/// Parameters for the arules Groceries baskets (order = transaction_id, item = item).
Parameters groceries(const std::vector<std::pair<std::string, std::string>>& values) {
  Parameters p(kGroups);
  p.set("file", test::shared_data("groceries/groceries_long.csv").string());
  p.set("basket", "transaction_id");
  p.set("item", "item");
  for (const auto& [key, value] : values) p.set(key, value);
  return p;
}

BasketJobResult run(const Parameters& p) {
  const BasketJobOptions options = basket_job_options(p);
  Workspace ws(cross_sell_source(p));
  return basket_job(ws, read_basket_job_inputs(p), options);
}

// arules' Groceries with apriori(Groceries, parameter = list(support = 0.001, confidence = 0.5))
// gives "set of 5668 rules" (Hahsler & Chelluboina, arulesViz vignette "Visualizing Association
// Rules"); the support count is ceil(0.001 * 9835) = 10.
TEST(BasketJob, GroceriesRulesAsPublished) {
  const BasketJobResult r = run(groceries({{"min_support", "0.001"}, {"min_confidence", "0.5"}}));
  ASSERT_TRUE(r.rules && r.itemsets);
  EXPECT_FALSE(r.follow_on);
  EXPECT_EQ(r.rules->rows(), 5668u);
  EXPECT_EQ(r.mined_rules.size(), r.rules->rows());
  const TableSpec& spec = r.rules->spec();
  for (std::size_t i = 0; i < r.rules->rows(); ++i) {
    ASSERT_GE(r.rules->real(spec.index("confidence"), i), 0.5 - 1e-15);
    ASSERT_GE(r.rules->integer(spec.index("count"), i), 10);
  }
  // Every frequent itemset reaches the support count; the note says what was mined.
  const TableSpec& is = r.itemsets->spec();
  for (std::size_t i = 0; i < r.itemsets->rows(); ++i)
    ASSERT_GE(r.itemsets->integer(is.index("count"), i), 10);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0].rfind("9835 baskets, 169 items; support count >= 10;", 0), 0u) << r.notes[0];
}

// The arules item hierarchy maps the 169 items to 55 level2 groups (groceries_items.csv).
TEST(BasketJob, HierarchyLevelAndItsErrors) {
  const std::string items = test::shared_data("groceries/groceries_items.csv").string();
  const BasketJobResult r = run(
      groceries({{"min_support", "0.01"}, {"hierarchy", items}, {"hierarchy_level", "level2"}}));
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_EQ(r.notes[0].rfind("9835 baskets, 55 items;", 0), 0u) << r.notes[0];
  EXPECT_EQ(test::error_key([&] {
              run(groceries({{"hierarchy", items}, {"hierarchy_level", "level9"}}));
            }),
            "hierarchy_level");
}

// Follow-on sequences at category level against a direct count from the log: customers whose
// first purchase of Y lies within [first purchase of X, + window] (ltv/recommend/recommend.hpp).
TEST(BasketJob, FollowOnMatchesDirectCount) {
  const Parameters p = test::retailer_parameters(kGroups, {{"item", "category"},
                                                           {"sequence", "true"},
                                                           {"window", "30"},
                                                           {"min_customers", "1"},
                                                           {"max_per_item", "1000"}});
  Workspace ws(cross_sell_source(p));
  const TransactionLog& log = ws.transactions();
  ASSERT_TRUE(log.product);  // the item parameter names the product column of the log
  const std::string x = log.product->values[0];
  Parameters after = p;
  after.set_list("after", std::vector<std::string>{x});
  const BasketJobResult r = basket_job(ws, {}, basket_job_options(after));
  ASSERT_TRUE(r.follow_on);
  EXPECT_FALSE(r.rules);

  std::map<std::pair<std::uint32_t, std::uint32_t>, std::int32_t> first;  // (customer, item)
  for (std::size_t row = 0; row < log.size(); ++row) {
    if (!log.amount.empty() && log.amount[row] < 0) continue;
    if (!log.quantity.empty() && log.quantity[row] <= 0) continue;
    const auto key = std::make_pair(log.customer[row], log.product->codes[row]);
    const auto it = first.find(key);
    if (it == first.end() || log.day[row] < it->second) first[key] = log.day[row];
  }
  std::map<std::string, std::int64_t> expected;
  std::int64_t buyers = 0;
  for (const auto& [key, day] : first) {
    if (key.second != 0) continue;
    ++buyers;
    for (auto it = first.lower_bound({key.first, 0});
         it != first.end() && it->first.first == key.first; ++it) {
      if (it->first.second != 0 && it->second >= day && it->second <= day + 30)
        ++expected[log.product->values[it->first.second]];
    }
  }
  const ResultTable& t = *r.follow_on;
  const TableSpec& s = t.spec();
  std::map<std::string, std::int64_t> got;
  for (std::size_t i = 0; i < t.rows(); ++i) {
    EXPECT_EQ(t.text(s.index("antecedent"), i), x);
    EXPECT_EQ(t.integer(s.index("antecedent_buyers"), i), buyers);
    EXPECT_EQ(t.integer(s.index("window_days"), i), 30);
    got[std::string(t.text(s.index("consequent"), i))] = t.integer(s.index("customers"), i);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(got, expected);
}

TEST(BasketJob, ParametersAreCheckedBeforeAnyWork) {
  EXPECT_EQ(test::error_key([] {
              basket_job_options(groceries({{"min_support", "2"}}));
            }),
            "min_support");
  EXPECT_EQ(test::error_key([] {
              basket_job_options(groceries({{"min_confidence", "1.5"}}));
            }),
            "min_confidence");
  EXPECT_EQ(test::error_key([] { basket_job_options(groceries({{"item", ""}})); }), "item");
  EXPECT_EQ(test::error_key([] {
              basket_job_options(groceries({{"level", "category"}}));
            }),
            "level");
  EXPECT_EQ(test::error_key([] {
              basket_job_options(groceries({{"sequence", "true"}}));
            }),
            "sequence");
  EXPECT_EQ(test::error_key([] { basket_job_options(groceries({{"basket", ""}})); }), "basket");
  const Parameters p = test::retailer_parameters(
      kGroups, {{"item", "category"}, {"sequence", "true"}, {"after", "no such category"}});
  EXPECT_EQ(test::error_key([&] { run(p); }), "after");
}

}  // namespace
}  // namespace ltv
