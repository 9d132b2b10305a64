// End-to-end tests of `ltv nps` on a hand-made file and on the simulator's nps.csv.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_data.hpp"

namespace {

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

}  // namespace

TEST(NpsCli, HandMadeTableWithProblemsReportedByLine) {
  auto dir = ltv::test::temp_dir("nps_cli");
  std::ofstream(dir / "answers.csv") << "customer_id,date,score,comment,channel\n"
                                        "a,2024-01-03,10,great,web\n"
                                        "b,2024-01-04,6,\"late, again\",store\n"
                                        "c,2024-01-05,11,,web\n"
                                        "a,2024-01-03,9,dup,web\n"
                                        "d,2024-02-01,9,,web\n";
  auto r = ltv::test::run(ltv::test::cli() + " nps " + (dir / "answers.csv").string() +
                          " --by period --by channel --problems " + (dir / "p.csv").string() +
                          " --follow-ups " + (dir / "f.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = lines_of(r.out);
  ASSERT_EQ(out.size(), 6u) << r.out;
  EXPECT_EQ(out[0],
            "by,group,answers,promoters,passives,detractors,nps,standard_error,ci_low,ci_high");
  // a 10, b 6, d 9: (2 - 1) / 3.
  EXPECT_EQ(out[1].rfind("all,all,3,2,0,1,33.33333333333333", 0), 0u) << out[1];
  EXPECT_EQ(out[3], "period,2024-02,1,1,0,0,100,0,100,100");  // all promoters
  EXPECT_NE(r.err.find("score_out_of_range row(s) skipped (lines 4)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("duplicate row(s) skipped (lines 5)"), std::string::npos) << r.err;
  auto problems = lines_of(read_text(dir / "p.csv"));
  ASSERT_EQ(problems.size(), 3u);
  EXPECT_EQ(problems[1], "4,score_out_of_range,score 11 outside 0..10");
  auto follow = lines_of(read_text(dir / "f.csv"));
  ASSERT_EQ(follow.size(), 3u);  // b (6) and d (9); a scored 10
  EXPECT_EQ(follow[1].rfind("b,2024-01-04,6,detractor,\"late, again\",store", 0), 0u) << follow[1];

  auto fail = ltv::test::run(ltv::test::cli() + " nps " + (dir / "answers.csv").string() +
                             " --on-error fail");
  EXPECT_EQ(fail.exit_code, 1);
  EXPECT_NE(fail.err.find("answers.csv:4"), std::string::npos) << fail.err;
  auto bad = ltv::test::run(ltv::test::cli() + " nps " + (dir / "answers.csv").string() +
                            " --score rating");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("rating"), std::string::npos);
}

TEST(NpsCli, SimulatorNpsFile) {
  auto dir = ltv::test::temp_dir("nps_sim");
  auto sim = ltv::test::run(ltv::test::cli() + " simulate --customers 3000 --seed 11 -q -o " +
                            dir.string());
  ASSERT_EQ(sim.exit_code, 0) << sim.err;
  // Independent count of the classes straight from the file.
  auto answers = lines_of(read_text(dir / "nps.csv"));
  ASSERT_GT(answers.size(), 50u);
  long promoters = 0, detractors = 0, n = 0;
  for (std::size_t i = 1; i < answers.size(); ++i) {
    auto first = answers[i].find(',');
    auto second = answers[i].find(',', first + 1);
    auto third = answers[i].find(',', second + 1);
    int score = std::stoi(answers[i].substr(second + 1, third - second - 1));
    ++n;
    promoters += score >= 9;
    detractors += score <= 6;
  }
  auto r = ltv::test::run(ltv::test::cli() + " nps " + (dir / "nps.csv").string() +
                          " --customers " + (dir / "customers.csv").string() + " --transactions " +
                          (dir / "transactions.csv").string() + " --value " +
                          (dir / "value.csv").string() + " --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("unknown_customer"), std::string::npos) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  ASSERT_GE(doc.size(), 2u);
  EXPECT_EQ(doc[0]["by"], "all");
  EXPECT_EQ(doc[0]["answers"].get<long>(), n);
  EXPECT_NEAR(doc[0]["nps"].get<double>(), 100.0 * (promoters - detractors) / n, 1e-9);
  double p = static_cast<double>(promoters) / n, d = static_cast<double>(detractors) / n;
  EXPECT_NEAR(doc[0]["standard_error"].get<double>(),
              100.0 * std::sqrt((p + d - (p - d) * (p - d)) / n), 1e-9);
  auto value = lines_of(read_text(dir / "value.csv"));
  ASSERT_EQ(value.size(), 4u);
  EXPECT_EQ(value[0], "class,customers,retained,retention,value_before,value_after,mean_ltv");
  EXPECT_EQ(value[1].rfind("detractor,", 0), 0u);
  EXPECT_EQ(value[3].rfind("promoter,", 0), 0u);
}
