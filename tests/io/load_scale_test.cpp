// The two-chunk loader at the seams that matter for memory: the time-of-day column is created
// only from the first row with a time, and chunk b's customer ids are merged through chunk a's
// index. Each case compares the parallel read with the sequential one.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "log_compare.hpp"
#include "ltv/error.hpp"
#include "ltv/io/load.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

TransactionLog load(const std::string& path, int threads) {
  LoadOptions o;
  o.columns.customer = "customer";
  o.columns.date = "date";
  o.columns.amount = "amount";
  o.threads = threads;
  o.parallel_min_bytes = 1;
  LoadReport report;
  return load_transactions(path, o, report);
}

/// Customer id of row i: long ids (more than 7 bytes), short numeric ids and short text ids,
/// mostly in runs of consecutive rows, some repeated far apart (so both chunks share ids).
std::string customer_of(int i) {
  const int c = i / 3;
  if (c % 11 == 0) return std::to_string(c % 400);  // numeric, shared across the file
  if (c % 2 == 0) return "customer-" + std::to_string(c);
  return "c" + std::to_string(c);
}

/// `rows` rows; rows in [time_from, time_to) carry a time of day.
std::string write_file(const std::string& name, int rows, int time_from, int time_to) {
  auto path = test::temp_dir("load_scale") / name;
  std::ofstream out(path);
  out << "customer,date,amount\n";
  for (int i = 0; i < rows; ++i) {
    out << customer_of(i) << ",2021-0" << 1 + i % 9 << "-1" << i % 10;
    if (i >= time_from && i < time_to) out << " 0" << i % 10 << ":3" << i % 6 << ":00";
    out << "," << i % 97 << "." << i % 100 << "\n";
  }
  return path.string();
}

TEST(LoadScale, TimesOnlyInTheSecondHalfAreZeroFilledBeforeTheFirstTime) {
  const auto path = write_file("late_times.csv", 30000, 25000, 30000);
  const TransactionLog seq = load(path, 1), par = load(path, 2);
  test::expect_same_log(seq, par);
  ASSERT_EQ(seq.second_of_day.size(), seq.size());
  EXPECT_EQ(seq.second_of_day[0], 0);
  EXPECT_EQ(seq.second_of_day[24999], 0);
  EXPECT_EQ(seq.second_of_day[25001], 1 * 3600 + 35 * 60);  // "01:35:00" (25001 % 6 == 5)
}

TEST(LoadScale, TimesOnlyInTheFirstHalfGiveAFullColumn) {
  const auto path = write_file("early_times.csv", 30000, 0, 100);
  const TransactionLog seq = load(path, 1), par = load(path, 2);
  test::expect_same_log(seq, par);
  ASSERT_EQ(par.second_of_day.size(), par.size());
  EXPECT_EQ(par.second_of_day[7], 7 * 3600 + 31 * 60);
  EXPECT_EQ(par.second_of_day[29999], 0);
}

TEST(LoadScale, DatesWithoutTimesLeaveTheTimeColumnEmpty) {
  const auto path = write_file("no_times.csv", 30000, 0, 0);
  const TransactionLog seq = load(path, 1), par = load(path, 2);
  test::expect_same_log(seq, par);
  EXPECT_TRUE(par.second_of_day.empty());
  EXPECT_EQ(par.size(), 30000u);
}

TEST(LoadScale, CustomerIdsOfBothChunksAreInternedInOrderOfFirstAppearance) {
  const auto path = write_file("ids.csv", 30000, -1, -1);
  const TransactionLog par = load(path, 2);
  test::expect_same_log(load(path, 1), par);
  ASSERT_EQ(par.size(), 30000u);
  // Every row's id reads back, and ids are numbered in order of first appearance.
  std::uint32_t next = 0;
  for (std::size_t i = 0; i < par.size(); ++i) {
    ASSERT_EQ(par.customer_ids[par.customer[i]], customer_of(static_cast<int>(i))) << i;
    ASSERT_LE(par.customer[i], next) << i;
    if (par.customer[i] == next) ++next;
  }
  EXPECT_EQ(next, par.customer_count());
}

}  // namespace
}  // namespace ltv
