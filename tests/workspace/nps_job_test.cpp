// The NPS job as a function (ltv/workspace/nps.hpp): a simulated survey measured from its file
// and checked against a direct count of the file's scores; problem rows kept as data or (strict)
// refused naming the line; the value link checked against a direct count from the transactions;
// bad parameters refused naming the key.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "ltv/ltv.hpp"
#include "ltv/sim/simulate.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

namespace fs = std::filesystem;

/// A simulated retailer with an NPS survey (3,000 customers, a fifth of them answering, seed 5).
const fs::path& survey_retailer() {
  static const fs::path dir = [] {
    const fs::path d = test::temp_dir("nps_job_retailer");
    sim::SimulationOptions o;
    o.customers = 3000;
    o.seed = 5;
    o.nps_rate = 0.2;
    sim::simulate_retailer(o, d);
    return d;
  }();
  return dir;
}

Parameters nps_parameters() {
  Parameters p({"nps", "output", "format"});
  p.set("file", (survey_retailer() / "nps.csv").string());
  return p;
}

std::string cell(const ResultTable& t, std::size_t row, std::string_view column) {
  return t.cell_text(t.spec().index(column), row);
}

template <class F>
std::string error_key(F&& f) {
  try {
    f();
  } catch (const ParameterError& e) {
    return e.key();
  }
  return "";
}

TEST(NpsJob, ClassCountsPerChannelEqualADirectCountOfTheScores) {
  Parameters p = nps_parameters();
  p.set("by", "channel,class");
  const NpsRun run = run_nps(nps_options(p), read_nps_inputs(p));
  EXPECT_EQ(run.nps.name(), "nps");
  EXPECT_EQ(run.problems.rows(), 0u);
  // Directly from the file: promoters score 9-10, detractors 0-6 (NPS definition, Reichheld
  // 2003), per channel and overall.
  const Table answers = read_table((survey_retailer() / "nps.csv").string());
  ASSERT_GT(answers.rows(), 300u);
  std::map<std::string, std::array<std::uint64_t, 3>> counts;  // detractors, passives, promoters
  for (std::size_t i = 0; i < answers.rows(); ++i) {
    const int score = std::stoi(answers.column("score")[i]);
    const std::size_t k = score <= 6 ? 0 : score <= 8 ? 1 : 2;
    ++counts[answers.column("channel")[i]][k];
    ++counts["(all)"][k];
  }
  std::set<std::string> channels_seen;
  std::size_t class_rows = 0;
  for (std::size_t r = 0; r < run.nps.rows(); ++r) {
    const std::string by = cell(run.nps, r, "by");
    const std::string group = cell(run.nps, r, "group");
    if (by == "class") {
      ++class_rows;
      continue;
    }
    const auto& c = counts.at(by == "all" ? "(all)" : group);
    if (by == "channel") channels_seen.insert(group);
    EXPECT_EQ(cell(run.nps, r, "detractors"), std::to_string(c[0])) << by << " " << group;
    EXPECT_EQ(cell(run.nps, r, "passives"), std::to_string(c[1])) << by << " " << group;
    EXPECT_EQ(cell(run.nps, r, "promoters"), std::to_string(c[2])) << by << " " << group;
    const double n = static_cast<double>(c[0] + c[1] + c[2]);
    EXPECT_NEAR(run.nps.real(run.nps.spec().index("nps"), r),
                100.0 * (static_cast<double>(c[2]) - static_cast<double>(c[0])) / n, 1e-9);
  }
  EXPECT_EQ(channels_seen.size(), counts.size() - 1);
  EXPECT_EQ(class_rows, 3u);  // detractor, passive, promoter
  EXPECT_FALSE(run.follow_ups || run.detractor_terms || run.value);
}

