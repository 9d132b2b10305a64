#include "ltv/recommend/association.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "ltv/error.hpp"
#include "test_data.hpp"

namespace {

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

ltv::Baskets groceries() {
  return ltv::baskets_from_lines(read_text(ltv::test::shared_data("groceries/groceries.csv")));
}

std::size_t find_item(const std::vector<std::string>& names, const std::string& name) {
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  ADD_FAILURE() << "no item " << name;
  return 0;
}

// Five hand-checked baskets:
//   1 {bread, milk}  2 {bread, diaper, beer, eggs}  3 {milk, diaper, beer, cola}
//   4 {bread, milk, diaper, beer}  5 {bread, milk, diaper, cola}
ltv::Baskets textbook() {
  return ltv::baskets_from_lines(
      "bread,milk\nbread,diaper,beer,eggs\nmilk,diaper,beer,cola\nbread,milk,diaper,beer\n"
      "bread,milk,diaper,cola\n");
}

}  // namespace

TEST(Ratio, ParsesDecimalsPercentagesAndFractionsExactly) {
  auto r = ltv::parse_ratio("0.001", "--min-support");
  EXPECT_EQ(r.numerator, 1u);
  EXPECT_EQ(r.denominator, 1000u);
  r = ltv::parse_ratio("0.80", "--min-confidence");
  EXPECT_EQ(r.numerator, 4u);
  EXPECT_EQ(r.denominator, 5u);
  r = ltv::parse_ratio("12.5%", "--min-confidence");
  EXPECT_EQ(r.numerator, 1u);
  EXPECT_EQ(r.denominator, 8u);
  r = ltv::parse_ratio("2/6", "--min-confidence");
  EXPECT_EQ(r.numerator, 1u);
  EXPECT_EQ(r.denominator, 3u);
  r = ltv::parse_ratio("1e-3", "--min-support");
  EXPECT_EQ(r.numerator, 1u);
  EXPECT_EQ(r.denominator, 1000u);
  r = ltv::parse_ratio("1", "--min-support");
  EXPECT_EQ(r.numerator, 1u);
  EXPECT_EQ(r.denominator, 1u);
  EXPECT_THROW(ltv::parse_ratio("1.5", "--min-confidence"), ltv::InputError);
  EXPECT_THROW(ltv::parse_ratio("-0.1", "--min-confidence"), ltv::InputError);
  EXPECT_THROW(ltv::parse_ratio("abc", "--min-confidence"), ltv::InputError);
  EXPECT_THROW(ltv::parse_ratio("1/0", "--min-confidence"), ltv::InputError);
  EXPECT_THROW(ltv::parse_ratio("", "--min-confidence"), ltv::InputError);
}

TEST(Ratio, ComparesExactlyWhereFloatingPointDoesNot) {
  auto eight_tenths = ltv::parse_ratio("0.8", "--min-confidence");
  EXPECT_TRUE(ltv::at_least(16, 20, eight_tenths));
  EXPECT_FALSE(ltv::at_least(15, 20, eight_tenths));
  // The ratio of relative supports, as a naive implementation computes it, falls just below 0.8.
  double n = 9835;
  EXPECT_LT((16 / n) / (20 / n), 0.8);
  EXPECT_EQ(ltv::min_count_for(ltv::parse_ratio("0.001", "s"), 9835), 10u);
  EXPECT_EQ(ltv::min_count_for(ltv::parse_ratio("0.001", "s"), 10000), 10u);
  EXPECT_EQ(ltv::min_count_for(ltv::parse_ratio("0.001", "s"), 10001), 11u);
}

TEST(Baskets, FromPairsSortsAndDeduplicates) {
  std::vector<std::string> keys{"A", "A", "B", "A", "B"};
  std::vector<std::string> items{"x", "y", "y", "x", "z"};
  auto b = ltv::baskets_from_pairs(keys, items);
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b.basket_ids[0], "A");
  EXPECT_EQ(b.basket(0).size(), 2u);  // x counted once
  EXPECT_EQ(b.basket(1).size(), 2u);
  EXPECT_EQ(b.item_names.size(), 3u);
  std::vector<std::string> short_items{"x"};
  EXPECT_THROW(ltv::baskets_from_pairs(keys, short_items), ltv::InputError);
}

