// End-to-end tests of the contractual retention model through `ltv fit --model sbg` and `ltv
// predict --model sbg`. Published figures: Fader & Hardie (2007), "How to Project Customer
// Retention", JIM 21(1): Table 1 gives the % of two cohorts of 1,000 customers still active after
// 0..12 years; fitted on years 0-7 the sBG gives regular gamma = 0.704, delta = 1.182 and high end
// gamma = 0.668, delta = 3.806, and its projection of years 8-12 tracks the actual ones. These
// survival numbers are printed in the paper (not part of ../shared/data), so they are written here
// with their source, as in tests/models/sbg_test.cpp.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// FH07 Table 1 as counts of 1,000 customers, years 0..12.
const int kRegular[13] = {1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173};
const int kHighEnd[13] = {1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394};

std::string quoted(const fs::path& p) {
  return " \"" + p.string() + "\"";
}

void write_file(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

/// A survival CSV of one or both cohorts (cohort,period,alive).
fs::path survival_file(const std::string& name, bool regular, bool high_end) {
  const fs::path dir = ltv::test::temp_dir("cli_retention");
  std::string text = "cohort,period,alive\n";
  for (int t = 0; t <= 12 && regular; ++t)
    text += "regular," + std::to_string(t) + "," + std::to_string(kRegular[t]) + "\n";
  for (int t = 0; t <= 12 && high_end; ++t)
    text += "high_end," + std::to_string(t) + "," + std::to_string(kHighEnd[t]) + "\n";
  write_file(dir / name, text);
  return dir / name;
}

std::size_t column(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return i;
  }
  ADD_FAILURE() << "no column " << name;
  return 0;
}

void expect_one_line_error(const ltv::test::CommandResult& r, const std::string& needle) {
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.err.rfind("ltv: error: ", 0), 0u) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
}

TEST(CliRetention, FitReproducesPublishedCohortEstimates) {
  const struct {
    const char* file;
    bool regular;
    double gamma, delta;
  } cases[] = {{"regular.csv", true, 0.704, 1.182}, {"high_end.csv", false, 0.668, 3.806}};
  for (const auto& c : cases) {
    const auto r = ltv::test::run(ltv::test::cli() + " fit --model sbg --calibration-periods 7" +
                                  quoted(survival_file(c.file, c.regular, !c.regular)));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["model"], "sbg");
    EXPECT_EQ(j["time_unit"], "period");
    EXPECT_NEAR(j["params"]["gamma"].get<double>(), c.gamma, 0.0005) << c.file;
    EXPECT_NEAR(j["params"]["delta"].get<double>(), c.delta, 0.0005) << c.file;
    EXPECT_TRUE(j["converged"].get<bool>());
    EXPECT_EQ(j["n_customers"].get<double>(), 1000.0);
    ASSERT_TRUE(j["ci95"]["gamma"].is_array());
  }
  // Both cohorts in one file are fitted jointly: one (gamma, delta) between the two cohorts'.
  const auto both = ltv::test::run(ltv::test::cli() + " fit --model sbg --calibration-periods 7" +
                                   quoted(survival_file("both.csv", true, true)));
  ASSERT_EQ(both.exit_code, 0) << both.err;
  const json j = json::parse(both.out);
  EXPECT_EQ(j["n_customers"].get<double>(), 2000.0);
  EXPECT_GT(j["params"]["delta"].get<double>(), 1.182);
  EXPECT_LT(j["params"]["delta"].get<double>(), 3.806);
}

TEST(CliRetention, PredictProjectsTheHoldoutYearsAsThePaperShows) {
  const fs::path file = survival_file("regular_predict.csv", true, false);
  const fs::path out = file.parent_path() / "projection.csv";
  const auto r = ltv::test::run(ltv::test::cli() +
                                " predict --model sbg --calibration-periods 7 --horizon 15" +
                                quoted(file) + " -o" + quoted(out));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  const auto rows = ltv::test::csv_records(text.str());
  ASSERT_EQ(rows.size(), 17u);  // header + periods 0..15
  const auto& h = rows[0];
  const std::size_t period = column(h, "period"), holdout = column(h, "holdout"),
                    alive = column(h, "alive"), expected = column(h, "expected_alive"),
                    survival = column(h, "survival"), retention = column(h, "retention");
  for (int t = 0; t <= 15; ++t) {
    const auto& row = rows[static_cast<std::size_t>(t) + 1];
    EXPECT_EQ(row[period], std::to_string(t));
    EXPECT_EQ(row[holdout], t > 7 && t <= 12 ? "true" : "false") << t;
    if (t <= 12) {
      EXPECT_EQ(std::stod(row[alive]), kRegular[t]);
      // FH07 Figure 4: the projection tracks the actual curve; within 2 points of 100 (20 of
      // 1,000) every year, as tests/models/sbg_test.cpp requires of the model itself.
      EXPECT_NEAR(std::stod(row[expected]), kRegular[t], 20.0) << "year " << t;
    } else {
      EXPECT_EQ(row[alive], "") << "no observation beyond year 12";
    }
    EXPECT_NEAR(std::stod(row[expected]), 1000 * std::stod(row[survival]), 1e-9);
    if (t == 0) {
      EXPECT_EQ(row[retention], "");
    } else {
      const double prev = std::stod(rows[static_cast<std::size_t>(t)][survival]);
      EXPECT_NEAR(std::stod(row[retention]), std::stod(row[survival]) / prev, 1e-12);
    }
  }
  // Retention rises with tenure (the heterogeneity sorting FH07 describes).
  EXPECT_LT(std::stod(rows[2][retention]), std::stod(rows[13][retention]));
}