TEST(NpsJob, ProblemRowsAreKeptAsDataOrRefusedNamingTheLineWhenStrict) {
  NpsInputs in;
  in.answers = read_table_text(
      "customer_id,date,score\n"
      "a,2024-01-05,9\n"
      "a,2024-01-05,3\n"       // line 3: the same customer and day again
      "b,2024-01-06,eleven\n"  // line 4: not a score
      "c,2024-01-07,2\n",
      {}, "answers.csv");
  Parameters p({"nps", "output", "format"});
  const NpsRun run = run_nps(nps_options(p), in);
  ASSERT_EQ(run.problems.rows(), 2u);
  EXPECT_EQ(cell(run.problems, 0, "line"), "3");
  EXPECT_EQ(cell(run.problems, 0, "problem"), "duplicate");
  EXPECT_EQ(cell(run.problems, 1, "line"), "4");
  EXPECT_EQ(cell(run.problems, 1, "problem"), "bad_score");
  EXPECT_EQ(cell(run.nps, 0, "answers"), "2");  // a's first answer and c
  ASSERT_EQ(run.notes.size(), 2u);
  p.set("on_error", "fail");
  try {
    run_nps(nps_options(p), in);
    ADD_FAILURE() << "a duplicate answer was accepted with on_error=fail";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, "answers.csv");
    EXPECT_EQ(e.where().line, 3);
    EXPECT_EQ(e.where().column, "customer_id");
  }
}

TEST(NpsJob, ValueLinkCountsRetainedRespondentsLikeTheTransactions) {
  Parameters p = nps_parameters();
  const fs::path transactions_file = survey_retailer() / "transactions.csv";
  p.set("transactions", transactions_file.string());
  p.set("value", "value.csv");
  p.set("horizon", "90");
  const NpsJobOptions options = nps_options(p);
  Workspace transactions(nps_transactions_source(p));
  const NpsRun run = run_nps(options, read_nps_inputs(p), &transactions);
  ASSERT_TRUE(run.value);
  ASSERT_EQ(run.value->rows(), 3u);
  // Directly from the files: respondents (one answer each in the simulator) whose 90-day window
  // ends inside the log, and of those, who bought within it.
  const Table tx = read_table(transactions_file.string());
  const std::vector<std::int32_t> tx_day = tx.dates("date");
  const std::int32_t last_day = *std::max_element(tx_day.begin(), tx_day.end());
  std::map<std::string, std::vector<std::int32_t>> days_of;
  for (std::size_t i = 0; i < tx.rows(); ++i)
    days_of[tx.column("customer_id")[i]].push_back(tx_day[i]);
  const Table answers = read_table((survey_retailer() / "nps.csv").string());
  const std::vector<std::int32_t> answer_day = answers.dates("date");
  std::array<std::uint64_t, 3> customers{}, retained{};
  for (std::size_t i = 0; i < answers.rows(); ++i) {
    const auto it = days_of.find(answers.column("customer_id")[i]);
    if (it == days_of.end() || answer_day[i] + 90 > last_day) continue;
    const int score = std::stoi(answers.column("score")[i]);
    const std::size_t k = score <= 6 ? 0 : score <= 8 ? 1 : 2;
    ++customers[k];
    retained[k] += std::any_of(it->second.begin(), it->second.end(), [&](std::int32_t d) {
      return d > answer_day[i] && d <= answer_day[i] + 90;
    });
  }
  const char* classes[] = {"detractor", "passive", "promoter"};
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(cell(*run.value, k, "class"), classes[k]);
    EXPECT_EQ(cell(*run.value, k, "customers"), std::to_string(customers[k])) << classes[k];
    EXPECT_EQ(cell(*run.value, k, "retained"), std::to_string(retained[k])) << classes[k];
    EXPECT_GT(customers[k], 0u);
  }
}

TEST(NpsJob, BadParametersNameTheirKey) {
  const NpsInputs in = read_nps_inputs(nps_parameters());
  auto run_with = [&](const char* key, const char* value) {
    Parameters p = nps_parameters();
    p.set(key, value);
    return error_key([&] { run_nps(nps_options(p), in); });
  };
  EXPECT_EQ(run_with("customer", "no_such_column"), "customer");
  EXPECT_EQ(run_with("score", "no_such_column"), "score");
  EXPECT_EQ(run_with("by", "no_such_column"), "by");
  EXPECT_EQ(run_with("by", "segment"), "by");          // no segments table, no segment column
  EXPECT_EQ(run_with("value", "value.csv"), "value");  // no transactions to link to
  EXPECT_EQ(run_with("owner_by_channel", "web"), "owner_by_channel");
  EXPECT_EQ(run_with("period", "decade"), "period");
  EXPECT_EQ(run_with("follow_up_below", "12"), "follow_up_below");
  EXPECT_EQ(run_with("horizon", "0"), "horizon");
  EXPECT_EQ(run_with("on_error", "ignore"), "on_error");
}

}  // namespace
}  // namespace ltv
