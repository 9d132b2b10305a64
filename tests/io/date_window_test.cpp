// The plausible date window of the loader: a sentinel date such as 0000-01-01 is a named bad
// row, never a table stretched over two thousand years.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/load.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

LoadOptions options() {
  LoadOptions o;
  o.columns.customer = "customer";
  o.columns.date = "date";
  o.columns.amount = "amount";
  return o;
}

TransactionLog load_text(const std::string& text, const LoadOptions& o, LoadReport& report) {
  CsvReader reader = CsvReader::from_string(text, o.csv, "orders.csv");
  return load_transactions(reader, o, report);
}

const std::string kSentinel =
    "customer,date,amount\nc1,2020-01-05,10\nc2,0000-01-01,5\nc1,2020-02-01,7\n";

TEST(DateWindow, ASentinelDateIsAnErrorNamingFileLineAndColumn) {
  LoadReport report;
  try {
    (void)load_text(kSentinel, options(), report);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "orders.csv:3: column 'date': found '0000-01-01', expected a date from "
                 "1900-01-01 to 2100-12-31 (--date-window)");
  }
  // Both edges of the default window are accepted, the days beyond them are not.
  EXPECT_NO_THROW((void)load_text("customer,date,amount\nc1,1900-01-01,1\nc1,2100-12-31,1\n",
                                  options(), report));
  EXPECT_THROW((void)load_text("customer,date,amount\nc1,1899-12-31,1\n", options(), report),
               InputError);
  EXPECT_THROW((void)load_text("customer,date,amount\nc1,2101-01-01,1\n", options(), report),
               InputError);
}

TEST(DateWindow, SkippedRowsAreCountedByReason) {
  LoadOptions o = options();
  o.on_error = ErrorPolicy::skip;
  LoadReport report;
  const TransactionLog log = load_text(kSentinel + "c3,9999-12-31,1\n", o, report);
  EXPECT_EQ(log.size(), 2u);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].reason, "date out of range");
  EXPECT_EQ(report.skipped[0].count, 2);
  EXPECT_EQ(*report.first_day, parse_date("2020-01-05"));
}

TEST(DateWindow, TheWindowIsConfigurable) {
  LoadOptions o = options();
  std::tie(o.min_day, o.max_day) =
      parse_date_window("2020-01-01..2020-01-31", o.min_day, o.max_day);
  LoadReport report;
  try {
    (void)load_text(kSentinel, o, report);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("expected a date from 2020-01-01 to 2020-01-31"),
              std::string::npos)
        << e.what();
  }
  // A wider window takes the sentinel (the user asked for it).
  std::tie(o.min_day, o.max_day) =
      parse_date_window("0000-01-01..", LoadOptions::kDefaultMinDay, LoadOptions::kDefaultMaxDay);
  EXPECT_EQ(load_text(kSentinel, o, report).size(), 3u);
}

TEST(DateWindow, ParsesWindowsAndRefusesBadOnes) {
  const auto [a, b] = parse_date_window("2000-01-01..2000-12-31", 0, 0);
  EXPECT_EQ(a, parse_date("2000-01-01"));
  EXPECT_EQ(b, parse_date("2000-12-31"));
  EXPECT_EQ(parse_date_window("..20001231", -5, 7).first, -5);
  EXPECT_EQ(parse_date_window("01.02.2003..", -5, 70000).second, 70000);
  for (const char* bad : {"2000-01-01", "2000-01-01...", "x..2000-01-01", "2001-01-01..2000-01-01",
                          "2000-01-01 10:00..2001-01-01"}) {
    try {
      (void)parse_date_window(bad, 0, 1);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const InputError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("parameter date_window: found '", 0), 0u) << e.what();
    }
  }
}

TEST(DateWindow, TheCliOptionReachesTheLoader) {
  const auto dir = test::temp_dir("date_window_cli");
  const auto file = dir / "orders.csv";
  std::ofstream(file) << kSentinel;
  const std::string base = test::cli() + " summary '" + file.string() +
                           "' --customer customer --date date --amount amount";
  const auto fail = test::run(base);
  EXPECT_EQ(fail.exit_code, 1);
  EXPECT_EQ(fail.err, "ltv: error: " + file.string() +
                          ":3: column 'date': found '0000-01-01', expected a date from 1900-01-01 "
                          "to 2100-12-31 (--date-window)\n");
  const auto wide = test::run(base + " --date-window 0000-01-01..2100-12-31 --time-unit day");
  EXPECT_EQ(wide.exit_code, 0) << wide.err;
  EXPECT_NE(wide.out.find("\nc2,0,0,"), std::string::npos) << wide.out;
  const auto bad = test::run(base + " --date-window 2020");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err.rfind("ltv: error: option --date-window: found '2020'", 0), 0u) << bad.err;
}

}  // namespace
}  // namespace ltv
