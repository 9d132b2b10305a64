// `ltv analyze` with products and --nps: basket/ and nps/ agree with the standalone commands
// (`ltv basket`, `ltv recommend`, `ltv nps`) run on the same files.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace ltv {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> lines_of(const fs::path& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(f, line);) lines.push_back(line);
  return lines;
}

std::string text_of(const fs::path& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// Splits a CSV line without quoted commas (the simulator writes none in these columns).
std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

std::size_t column(const std::string& header_line, const std::string& name) {
  const auto header = split(header_line);
  const auto it = std::find(header.begin(), header.end(), name);
  EXPECT_NE(it, header.end()) << name << " not in " << header_line;
  return static_cast<std::size_t>(it - header.begin());
}

/// Rows of an `ltv nps` table whose `by` column equals `by`, with `by` replaced by `as`.
std::vector<std::string> section(const std::vector<std::string>& lines, const std::string& by,
                                 const std::string& as) {
  std::vector<std::string> rows;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].rfind(by + ",", 0) == 0) rows.push_back(as + lines[i].substr(by.size()));
  }
  return rows;
}

class AnalyzeCrossSell : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(test::temp_dir("analyze_cross_sell"));
    const auto sim = test::run(test::cli() + " simulate --customers 3000 --seed 11 -q -o " +
                               (*dir_ / "data").string());
    ASSERT_EQ(sim.exit_code, 0) << sim.err;
    *result_ = test::run(test::cli() + " analyze " + tx() +
                         " --customer customer_id --date date --amount amount --order order_id" +
                         " --product product --category category --nps " + nps() +
                         " --basket-min-support 0.002 --basket-min-confidence 0.15" +
                         " --recommend-top 3 --nps-horizon 90 --quiet -o " + out().string());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::string tx() { return (*dir_ / "data" / "transactions.csv").string(); }
  static std::string nps() { return (*dir_ / "data" / "nps.csv").string(); }
  static fs::path out() { return *dir_ / "out"; }
  static fs::path dir() { return *dir_; }

  static fs::path* dir_;
  static test::CommandResult* result_;
};

fs::path* AnalyzeCrossSell::dir_ = nullptr;
test::CommandResult* AnalyzeCrossSell::result_ = new test::CommandResult();

TEST_F(AnalyzeCrossSell, RulesAndItemsetsEqualLtvBasket) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const auto rules = dir() / "rules.csv";
  const auto itemsets = dir() / "itemsets.csv";
  const auto r = test::run(test::cli() + " basket " + tx() +
                           " --basket order_id --item product --min-support 0.002" +
                           " --min-confidence 0.15 --min-count 10 -q --itemsets " +
                           itemsets.string() + " -o " + rules.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto expected = lines_of(rules);
  ASSERT_GT(expected.size(), 2u) << "no rules to compare";
  EXPECT_EQ(lines_of(out() / "basket" / "rules.csv"), expected);
  EXPECT_EQ(text_of(out() / "basket" / "itemsets.csv"), text_of(itemsets));
  // The headline names the rule count.
  std::ifstream f(out() / "summary.json");
  const auto summary = nlohmann::json::parse(f);
  EXPECT_EQ(summary["basket"]["rules"].get<std::size_t>(), expected.size() - 1);
  EXPECT_NE(result_->out.find("Rules:"), std::string::npos) << result_->out;
}

TEST_F(AnalyzeCrossSell, RecommendationsEqualLtvRecommend) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  const auto recs = dir() / "recs.csv";
  const auto r = test::run(test::cli() + " recommend " + tx() +
                           " --customer customer_id --date date --item product --top 3 -q -o " +
                           recs.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto expected = lines_of(recs);
  ASSERT_EQ(expected.size(), 1u + 3u * 3000u);
  EXPECT_EQ(lines_of(out() / "basket" / "recommendations.csv"), expected);
}

TEST_F(AnalyzeCrossSell, CategoryPenetrationSharesAreBuyersOverSegmentSize) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  // Segment sizes must match the RFM segment counts of customers.csv.
  const auto customers = lines_of(out() / "customers.csv");
  const auto seg_col = column(customers[0], "rfm_segment");
  std::map<std::string, std::size_t> size;
  for (std::size_t i = 1; i < customers.size(); ++i) ++size[split(customers[i])[seg_col]];
  const auto rows = lines_of(out() / "basket" / "category_penetration.csv");
  ASSERT_GT(rows.size(), 1u);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto c = split(rows[i]);
    ASSERT_EQ(c.size(), 5u) << rows[i];
    EXPECT_EQ(std::stoul(c[2]), size[c[0]]) << rows[i];
    EXPECT_NEAR(std::stod(c[4]), std::stod(c[3]) / std::stod(c[2]), 1e-12) << rows[i];
  }
}

