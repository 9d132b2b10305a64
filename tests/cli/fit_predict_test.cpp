// End-to-end tests of `ltv fit` and `ltv predict`.
// Published figures: BG/NBD on CDNOW r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 and
// CET(39 | 2, 30.43, 38.86) = 1.226 (Fader, Hardie & Lee 2005, Marketing Science); Pareto/NBD
// r = 0.553, alpha = 10.578, s = 0.606, beta = 11.669 (Fader & Hardie 2005 note); BG/BB on the
// donations data alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783 (Fader, Hardie & Shang
// 2010); Gamma-Gamma conditional spend of CDNOW customer 1 = 24.65 (FHL 2005b).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace {

using nlohmann::json;

std::string quoted(const std::filesystem::path& p) {
  return " \"" + p.string() + "\"";
}

std::string cdnow_args() {
  return quoted(ltv::test::shared_data("cdnow/CDNOW_sample.txt")) +
         " --no-header --customer 2 --date 3 --amount 5 --calibration-end 1997-09-30 --quiet";
}

std::string cdnow_summary() {
  return quoted(ltv::test::shared_data("cdnow/cdnow_customers_summary.csv"));
}

void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Exactly one line on stderr, starting with "ltv: error: ".
void expect_one_line_error(const ltv::test::CommandResult& r) {
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_EQ(r.err.rfind("ltv: error: ", 0), 0u) << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

void expect_params(const json& j, const std::vector<std::string>& names,
                   const std::vector<double>& want, double tolerance) {
  ASSERT_TRUE(j.contains("params")) << j.dump();
  for (std::size_t i = 0; i < names.size(); ++i) {
    ASSERT_TRUE(j["params"].contains(names[i])) << names[i] << " in " << j.dump();
    EXPECT_NEAR(j["params"][names[i]].get<double>(), want[i], tolerance) << names[i];
  }
}

TEST(CliFit, BgNbdOnCdnowSummaryCsvMatchesPublishedFit) {
  const auto r = ltv::test::run(ltv::test::cli() + " fit --model bgnbd" + cdnow_summary());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["model"], "bgnbd");
  expect_params(j, {"r", "alpha", "a", "b"}, {0.243, 4.414, 0.793, 2.426}, 0.0005);
  EXPECT_TRUE(j["converged"].is_boolean());
  EXPECT_TRUE(j["converged"].get<bool>());
  EXPECT_EQ(j["n_customers"].get<double>(), 2357.0);
  EXPECT_EQ(j["time_unit"], "week");
  EXPECT_NEAR(j["log_likelihood"].get<double>(), -9582.4, 0.05);
  ASSERT_TRUE(j["stderr"].is_object());
  EXPECT_GT(j["stderr"]["r"].get<double>(), 0.0);
  ASSERT_TRUE(j["ci95"]["alpha"].is_array());
  EXPECT_LT(j["ci95"]["alpha"][0].get<double>(), 4.414);
  EXPECT_GT(j["ci95"]["alpha"][1].get<double>(), 4.414);
}

TEST(CliFit, ParetoNbdOnCdnowSummaryCsvMatchesPublishedFit) {
  const auto r = ltv::test::run(ltv::test::cli() + " fit --model pnbd" + cdnow_summary());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["model"], "pnbd");
  // Three significant digits of the published values.
  expect_params(j, {"r"}, {0.553}, 0.0005);
  expect_params(j, {"s"}, {0.606}, 0.0005);
  expect_params(j, {"alpha", "beta"}, {10.578, 11.669}, 0.05);
}

