// SummaryStream gives, bit for bit, summarize() of the loaded log when a file comes customer by
// customer in output (id) order (read in one part, two, or many, with customers on both sides of
// the splits and one customer spanning many parts), and declines every other order, so that the
// caller reads the file another way.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/io/load.hpp"
#include "summary_files.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

using test::load_options;
using test::sorted_text;

std::string write_file(const std::string& name, const std::string& text) {
  return test::write_file("summary_stream", name, text);
}

struct Streamed {
  int parts = 0;
  bool joined = false;
  CustomerSummary rows;
  std::vector<std::string> ids;
  std::size_t customers_loaded = 0;
  LoadReport report;
};

/// The stream's rows, built in ranges of 7 customers (ranges that span both parts).
Streamed stream(const std::string& path, const LoadOptions& lo, const SummaryOptions& so) {
  Streamed out;
  SummaryStream s(so);
  out.parts =
      stream_transactions(path, lo, out.report, [&](int k) -> RowSink& { return s.part(k); });
  if (out.parts == 0 || !s.join(out.parts)) return out;
  out.joined = true;
  out.customers_loaded = s.customers_loaded();
  s.finish(LoadedDays{out.report.first_day, out.report.last_day});
  CustomerSummary range;
  out.rows = s.header();
  for (std::size_t begin = 0; begin < s.customers(); begin += 7) {
    s.build(begin, begin + 7, range);
    auto append = [](auto& x, const auto& y) { x.insert(x.end(), y.begin(), y.end()); };
    for (std::uint32_t c : range.customer) out.ids.emplace_back(s.customer_id(c));
    append(out.rows.frequency, range.frequency);
    append(out.rows.recency, range.recency);
    append(out.rows.T, range.T);
    append(out.rows.monetary_value, range.monetary_value);
    append(out.rows.first_purchase, range.first_purchase);
    append(out.rows.last_purchase, range.last_purchase);
    append(out.rows.orders, range.orders);
    append(out.rows.revenue, range.revenue);
    append(out.rows.profit, range.profit);
    append(out.rows.frequency_holdout, range.frequency_holdout);
    append(out.rows.monetary_value_holdout, range.monetary_value_holdout);
  }
  return out;
}

/// Streams `path` and compares with summarize() of the loaded log, column by column (doubles
/// compared exactly). `expected_parts` 0: more than 2.
void expect_same_as_log(const std::string& path, const LoadOptions& lo, const SummaryOptions& so,
                        int expected_parts) {
  LoadReport log_report;
  const TransactionLog log = load_transactions(path, lo, log_report);
  const CustomerSummary want = summarize(log, so);
  const Streamed got = stream(path, lo, so);
  if (expected_parts > 0) {
    ASSERT_EQ(got.parts, expected_parts);
  } else {
    ASSERT_GT(got.parts, 2);
  }
  ASSERT_TRUE(got.joined);
  EXPECT_EQ(got.customers_loaded, log.customer_count());
  EXPECT_EQ(got.report.rows_loaded, log_report.rows_loaded);
  EXPECT_EQ(got.report.return_rows, log_report.return_rows);
  if (expected_parts > 0) {
    EXPECT_EQ(got.report.total_amount, log_report.total_amount);
  } else {  // the report's total (printed with 2 decimals) adds the parts' sums in another grouping
    EXPECT_NEAR(got.report.total_amount, log_report.total_amount,
                1e-12 * std::abs(log_report.total_amount));
  }
  const CustomerSummary& s = got.rows;
  EXPECT_EQ(s.calibration_end, want.calibration_end);
  EXPECT_EQ(s.observation_end, want.observation_end);
  EXPECT_EQ(s.has_holdout, want.has_holdout);
  EXPECT_EQ(s.has_amount, want.has_amount);
  EXPECT_EQ(s.has_profit, want.has_profit);
  EXPECT_EQ(s.duration_holdout, want.duration_holdout);
  std::vector<std::string> want_ids;
  for (std::uint32_t c : want.customer) want_ids.push_back(log.customer_ids[c]);
  EXPECT_EQ(got.ids, want_ids);
  EXPECT_EQ(s.frequency, want.frequency);
  EXPECT_EQ(s.recency, want.recency);
  EXPECT_EQ(s.T, want.T);
  EXPECT_EQ(s.monetary_value, want.monetary_value);
  EXPECT_EQ(s.first_purchase, want.first_purchase);
  EXPECT_EQ(s.last_purchase, want.last_purchase);
  EXPECT_EQ(s.orders, want.orders);
  EXPECT_EQ(s.revenue, want.revenue);
  EXPECT_EQ(s.profit, want.profit);
  EXPECT_EQ(s.frequency_holdout, want.frequency_holdout);
  EXPECT_EQ(s.monetary_value_holdout, want.monetary_value_holdout);
}