TEST_F(AnalyzeCrossSell, NpsTablesEqualLtvNps) {
  ASSERT_EQ(result_->exit_code, 0) << result_->err;
  // Segments of the analyzed customers as a customer_id,segment file for `ltv nps`.
  const auto customers = lines_of(out() / "customers.csv");
  const auto seg_col = column(customers[0], "rfm_segment");
  const auto stage_col = column(customers[0], "stage");
  const auto clv_col = column(customers[0], "clv");
  {
    std::ofstream seg(dir() / "seg.csv"), stage(dir() / "stage.csv"), ltv(dir() / "ltv.csv");
    seg << "customer_id,segment\n";
    stage << "customer_id,segment\n";
    ltv << "customer_id,ltv\n";
    for (std::size_t i = 1; i < customers.size(); ++i) {
      const auto c = split(customers[i]);
      seg << c[0] << ',' << c[seg_col] << '\n';
      stage << c[0] << ',' << c[stage_col] << '\n';
      ltv << c[0] << ',' << c[clv_col] << '\n';
    }
  }
  const auto table = dir() / "nps_table.csv";
  const auto r = test::run(test::cli() + " nps " + nps() + " --by period --by channel" +
                           " --follow-ups " + (dir() / "fu.csv").string() + " --terms " +
                           (dir() / "terms.csv").string() + " --transactions " + tx() + " --ltv " +
                           (dir() / "ltv.csv").string() + " --horizon 90 --value " +
                           (dir() / "value.csv").string() + " -o " + table.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto ours = lines_of(out() / "nps" / "nps.csv");
  const auto theirs = lines_of(table);
  ASSERT_EQ(ours[0], theirs[0]);
  for (const std::string by : {"all", "period", "channel"}) {
    const auto expected = section(theirs, by, by);
    ASSERT_FALSE(expected.empty()) << by;
    EXPECT_EQ(section(ours, by, by), expected) << by;
  }
  for (const auto& [file, ours_by] :
       {std::pair<std::string, std::string>{"seg.csv", "rfm_segment"}, {"stage.csv", "stage"}}) {
    const auto by_segment = dir() / ("nps_" + file);
    const auto s = test::run(test::cli() + " nps " + nps() + " --by segment --segments " +
                             (dir() / file).string() + " -o " + by_segment.string());
    ASSERT_EQ(s.exit_code, 0) << s.err;
    const auto expected = section(lines_of(by_segment), "segment", ours_by);
    ASSERT_GT(expected.size(), 1u) << file;
    EXPECT_EQ(section(ours, ours_by, ours_by), expected) << file;
  }
  EXPECT_EQ(text_of(out() / "nps" / "follow_ups.csv"), text_of(dir() / "fu.csv"));
  EXPECT_EQ(text_of(out() / "nps" / "detractor_terms.csv"), text_of(dir() / "terms.csv"));

  // Value link: the window columns equal `ltv nps --value`; the model columns are the mean
  // P(alive) and CLV of customers.csv by the class of each customer's latest answer.
  const auto value = lines_of(out() / "nps" / "value.csv");
  const auto standalone = lines_of(dir() / "value.csv");
  ASSERT_EQ(value.size(), 4u);
  ASSERT_EQ(standalone.size(), 4u);
  std::map<std::string, std::pair<int, int>> latest;  // customer -> (day key, score)
  {
    const auto answers = lines_of(nps());
    for (std::size_t i = 1; i < answers.size(); ++i) {
      const auto c = split(answers[i]);
      const int day = std::stoi(c[1].substr(0, 4) + c[1].substr(5, 2) + c[1].substr(8, 2));
      auto [it, inserted] = latest.emplace(c[0], std::make_pair(day, std::stoi(c[2])));
      if (!inserted && day >= it->second.first) it->second = {day, std::stoi(c[2])};
    }
  }
  const auto p_col = column(customers[0], "p_alive");
  std::map<std::string, std::array<double, 3>> sums;  // class -> (n, p_alive, clv)
  for (std::size_t i = 1; i < customers.size(); ++i) {
    const auto c = split(customers[i]);
    const auto it = latest.find(c[0]);
    if (it == latest.end()) continue;
    const int score = it->second.second;
    const std::string cls = score <= 6 ? "detractor" : score <= 8 ? "passive" : "promoter";
    auto& s = sums[cls];
    s[0] += 1, s[1] += std::stod(c[p_col]), s[2] += std::stod(c[clv_col]);
  }
  for (std::size_t k = 1; k < 4; ++k) {
    const auto a = split(value[k]);
    const auto b = split(standalone[k]);
    ASSERT_EQ(a[0], b[0]);
    for (std::size_t col = 1; col < b.size(); ++col) {
      if (b[col].empty()) {
        EXPECT_TRUE(a[col].empty()) << value[k];
      } else {
        EXPECT_NEAR(std::stod(a[col]), std::stod(b[col]), 1e-9 * (1 + std::abs(std::stod(b[col]))))
            << split(value[0])[col] << ": " << value[k] << " vs " << standalone[k];
      }
    }
    const auto& s = sums[a[0]];
    ASSERT_GT(s[0], 0) << a[0];
    EXPECT_EQ(std::stod(a[column(value[0], "respondents")]), s[0]);
    EXPECT_NEAR(std::stod(a[column(value[0], "mean_p_alive")]), s[1] / s[0], 1e-9);
    EXPECT_NEAR(std::stod(a[column(value[0], "mean_clv")]), s[2] / s[0], 1e-9 * s[2] / s[0]);
  }

  // Headline: the overall NPS and its interval.
  std::ifstream f(out() / "summary.json");
  const auto summary = nlohmann::json::parse(f);
  const auto all = split(section(theirs, "all", "all").front());
  EXPECT_NEAR(summary["nps"]["nps"].get<double>(), std::stod(all[6]), 1e-12);
  EXPECT_NEAR(summary["nps"]["ci95"][0].get<double>(), std::stod(all[8]), 1e-12);
  EXPECT_NE(result_->out.find("NPS:"), std::string::npos) << result_->out;
}

TEST(AnalyzeCrossSellSmall, TooFewBasketsGivesANoteNotAFailure) {
  const auto dir = test::temp_dir("analyze_cross_sell_small");
  ASSERT_EQ(
      test::run(test::cli() + " simulate --customers 15 --seed 3 -q -o " + (dir / "data").string())
          .exit_code,
      0);
  const auto out = dir / "out";
  const auto r =
      test::run(test::cli() + " analyze " + (dir / "data" / "transactions.csv").string() +
                " --customer customer_id --date date --amount amount --order order_id" +
                " --product product --model bgnbd --quiet -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Note:"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out / "basket" / "rules.csv"));
  std::ifstream f(out / "summary.json");
  const auto summary = nlohmann::json::parse(f);
  const auto baskets = summary["basket"]["baskets"].get<std::size_t>();
  EXPECT_LT(baskets, 100u);
  EXPECT_NE(summary["basket"]["note"].get<std::string>().find(std::to_string(baskets) + " baskets"),
            std::string::npos);
  // Recommendations are still written (popular items for everyone at worst).
  EXPECT_GT(lines_of(out / "basket" / "recommendations.csv").size(), 1u);
  fs::remove_all(dir);
}