TEST(CliFit, BgBbOnDonationsMatchesPublishedFit) {
  const auto r = ltv::test::run(ltv::test::cli() + " fit --model bgbb" +
                                quoted(ltv::test::shared_data("donations/donations.csv")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json j = json::parse(r.out);
  EXPECT_EQ(j["model"], "bgbb");
  expect_params(j, {"alpha", "beta", "gamma", "delta"}, {1.204, 0.750, 0.657, 2.783}, 0.0005);
  EXPECT_EQ(j["n_customers"].get<double>(), 11104.0);
  EXPECT_EQ(j["time_unit"], "period");
}

TEST(CliFit, BgNbdOnCdnowTransactionsCsvFormatMatchesPublishedFit) {
  const auto r =
      ltv::test::run(ltv::test::cli() + " fit" + cdnow_args() + " --model bgnbd --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = ltv::test::csv_records(r.out);
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

TEST(CliFit, OutputFileHoldsTheSameJson) {
  const auto dir = ltv::test::temp_dir("fit_output");
  const auto path = dir / "model.json";
  const auto r = ltv::test::run(ltv::test::cli() + " fit --model bgnbd" + cdnow_summary() + " -o" +
                                quoted(path));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  const json j = json::parse(read_file(path));
  expect_params(j, {"r", "alpha", "a", "b"}, {0.243, 4.414, 0.793, 2.426}, 0.0005);
  std::filesystem::remove_all(dir);
}

// `ltv summary` without --amount leaves monetary_value empty: count models fit such a summary
// (published BG/NBD on the CDNOW sample), Gamma-Gamma names the first empty cell.
TEST(CliFit, SummaryWithoutAmountsFitsCountModelsAndRefusesGammaGamma) {
  const auto dir = ltv::test::temp_dir("fit_no_amount");
  const auto summary = dir / "summary.csv";
  auto r = ltv::test::run(
      ltv::test::cli() + " summary " + quoted(ltv::test::shared_data("cdnow/CDNOW_sample.txt")) +
      " --no-header --customer 2 --date 3 --calibration-end 1997-09-30 -q -o " + quoted(summary));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ltv::test::run(ltv::test::cli() + " fit --model bgnbd " + quoted(summary));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  expect_params(json::parse(r.out), {"r", "alpha", "a", "b"}, {0.243, 4.414, 0.793, 2.426}, 0.0005);
  r = ltv::test::run(ltv::test::cli() + " fit --model gg " + quoted(summary));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("gg needs spend"), std::string::npos) << r.err;
  // Some cells empty: the first one is named.
  {
    std::ofstream f(dir / "partial.csv");
    f << "customer_id,frequency,recency,T,monetary_value\n1,2,30,38,20\n2,1,5,38,\n"
         "3,3,20,38,12.5\n";
  }
  r = ltv::test::run(ltv::test::cli() + " fit --model gg " + quoted(dir / "partial.csv"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("partial.csv:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("monetary_value"), std::string::npos) << r.err;
}

TEST(CliFit, UnknownModelIsAnOptionError) {
  const auto r = ltv::test::run(ltv::test::cli() + " fit" + cdnow_args() + " --model foo");
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("ltv: error: option --model: found 'foo'"), std::string::npos) << r.err;
}

TEST(CliFit, SummaryCsvWithoutTColumnNamesTheColumns) {
  const auto dir = ltv::test::temp_dir("fit_no_t");
  write_file(dir / "s.csv", "id,frequency,recency\n1,2,3\n");
  const auto r = ltv::test::run(ltv::test::cli() + " fit --model bgnbd" + quoted(dir / "s.csv"));
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("s.csv"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

class CliPredictSaved : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ltv::test::temp_dir("predict_saved");
    model_ = dir_ / "model.json";
    const auto r = ltv::test::run(ltv::test::cli() + " fit --model bgnbd" + cdnow_summary() +
                                  " -o" + quoted(model_));
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_, model_;
};

TEST_F(CliPredictSaved, CdnowCustomerCetMatchesPublishedValue) {
  write_file(dir_ / "one.csv", "ID,frequency,recency,T\n1,2,30.43,38.86\n");
  const auto r = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(model_) +
                                quoted(dir_ / "one.csv") + " --horizon 39");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = ltv::test::csv_records(r.out);
  ASSERT_EQ(rows.size(), 2u) << r.out;
  EXPECT_EQ(rows[0], (std::vector<std::string>{"customer_id", "frequency", "recency", "T",
                                               "p_alive", "expected_purchases"}));
  EXPECT_EQ(rows[1][0], "1");
  EXPECT_NEAR(std::stod(rows[1][5]), 1.226, 0.0005);  // CET(39 | 2, 30.43, 38.86), FHL 2005
  EXPECT_GT(std::stod(rows[1][4]), 0.0);
  EXPECT_LE(std::stod(rows[1][4]), 1.0);
}

TEST_F(CliPredictSaved, RowNumbersWhenTheSummaryHasNoIdColumn) {
  write_file(dir_ / "noid.csv", "frequency,recency,T\n2,30.43,38.86\n0,0,38.86\n");
  const auto r = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(model_) +
                                quoted(dir_ / "noid.csv") + " --horizon 39");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = ltv::test::csv_records(r.out);
  ASSERT_EQ(rows.size(), 3u) << r.out;
  EXPECT_EQ(rows[1][0], "1");
  EXPECT_EQ(rows[2][0], "2");
  EXPECT_NEAR(std::stod(rows[1][5]), 1.226, 0.0005);
  EXPECT_LT(std::stod(rows[2][5]), std::stod(rows[1][5]));
}

// A summary CSV of more than 1 MiB is read in two halves on two threads: the scores, their order
// and the row numbers must be those of the sequential read (the same file gzipped, which is read
// sequentially), and errors in the second half must name their true line.
std::string big_summary(bool with_id, std::size_t rows) {
  std::string text =
      with_id ? "ID,frequency,recency,T,monetary_value\n" : "frequency,recency,T,monetary_value\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t x = i % 7;
    const double T = 20.0 + static_cast<double>(i % 997) * 0.0371;
    const double t_x = x == 0 ? 0.0 : T * static_cast<double>(i % 89 + 1) / 90.0;
    if (with_id) {
      text += 'C';
      text += std::to_string(i + 1);
      text += ',';
    }
    text += std::to_string(x) + "," + std::to_string(t_x) + "," + std::to_string(T) + "," +
            (x == 0 ? "0" : std::to_string(10.0 + static_cast<double>(i % 50))) + "\n";
  }
  return text;
}

TEST_F(CliPredictSaved, LargeSummaryReadInTwoHalvesScoresAsTheSequentialRead) {
  for (bool with_id : {true, false}) {
    const std::string text = big_summary(with_id, 40000);
    ASSERT_GT(text.size(), std::size_t{1} << 20);
    write_file(dir_ / "big.csv", text);
    ASSERT_EQ(
        ltv::test::run("gzip -c" + quoted(dir_ / "big.csv") + " >" + quoted(dir_ / "big.csv.gz"))
            .exit_code,
        0);
    const auto plain = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(model_) +
                                      quoted(dir_ / "big.csv") + " --horizon 39");
    const auto gz = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(model_) +
                                   quoted(dir_ / "big.csv.gz") + " --horizon 39");
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    ASSERT_EQ(gz.exit_code, 0) << gz.err;
    EXPECT_EQ(plain.out, gz.out);
    const auto rows = ltv::test::csv_records(plain.out);
    ASSERT_EQ(rows.size(), 40001u);
    EXPECT_EQ(rows[40000][0], with_id ? "C40000" : "40000");
    // And a fit reads the same customers either way.
    const auto fit_plain =
        ltv::test::run(ltv::test::cli() + " fit --model gg" + quoted(dir_ / "big.csv"));
    const auto fit_gz =
        ltv::test::run(ltv::test::cli() + " fit --model gg" + quoted(dir_ / "big.csv.gz"));
    ASSERT_EQ(fit_plain.exit_code, 0) << fit_plain.err;
    EXPECT_EQ(fit_plain.out, fit_gz.out);
  }
}

TEST_F(CliPredictSaved, LargeSummaryErrorInTheSecondHalfNamesItsLine) {
  std::string text = big_summary(true, 40000);
  // Row 35,000 (line 35,001) gets a bad recency.
  std::size_t pos = 0;
  for (int line = 1; line < 35001; ++line) pos = text.find('\n', pos) + 1;
  const std::size_t from = text.find(',', text.find(',', pos) + 1) + 1;  // the recency cell
  text = text.substr(0, from) + "abc" + text.substr(text.find(',', from));
  write_file(dir_ / "bad_big.csv", text);
  const auto r =
      ltv::test::run(ltv::test::cli() + " fit --model bgnbd" + quoted(dir_ / "bad_big.csv"));
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("bad_big.csv:35001"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'recency'"), std::string::npos) << r.err;
}

TEST_F(CliPredictSaved, MalformedModelFileIsAOneLineError) {
  write_file(dir_ / "bad.json", "{\"model\": \"bgnbd\", \"params\": {\"r\": 0.24,");
  write_file(dir_ / "one.csv", "ID,frequency,recency,T\n1,2,30.43,38.86\n");
  const auto r = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(dir_ / "bad.json") +
                                quoted(dir_ / "one.csv") + " --horizon 39");
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("bad.json"), std::string::npos) << r.err;
}