TEST(Association, HandCheckedItemsetsAndRules) {
  auto baskets = textbook();
  ltv::ItemsetOptions io;
  io.min_support = ltv::parse_ratio("0.6", "s");  // count >= 3 of 5
  auto sets = ltv::frequent_itemsets(baskets, io);
  EXPECT_EQ(sets.min_count, 3u);
  // Singles: bread 4, milk 4, diaper 4, beer 3. Pairs >= 3: bread-milk 3, bread-diaper 3,
  // milk-diaper 3, diaper-beer 3. No triple reaches 3.
  auto by_length = sets.count_by_length();
  ASSERT_EQ(by_length.size(), 3u);
  EXPECT_EQ(by_length[1], 4u);
  EXPECT_EQ(by_length[2], 4u);

  ltv::RuleOptions ro;
  ro.min_confidence = ltv::parse_ratio("1", "c");
  auto rules = ltv::association_rules(sets, ro);
  // Only {beer} => {diaper} has confidence 3/3.
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(ltv::format_itemset(rules.antecedent(0), rules.item_names), "{beer}");
  EXPECT_EQ(rules.item_names[rules.consequent[0]], "diaper");
  EXPECT_DOUBLE_EQ(rules.support(0), 0.6);
  EXPECT_DOUBLE_EQ(rules.confidence(0), 1.0);
  EXPECT_DOUBLE_EQ(rules.lift(0), 1.0 / 0.8);

  ro.min_confidence = ltv::parse_ratio("0.75", "c");
  rules = ltv::association_rules(sets, ro);
  // 8 pair rules: confidence 3/4 for bread/milk/diaper pairs (6), 3/3 beer=>diaper, 3/4
  // diaper=>beer.
  EXPECT_EQ(rules.size(), 8u);
  // Sorted by lift: beer => diaper (1.25) and diaper => beer (1.25) first.
  EXPECT_DOUBLE_EQ(rules.lift(0), 1.25);
  EXPECT_DOUBLE_EQ(rules.lift(1), 1.25);
  EXPECT_DOUBLE_EQ(rules.confidence(0), 1.0);

  // Empty antecedents (arules minlen = 1): {} => {y} when support(y) >= confidence.
  ro.min_antecedent = 0;
  ro.min_confidence = ltv::parse_ratio("0.8", "c");
  rules = ltv::association_rules(sets, ro);
  std::size_t empty = 0;
  for (std::size_t r = 0; r < rules.size(); ++r) empty += rules.antecedent(r).empty() ? 1 : 0;
  EXPECT_EQ(empty, 3u);  // bread, milk, diaper at 4/5
}

TEST(Association, MaxLengthStopsGrowth) {
  auto baskets = textbook();
  ltv::ItemsetOptions io;
  io.min_support = ltv::parse_ratio("0.2", "s");
  auto all = ltv::frequent_itemsets(baskets, io);
  io.max_length = 2;
  auto short_sets = ltv::frequent_itemsets(baskets, io);
  EXPECT_GT(all.count_by_length().size(), 3u);
  EXPECT_EQ(short_sets.count_by_length().size(), 3u);
  EXPECT_EQ(short_sets.count_by_length()[2], all.count_by_length()[2]);
}

TEST(Association, NoBasketsIsAnError) {
  ltv::Baskets empty;
  EXPECT_THROW(ltv::frequent_itemsets(empty, {}), ltv::InputError);
}

// arules Groceries (9,835 baskets), minimum support 0.001 (count >= 10), exact comparisons.
TEST(Association, GroceriesItemsetCountsMatchExactCount) {
  auto baskets = groceries();
  ASSERT_EQ(baskets.size(), 9835u);
  ASSERT_EQ(baskets.item_count(), 169u);
  ltv::ItemsetOptions io;
  io.min_support = ltv::parse_ratio("0.001", "s");
  auto sets = ltv::frequent_itemsets(baskets, io);
  EXPECT_EQ(sets.min_count, 10u);
  auto by_length = sets.count_by_length();
  ASSERT_EQ(by_length.size(), 7u);
  EXPECT_EQ(by_length[1], 157u);
  EXPECT_EQ(by_length[2], 2981u);
  EXPECT_EQ(by_length[3], 6831u);
  EXPECT_EQ(by_length[4], 3137u);
  EXPECT_EQ(by_length[5], 376u);
  EXPECT_EQ(by_length[6], 10u);
  // Spot checks against a direct count.
  auto milk = find_item(sets.item_names, "whole milk");
  for (std::size_t i = 0; i < sets.size(); ++i) {
    auto s = sets.itemset(i);
    if (s.size() == 1 && s[0] == milk) {
      EXPECT_EQ(sets.count[i], 2513u);
    }
  }
}

