// End-to-end tests of `ltv fit` and `ltv predict` on the CDNOW sample (Fader, Hardie & Lee 2005:
// BG/NBD r = 0.243, alpha = 4.414, a = 0.793, b = 2.426; CET(39 | 2, 30.43, 38.86) = 1.226;
// Gamma-Gamma conditional spend of customer 1 = 24.65).
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace {

std::string cdnow_args() {
  return " \"" + ltv::test::shared_data("cdnow/CDNOW_sample.txt").string() +
         "\" --no-header --customer 2 --date 3 --amount 5 --calibration-end 1997-09-30 --quiet";
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream ls(line);
    std::string f;
    while (std::getline(ls, f, ',')) fields.push_back(f);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    rows.push_back(fields);
  }
  return rows;
}

TEST(CliFit, BgNbdOnCdnowSampleMatchesPublishedFit) {
  const auto r = ltv::test::run(ltv::test::cli() + " fit" + cdnow_args() + " --model bgnbd");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), 5u) << r.out;
  EXPECT_EQ(rows[0][0], "model");
  EXPECT_EQ(rows[0][3], "std_error");
  const double want[4] = {0.243, 4.414, 0.793, 2.426};
  const char* names[4] = {"r", "alpha", "a", "b"};
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(rows[i + 1][1], names[i]);
    EXPECT_NEAR(std::stod(rows[i + 1][2]), want[i], 0.0005);
    EXPECT_GT(std::stod(rows[i + 1][3]), 0.0);
    EXPECT_EQ(rows[i + 1][9], "true");
  }
  EXPECT_NEAR(std::stod(rows[1][6]), -9582.4, 0.05);
}

TEST(CliFit, UnknownModelIsAnOptionError) {
  const auto r = ltv::test::run(ltv::test::cli() + " fit" + cdnow_args() + " --model foo");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("ltv: error: option --model: found 'foo'"), std::string::npos) << r.err;
}

TEST(CliPredict, CdnowCustomerOneMatchesPublishedCetAndSpend) {
  const auto r = ltv::test::run(ltv::test::cli() + " predict" + cdnow_args() +
                                " --observation-end 1998-06-30 --horizon 39 --clv --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = parse_csv(r.out);
  ASSERT_EQ(rows.size(), 2358u);
  const std::vector<std::string> header{"customer_id",       "frequency",
                                        "recency",           "T",
                                        "p_alive",           "expected_transactions",
                                        "frequency_holdout", "monetary_value",
                                        "expected_spend",    "clv"};
  EXPECT_EQ(rows[0], header);
  EXPECT_EQ(rows[1][0], "0001");
  EXPECT_NEAR(std::stod(rows[1][5]), 1.226, 0.0005);  // CET(39 | 2, 30.43, 38.86)
  EXPECT_NEAR(std::stod(rows[1][8]), 24.65, 0.01);    // Gamma-Gamma spend
  EXPECT_GT(std::stod(rows[1][9]), 0.0);
  // Sum of predicted vs actual holdout purchases: 1,882 actual; we measure 1,653 predicted (not a
  // published figure). Loose sanity bound only.
  double predicted = 0, actual = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    predicted += std::stod(rows[i][5]);
    actual += std::stod(rows[i][6]);
  }
  EXPECT_DOUBLE_EQ(actual, 1882.0);
  EXPECT_GT(predicted, 0.8 * actual);
  EXPECT_LT(predicted, 1.2 * actual);
}

TEST(CliPredict, ClvWithoutAmountIsAnOptionError) {
  const std::string args = " \"" + ltv::test::shared_data("cdnow/CDNOW_sample.txt").string() +
                           "\" --no-header --customer 2 --date 3 --quiet";
  const auto r = ltv::test::run(ltv::test::cli() + " predict" + args + " --clv");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("option --clv"), std::string::npos) << r.err;
}

}  // namespace