TEST_F(CliPredictSaved, ModelFileWithMissingParameterIsAOneLineError) {
  write_file(dir_ / "nob.json",
             R"({"model": "bgnbd", "params": {"r": 0.24, "alpha": 4.4, "a": 0.8}})");
  write_file(dir_ / "one.csv", "ID,frequency,recency,T\n1,2,30.43,38.86\n");
  const auto r = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(dir_ / "nob.json") +
                                quoted(dir_ / "one.csv") + " --horizon 39");
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("params.b"), std::string::npos) << r.err;
}

TEST_F(CliPredictSaved, UnknownModelNameInFileIsAOneLineError) {
  write_file(dir_ / "foo.json", R"({"model": "foo", "params": {}})");
  write_file(dir_ / "one.csv", "ID,frequency,recency,T\n1,2,30.43,38.86\n");
  const auto r = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(dir_ / "foo.json") +
                                quoted(dir_ / "one.csv") + " --horizon 39");
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("foo"), std::string::npos) << r.err;
}

TEST_F(CliPredictSaved, UnknownModelNameOnCommandLineIsAOneLineError) {
  write_file(dir_ / "one.csv", "ID,frequency,recency,T\n1,2,30.43,38.86\n");
  const auto r = ltv::test::run(ltv::test::cli() + " predict --model foo" +
                                quoted(dir_ / "one.csv") + " --horizon 39");
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("option --model: found 'foo'"), std::string::npos) << r.err;
}