TEST(CliRetention, DiscountedResidualLifetimeEqualsItsSeries) {
  // derl at period 0 (a customer about to decide on the first renewal) is the discounted sum of
  // future survival, sum_{t>=1} S(t) / (1+d)^(t-1); the CLI's value comes from FH10's closed form
  // (a hypergeometric function), the series from the survival column of the same output.
  const fs::path file = survival_file("regular_derl.csv", true, false);
  const auto r = ltv::test::run(ltv::test::cli() +
                                " predict --model sbg --horizon 1500 --discount-rate 0.1 "
                                "--period-value 100" +
                                quoted(file));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = ltv::test::csv_records(r.out);
  ASSERT_EQ(rows.size(), 1502u);
  const auto& h = rows[0];
  const std::size_t survival = column(h, "survival"), derl = column(h, "derl"),
                    clv = column(h, "clv");
  double series = 0;
  for (std::size_t t = 1; t <= 1500; ++t) {
    series += std::stod(rows[t + 1][survival]) / std::pow(1.1, static_cast<double>(t) - 1);
  }
  EXPECT_NEAR(std::stod(rows[1][derl]), series, 1e-6 * series);
  EXPECT_NEAR(std::stod(rows[1][clv]), 100 * std::stod(rows[1][derl]), 1e-9 * series * 100);
  // A customer with more renewals behind them is worth more (they have sorted themselves).
  EXPECT_GT(std::stod(rows[6][derl]), std::stod(rows[1][derl]));
}

TEST(CliRetention, ModelFileRoundTripsThroughPredict) {
  const fs::path file = survival_file("regular_file.csv", true, false);
  const fs::path model = file.parent_path() / "sbg.json";
  auto r = ltv::test::run(ltv::test::cli() + " fit --model sbg --calibration-periods 7" +
                          quoted(file) + " -o" + quoted(model));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto direct = ltv::test::run(ltv::test::cli() +
                                     " predict --model sbg --calibration-periods 7" + quoted(file));
  const auto saved =
      ltv::test::run(ltv::test::cli() + " predict --model" + quoted(model) + quoted(file));
  ASSERT_EQ(direct.exit_code, 0) << direct.err;
  ASSERT_EQ(saved.exit_code, 0) << saved.err;
  // Same curve; the saved model does not know which periods were its calibration.
  const auto a = ltv::test::csv_records(direct.out), b = ltv::test::csv_records(saved.out);
  ASSERT_EQ(a.size(), b.size());
  const std::size_t s = column(a[0], "survival");
  for (std::size_t i = 1; i < a.size(); ++i) EXPECT_EQ(a[i][s], b[i][s]);
  // A calibration cannot be applied to a model that is already fitted.
  expect_one_line_error(ltv::test::run(ltv::test::cli() + " predict --model" + quoted(model) +
                                       " --calibration-periods 7" + quoted(file)),
                        "calibration-periods");
}

TEST(CliRetention, BadSurvivalTablesAreNamedByLineAndColumn) {
  const fs::path dir = ltv::test::temp_dir("cli_retention_bad");
  const struct {
    const char* name;
    const char* text;
    const char* needle;
  } cases[] = {
      {"rise.csv", "period,alive\n0,100\n1,80\n2,90\n", "rise.csv:4"},
      {"gap.csv", "period,alive\n0,100\n2,80\n", "gap.csv:3"},
      {"zero.csv", "alive\n0\n0\n", "zero.csv:2"},
      {"negative.csv", "alive\n100\n-1\n", "negative.csv:3"},
      {"text.csv", "alive\n100\nmany\n", "text.csv:3"},
      {"split.csv", "cohort,alive\na,100\na,90\nb,100\nb,80\na,70\n", "split.csv:6"},
      {"single.csv", "cohort,alive\na,100\nb,100\nb,50\n", "single.csv:2"},
      {"noalive.csv", "period,customers\n0,100\n1,90\n", "alive"},
      {"nochurn.csv", "alive\n100\n100\n100\n", "churned"},
  };
  for (const auto& c : cases) {
    write_file(dir / c.name, c.text);
    SCOPED_TRACE(c.name);
    expect_one_line_error(
        ltv::test::run(ltv::test::cli() + " fit --model sbg" + quoted(dir / c.name)), c.needle);
  }
}

TEST(CliRetention, OptionsOfOneKindOfModelAreRefusedForTheOther) {
  const std::string summary = quoted(ltv::test::shared_data("cdnow/cdnow_customers_summary.csv"));
  expect_one_line_error(
      ltv::test::run(ltv::test::cli() + " fit --model bgnbd --calibration-periods 7" + summary),
      "calibration-periods");
  expect_one_line_error(
      ltv::test::run(ltv::test::cli() + " predict --model bgnbd --period-value 10" + summary),
      "period-value");
  // sbg on a customer summary: the survival table is missing, and the message says what it is.
  expect_one_line_error(ltv::test::run(ltv::test::cli() + " fit --model sbg" + summary), "alive");
  // A fractional horizon is not a number of periods.
  expect_one_line_error(ltv::test::run(ltv::test::cli() + " predict --model sbg --horizon 2.5" +
                                       quoted(survival_file("regular_horizon.csv", true, false))),
                        "horizon");
}

}  // namespace
