// End-to-end tests of `ltv validate` on CDNOW (actual weekly tracking = BTYD's
// cdnowSummary$cu.tracking, ../shared/data/README.md) and of the validation step of
// `ltv analyze` (DIR/validation/tracking.csv, conditional.csv).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace ltv {
namespace {

std::vector<std::vector<std::string>> csv_rows(std::istream& in) {
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

std::vector<std::vector<std::string>> csv_text(const std::string& text) {
  std::istringstream in(text);
  return csv_rows(in);
}

std::vector<std::vector<std::string>> csv_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  return csv_rows(in);
}

std::string cdnow_args() {
  return " \"" + test::shared_data("cdnow/CDNOW_sample.txt").string() +
         "\" --no-header --customer 2 --date 3 --amount 5 --quiet";
}

TEST(ValidateCli, CdnowTrackingCsvEqualsBtydCuTracking) {
  const auto r = test::run(test::cli() + " validate" + cdnow_args() +
                           " --calibration-end 1997-09-30 --model bgnbd --format csv --table "
                           "tracking");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = csv_text(r.out);
  ASSERT_EQ(rows.size(), 79u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"model", "period", "period_start", "actual", "expected",
                                      "actual_cumulative", "expected_cumulative", "holdout"}));
  const auto btyd = csv_file(test::shared_data("cdnow/cdnowSummary_cu_tracking.csv"));
  ASSERT_EQ(btyd.size(), 79u);
  for (std::size_t k = 1; k < rows.size(); ++k) {
    EXPECT_EQ(rows[k][0], "bgnbd");
    EXPECT_EQ(std::stoi(rows[k][1]), std::stoi(btyd[k][0]));
    EXPECT_EQ(std::stod(rows[k][5]), std::stod(btyd[k][1])) << "week " << k;
    EXPECT_EQ(rows[k][7], k <= 39 ? "false" : "true") << "week " << k;
  }
  EXPECT_EQ(rows[40][2], "1997-10-01");
}

TEST(ValidateCli, WritesEveryTableIntoADirectoryAndJson) {
  const auto dir = test::temp_dir("validate");
  const auto r =
      test::run(test::cli() + " validate" + cdnow_args() +
                " --calibration-end 1997-09-30 --format csv -o " + (dir / "v").string() + "/");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto models = csv_file(dir / "v" / "models.csv");
  ASSERT_EQ(models.size(), 4u);
  EXPECT_EQ(models[0][0], "model");
  EXPECT_EQ(models[1][0], "bgnbd");
  EXPECT_NEAR(std::stod(models[1][2]), -9582.4, 0.05);  // FHL (2005) BG/NBD LL on CDNOW
  EXPECT_EQ(std::stod(models[1][7]), 1882.0);           // holdout purchases (README)
  const auto conditional = csv_file(dir / "v" / "conditional.csv");
  ASSERT_EQ(conditional.size(), 1u + 3u * 8u);
  EXPECT_EQ(conditional[8][1], "7+");
  EXPECT_EQ(csv_file(dir / "v" / "tracking.csv").size(), 1u + 3u * 78u);
  EXPECT_TRUE(std::filesystem::exists(dir / "v" / "report.txt"));

  const auto j = test::run(test::cli() + " validate" + cdnow_args() +
                           " --calibration-end 1997-09-30 --model pnbd,bgnbd --format json");
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const auto json = nlohmann::json::parse(j.out);
  EXPECT_EQ(json["customers"], 2357);
  EXPECT_EQ(json["calibration_periods"], 39);
  ASSERT_EQ(json["models"].size(), 2u);
  EXPECT_EQ(json["models"][0]["model"], "pnbd");
  EXPECT_EQ(json["tracking"].size(), 2u * 78u);
  EXPECT_EQ(json["tracking"][77]["actual_cumulative"], 4339.0);
  EXPECT_EQ(json["tracking"][77]["holdout"], true);
  EXPECT_EQ(json["tracking"][38]["holdout"], false);
  EXPECT_EQ(json["models"][0]["converged"], true);
  std::filesystem::remove_all(dir);
}

TEST(ValidateCli, ClearErrorsForMissingSplitAndUnknownModel) {
  const auto none = test::run(test::cli() + " validate" + cdnow_args());
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("--calibration-end"), std::string::npos) << none.err;
  const auto late =
      test::run(test::cli() + " validate" + cdnow_args() + " --calibration-end 1998-06-30");
  EXPECT_EQ(late.exit_code, 1);
  EXPECT_NE(late.err.find("holdout"), std::string::npos) << late.err;
  const auto bad = test::run(test::cli() + " validate" + cdnow_args() +
                             " --calibration-end 1997-09-30 --model bgnbd,xyz");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("xyz"), std::string::npos) << bad.err;
}

TEST(AnalyzeValidation, WritesTrackingAndConditionalTables) {
  const auto dir = test::temp_dir("analyze_validation");
  const auto r = test::run(test::cli() + " analyze" + cdnow_args() +
                           " --calibration-end 1997-09-30 -o " + (dir / "out").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto tracking = csv_file(dir / "out" / "validation" / "tracking.csv");
  ASSERT_EQ(tracking.size(), 1u + 3u * 78u);
  EXPECT_EQ(tracking[0],
            (std::vector<std::string>{"model", "period", "period_start", "actual", "expected",
                                      "actual_cumulative", "expected_cumulative"}));
  EXPECT_EQ(std::stod(tracking[78][5]), 4339.0);
  const auto conditional = csv_file(dir / "out" / "validation" / "conditional.csv");
  ASSERT_EQ(conditional.size(), 1u + 3u * 8u);
  EXPECT_EQ(conditional[0], (std::vector<std::string>{"model", "calibration_frequency", "customers",
                                                      "actual_mean", "expected_mean"}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ltv