TEST_F(CliPredictSaved, SpendModelWithQAtMostOneReportsTheModelError) {
  write_file(dir_ / "gg.json",
             R"({"model": "gg", "params": {"p": 6.25, "q": 0.9, "gamma": 15.4}})");
  write_file(dir_ / "one.csv", "ID,frequency,recency,T,monetary_value\n1,2,30.43,38.86,22.35\n");
  const auto r =
      ltv::test::run(ltv::test::cli() + " predict --model" + quoted(model_) + " --spend-model" +
                     quoted(dir_ / "gg.json") + quoted(dir_ / "one.csv") + " --horizon 39");
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("q = 0.9 <= 1"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;  // no partial rows
}

TEST_F(CliPredictSaved, MarginNumberOnSummaryInputScalesClvLikeProfitMargin) {
  write_file(dir_ / "gg.json",
             R"({"model": "gg", "params": {"p": 6.25, "q": 3.74, "gamma": 15.44}})");
  write_file(dir_ / "one.csv", "ID,frequency,recency,T,monetary_value\n1,2,30.43,38.86,22.35\n");
  const std::string base = ltv::test::cli() + " predict --model" + quoted(model_) +
                           " --spend-model" + quoted(dir_ / "gg.json") + quoted(dir_ / "one.csv") +
                           " --horizon 39";
  const auto full = ltv::test::run(base);
  const auto half = ltv::test::run(base + " --margin 0.5");
  const auto half2 = ltv::test::run(base + " --profit-margin 0.5");
  ASSERT_EQ(full.exit_code, 0) << full.err;
  ASSERT_EQ(half.exit_code, 0) << half.err;
  ASSERT_EQ(half2.exit_code, 0) << half2.err;
  const double clv = std::stod(ltv::test::csv_records(full.out)[1][8]);
  EXPECT_GT(clv, 0.0);
  EXPECT_NEAR(std::stod(ltv::test::csv_records(half.out)[1][8]), 0.5 * clv, 1e-9 * clv);
  EXPECT_EQ(half.out, half2.out);
  expect_one_line_error(ltv::test::run(base + " --margin 0.5 --profit-margin 0.5"));
}

TEST(CliPredict, SavedModelsGiveCetSpendAndClvOnCdnowTransactions) {
  const auto dir = ltv::test::temp_dir("predict_tx");
  const auto bg = dir / "bg.json", gg = dir / "gg.json";
  auto r =
      ltv::test::run(ltv::test::cli() + " fit" + cdnow_args() + " --model bgnbd -o" + quoted(bg));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ltv::test::run(ltv::test::cli() + " fit" + cdnow_args() + " --model gg -o" + quoted(gg));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(bg) + " --spend-model" +
                     quoted(gg) + cdnow_args() + " --horizon 39");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = ltv::test::csv_records(r.out);
  ASSERT_EQ(rows.size(), 2358u);
  EXPECT_EQ(rows[0].back(), "clv");
  EXPECT_EQ(rows[1][0], "0001");
  EXPECT_NEAR(std::stod(rows[1][5]), 1.226, 0.0005);
  // Without --observation-end the holdout runs to the last day of the log.
  EXPECT_EQ(rows[0][6], "frequency_holdout");
  EXPECT_EQ(rows[0][8], "expected_spend");
  EXPECT_NEAR(std::stod(rows[1][8]), 24.65, 0.01);
  EXPECT_GT(std::stod(rows[1][9]), 0.0);
  std::filesystem::remove_all(dir);
}