std::vector<SummaryOptions> summary_cases() {
  std::vector<SummaryOptions> cases(4);
  cases[1].calibration_end = parse_date("2021-09-30", "--calibration-end");
  cases[2].calibration_end = parse_date("2021-06-15", "--calibration-end");
  cases[2].observation_end = parse_date("2021-10-20", "--observation-end");
  cases[3].calibration_end = parse_date("2021-12-31", "--calibration-end");  // after every line
  cases[3].time_unit = TimeUnit::month;
  return cases;
}

TEST(SummaryStream, SameRowsAsTheLogInOnePartAndInTwo) {
  const std::string path = write_file("sorted.csv", sorted_text(301));
  for (const SummaryOptions& so : summary_cases()) {
    for (bool cost : {false, true}) {
      SCOPED_TRACE(cost ? "with cost" : "without cost");
      expect_same_as_log(path, load_options(1, cost), so, 1);
      expect_same_as_log(path, load_options(2, cost), so, 2);
    }
  }
}

TEST(SummaryStream, SameRowsAsTheLogInManyParts) {
  // Parts of 64 bytes to 5 kB (up to 64 parts): the long customer spans many parts, and parts
  // start inside customers and between them.
  const std::string path = write_file("sorted_many.csv", sorted_text(301));
  for (std::size_t part_bytes : {64, 700, 5000}) {
    SCOPED_TRACE(part_bytes);
    for (const SummaryOptions& so : summary_cases()) {
      expect_same_as_log(path, load_options(2, true, part_bytes), so, 0);
    }
  }
  for (int customers = 2; customers <= 14; customers += 3) {
    SCOPED_TRACE(customers);
    const std::string small =
        write_file("small" + std::to_string(customers) + ".csv", sorted_text(customers));
    expect_same_as_log(small, load_options(2, false, 64), SummaryOptions{}, 0);
  }
}

TEST(SummaryStream, SplitAtEveryKindOfBoundary) {
  // Files of 2 to 40 customers: the split of the two-part read falls inside the long customer,
  // between customers, or (2 customers) with one customer on each side.
  for (int customers = 2; customers <= 40; customers += 3) {
    SCOPED_TRACE(customers);
    const std::string path =
        write_file("sorted" + std::to_string(customers) + ".csv", sorted_text(customers));
    expect_same_as_log(path, load_options(2), SummaryOptions{}, 2);
    expect_same_as_log(path, load_options(2), summary_cases()[2], 2);
  }
}

TEST(SummaryStream, AcceptsIdsInOutputOrderOnly) {
  // 1, 2, ..., 10, 11 (shorter first: the order of the output) is taken; "k1", "k10", "k100",
  // "k11" (byte by byte) is declined, since the output would need another order.
  const std::string numeric =
      write_file("numeric.csv", sorted_text(150, [](int c) { return std::to_string(c + 1); }));
  expect_same_as_log(numeric, load_options(2), SummaryOptions{}, 2);
  std::vector<std::string> ids;
  for (int c = 0; c < 150; ++c) ids.push_back(fmt::format("k{}", c));
  std::sort(ids.begin(), ids.end());
  const std::string bytewise =
      write_file("bytewise.csv", sorted_text(150, [&](int c) { return ids[c]; }));
  EXPECT_FALSE(stream(bytewise, load_options(2), SummaryOptions{}).joined);
}

/// True when the stream declined the file (so the caller must read a log).
bool declined(const std::string& name, const std::string& text, const LoadOptions& lo) {
  const std::string path = write_file(name, text);
  return !stream(path, lo, SummaryOptions{}).joined;
}

