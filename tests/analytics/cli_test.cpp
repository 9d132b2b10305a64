// End-to-end checks of the analytics subcommands on small constructed files.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace ltv {
namespace {

void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> row(1);
    for (char ch : line) {
      if (ch == ',') {
        row.emplace_back();
      } else {
        row.back() += ch;
      }
    }
    rows.push_back(row);
  }
  return rows;
}

std::filesystem::path fixture() {
  const auto dir = test::temp_dir("analytics_cli");
  write(dir / "tx.csv",
        "customer_id,date,amount,order_id,channel\n"
        "A,2020-01-05,100,o1,web\n"
        "B,2020-01-10,40,o2,web\n"
        "C,2020-01-20,60,o3,web\n"
        "A,2020-02-05,100,o4,web\n"
        "D,2020-02-01,300,o5,store\n");
  write(dir / "spend.csv",
        "channel,period,spend\nweb,2020-01,90\nstore,2020-02,150\ntv,2020-01,500\n");
  return dir;
}

std::string tx_args(const std::filesystem::path& dir) {
  return (dir / "tx.csv").string() +
         " --customer customer_id --date date --amount amount --order order_id "
         "--channel channel --quiet";
}

TEST(AnalyticsCli, CacIsSpendOverNewCustomers) {
  const auto dir = fixture();
  const auto r =
      test::run(test::cli() + " cac " + tx_args(dir) + " --spend " + (dir / "spend.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "channel");
  EXPECT_EQ(rows[0][4], "cac");
  bool web = false, tv = false;
  for (const auto& row : rows) {
    if (row[0] == "web" && row[1] == "2020-01") {
      EXPECT_EQ(row[3], "3");
      EXPECT_EQ(row[4], "30");  // 90 / 3
      web = true;
    }
    if (row[0] == "tv" && row[1] == "2020-01") {
      EXPECT_EQ(row[4], "");
      EXPECT_EQ(row.back(), "spend but no new customers");
      tv = true;
    }
  }
  EXPECT_TRUE(web);
  EXPECT_TRUE(tv);
}

TEST(AnalyticsCli, KpisCohortsLtvCompareRunAndRejectBadOptions) {
  const auto dir = fixture();
  auto r = test::run(test::cli() + " kpis " + tx_args(dir));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("all,2020-01,0,3,3,3,0,0,3,200"), std::string::npos) << r.out;
  r = test::run(test::cli() + " cohorts " + tx_args(dir) + " --matrix retention");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2020-01,3,1,0.333333333333"), std::string::npos) << r.out;
  r = test::run(test::cli() + " ltv " + tx_args(dir) + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"ltv_formula\""), std::string::npos);
  r = test::run(test::cli() + " compare " + tx_args(dir) +
                " --by channel --a web --b store --bootstrap 200");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("average_check,web,store,3,1"), std::string::npos) << r.out;
  r = test::run(test::cli() + " kpis " + tx_args(dir) + " --period fortnight");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("option --period: found 'fortnight'"), std::string::npos) << r.err;
  r = test::run(test::cli() + " cohorts " + tx_args(dir) + " --matrix happiness");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--matrix"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ltv