TEST(CliPredict, ParetoNbdAndBgBbModelsPredict) {
  const auto dir = ltv::test::temp_dir("predict_pnbd_bgbb");
  const auto pn = dir / "pnbd.json", bb = dir / "bgbb.json";
  const auto donations = quoted(ltv::test::shared_data("donations/donations.csv"));
  auto r =
      ltv::test::run(ltv::test::cli() + " fit --model pnbd" + cdnow_summary() + " -o" + quoted(pn));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = ltv::test::run(ltv::test::cli() + " fit --model bgbb" + donations + " -o" + quoted(bb));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  write_file(dir / "one.csv", "ID,frequency,recency,T,monetary_value\n1,2,30.43,38.86,22.35\n");
  r = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(pn) + quoted(dir / "one.csv") +
                     " --horizon 39 --clv");
  // --clv fits Gamma-Gamma on the input, which has a single repeat customer: allowed or a clear
  // error, never a crash.
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  r = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(pn) + quoted(dir / "one.csv") +
                     " --horizon 39");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto rows = ltv::test::csv_records(r.out);
  ASSERT_EQ(rows.size(), 2u);
  const double cet = std::stod(rows[1][5]);
  EXPECT_GT(cet, 0.5);
  EXPECT_LT(cet, 2.0);
  r = ltv::test::run(ltv::test::cli() + " predict --model" + quoted(bb) + donations +
                     " --horizon 5");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  rows = ltv::test::csv_records(r.out);
  ASSERT_EQ(rows.size(), 23u);  // 22 patterns
  for (std::size_t i = 1; i < rows.size(); ++i) {
    EXPECT_GE(std::stod(rows[i][4]), 0.0);
    EXPECT_LE(std::stod(rows[i][4]), 1.0);
    EXPECT_GE(std::stod(rows[i][5]), 0.0);
  }
  std::filesystem::remove_all(dir);
}

TEST(CliPredict, FitOnTheFlyMatchesPublishedCetAndSpend) {
  const auto r = ltv::test::run(ltv::test::cli() + " predict" + cdnow_args() +
                                " --model bgnbd --observation-end 1998-06-30 --horizon 39 --clv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = ltv::test::csv_records(r.out);
  ASSERT_EQ(rows.size(), 2358u);
  const std::vector<std::string> header{"customer_id",       "frequency",
                                        "recency",           "T",
                                        "p_alive",           "expected_purchases",
                                        "frequency_holdout", "monetary_value",
                                        "expected_spend",    "clv"};
  EXPECT_EQ(rows[0], header);
  EXPECT_EQ(rows[1][0], "0001");
  EXPECT_NEAR(std::stod(rows[1][5]), 1.226, 0.0005);  // CET(39 | 2, 30.43, 38.86)
  EXPECT_NEAR(std::stod(rows[1][8]), 24.65, 0.01);    // Gamma-Gamma spend
  EXPECT_GT(std::stod(rows[1][9]), 0.0);
  // Sum of predicted vs actual holdout purchases: 1,882 actual; loose sanity bound only.
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
  const std::string args = quoted(ltv::test::shared_data("cdnow/CDNOW_sample.txt")) +
                           " --no-header --customer 2 --date 3 --quiet";
  const auto r = ltv::test::run(ltv::test::cli() + " predict --model bgnbd" + args + " --clv");
  expect_one_line_error(r);
  EXPECT_NE(r.err.find("option --clv"), std::string::npos) << r.err;
}

}  // namespace
