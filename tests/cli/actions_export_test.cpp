// End-to-end tests of `ltv actions --export-profile` (CRM export of the action list, issue 27):
// the export file beside the action list holds exactly its non-control rows in the profile's
// layout, and bad export options are refused before any work.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "test_data.hpp"

namespace ltv {
namespace {

using Rows = std::vector<std::vector<std::string>>;

std::string slurp(const std::filesystem::path& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

class ActionsExportCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(test::temp_dir("cli_actions_export"));
    const auto r = test::run(test::cli() + " simulate --customers 2000 --seed 7 -q -o " +
                             (*dir_ / "sim").string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() { delete dir_; }
  static std::string sim(const std::string& file) { return (*dir_ / "sim" / file).string(); }
  static std::string actions(const std::string& args) {
    return test::cli() + " actions " + sim("transactions.csv") +
           " --customer customer_id --date date --amount amount --order order_id --customers " +
           sim("customers.csv") + " --nps " + sim("nps.csv") + " " + args;
  }
  static std::filesystem::path* dir_;
};
std::filesystem::path* ActionsExportCli::dir_ = nullptr;

TEST_F(ActionsExportCli, SalesforceExportHoldsTheNonControlRowsAsTasks) {
  const auto out = *dir_ / "sf" / "actions.csv";
  std::filesystem::create_directories(out.parent_path());
  const auto r = test::run(
      actions("-o " + out.string() + " --export-profile salesforce --export-owner 005xx0001"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Default file: actions_<profile>.csv beside the action list.
  const auto file = out.parent_path() / "actions_salesforce.csv";
  ASSERT_TRUE(std::filesystem::exists(file)) << r.err;
  const Rows list = test::csv_records(slurp(out), ',');
  const Rows tasks = test::csv_records(slurp(file), ',');
  ASSERT_FALSE(list.empty());
  ASSERT_FALSE(tasks.empty());
  ASSERT_EQ(list[0], (std::vector<std::string>{"customer_id", "rule", "action", "channel", "params",
                                               "reason", "priority", "control"}));
  EXPECT_EQ(tasks[0], (std::vector<std::string>{"Subject", "Description", "ActivityDate", "OwnerId",
                                                "Status", "Priority", "WhoId"}));
  std::size_t control = 0, k = 1;
  for (std::size_t i = 1; i < list.size(); ++i) {
    if (list[i][7] == "true") {
      ++control;
      continue;
    }
    ASSERT_LT(k, tasks.size());
    const auto& t = tasks[k++];
    EXPECT_EQ(t[6], list[i][0]);  // WhoId = customer id, same order as the list
    EXPECT_EQ(t[1], list[i][5]);  // Description = the reason
    EXPECT_EQ(t[0], list[i][2] + " (" + list[i][3] + "): " + list[i][0]);
    // The simulated data ends 2025-12-31 (the as-of day); due 3 days later, yyyy-MM-dd.
    EXPECT_EQ(t[2], "2026-01-03");
    EXPECT_EQ(t[3], "005xx0001");
  }
  EXPECT_GT(control, 0u) << "the built-in playbook holds out control groups";
  EXPECT_EQ(k, tasks.size()) << "one task per non-control row, nothing more";
  EXPECT_NE(r.err.find(std::to_string(control) + " control-group rows not exported"),
            std::string::npos)
      << r.err;
}

TEST_F(ActionsExportCli, GenericProfileWithExportFileAndDueDays) {
  const auto config = *dir_ / "crm.toml";
  {
    std::ofstream f(config);
    f << "delimiter = \";\"\nencoding = \"windows-1251\"\ndate_format = \"%d.%m.%Y\"\n"
         "[[column]]\nname = \"Клиент\"\nfield = \"customer_id\"\n"
         "[[column]]\nname = \"Срок\"\nfield = \"due_date\"\n";
  }
  const auto file = *dir_ / "crm.csv";
  const auto r = test::run(actions("-o " + (*dir_ / "g.csv").string() +
                                   " --export-profile generic --profile-config " + config.string() +
                                   " --export " + file.string() + " --export-due-days 1 -q"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string bytes = slurp(file);
  // "Клиент;Срок" in windows-1251.
  EXPECT_EQ(bytes.substr(0, 12), "\xCA\xEB\xE8\xE5\xED\xF2;\xD1\xF0\xEE\xEA\n");
  const Rows rows = test::csv_records(bytes, ';');
  ASSERT_GT(rows.size(), 1u);
  EXPECT_EQ(rows[1][1], "01.01.2026");
}

TEST_F(ActionsExportCli, BadExportOptionsAreRefusedBeforeAnyWork) {
  auto r = test::run(actions("-o " + (*dir_ / "x.csv").string() + " --export-profile generic"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("option --export-profile: found 'generic', expected --profile-config FILE"),
            std::string::npos)
      << r.err;
  r = test::run(actions("-o " + (*dir_ / "x.csv").string() + " --export-profile hubspot"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("expected one of bitrix24, amocrm, salesforce, generic"), std::string::npos)
      << r.err;
  const std::string input = sim("customers.csv");
  const std::string before = slurp(input);
  r = test::run(
      actions("-o " + (*dir_ / "x.csv").string() + " --export-profile bitrix24 --export " + input));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("option --export:"), std::string::npos) << r.err;
  EXPECT_EQ(slurp(input), before);
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "x.csv")) << "refused before the list is written";
}

}  // namespace
}  // namespace ltv
