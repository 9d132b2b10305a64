// End-to-end test of `ltv analyze` (the main job) on a simulated retailer.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace ltv {
namespace {

std::vector<std::string> lines_of(const std::filesystem::path& path) {
  std::ifstream f(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(f, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
  return cells;
}

TEST(Analyze, WritesPredictionsSegmentsAndModelComparison) {
  const auto dir = test::temp_dir("analyze");
  const auto sim = test::run(test::cli() + " simulate --customers 3000 --seed 11 -q -o " +
                             (dir / "data").string());
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  const auto out = dir / "out";
  const auto r =
      test::run(test::cli() + " analyze " + (dir / "data" / "transactions.csv").string() +
                " --customer customer_id --date date --amount amount --order order_id" +
                " --quiet -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Customers:"), std::string::npos);
  EXPECT_NE(r.out.find("Results:"), std::string::npos);

  // Every simulated customer bought at least once, so every one has a row.
  const auto rows = lines_of(out / "customers.csv");
  ASSERT_EQ(rows.size(), 3001u);
  const auto header = split(rows[0]);
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  ASSERT_LT(col("p_alive"), header.size());
  ASSERT_LT(col("clv"), header.size());
  ASSERT_LT(col("rfm_segment"), header.size());
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto cells = split(rows[i]);
    const double p = std::stod(cells[col("p_alive")]);
    const double clv = std::stod(cells[col("clv")]);
    ASSERT_GE(p, 0.0) << rows[i];
    ASSERT_LE(p, 1.0) << rows[i];
    ASSERT_GE(clv, 0.0) << rows[i];
    ASSERT_FALSE(cells[col("rfm_segment")].empty()) << rows[i];
  }

  // Three candidate models were compared on the holdout; the chosen one is the lowest MAE.
  const auto models = lines_of(out / "models.csv");
  ASSERT_EQ(models.size(), 4u);
  std::string best;
  double best_mae = 1e300;
  for (std::size_t i = 1; i < models.size(); ++i) {
    const auto cells = split(models[i]);
    const double mae = std::stod(cells[3]);
    if (mae < best_mae) best_mae = mae, best = cells[0];
  }
  std::ifstream summary_file(out / "summary.json");
  const auto summary = nlohmann::json::parse(summary_file);
  EXPECT_EQ(summary["model_selection"]["chosen"], best);
  EXPECT_EQ(summary["customers"], 3000);
  EXPECT_TRUE(summary["model"]["converged"].get<bool>());
  EXPECT_GT(summary["spend_model"]["params"]["q"].get<double>(), 1.0);
  // The revenue headline equals the sum of the file's amounts (no returns in simulated data).
  std::ifstream truth_file(dir / "data" / "transactions.csv");
  double total = 0;
  std::string line;
  std::getline(truth_file, line);
  while (std::getline(truth_file, line)) total += std::stod(split(line)[2]);
  EXPECT_NEAR(summary["revenue"].get<double>(), total, 1e-6 * total);
  EXPECT_TRUE(std::filesystem::exists(out / "segments.csv"));
  EXPECT_TRUE(std::filesystem::exists(out / "analytics" / "kpis.csv"));
  // Segment movement over the last 91 days: for each scheme the matrix covers every customer of
  // the end snapshot (3000; "(none)" rows are customers who arrived in between), and the RFM
  // segment at the end equals the one in customers.csv.
  const auto moves = lines_of(out / "segment_transitions.csv");
  ASSERT_GT(moves.size(), 1u);
  EXPECT_EQ(moves[0], "scheme,from_date,to_date,from_segment,to_segment,customers,revenue_to_date");
  std::map<std::string, double> per_scheme;
  std::map<std::string, double> rfm_end;
  for (std::size_t i = 1; i < moves.size(); ++i) {
    const auto cells = split(moves[i]);
    per_scheme[cells[0]] += std::stod(cells[5]);
    if (cells[0] == "rfm") rfm_end[cells[4]] += std::stod(cells[5]);
  }
  for (const char* scheme : {"rfm", "abcdx", "stage"})
    EXPECT_EQ(per_scheme[scheme], 3000) << scheme;
  std::map<std::string, double> rfm_now;
  for (std::size_t i = 1; i < rows.size(); ++i) rfm_now[split(rows[i])[col("rfm_segment")]] += 1;
  EXPECT_EQ(rfm_end, rfm_now);
  EXPECT_NE(r.out.find("Movement:      since "), std::string::npos) << r.out;
  std::filesystem::remove_all(dir);
}

TEST(Analyze, SpendAndGroupComparisonOnSimulatedRetailer) {
  const auto dir = test::temp_dir("analyze_cac");
  const auto data = dir / "data";
  ASSERT_EQ(test::run(test::cli() + " simulate --customers 4000 --seed 5 -q -o " + data.string())
                .exit_code,
            0);
  const auto out = dir / "out";
  const auto r =
      test::run(test::cli() + " analyze " + (data / "transactions.csv").string() +
                " --customer customer_id --date date --amount amount --order order_id --quiet" +
                " --spend " + (data / "spend.csv").string() + " --customers " +
                (data / "customers.csv").string() + " --compare loyalty_member -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // CAC rows: the grand total is spend / new customers over all channels.
  const auto cac = lines_of(out / "analytics" / "cac.csv");
  ASSERT_GT(cac.size(), 2u);
  const auto header = split(cac[0]);
  const auto total = split(cac.back());
  ASSERT_EQ(total[0], "all");
  const auto at = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const double spend = std::stod(total[at("spend")]);
  const double new_customers = std::stod(total[at("new_customers")]);
  EXPECT_NEAR(std::stod(total[at("cac")]), spend / new_customers, 1e-9 * spend);
  EXPECT_EQ(new_customers, 4000);
  // The simulator multiplies members' order values by 1.25 (truth.json): the interval of the
  // relative difference in average check must contain +25%.
  const auto compare = lines_of(out / "analytics" / "compare.csv");
  bool found = false;
  for (const auto& line : compare) {
    const auto cells = split(line);
    if (cells.empty() || cells[0] != "average_check") continue;
    found = true;
    EXPECT_EQ(cells[1], "loyalty_member = 1") << line;  // groups are named by their column
    EXPECT_LE(std::stod(cells[11]), 0.25) << line;
    EXPECT_GE(std::stod(cells[12]), 0.25) << line;
  }
  EXPECT_TRUE(found);
  std::filesystem::remove_all(dir);
}

TEST(Analyze, RecordsEachStepsTimeAndPeakMemory) {
  const auto dir = test::temp_dir("analyze_timings");
  const auto sim = test::run(test::cli() + " simulate --customers 2000 --seed 5 -q -o " +
                             (dir / "data").string());
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  const auto out = dir / "out";
  const auto r =
      test::run(test::cli() + " analyze " + (dir / "data" / "transactions.csv").string() +
                " --customer customer_id --date date --amount amount --quiet" + " --timings -o " +
                out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(out / "summary.json");
  const auto summary = nlohmann::json::parse(in);
  ASSERT_TRUE(summary.contains("timings")) << summary.dump();
  const auto& timings = summary["timings"];
  ASSERT_GE(timings.size(), 5u);  // loading, summarising, models, segments, analytics
  double total = 0;
  for (const auto& t : timings) {
    EXPECT_FALSE(t["step"].get<std::string>().empty());
    EXPECT_GE(t["seconds"].get<double>(), 0.0);
    EXPECT_GT(t["peak_rss_bytes"].get<std::int64_t>(), 1 << 20);  // a process holds > 1 MB
    total += t["seconds"].get<double>();
    // --timings prints the same steps on stderr.
    EXPECT_NE(r.err.find("ltv: timing: " + t["step"].get<std::string>()), std::string::npos)
        << r.err;
  }
  EXPECT_GT(total, 0.0);
  EXPECT_NE(r.err.find("ltv: timing: total"), std::string::npos) << r.err;
  // Without --timings nothing is printed (the figures are in summary.json either way).
  const auto quiet = test::run(
      test::cli() + " analyze " + (dir / "data" / "transactions.csv").string() +
      " --customer customer_id --date date --amount amount --quiet -o " + (dir / "out2").string());
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("ltv: timing:"), std::string::npos) << quiet.err;
}

TEST(Analyze, RejectsMissingOutputDirectoryAndBadHorizon) {
  const auto dir = test::temp_dir("analyze_bad");
  {
    std::ofstream f(dir / "t.csv");
    f << "customer,date,amount\na,2024-01-01,5\na,2024-02-01,6\nb,2024-01-03,7\n";
  }
  const std::string base = test::cli() + " analyze " + (dir / "t.csv").string() +
                           " --customer customer --date date --amount amount --quiet";
  auto r = test::run(base);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("expected a directory"), std::string::npos) << r.err;
  r = test::run(base + " --horizon -3 -o " + (dir / "out").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--horizon"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace ltv
