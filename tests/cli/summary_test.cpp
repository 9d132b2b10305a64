// End-to-end tests of `ltv summary` (the CLI binary built by this tree).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>

#include "ltv/io/table.hpp"
#include "test_data.hpp"

namespace {

using ltv::test::cli;
using ltv::test::run;

std::string q(const std::filesystem::path& p) {
  return fmt::format("'{}'", p.string());
}

/// A ten-row transaction file; row `bad_row` (1-based data row) gets an impossible date.
std::filesystem::path ten_rows(const std::filesystem::path& dir, int bad_row) {
  auto path = dir / "ten.csv";
  std::ofstream out(path);
  out << "customer,date,amount\n";
  for (int i = 1; i <= 10; ++i) {
    out << "c" << i % 3 << ","
        << (i == bad_row ? std::string("2021-02-30")
                         : "2021-01-" + std::string(i < 10 ? "0" : "") + std::to_string(i))
        << "," << i << ".5\n";
  }
  return path;
}

TEST(CliSummary, TenRowFileWithOneBadDateFailsWithOneClearLine) {
  auto dir = ltv::test::temp_dir("cli_summary_bad_date");
  auto file = ten_rows(dir, 7);
  auto r = run(cli() + " summary " + q(file) + " --customer customer --date date --amount amount");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_TRUE(r.out.empty()) << r.out;
  // Exactly one line on stderr, naming file, line, column, the text and what was expected.
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err, "ltv: error: " + file.string() +
                       ":8: column 'date': found '2021-02-30', expected a date like YYYY-MM-DD "
                       "(optionally with a time HH:MM[:SS])\n");
}

