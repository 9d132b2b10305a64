// The models added after the first five (NBD, GGompertz/NBD, BG/CNBD-k, MBG/CNBD-k) through the
// commands every model has: `ltv fit`, `ltv predict`, `ltv validate` and `ltv analyze --model`.
// Published figures: NBD on CDNOW r = 0.385, alpha = 12.072, LL = -9763.7 (Fader, Hardie & Lee
// 2005, "Counting your customers" the easy way, section 5); GGompertz/NBD on CDNOW LL = -9594.98,
// r = 0.553 (Bemmaor & Glady 2012, Table 2); MBG/CNBD-k on BTYDplus's groceryElog (calibration to
// 2006-12-31) chooses k = 2 (BTYDplus vignette "Customer Base Analysis with BTYDplus").
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "test_data.hpp"

namespace {

using nlohmann::json;

std::string quoted(const std::filesystem::path& p) {
  return " \"" + p.string() + "\"";
}

std::string cdnow_summary() {
  return quoted(ltv::test::shared_data("cdnow/cdnow_customers_summary.csv"));
}

std::string grocery() {
  return quoted(ltv::test::shared_data("grocery_elog/groceryElog.csv")) +
         " --customer cust --date date --calibration-end 2006-12-31 --quiet";
}

TEST(CliModels, NbdOnCdnowSummaryMatchesPublishedFit) {
  const auto r = ltv::test::run(ltv::test::cli() + " fit --model nbd" + cdnow_summary());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["model"], "nbd");
  EXPECT_NEAR(j["params"]["r"].get<double>(), 0.385, 0.0005);
  EXPECT_NEAR(j["params"]["alpha"].get<double>(), 12.072, 0.0005);
  EXPECT_NEAR(j["log_likelihood"].get<double>(), -9763.7, 0.05);
}

TEST(CliModels, GgompertzNbdOnCdnowSummaryMatchesPublishedFit) {
  const auto r = ltv::test::run(ltv::test::cli() + " fit --model ggomnbd" + cdnow_summary());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["model"], "ggomnbd");
  EXPECT_NEAR(j["log_likelihood"].get<double>(), -9594.98, 0.01);
  EXPECT_NEAR(j["params"]["r"].get<double>(), 0.553, 0.001);
}

TEST(CliModels, CnbdKWithoutInterPurchaseTimesSaysWhatItNeeds) {
  const auto r = ltv::test::run(ltv::test::cli() + " fit --model bgcnbdk" + cdnow_summary());
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err.rfind("ltv: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("litt"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("inter-purchase"), std::string::npos) << r.err;
}

TEST(CliModels, MbgCnbdKOnGroceryTransactionsChoosesPublishedK) {
  const auto dir = ltv::test::temp_dir("models_registry");
  const auto model = dir / "mbgcnbdk.json";
  const auto r = ltv::test::run(ltv::test::cli() + " fit --model mbgcnbdk" + grocery() + " -o" +
                                quoted(model));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(model);
  const json j = json::parse(in);
  EXPECT_EQ(j["model"], "mbgcnbdk");
  EXPECT_EQ(j["params"]["k"].get<double>(), 2.0);

  const auto p = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(model) + grocery() +
                                " --horizon 52 --format csv");
  ASSERT_EQ(p.exit_code, 0) << p.err;
  std::stringstream lines(p.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_NE(line.find("p_alive"), std::string::npos) << line;
  std::size_t rows = 0;
  while (std::getline(lines, line)) {
    ++rows;
    EXPECT_EQ(line.find("nan"), std::string::npos) << line;
  }
  EXPECT_EQ(rows, 1525u);  // groceryElog's customers with a purchase by 2006-12-31
}

TEST(CliModels, ValidateAndAnalyzeTakeTheNewModels) {
  const auto v = ltv::test::run(ltv::test::cli() + " validate" + grocery() +
                                " --observation-end 2007-12-30 --model bgnbd,mbgcnbdk,ggomnbd,nbd "
                                "--format csv");
  ASSERT_EQ(v.exit_code, 0) << v.err;
  for (const char* name : {"bgnbd", "mbgcnbdk", "ggomnbd", "nbd"}) {
    EXPECT_NE(v.out.find(name), std::string::npos) << name << "\n" << v.out;
  }
  const auto dir = ltv::test::temp_dir("models_registry_analyze");
  const auto a = ltv::test::run(ltv::test::cli() + " analyze" + grocery() + " --model mbgcnbdk -o" +
                                quoted(dir / "out"));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  std::ifstream in(dir / "out" / "summary.json");
  const json j = json::parse(in);
  EXPECT_EQ(j["model"]["model"], "mbgcnbdk") << j.dump().substr(0, 400);
  EXPECT_EQ(j["model"]["params"]["k"].get<double>(), 2.0);
  // groceryElog has no amounts: purchases are predicted, money is not.
  EXPECT_TRUE(std::isfinite(j["expected_purchases_in_horizon"].get<double>()));
  EXPECT_GT(j["expected_purchases_in_horizon"].get<double>(), 0.0);

  const auto bad = ltv::test::run(ltv::test::cli() + " analyze" + grocery() + " --model bgbb -o" +
                                  quoted(dir / "bad"));
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("option --model"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("mbgcnbdk"), std::string::npos) << bad.err;
}

}  // namespace