TEST(Association, GroceriesRuleCountsAtHalfAndEightTenths) {
  auto baskets = groceries();
  ltv::ItemsetOptions io;
  io.min_support = ltv::parse_ratio("0.001", "s");
  auto sets = ltv::frequent_itemsets(baskets, io);
  ltv::RuleOptions ro;
  ro.min_confidence = ltv::parse_ratio("0.5", "c");
  EXPECT_EQ(ltv::association_rules(sets, ro).size(), 5668u);
  ro.min_confidence = ltv::parse_ratio("0.8", "c");
  auto rules = ltv::association_rules(sets, ro);
  EXPECT_EQ(rules.size(), 410u);
  // 39 rules sit exactly on the 0.8 boundary; for four of them (16 of 20 baskets) the ratio of
  // relative supports computed in floating point falls below 0.8, so a naive comparison drops them.
  std::size_t boundary = 0;
  std::size_t lost_in_floating_point = 0;
  const double n = 9835;
  for (std::size_t r = 0; r < rules.size(); ++r) {
    if (rules.count[r] * 5 == rules.antecedent_count[r] * 4) ++boundary;
    double naive = (static_cast<double>(rules.count[r]) / n) /
                   (static_cast<double>(rules.antecedent_count[r]) / n);
    if (naive < 0.8) {
      ++lost_in_floating_point;
      EXPECT_EQ(rules.count[r], 16u);
      EXPECT_EQ(rules.antecedent_count[r], 20u);
    }
    EXPECT_GE(rules.count[r] * 5, rules.antecedent_count[r] * 4);
  }
  EXPECT_EQ(boundary, 39u);
  EXPECT_EQ(lost_in_floating_point, 4u);
  // The top rule by lift (arules' inspect(sort(rules, by = "lift"))[1]).
  EXPECT_EQ(ltv::format_itemset(rules.antecedent(0), rules.item_names), "{liquor,red/blush wine}");
  EXPECT_EQ(rules.item_names[rules.consequent[0]], "bottled beer");
}

TEST(Association, GroceriesCategoryLevelThroughHierarchy) {
  auto baskets = groceries();
  std::string text = read_text(ltv::test::shared_data("groceries/groceries_items.csv"));
  std::unordered_map<std::string, std::string> level2;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    // "item","level2","level1" -- no field contains a comma or quote.
    std::vector<std::string> f;
    std::string cur;
    for (char c : line) {
      if (c == '"' || c == '\r') continue;
      if (c == ',') {
        f.push_back(cur);
        cur.clear();
      } else {
        cur.push_back(c);
      }
    }
    f.push_back(cur);
    ASSERT_EQ(f.size(), 3u);
    level2[f[0]] = f[1];
  }
  auto mapped = ltv::map_items(baskets, level2);
  EXPECT_EQ(mapped.size(), baskets.size());
  EXPECT_EQ(mapped.item_count(), 55u);
  ltv::ItemsetOptions io;
  io.min_support = ltv::parse_ratio("0.01", "s");
  auto sets = ltv::frequent_itemsets(mapped, io);
  EXPECT_GT(sets.size(), 0u);
  std::unordered_map<std::string, std::string> missing{{"x", "y"}};
  EXPECT_THROW(ltv::map_items(baskets, missing), ltv::InputError);
}

TEST(Baskets, FromLogByOrderOrCustomerDayAtEitherLevel) {
  ltv::TransactionLog log;
  log.customer_ids = {"c1", "c2"};
  log.customer = {0, 0, 0, 1, 1};
  log.day = {10, 10, 11, 10, 10};
  log.order = ltv::CategoricalColumn{"order", {"o1", "o2", "o3"}, {0, 0, 1, 2, 2}};
  log.product = ltv::CategoricalColumn{"product", {"bike", "helmet", "lock"}, {0, 1, 2, 0, 0}};
  log.category = ltv::CategoricalColumn{"category", {"bikes", "accessories"}, {0, 1, 1, 0, 0}};
  auto by_order = ltv::baskets_from_log(log, {ltv::BasketKey::order, ltv::ItemLevel::item});
  ASSERT_EQ(by_order.size(), 3u);
  EXPECT_EQ(by_order.basket(0).size(), 2u);
  EXPECT_EQ(by_order.basket(2).size(), 1u);  // bike twice in o3 counts once
  auto by_day =
      ltv::baskets_from_log(log, {ltv::BasketKey::customer_day, ltv::ItemLevel::category});
  ASSERT_EQ(by_day.size(), 3u);  // c1 day 10, c1 day 11, c2 day 10
  EXPECT_EQ(by_day.basket_ids[0], "c1|10");
  EXPECT_EQ(by_day.basket(0).size(), 2u);
  EXPECT_EQ(by_day.item_names[by_day.basket(1)[0]], "accessories");
  // A return line (negative quantity) is not a purchase; an order of returns only is no basket.
  log.quantity = {1, 1, 1, -1, -1};
  by_order = ltv::baskets_from_log(log, {ltv::BasketKey::order, ltv::ItemLevel::item});
  ASSERT_EQ(by_order.size(), 2u);
  EXPECT_EQ(by_order.basket_ids[1], "o2");
  log.order.reset();
  EXPECT_THROW(ltv::baskets_from_log(log, {}), ltv::InputError);
  EXPECT_THROW(ltv::parse_basket_key("week"), ltv::InputError);
  EXPECT_THROW(ltv::parse_item_level("brand"), ltv::InputError);
}

TEST(Baskets, HierarchyKeysMatchAfterTrimming) {
  auto b = ltv::baskets_from_lines("cream cheese,milk\nmilk\n");
  std::unordered_map<std::string, std::string> level{{"cream cheese ", "cheese"},
                                                     {"milk", "dairy"}};
  auto mapped = ltv::map_items(b, level);
  ASSERT_EQ(mapped.item_count(), 2u);
  EXPECT_EQ(mapped.basket(0).size(), 2u);
}