TEST(CliSummary, SkipPolicyReportsTheBadRowAndSucceeds) {
  auto dir = ltv::test::temp_dir("cli_summary_skip");
  auto file = ten_rows(dir, 7);
  auto r = run(cli() + " summary " + q(file) +
               " --customer customer --date date --amount amount --on-error skip --time-unit day");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("loaded 9 of 10 rows"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("1 x invalid date"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(":8: column 'date': found '2021-02-30'"), std::string::npos) << r.err;
  auto t = ltv::read_table_text(r.out);
  ASSERT_EQ(t.rows(), 3u);
  // Rows in id order (not in order of first appearance: c1, c2, c0).
  EXPECT_EQ(t.column("customer_id"), (std::vector<std::string>{"c0", "c1", "c2"}));
  // c1 bought on days 1, 4 and 10 (its day-7 row was skipped): frequency 2, recency 9 days.
  EXPECT_EQ(t.numbers("frequency")[1], 2);
  EXPECT_EQ(t.numbers("recency")[1], 9);
  EXPECT_EQ(t.numbers("revenue")[1], 1.5 + 4.5 + 10.5);
}

TEST(CliSummary, CdnowSampleMatchesPublishedSummary) {
  auto sample = ltv::test::shared_data("cdnow/CDNOW_sample.txt");
  auto r = run(cli() + " summary " + q(sample) +
               " --no-header --customer 2 --date 3 --amount 5 --calibration-end 1997-09-30"
               " --observation-end 1998-06-30 --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  auto out = ltv::read_table_text(r.out);
  auto ref = ltv::read_table(ltv::test::shared_data("cdnow/cdnow_customers_summary.csv").string());
  auto cbs = ltv::read_table(ltv::test::shared_data("cdnow/cdnowSummary_cbs.csv").string());
  ASSERT_EQ(out.rows(), 2357u);
  EXPECT_EQ(out.names, (std::vector<std::string>{
                           "customer_id", "frequency", "recency", "T", "monetary_value",
                           "first_purchase", "last_purchase", "orders", "revenue",
                           "frequency_holdout", "monetary_value_holdout", "duration_holdout"}));
  const auto id = out.integers("customer_id");
  const auto f = out.numbers("frequency"), rec = out.numbers("recency"), T = out.numbers("T");
  const auto m = out.numbers("monetary_value"), xs = out.numbers("frequency_holdout");
  const auto ref_f = ref.numbers("frequency"), ref_r = ref.numbers("recency"),
             ref_T = ref.numbers("T"), ref_m = cbs.numbers("m.x"), ref_xs = cbs.numbers("x.star");
  const auto ref_id = ref.integers("ID");
  int bad = 0;
  for (std::size_t i = 0; i < out.rows(); ++i) {
    bad += id[i] != ref_id[i];
    bad += f[i] != ref_f[i];
    bad += std::round(rec[i] * 100) / 100 != ref_r[i];
    bad += std::round(T[i] * 100) / 100 != ref_T[i];
    bad += std::fabs(m[i] - ref_m[i]) > 1e-9;
    bad += xs[i] != ref_xs[i];
  }
  EXPECT_EQ(bad, 0);
  // Money is printed without float noise.
  EXPECT_EQ(out.column("monetary_value")[0], "22.345");
}

TEST(CliSummary, JsonFromStdinWithConfigFile) {
  auto dir = ltv::test::temp_dir("cli_summary_json");
  auto file = ten_rows(dir, 0);
  {
    std::ofstream cfg(dir / "crm.ini");
    cfg << "# CRM export mapping\ncustomer = \"customer\"\ndate = date\namount = 'amount'\n"
           "time_unit = month\nformat = json\n";
  }
  auto r = run("cat " + q(file) + " | " + cli() + " summary - --config " + q(dir / "crm.ini") +
               " --time-unit day -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[1]["customer_id"], "c1");  // rows in id order: c0, c1, c2
  EXPECT_EQ(j[1]["frequency"], 3);
  EXPECT_EQ(j[1]["recency"], 9);  // --time-unit day on the command line beats the config's month
  EXPECT_EQ(j[1]["revenue"], 1.5 + 4.5 + 7.5 + 10.5);
  EXPECT_EQ(j[0]["first_purchase"], "2021-01-03");
  {
    std::ofstream cfg(dir / "typo.ini");
    cfg << "custmer = customer\n";
  }
  r = run(cli() + " summary " + q(file) + " --config " + q(dir / "typo.ini"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("typo.ini:1: found 'custmer'"), std::string::npos) << r.err;
}

TEST(CliSummary, OutputFileAndBadOptionValues) {
  auto dir = ltv::test::temp_dir("cli_summary_opts");
  auto file = ten_rows(dir, 0);
  const std::string base = cli() + " summary " + q(file) + " --customer customer --date date ";
  auto r = run(base + "-o " + q(dir / "out.csv") + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(ltv::read_table((dir / "out.csv").string()).rows(), 3u);
  // Count-only data: money columns are empty, not zero.
  EXPECT_EQ(ltv::read_table((dir / "out.csv").string()).column("revenue")[0], "");
  for (const std::string& bad :
       {std::string("--time-unit fortnight"), std::string("--returns keep"),
        std::string("--date-format %Q"), std::string("--time-zone Moscow"),
        std::string("--calibration-end 2021-02-30"), std::string("--amount nosuch")}) {
    r = run(base + bad);
    EXPECT_EQ(r.exit_code, 1) << bad;
    const std::string option = bad.substr(0, bad.find(' '));
    EXPECT_NE(r.err.find("option " + option), std::string::npos) << bad << ": " << r.err;
  }
  r = run(cli() + " summary " + q(dir / "missing.csv") + " --customer a --date b");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("missing.csv"), std::string::npos) << r.err;
}

TEST(CliSummary, HelpListsOptionsWithDefaultsAndAnExample) {
  auto r = run(cli() + " summary --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* text : {"--customer",
                           "--date",
                           "--amount",
                           "--order",
                           "--quantity",
                           "--price",
                           "--product",
                           "--category",
                           "--margin",
                           "--cost",
                           "--channel",
                           "--region",
                           "--no-header",
                           "--delimiter TEXT=auto",
                           "--date-format TEXT=auto",
                           "--decimal-comma",
                           "--time-zone TEXT=+00:00",
                           "--returns TEXT=net",
                           "--time-unit TEXT=week",
                           "--calibration-end",
                           "--observation-end",
                           "--on-error TEXT=fail",
                           "--format TEXT=csv",
                           "--output TEXT=-",
                           "--config",
                           "--quiet",
                           "Example"}) {
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
  }
}

}  // namespace

// The CSV rows are formatted by a fast path of their own; JSON goes through RowWriter. Both must
// give the same cells: ids that need quoting, holdout and profit columns, money with float noise,
// fractional recency and T, empty money for count-only data.
TEST(CliSummary, CsvCellsAreTheJsonValues) {
  auto dir = ltv::test::temp_dir("cli_summary_csv_json");
  auto path = dir / "tx.csv";
  {
    std::ofstream out(path);
    out << "customer,date,amount,cost\n";
    const char* ids[] = {"plain", "\"with, comma\"", "\"say \"\"hi\"\"\"", "c0042"};
    for (int c = 0; c < 4; ++c) {
      for (int k = 0; k < 5 + 3 * c; ++k) {
        const int day = (k * 37 + c * 11) % 336;  // 12 months of 28 days
        out << ids[c] << "," << fmt::format("2021-{:02}-{:02}", 1 + day / 28, 1 + day % 28) << ","
            << fmt::format("{:.2f}", 0.1 + 7.3 * k + 0.07 * c) << ","
            << fmt::format("{:.3f}", 0.5 * k + 0.013) << "\n";
      }
    }
  }
  const std::string base = cli() + " summary " + q(path) +
                           " --customer customer --date date --calibration-end 2021-09-15 "
                           "--observation-end 2021-12-30 -q";
  for (const std::string& columns : {std::string(" --amount amount --cost cost"), std::string()}) {
    auto csv = run(base + columns + " -o " + q(dir / "s.csv"));
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    auto json = run(base + columns + " --format json");
    ASSERT_EQ(json.exit_code, 0) << json.err;
    const ltv::Table table = ltv::read_table((dir / "s.csv").string());
    const auto j = nlohmann::json::parse(json.out);
    ASSERT_EQ(table.rows(), 4u);
    ASSERT_EQ(j.size(), 4u);
    // Rows in id order: shorter ids first, then byte by byte.
    EXPECT_EQ(table.column("customer_id"),
              (std::vector<std::string>{"c0042", "plain", "say \"hi\"", "with, comma"}));
    std::size_t compared = 0;
    for (const std::string& name : table.names) {
      for (std::size_t r = 0; r < table.rows(); ++r) {
        const std::string& cell = table.column(name)[r];
        const nlohmann::json& value = j[r].at(name);
        if (value.is_null()) {
          EXPECT_EQ(cell, "") << name << " row " << r;
        } else if (value.is_string()) {
          EXPECT_EQ(cell, value.get<std::string>()) << name << " row " << r;
        } else {
          ASSERT_FALSE(cell.empty()) << name << " row " << r;
          EXPECT_EQ(std::stod(cell), value.get<double>()) << name << " row " << r << ": " << cell;
        }
        ++compared;
      }
    }
    EXPECT_EQ(compared, 4u * (columns.empty() ? 12u : 13u));
  }
}
