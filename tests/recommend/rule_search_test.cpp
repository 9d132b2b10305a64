// Association rules with bounded defaults (ltv/recommend/rule_search.hpp,
// docs/association-rules.md "Adaptive defaults"): the support threshold searched for a target
// number of rules, itemsets capped in length, coarser levels when items are too sparse. The
// explicit-threshold path (frequent_itemsets / association_rules) keeps its published Groceries
// counts (association_test.cpp); only the new mining guard is checked against them here.
#include "ltv/recommend/rule_search.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>

#include "ltv/error.hpp"
#include "ltv/io/load.hpp"
#include "ltv/io/table.hpp"
#include "ltv/recommend/baskets.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

Baskets groceries() {
  std::ifstream in(test::shared_data("groceries/groceries.csv"));
  std::stringstream text;
  text << in.rdbuf();
  return baskets_from_lines(text.str());
}

/// Rules mined at an explicit support count with the search's length cap and confidence.
AssociationRules mine(const Baskets& baskets, std::uint64_t count, const RuleSearchOptions& o) {
  ItemsetOptions io;
  io.min_support = Ratio{0, 1};
  io.min_count = count;
  io.max_length = o.max_length;
  RuleOptions ro;
  ro.min_confidence = o.min_confidence;
  return association_rules(frequent_itemsets(baskets, io), ro);
}

/// The search's result is exactly the rules at its threshold, and one basket lower gives more
/// than the target (so the threshold is the smallest that keeps the target).
void expect_smallest_threshold(const Baskets& baskets, const RuleSearchResult& r,
                               const RuleSearchOptions& o) {
  ASSERT_LE(r.rules.size(), o.target_rules);
  const AssociationRules at = mine(baskets, r.min_count, o);
  ASSERT_EQ(at.size(), r.rules.size());
  for (std::size_t k = 0; k < at.size(); ++k) {
    EXPECT_EQ(at.consequent[k], r.rules.consequent[k]) << k;
    EXPECT_EQ(at.count[k], r.rules.count[k]) << k;
  }
  if (r.min_count > r.floor_count) {
    EXPECT_GT(mine(baskets, r.min_count - 1, o).size(), o.target_rules);
  }
}

TEST(ItemsetGuard, StopsMiningPastTheLimitAndLeavesDefaultsExact) {
  const Baskets baskets = groceries();
  ItemsetOptions io;
  io.min_support = parse_ratio("0.001", "s");
  const FrequentItemsets all = frequent_itemsets(baskets, io);
  EXPECT_TRUE(all.complete);
  EXPECT_EQ(all.size(), 13492u);  // docs/association-rules.md: 157+2981+6831+3137+376+10
  io.max_itemsets = 1000;
  const FrequentItemsets part = frequent_itemsets(baskets, io);
  EXPECT_FALSE(part.complete);
  EXPECT_GT(part.size(), 1000u);
  EXPECT_LT(part.size(), all.size());
  io.max_itemsets = 13492;
  EXPECT_TRUE(frequent_itemsets(baskets, io).complete);
}

TEST(RuleSearch, GroceriesSupportIsRaisedToTheSmallestCountWithinTheTarget) {
  const Baskets baskets = groceries();
  RuleSearchOptions o;  // target 1000, confidence 0.1, floor max(10, 0.001 N), length 3
  const RuleSearchResult r = search_association_rules(baskets, {}, o);
  EXPECT_EQ(r.level, "item");
  EXPECT_EQ(r.level_index, 0u);
  EXPECT_EQ(r.floor_count, 10u);  // ceil(0.001 x 9835)
  EXPECT_TRUE(r.raised);
  EXPECT_GT(r.min_count, r.floor_count);
  EXPECT_DOUBLE_EQ(r.min_support, static_cast<double>(r.min_count) / 9835.0);
  EXPECT_GT(r.rules.size(), 0u);
  expect_smallest_threshold(baskets, r, o);
  for (std::size_t i = 0; i < r.itemsets.size(); ++i) EXPECT_LE(r.itemsets.itemset(i).size(), 3u);
  // Every threshold tried is recorded; the last fitting one is the result.
  ASSERT_FALSE(r.steps.empty());
  bool found = false;
  for (const auto& s : r.steps) {
    EXPECT_EQ(s.level, "item");
    if (s.min_count == r.min_count) {
      found = true;
      EXPECT_EQ(s.rules, r.rules.size());
    }
    if (s.min_count < r.min_count) {
      EXPECT_GT(s.rules, o.target_rules);
    }
  }
  EXPECT_TRUE(found);
  EXPECT_NE(r.note.find("support raised from"), std::string::npos) << r.note;
  EXPECT_NE(r.note.find("at most 1000 rules"), std::string::npos) << r.note;
}

