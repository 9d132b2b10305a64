// End-to-end tests of the workspace commands (ltv init / ingest / run / runs / export) on a
// SQLite workspace, with the CDNOW sample (../shared/data/cdnow/CDNOW_sample.txt: 6,919
// purchases of 2,357 customers). The same store code against PostgreSQL: tests/store.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "test_data.hpp"

namespace {

using ltv::test::cli;
using ltv::test::run;

std::string q(const std::filesystem::path& p) {
  return fmt::format("'{}'", p.string());
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

const std::string kCdnowColumns = " --no-header --customer 2 --date 3 --amount 5";

TEST(CliWorkspace, InitIngestRunExportEqualsAnalyze) {
  const auto dir = ltv::test::temp_dir("cli_workspace");
  const auto data = ltv::test::shared_data("cdnow/CDNOW_sample.txt");
  const auto ws = dir / "ltv.db";
  auto r = run(cli() + " init " + q(ws));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("SQLite file " + ws.string()), std::string::npos) << r.out;  // where it is
  r = run(cli() + " ingest " + q(ws) + " " + q(data) + kCdnowColumns + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Batch 1: 6919 transactions of 2357 customers"), std::string::npos) << r.out;
  // The same file again: recognised, nothing changes.
  r = run(cli() + " ingest " + q(ws) + " " + q(data) + kCdnowColumns + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("already ingested as batch 1"), std::string::npos) << r.out;

  r = run(cli() + " run " + q(ws) + " -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Run:           1 (full, batches up to 1)"), std::string::npos) << r.out;
  r = run(cli() + " runs " + q(ws) + " --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 2) << r.out;  // header + run 1

  // The stored run, exported as a folder, holds the files of ltv analyze -o on the same file.
  r = run(cli() + " analyze " + q(data) + kCdnowColumns + " -q -o " + q(dir / "analysis"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run(cli() + " export " + q(ws) + " all -q -o " + q(dir / "export"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int compared = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir / "analysis")) {
    if (entry.path().extension() != ".csv") continue;
    const auto relative = std::filesystem::relative(entry.path(), dir / "analysis");
    EXPECT_EQ(read_file(dir / "export" / relative), read_file(entry.path())) << relative;
    ++compared;
  }
  EXPECT_GT(compared, 10);
  EXPECT_EQ(read_file(dir / "export" / "model.json"), read_file(dir / "analysis" / "model.json"));
  // The folder is published whole, with a manifest that ltv report verifies.
  EXPECT_TRUE(std::filesystem::exists(dir / "export" / "manifest.json"));
  r = run(cli() + " report " + q(dir / "export") + " -q -o " + q(dir / "export.html"));
  EXPECT_EQ(r.exit_code, 0) << r.err;

  // One table to stdout, and a transaction reader on the workspace.
  r = run(cli() + " export " + q(ws) + " customers --run 1 -q");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, read_file(dir / "analysis" / "customers.csv"));
  const auto from_ws = run(cli() + " summary " + q(ws) + " -q");
  const auto from_file = run(cli() + " summary " + q(data) + kCdnowColumns + " -q");
  ASSERT_EQ(from_ws.exit_code, 0) << from_ws.err;
  EXPECT_EQ(from_ws.out, from_file.out);

  // Scheduled recalculation: the newest run is seconds old.
  r = run(cli() + " run " + q(ws) + " --if-stale 24h");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nothing to do"), std::string::npos) << r.out;
}

TEST(CliWorkspace, BadBatchFailsWithOneLineAndChangesNothing) {
  const auto dir = ltv::test::temp_dir("cli_workspace_bad");
  const auto ws = dir / "ltv.db";
  ASSERT_EQ(run(cli() + " init " + q(ws)).exit_code, 0);
  const auto file = dir / "orders.csv";
  {
    std::ofstream out(file);
    out << "customer,date,amount\nc1,2021-01-05,10\nc2,2021-02-30,11\nc1,2021-03-01,12\n";
  }
  auto r = run(cli() + " ingest " + q(ws) + " " + q(file) +
               " --customer customer --date date --amount amount -q");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find(file.string() + ":3: column 'date': found '2021-02-30'"), std::string::npos)
      << r.err;
  r = run(cli() + " export " + q(ws) + " batches --format csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;  // the header only
  // A workspace that does not exist is named, and not created by a reader.
  r = run(cli() + " runs " + q(dir / "missing.db"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("missing.db"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "missing.db"));
  // A PostgreSQL URL that does not answer: one line naming it, its password masked.
  r = run(cli() + " init 'postgresql://ltv:s3cret@127.0.0.1:1/shop'");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_NE(r.err.find("postgresql://ltv:***@127.0.0.1:1/shop: cannot connect"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("s3cret"), std::string::npos) << r.err;
}

}  // namespace
