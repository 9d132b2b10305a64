// End-to-end checks of the analytics subcommands on small constructed files.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
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

namespace ltv {
namespace {

std::vector<std::vector<std::string>> read_csv_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_csv(ss.str());
}

TEST(AnalyticsCli, CacOnSimulatorSpendMatchesIndependentCount) {
  const auto dir = test::temp_dir("analytics_sim_cac");
  auto r = test::run(test::cli() + " simulate --customers 2000 --seed 3 -q -o " + dir.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Independent count: first purchase month per customer, acquisition channel from customers.csv.
  const auto tx = read_csv_file(dir / "transactions.csv");
  const auto customers = read_csv_file(dir / "customers.csv");
  const auto spend = read_csv_file(dir / "spend.csv");
  ASSERT_EQ(tx[0][0], "customer_id");
  ASSERT_EQ(tx[0][1], "date");
  std::map<std::string, std::string> first;
  for (std::size_t i = 1; i < tx.size(); ++i) {
    auto [it, inserted] = first.emplace(tx[i][0], tx[i][1]);
    if (!inserted && tx[i][1] < it->second) it->second = tx[i][1];
  }
  std::size_t channel_col = 0;
  for (std::size_t c = 0; c < customers[0].size(); ++c)
    if (customers[0][c] == "acquisition_channel") channel_col = c;
  ASSERT_GT(channel_col, 0u);
  std::map<std::string, std::string> channel;
  for (std::size_t i = 1; i < customers.size(); ++i)
    channel[customers[i][0]] = customers[i][channel_col];
  std::map<std::pair<std::string, std::string>, std::int64_t> acquired;
  for (const auto& [id, date] : first) ++acquired[{channel.at(id), date.substr(0, 7)}];
  std::map<std::pair<std::string, std::string>, double> spent;
  for (std::size_t i = 1; i < spend.size(); ++i)
    spent[{spend[i][0], spend[i][1]}] += std::stod(spend[i][2]);

  r = test::run(test::cli() + " cac " + (dir / "transactions.csv").string() +
                " --customer customer_id --date date --amount amount --order order_id --channel "
                "channel --quiet"
                " --spend " +
                (dir / "spend.csv").string() + " --customers " + (dir / "customers.csv").string() +
                " --customers-channel acquisition_channel --margin-rate 0.3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  std::size_t checked = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    if (row[1] == "all") continue;
    const std::pair<std::string, std::string> key{row[0], row[1]};
    const std::int64_t n = acquired.count(key) ? acquired[key] : 0;
    EXPECT_EQ(std::stoll(row[3]), n) << row[0] << " " << row[1];
    const double s = spent.count(key) ? spent[key] : 0.0;
    EXPECT_NEAR(std::stod(row[2]), s, 1e-6);
    if (n > 0 && s > 0) {
      EXPECT_NEAR(std::stod(row[4]), s / static_cast<double>(n), 1e-9 * s)
          << row[0] << " " << row[1];
      ++checked;
    } else {
      EXPECT_EQ(row[4], "");
    }
  }
  EXPECT_GT(checked, 10u);
}

}  // namespace
}  // namespace ltv