TEST(SummaryStream, DeclinesEveryOtherOrder) {
  const std::string head = "customer,date,amount,quantity,cost\n";
  for (int threads : {1, 2, 3}) {
    SCOPED_TRACE(threads);
    // 3: two threads over parts of 16 bytes (64 parts; in the short files, most are empty).
    const LoadOptions lo = load_options(std::min(threads, 2), false, threads == 3 ? 16 : 0);
    // A customer coming back after another one.
    EXPECT_TRUE(declined(
        "back.csv", head + "a,2021-01-01,1,1,0\nb,2021-01-02,1,1,0\na,2021-01-03,1,1,0\n", lo));
    // Decreasing ids.
    EXPECT_TRUE(declined("down.csv", head + "b,2021-01-01,1,1,0\na,2021-01-02,1,1,0\n", lo));
    // Increasing in one order and then in the other: 10 -> 9 (bytewise), 9 -> 10 (shorter first).
    EXPECT_TRUE(declined(
        "mixed.csv", head + "10,2021-01-01,1,1,0\n9,2021-01-02,1,1,0\n10,2021-01-03,1,1,0\n", lo));
    // Sorted by date (the usual export): customers interleave.
    std::string by_date = head;
    for (int d = 1; d <= 28; ++d) {
      for (int c = 0; c < 40; ++c) {
        by_date += fmt::format("c{},2021-02-{:02},2.5,1,0\n", c, d);
      }
    }
    EXPECT_TRUE(declined("by_date.csv", by_date, lo));
    // Each part in order, but the second part's customers sort before the first part's.
    std::string swapped = head;
    for (int k = 0; k < 300; ++k) swapped += fmt::format("z{},2021-01-05,1,1,0\n", 1000 + k);
    for (int k = 0; k < 300; ++k) swapped += fmt::format("a{},2021-01-05,1,1,0\n", 1000 + k);
    EXPECT_TRUE(declined("swapped.csv", swapped, lo));
  }
  // An order id column (orders would need a distinct count per customer).
  LoadOptions with_orders = load_options(2);
  with_orders.columns.order = "cost";
  EXPECT_TRUE(declined("orders.csv", sorted_text(20), with_orders));
  // stdin cannot be read twice: nothing is read, the caller reads the log.
  SummaryStream s{SummaryOptions{}};
  LoadReport report;
  EXPECT_EQ(stream_transactions("-", load_options(2), report,
                                [&](int k) -> RowSink& { return s.part(k); }),
            0);
  EXPECT_EQ(report.rows_read, 0);
}

TEST(SummaryStream, ErrorsAndSkippedRowsAreThoseOfTheLoad) {
  std::string text = sorted_text(200);
  // A bad date in the second half: with --on-error fail both reads throw the same message.
  const std::size_t at = text.find("2021-", text.size() * 3 / 4);
  text.replace(at, 10, "2021-13-45");
  const std::string path = write_file("bad_date.csv", text);
  auto message = [](auto&& read) -> std::string {
    try {
      read();
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  const std::string log_error = message([&] {
    LoadReport r;
    load_transactions(path, load_options(2), r);
  });
  EXPECT_NE(log_error, "no error");
  // Two halves (the bad row in the last part), and parts of 2 kB (in a middle part).
  for (std::size_t part_bytes : {std::size_t{0}, std::size_t{2000}}) {
    SCOPED_TRACE(part_bytes);
    const std::string stream_error =
        message([&] { stream(path, load_options(2, false, part_bytes), {}); });
    EXPECT_EQ(stream_error, log_error);
    // With --on-error skip the counts and examples agree, and so do the rows.
    LoadOptions skip = load_options(2, false, part_bytes);
    skip.on_error = ErrorPolicy::skip;
    LoadReport log_report;
    load_transactions(path, skip, log_report);
    const Streamed got = stream(path, skip, {});
    ASSERT_TRUE(got.joined);
    ASSERT_EQ(got.report.skipped.size(), 1u);
    ASSERT_EQ(log_report.skipped.size(), 1u);
    EXPECT_EQ(got.report.skipped[0].count, 1);
    EXPECT_EQ(got.report.skipped[0].examples, log_report.skipped[0].examples);
    expect_same_as_log(path, skip, SummaryOptions{}, part_bytes == 0 ? 2 : 0);
  }
}

TEST(SummaryStream, CalibrationEndBeforeEveryPurchaseThrowsLikeSummarize) {
  const std::string path = write_file("early.csv", sorted_text(30));
  SummaryOptions so;
  so.calibration_end = parse_date("2020-12-31", "--calibration-end");
  SummaryStream s(so);
  LoadReport report;
  const int parts = stream_transactions(path, load_options(2), report,
                                        [&](int k) -> RowSink& { return s.part(k); });
  ASSERT_EQ(parts, 2);
  ASSERT_TRUE(s.join(parts));
  EXPECT_THROW(s.finish(LoadedDays{report.first_day, report.last_day}), InputError);
}

}  // namespace
}  // namespace ltv