TEST(RuleSearch, AGenerousTargetKeepsTheFloor) {
  const Baskets baskets = groceries();
  RuleSearchOptions o;
  o.target_rules = 100000;
  o.min_confidence = parse_ratio("0.5", "c");
  o.max_length = 0;
  const RuleSearchResult r = search_association_rules(baskets, {}, o);
  EXPECT_FALSE(r.raised);
  EXPECT_EQ(r.min_count, 10u);
  // The published Groceries count at support 0.001, confidence 0.5 (docs/association-rules.md).
  EXPECT_EQ(r.rules.size(), 5668u);
  EXPECT_EQ(r.note.find("raised"), std::string::npos) << r.note;
}

TEST(RuleSearch, TheGuardCountsAsTooManyRules) {
  const Baskets baskets = groceries();
  RuleSearchOptions o;
  o.target_rules = 100000;
  o.max_length = 0;
  o.max_itemsets = 2000;  // fewer itemsets than the floor has (13,492)
  const RuleSearchResult r = search_association_rules(baskets, {}, o);
  EXPECT_TRUE(r.raised);
  bool over = false;
  for (const auto& s : r.steps) over = over || s.over_guard;
  EXPECT_TRUE(over);
  EXPECT_LE(r.itemsets.size(), 2000u);
  EXPECT_TRUE(r.itemsets.complete);
}

// Items that never repeat give no rules; their groups do.
TEST(RuleSearch, SparseItemsFallBackToTheFirstCoarserLevelWithRules) {
  std::vector<std::string> keys, items;
  for (int b = 0; b < 600; ++b) {
    keys.push_back(std::to_string(b));
    items.push_back("shirt-" + std::to_string(b));
    keys.push_back(std::to_string(b));
    items.push_back(b % 3 == 0 ? "tie-" + std::to_string(b) : "sock-" + std::to_string(b));
  }
  const Baskets by_item = baskets_from_pairs(keys, items);
  std::unordered_map<std::string, std::string> to_group;
  for (const auto& name : by_item.item_names) to_group[name] = name.substr(0, name.find('-'));
  const MappedBaskets by_group = map_items_partial(by_item, to_group);
  std::unordered_map<std::string, std::string> to_one;
  for (const auto& name : by_item.item_names) to_one[name] = "clothes";
  const MappedBaskets by_one = map_items_partial(by_item, to_one);

  const RuleSearchResult alone = search_association_rules(by_item);
  EXPECT_EQ(alone.rules.size(), 0u);
  EXPECT_EQ(alone.level, "item");
  EXPECT_NE(alone.note.find("0 rules (item level"), std::string::npos) << alone.note;

  const std::vector<RuleLevel> levels{{"group", &by_group.baskets}, {"all", &by_one.baskets}};
  const RuleSearchResult r = search_association_rules(by_item, levels);
  EXPECT_EQ(r.level, "group");
  EXPECT_EQ(r.level_index, 1u);
  // {sock} => shirt, {shirt} => sock, {tie} => shirt, {shirt} => tie: 4 rules < min_rules 10,
  // so "all" is searched too; with one item per basket it gives none, so "group" stays.
  EXPECT_EQ(r.rules.size(), 4u);
  ASSERT_EQ(r.levels.size(), 3u);
  EXPECT_EQ(r.levels[0].rules, 0u);
  EXPECT_EQ(r.levels[2].rules, 0u);
  EXPECT_EQ(r.levels[1].baskets, 600u);
  EXPECT_EQ(r.levels[1].items, 3u);
  EXPECT_NE(r.note.find("item level: 0 rules"), std::string::npos) << r.note;
  for (const auto& s : r.steps)
    EXPECT_TRUE(s.level == "item" || s.level == "group" || s.level == "all");
}

TEST(RuleSearch, BadArguments) {
  const Baskets baskets = groceries();
  RuleSearchOptions o;
  o.target_rules = 0;
  EXPECT_THROW(search_association_rules(baskets, {}, o), InputError);
  EXPECT_THROW(search_association_rules(Baskets{}), InputError);
  const std::vector<RuleLevel> missing{{"category", nullptr}};
  EXPECT_THROW(search_association_rules(baskets, missing), InputError);
}