TEST(AnalyzeCrossSellSmall, MalformedNpsFileNamesFileAndLine) {
  const auto dir = test::temp_dir("analyze_cross_sell_bad_nps");
  ASSERT_EQ(
      test::run(test::cli() + " simulate --customers 15 --seed 3 -q -o " + (dir / "data").string())
          .exit_code,
      0);
  const auto cases = std::vector<std::pair<std::string, std::string>>{
      {"customer_id,date,score\nC0000001,2024-03-01,9\nC0000002,2024-03-02,11\n", "bad.csv:3"},
      {"customer_id,date,score\nC0000001,2024-03-01,x\n", "bad.csv:2"},
      {"customer_id,date,score\nC0000001,2024-03-01,9\nC0000001,03/02/2024,7\n", "bad.csv:3"},
      {"customer,date,score\nC0000001,2024-03-01,9\n", "bad.csv:1"}};
  for (const auto& [content, where] : cases) {
    {
      std::ofstream f(dir / "bad.csv");
      f << content;
    }
    const auto r =
        test::run(test::cli() + " analyze " + (dir / "data" / "transactions.csv").string() +
                  " --customer customer_id --date date --amount amount --nps " +
                  (dir / "bad.csv").string() + " --quiet -o " + (dir / "out").string());
    EXPECT_EQ(r.exit_code, 1) << content;
    EXPECT_NE(r.err.find(where), std::string::npos) << r.err;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace ltv
