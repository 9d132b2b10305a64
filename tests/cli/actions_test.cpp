// End-to-end tests of `ltv actions`, `ltv uplift` and the actions step of `ltv analyze`.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace ltv {
namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

class ActionsCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(test::temp_dir("cli_actions"));
    const auto r = test::run(test::cli() + " simulate --customers 3000 --seed 5 -q" +
                             " --campaign-date 2025-06-01 --campaign-uplift 1.5 -o " +
                             (*dir_ / "sim").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string sim(const std::string& file) { return (*dir_ / "sim" / file).string(); }
  static std::string tx() {
    std::string s(" ");
    s += sim("transactions.csv");
    s += " --customer customer_id --date date --amount amount --order order_id --quiet";
    return s;
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* ActionsCli::dir_ = nullptr;

TEST_F(ActionsCli, WritesADeterministicActionListWithSummaryAndDueContacts) {
  const auto out = *dir_ / "actions.csv";
  const auto summary = *dir_ / "summary.csv";
  const auto due = *dir_ / "due.csv";
  {
    std::ofstream m(*dir_ / "managers.csv");
    m << "manager_id,role,capacity,cadences\nann,farmer,50,\nbob,hunter,20,new\n";
  }
  const std::string cmd = test::cli() + " actions" + tx() + " --customers " + sim("customers.csv") +
                          " --nps " + sim("nps.csv") + " --contacts " + sim("contacts.csv") +
                          " --managers " + (*dir_ / "managers.csv").string() + " --due-out " +
                          due.string() + " --summary-out " + summary.string() + " -o ";
  auto r = test::run(cmd + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = lines(slurp(out));
  ASSERT_GT(rows.size(), 10u);
  EXPECT_EQ(rows[0], "customer_id,rule,action,channel,params,reason,priority,control");
  // Same inputs, same list.
  r = test::run(cmd + (*dir_ / "again.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(slurp(out), slurp(*dir_ / "again.csv"));
  // The summary counts add up to the list.
  const auto s = lines(slurp(summary));
  ASSERT_GE(s.size(), 2u);
  EXPECT_EQ(s[0], "rule,action,channel,priority,customers,treated,control");
  std::size_t total = 0;
  for (std::size_t i = 1; i < s.size(); ++i) {
    std::vector<std::string> cells;
    std::stringstream in(s[i]);
    for (std::string c; std::getline(in, c, ',');) cells.push_back(c);
    ASSERT_EQ(cells.size(), 7u) << s[i];
    EXPECT_EQ(std::stoul(cells[4]), std::stoul(cells[5]) + std::stoul(cells[6])) << s[i];
    total += std::stoul(cells[4]);
  }
  EXPECT_EQ(total, rows.size() - 1);
  // Due contacts: capacity respected.
  const auto d = lines(slurp(due));
  ASSERT_GE(d.size(), 2u);
  EXPECT_EQ(d[0], "manager_id,role,customer_id,cadence,every_days,days_since_contact,days_overdue");
  std::size_t ann = 0, bob = 0;
  for (const auto& line : d) ann += line.rfind("ann,", 0) == 0, bob += line.rfind("bob,", 0) == 0;
  EXPECT_LE(ann, 50u);
  EXPECT_LE(bob, 20u);
  EXPECT_GT(ann, 0u);
}

TEST_F(ActionsCli, ManagersWithAnUnknownCadenceAreRejectedWithTheLine) {
  {
    std::ofstream m(*dir_ / "managers_typo.csv");
    m << "manager_id,role,capacity,cadences\nann,farmer,50,\nbob,hunter,20,new;vps\n";
  }
  const auto r =
      test::run(test::cli() + " actions" + tx() + " --contacts " + sim("contacts.csv") +
                " --managers " + (*dir_ / "managers_typo.csv").string() + " --due-out " +
                (*dir_ / "due_typo.csv").string() + " -o " + (*dir_ / "unused.csv").string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("managers_typo.csv:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cadence names of the playbook"), std::string::npos) << r.err;
}

TEST_F(ActionsCli, JsonLinesOutput) {
  const auto r = test::run(test::cli() + " actions" + tx() + " --format jsonl --max-actions 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto rows = lines(r.out);
  ASSERT_GT(rows.size(), 1u);
  for (const auto& row : rows) {
    const auto j = nlohmann::json::parse(row);
    EXPECT_TRUE(j.contains("customer_id") && j.contains("reason") && j["control"].is_boolean());
  }
}

TEST_F(ActionsCli, MalformedRulesFileNamesLineBeforeLoading) {
  const auto rules = *dir_ / "bad.toml";
  {
    std::ofstream f(rules);
    f << "[[rule]]\nid = \"x\"\naction = \"call\"\nchannel = \"phone\"\n"
         "when = \"recency_days >< 5\"\n";
  }
  const auto r = test::run(test::cli() + " actions" + tx() + " --rules " + rules.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.toml:5"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("loaded"), std::string::npos) << "rules must fail before loading";
}

TEST_F(ActionsCli, UnknownFieldInRulesFileIsReportedBeforeLoading) {
  const auto rules = *dir_ / "unknown.toml";
  {
    std::ofstream f(rules);
    f << "[[rule]]\nid = \"x\"\naction = \"call\"\nchannel = \"phone\"\n"
         "when = \"p_alive < 0.5\"\nreason = \"{no_such_field}\"\n";
  }
  for (const char* command : {" actions", " analyze"}) {
    const auto r = test::run(test::cli() + command + tx() + " --rules " + rules.string() + " -o " +
                             (*dir_ / "unused").string());
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_NE(r.err.find("unknown.toml:1"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("no_such_field"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("loaded"), std::string::npos) << "rules must fail before loading";
  }
  // A column of --customers is a known field.
  {
    std::ofstream f(rules);
    f << "[[rule]]\nid = \"x\"\naction = \"call\"\nchannel = \"phone\"\n"
         "when = \"region = 'Moscow'\"\n";
  }
  const auto r = test::run(test::cli() + " actions" + tx() + " --rules " + rules.string() +
                           " --customers " + sim("customers.csv"));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(",x,call,phone,"), std::string::npos);
}

TEST_F(ActionsCli, AnalyzeWritesActionFiles) {
  const auto out = *dir_ / "analyze";
  const auto r =
      test::run(test::cli() + " analyze" + tx() + " --customers " + sim("customers.csv") +
                " --contacts " + sim("contacts.csv") + " -o " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Actions:"), std::string::npos) << r.out;
  const auto a = lines(slurp(out / "actions.csv"));
  ASSERT_GT(a.size(), 1u);
  EXPECT_EQ(a[0], "customer_id,rule,action,channel,params,reason,priority,control");
  const auto s = lines(slurp(out / "actions_summary.csv"));
  ASSERT_GT(s.size(), 1u);
  EXPECT_EQ(s[0], "rule,action,channel,priority,customers,treated,control");
}

TEST_F(ActionsCli, AnalyzeActionsFollowNpsAnswersAndSuppression) {
  const auto out = *dir_ / "analyze_nps";
  const std::string base =
      test::cli() + " analyze" + tx() + " --nps " + sim("nps.csv") + " --no-report -o ";
  auto r = test::run(base + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Every detractor call quotes a detractor's score (0..6) from the answers file.
  std::vector<std::string> ids;
  std::size_t calls = 0;
  for (const auto& row : lines(slurp(out / "actions.csv"))) {
    if (row.rfind("customer_id", 0) == 0) continue;
    ids.push_back(row.substr(0, row.find(',')));
    if (row.find(",detractor_call,") == std::string::npos) continue;
    ++calls;
    const auto at = row.find("NPS ");
    ASSERT_NE(at, std::string::npos) << row;
    EXPECT_LE(std::stoi(row.substr(at + 4)), 6) << row;
  }
  EXPECT_GT(calls, 0u);
  // Suppressed customers never appear in the list.
  ASSERT_GT(ids.size(), 20u);
  {
    std::ofstream f(*dir_ / "suppress.csv");
    f << "customer_id\n";
    for (std::size_t i = 0; i < 20; ++i) f << ids[i] << "\n";
  }
  const auto out2 = *dir_ / "analyze_suppressed";
  r = test::run(test::cli() + " analyze" + tx() + " --nps " + sim("nps.csv") + " --suppress " +
                (*dir_ / "suppress.csv").string() + " --no-report -o " + out2.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string after = slurp(out2 / "actions.csv");
  for (std::size_t i = 0; i < 20; ++i) {
    EXPECT_EQ(after.find("\n" + ids[i] + ","), std::string::npos) << ids[i];
  }
}

TEST_F(ActionsCli, MalformedNpsAnswerStopsActionsWithItsLine) {
  const auto nps = *dir_ / "bad_nps.csv";
  {
    std::ofstream f(nps);
    f << "customer_id,date,score\nC0000001,2024-05-01,9\nC0000002,2024-05-02,15\n";
  }
  const auto r = test::run(test::cli() + " actions" + tx() + " --nps " + nps.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad_nps.csv:3"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("score"), std::string::npos) << r.err;
}

TEST_F(ActionsCli, UpliftRejectsDuplicateAndOneSidedCampaignRows) {
  const auto log = *dir_ / "campaigns_bad.csv";
  {
    std::ofstream f(log);
    f << "customer_id,campaign,date,group\nC0000001,a,2025-06-01,treated\n"
         "C0000002,a,2025-06-01,control\nC0000001,a,2025-06-01,control\n";
  }
  auto r = test::run(test::cli() + " uplift " + log.string() + tx());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("campaigns_bad.csv:4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("one row per customer and campaign"), std::string::npos) << r.err;
  {
    std::ofstream f(log);
    f << "customer_id,campaign,date,group\nC0000001,a,2025-06-01,treated\n"
         "C0000002,a,2025-06-01,control\nC0000003,b,2025-06-01,treated\n";
  }
  r = test::run(test::cli() + " uplift " + log.string() + tx());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("campaigns_bad.csv:4"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("campaign 'b'"), std::string::npos) << r.err;
}

TEST_F(ActionsCli, UpliftWithoutAmountsJudgesTheResponseAndLeavesMoneyEmpty) {
  const auto r =
      test::run(test::cli() + " uplift " + sim("campaigns.csv") + " " + sim("transactions.csv") +
                " --customer customer_id --date date --quiet --window 90 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_TRUE(j[0]["revenue_diff"].is_null()) << j[0];
  EXPECT_TRUE(j[0]["romi"].is_null()) << j[0];
  EXPECT_GT(j[0]["response_diff"].get<double>(), 0);
  const std::string verdict = j[0]["verdict"];
  EXPECT_NE(verdict.find("no amounts"), std::string::npos) << verdict;
  EXPECT_EQ(verdict.find("0.00 per customer"), std::string::npos) << verdict;
}

TEST_F(ActionsCli, UpliftFindsTheSimulatedEffect) {
  const auto r = test::run(test::cli() + " uplift " + sim("campaigns.csv") + tx() +
                           " --window 90 --cost-per-treated 1 --format json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["campaign"], "uplift_test");
  EXPECT_GT(j[0]["revenue_diff"].get<double>(), 0);
  EXPECT_GT(j[0]["response_diff"].get<double>(), 0);
  EXPECT_LT(j[0]["revenue_lower"].get<double>(), j[0]["revenue_upper"].get<double>());
}

}  // namespace
}  // namespace ltv
