// End-to-end tests of `ltv basket`, `ltv recommend` and `ltv penetration`.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_data.hpp"

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string groceries_command(const std::string& confidence) {
  return ltv::test::cli() + " basket " +
         ltv::test::shared_data("groceries/groceries_long.csv").string() +
         " --basket transaction_id --item item --min-support 0.001 --min-confidence " + confidence;
}

}  // namespace

TEST(BasketCli, GroceriesRuleCounts) {
  auto r = ltv::test::run(groceries_command("0.8"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 411u);  // header + 410 rules
  EXPECT_EQ(lines[0], "antecedent,consequent,support,confidence,lift,count");
  EXPECT_EQ(lines[1].rfind("\"{liquor,red/blush wine}\",bottled beer,", 0), 0u) << lines[1];
  EXPECT_NE(r.err.find("2: 2981, 3: 6831, 4: 3137, 5: 376, 6: 10"), std::string::npos) << r.err;
  r = ltv::test::run(groceries_command("0.5") + " --quiet");
  EXPECT_EQ(lines_of(r.out).size(), 5669u);
  r = ltv::test::run(groceries_command("1.5"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--min-confidence"), std::string::npos);
}

TEST(BasketCli, CustomerDayBasketsAndSequences) {
  auto dir = ltv::test::temp_dir("basket_cli");
  std::ofstream(dir / "t.csv") << "customer_id,date,product,category\n"
                                  "c1,2024-01-01,bike,sports\n"
                                  "c1,2024-01-01,helmet,accessories\n"
                                  "c1,2024-01-20,lock,accessories\n"
                                  "c2,2024-01-02,bike,sports\n"
                                  "c2,2024-01-02,helmet,accessories\n"
                                  "c3,2024-01-03,bike,sports\n"
                                  "c3,2024-03-30,lock,accessories\n";
  auto r = ltv::test::run(ltv::test::cli() + " basket " + (dir / "t.csv").string() +
                          " --customer customer_id --date date --item product --min-support 0.5 "
                          "--min-confidence 0.6 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Baskets (customer-days): {bike,helmet} x2, {lock}, {bike}, {lock}: bike 3/5, helmet 2/5.
  // Only bike (3) reaches 0.5 support: no rules.
  EXPECT_EQ(lines_of(r.out).size(), 1u) << r.out;
  r = ltv::test::run(ltv::test::cli() + " basket " + (dir / "t.csv").string() +
                     " --customer customer_id --date date --item product --min-support 0.4 "
                     "--min-confidence 0.6 --quiet");
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;  // bike => helmet (2/3), helmet => bike (2/2)
  EXPECT_EQ(lines[1], "{helmet},bike,0.4,1,1.6666666666666667,2");
  r = ltv::test::run(ltv::test::cli() + " basket " + (dir / "t.csv").string() +
                     " --customer customer_id --date date --item category --sequence "
                     "--window 60 --min-customers 1 --after sports --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  // sports -> accessories within 60 days: c1 (same day), c2 (same day); c3 is 87 days later.
  EXPECT_EQ(lines[1].rfind("sports,accessories,2,3,", 0), 0u) << lines[1];
}

TEST(RecommendCli, ExplainsOffersAndEvaluatesOnOnlineRetail) {
  auto dir = ltv::test::temp_dir("recommend_cli");
  std::ofstream(dir / "t.csv") << "customer_id,date,product\n"
                                  "c1,2024-01-01,bike\nc1,2024-01-10,helmet\n"
                                  "c2,2024-01-01,bike\nc2,2024-01-05,helmet\n"
                                  "c3,2024-01-01,bike\nc3,2024-01-08,helmet\n"
                                  "c4,2024-02-01,bike\n";
  auto r =
      ltv::test::run(ltv::test::cli() + " recommend " + (dir / "t.csv").string() +
                     " --customer customer_id --date date --item product --top 1 --for c4 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[0], "customer_id,rank,item,score,because,reason");
  EXPECT_EQ(lines[1],
            "c4,1,helmet,0.75,bike,bought bike; 75% of bike buyers buy helmet within 60 days");

  // c1 owns bike and helmet. Everything owned is excluded by default; with a durable list only
  // the durables are, so the consumable helmet is offered again when bike buyers buy it.
  r = ltv::test::run(
      ltv::test::cli() + " recommend " + (dir / "t.csv").string() +
      " --customer customer_id --date date --item product --for c1 --no-fill --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(lines_of(r.out).size(), 1u) << r.out;
  r = ltv::test::run(
      ltv::test::cli() + " recommend " + (dir / "t.csv").string() +
      " --customer customer_id --date date --item product --for c1 --no-fill --durable bike "
      "--quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 2u) << r.out;
  EXPECT_EQ(lines[1].rfind("c1,1,helmet,", 0), 0u) << lines[1];

  r = ltv::test::run(ltv::test::cli() + " recommend " +
                     ltv::test::shared_data("online_retail/online_retail.csv.gz").string() +
                     " --customer CustomerID --date InvoiceDate --item StockCode --quantity "
                     "Quantity --evaluate 2011-09-01 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 5u) << r.out;
  auto field = [](const std::string& line, int k) {
    std::istringstream in(line);
    std::string f;
    for (int i = 0; i <= k; ++i) std::getline(in, f, ',');
    return std::stod(f);
  };
  for (int row = 1; row <= 2; ++row) {  // follow_on k=5,10 vs popularity k=5,10
    EXPECT_GT(field(lines[row], 2), field(lines[row + 2], 2)) << lines[row];
    EXPECT_GT(field(lines[row], 3), field(lines[row + 2], 3)) << lines[row];
  }
}

TEST(PenetrationCli, WeeklyCurveAndReach) {
  auto dir = ltv::test::temp_dir("penetration_cli");
  std::ofstream(dir / "t.csv") << "customer_id,date,product,category\n"
                                  "c1,2024-01-01,bike,sports\nc1,2024-03-02,gps,accessories\n"
                                  "c2,2024-01-02,bike,sports\nc2,2024-03-20,gps,accessories\n"
                                  "c3,2024-01-03,bike,sports\n"
                                  "c4,2024-03-03,gps,accessories\nc4,2024-03-29,tea,food\n";
  std::ofstream(dir / "s.csv") << "customer_id,segment\nc1,loyal\nc2,loyal\nc3,new\nc4,new\n";
  auto r = ltv::test::run(ltv::test::cli() + " penetration " + (dir / "t.csv").string() +
                          " --customer customer_id --date date --item product --category category"
                          " --launched gps"
                          " --launch 2024-03-01 --target-buyers-of sports --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;  // 2024-03-01..03-29: 5 weeks (the 5th starts 03-29)
  EXPECT_EQ(lines[0], "week,week_start,new_buyers,cumulative_buyers,target_size,penetration");
  EXPECT_EQ(lines[1], "1,2024-03-01,1,1,3,0.3333333333333333");
  EXPECT_EQ(lines[3], "3,2024-03-15,1,2,3,0.6666666666666666");
  r = ltv::test::run(ltv::test::cli() + " penetration " + (dir / "t.csv").string() +
                     " --customer customer_id --date date --category category --level category"
                     " --reach --segments " +
                     (dir / "s.csv").string() + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  lines = lines_of(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.out;
  EXPECT_EQ(lines[0], "segment,item,segment_size,buyers,reach");
  EXPECT_EQ(lines[1], "loyal,sports,2,2,1");
  r = ltv::test::run(
      ltv::test::cli() + " penetration " + (dir / "t.csv").string() +
      " --customer customer_id --date date --item product --launched nothing --launch 2024-03-01"
      " --quiet");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nothing"), std::string::npos);
}