TEST(MapItemsPartial, UnmappedItemsAndEmptyBasketsAreCountedNotErrors) {
  const std::vector<std::string> keys{"1", "1", "2", "3", "3"};
  const std::vector<std::string> items{"milk", "bread", "ghost", "milk", "soap"};
  const Baskets b = baskets_from_pairs(keys, items);
  const std::unordered_map<std::string, std::string> mapping{
      {"milk", "dairy"}, {" bread ", "bakery"}, {"soap", ""}};
  const MappedBaskets m = map_items_partial(b, mapping, 1);
  EXPECT_EQ(m.unmapped_items, 2u);  // ghost (absent), soap (empty group)
  EXPECT_EQ(m.unmapped_occurrences, 2u);
  EXPECT_EQ(m.unmapped_examples, (std::vector<std::string>{"ghost"}));
  EXPECT_EQ(m.baskets_dropped, 1u);  // basket 2 held only ghost
  ASSERT_EQ(m.baskets.size(), 2u);
  EXPECT_EQ(m.baskets.basket_ids, (std::vector<std::string>{"1", "3"}));
  EXPECT_EQ(m.baskets.basket(0).size(), 2u);  // dairy, bakery (trimmed key matched)
  EXPECT_EQ(m.baskets.basket(1).size(), 1u);
  EXPECT_THROW(map_items(b, mapping), InputError);  // the strict version is unchanged
}

// Online Retail (README: 541,909 rows, 4,372 customers): StockCode baskets by invoice, returns
// dropped. With analyze's fixed defaults (support 0.001, count >= 10, confidence 0.1) the
// invoices give over a million rules; the search keeps at most 1000 at the smallest support
// count that allows it.
TEST(RuleSearch, OnlineRetailItemRulesAreBoundedSlow) {
  LoadOptions o;
  o.columns.customer = "CustomerID";
  o.columns.date = "InvoiceDate";
  o.columns.order = "InvoiceNo";
  o.columns.quantity = "Quantity";
  o.columns.price = "UnitPrice";
  o.columns.product = "StockCode";
  LoadReport report;
  const auto log = load_transactions(
      test::shared_data("online_retail/online_retail.csv.gz").string(), o, report);
  const Baskets baskets = baskets_from_log(log, BasketOptions{});
  RuleSearchOptions options;
  const RuleSearchResult r = search_association_rules(baskets, {}, options);
  EXPECT_EQ(r.level, "item");
  EXPECT_TRUE(r.raised);
  EXPECT_GE(r.rules.size(), options.min_rules);
  expect_smallest_threshold(baskets, r, options);
}

// Complete Journey (README: a random sample of 75,000 receipt lines, 47,243 baskets, 20,902
// products): keyed by product id the baskets give no rule (the issue), and neither do the
// products file's ~300 product categories; its departments do.
TEST(RuleSearch, CompleteJourneyFallsBackToDepartmentsOfTheProductsFile) {
  LoadOptions o;
  o.columns.customer = "household_id";
  o.columns.date = "transaction_timestamp";
  o.columns.order = "basket_id";
  o.columns.product = "product_id";
  LoadReport report;
  const auto log = load_transactions(
      test::shared_data("completejourney/transactions_sample.csv.gz").string(), o, report);
  const Baskets by_product = baskets_from_log(log, BasketOptions{});
  EXPECT_EQ(by_product.item_count(), 20902u);  // README
  const Table products = read_table(test::shared_data("completejourney/products.csv.gz").string());
  std::unordered_map<std::string, std::string> category, department;
  const auto& id = products.column("product_id");
  for (std::size_t i = 0; i < products.rows(); ++i) {
    category[id[i]] = products.column("product_category")[i];
    department[id[i]] = products.column("department")[i];
  }
  const MappedBaskets by_category = map_items_partial(by_product, category);
  const MappedBaskets by_department = map_items_partial(by_product, department);
  // README: 222 lines have a product_id missing from products.
  EXPECT_EQ(by_department.unmapped_occurrences, 222u);
  const std::vector<RuleLevel> levels{{"product_category", &by_category.baskets},
                                      {"department", &by_department.baskets}};
  const RuleSearchResult r = search_association_rules(by_product, levels);
  ASSERT_EQ(r.levels.size(), 3u);
  EXPECT_EQ(r.levels[0].rules, 0u);
  EXPECT_EQ(r.level, "department");
  EXPECT_GE(r.rules.size(), RuleSearchOptions{}.min_rules);
  EXPECT_LE(r.rules.size(), RuleSearchOptions{}.target_rules);
  expect_smallest_threshold(by_department.baskets, r, RuleSearchOptions{});
}

}  // namespace
}  // namespace ltv
