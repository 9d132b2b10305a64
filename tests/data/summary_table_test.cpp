// SummaryTable gives, bit for bit, the rows of summarize() of the loaded log, in id order, for a
// file in any row order (by date, shuffled, reversed, by customer), read in one part, two or
// many; and it declines what it cannot hold, so that the caller reads a log instead.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
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
using test::reordered;
using test::sorted_text;

std::string write_file(const std::string& name, const std::string& text) {
  return test::write_file("summary_table", name, text);
}

struct Tabled {
  int parts = 0;
  bool joined = false;
  std::vector<std::string> ids;
  CustomerSummary rows;
  std::size_t customers_loaded = 0;
  LoadReport report;
};

/// The table's rows, built in ranges of 7 customers.
Tabled table(const std::string& path, const LoadOptions& lo, const SummaryOptions& so) {
  Tabled out;
  SummaryTable t(so);
  out.parts =
      stream_transactions(path, lo, out.report, [&](int k) -> RowSink& { return t.part(k); });
  if (out.parts == 0 || !t.join(out.parts)) return out;
  out.joined = true;
  out.customers_loaded = t.customers_loaded();
  t.finish(LoadedDays{out.report.first_day, out.report.last_day});
  out.rows = t.header();
  CustomerSummary range;
  for (std::size_t begin = 0; begin < t.customers(); begin += 7) {
    t.build(begin, begin + 7, range);
    auto append = [](auto& x, const auto& y) { x.insert(x.end(), y.begin(), y.end()); };
    for (std::uint32_t c : range.customer) out.ids.emplace_back(t.customer_id(c));
    append(out.rows.customer, range.customer);
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

/// summarize() of the loaded log with its rows put in id order.
struct Expected {
  std::vector<std::string> ids;
  CustomerSummary rows;
  std::size_t customers = 0;
  LoadReport report;
};

Expected expected(const std::string& path, const LoadOptions& lo, const SummaryOptions& so) {
  Expected e;
  const TransactionLog log = load_transactions(path, lo, e.report);
  e.customers = log.customer_count();
  const CustomerSummary s = summarize(log, so);
  const std::vector<std::uint32_t> order = sort_by_id(
      s.size(),
      [&](std::uint32_t i) -> std::string_view { return log.customer_ids[s.customer[i]]; });
  e.rows = s;
  auto permute = [&](auto& column, const auto& from) {
    if (from.empty()) return;
    for (std::size_t k = 0; k < order.size(); ++k) column[k] = from[order[k]];
  };
  permute(e.rows.frequency, s.frequency);
  permute(e.rows.recency, s.recency);
  permute(e.rows.T, s.T);
  permute(e.rows.monetary_value, s.monetary_value);
  permute(e.rows.first_purchase, s.first_purchase);
  permute(e.rows.last_purchase, s.last_purchase);
  permute(e.rows.orders, s.orders);
  permute(e.rows.revenue, s.revenue);
  permute(e.rows.profit, s.profit);
  permute(e.rows.frequency_holdout, s.frequency_holdout);
  permute(e.rows.monetary_value_holdout, s.monetary_value_holdout);
  for (std::uint32_t i : order) e.ids.push_back(log.customer_ids[s.customer[i]]);
  return e;
}

void expect_same_as_log(const std::string& path, const LoadOptions& lo, const SummaryOptions& so,
                        int min_parts) {
  const Expected want = expected(path, lo, so);
  const Tabled got = table(path, lo, so);
  ASSERT_GE(got.parts, min_parts);
  ASSERT_TRUE(got.joined);
  EXPECT_EQ(got.customers_loaded, want.customers);
  EXPECT_EQ(got.report.rows_loaded, want.report.rows_loaded);
  EXPECT_EQ(got.report.return_rows, want.report.return_rows);
  const CustomerSummary& s = got.rows;
  const CustomerSummary& w = want.rows;
  EXPECT_EQ(s.calibration_end, w.calibration_end);
  EXPECT_EQ(s.observation_end, w.observation_end);
  EXPECT_EQ(s.has_holdout, w.has_holdout);
  EXPECT_EQ(s.has_profit, w.has_profit);
  EXPECT_EQ(got.ids, want.ids);
  EXPECT_EQ(s.frequency, w.frequency);
  EXPECT_EQ(s.recency, w.recency);
  EXPECT_EQ(s.T, w.T);
  EXPECT_EQ(s.monetary_value, w.monetary_value);
  EXPECT_EQ(s.first_purchase, w.first_purchase);
  EXPECT_EQ(s.last_purchase, w.last_purchase);
  EXPECT_EQ(s.orders, w.orders);
  EXPECT_EQ(s.revenue, w.revenue);
  EXPECT_EQ(s.profit, w.profit);
  EXPECT_EQ(s.frequency_holdout, w.frequency_holdout);
  EXPECT_EQ(s.monetary_value_holdout, w.monetary_value_holdout);
}

std::vector<SummaryOptions> summary_cases() {
  std::vector<SummaryOptions> cases(3);
  cases[1].calibration_end = parse_date("2021-09-30", "--calibration-end");
  cases[2].calibration_end = parse_date("2021-06-15", "--calibration-end");
  cases[2].observation_end = parse_date("2021-10-20", "--observation-end");
  cases[2].time_unit = TimeUnit::month;
  return cases;
}

TEST(SummaryTable, SameRowsAsTheLogInEveryOrder) {
  const std::string text = sorted_text(301);
  for (const std::string order : {"date", "shuffled", "reversed", "customer"}) {
    SCOPED_TRACE(order);
    const std::string path =
        write_file(order + ".csv", order == "customer" ? text : reordered(text, order));
    for (const SummaryOptions& so : summary_cases()) {
      expect_same_as_log(path, load_options(1, true), so, 1);        // one part
      expect_same_as_log(path, load_options(2), so, 2);              // two halves
      expect_same_as_log(path, load_options(2, true, 3000), so, 3);  // many parts
    }
  }
}

TEST(SummaryTable, ManyCustomersLongIdsAndBusyCustomers) {
  // 40,000 customers (the shards' tables grow several times), ids longer than the 15 bytes kept
  // inline that share their first 30 bytes, and customers with dozens of purchase days (their
  // other days in the shard's set), in date order and shuffled.
  std::string text = "customer,date,amount,quantity,cost\n";
  for (int c = 0; c < 40000; ++c) {
    const std::string id =
        c % 3 == 0 ? fmt::format("{}", c) : fmt::format("customer-of-a-long-export-{:08}", c);
    const int lines = c % 97 == 0 ? 60 : 1 + c % 4;
    for (int k = 0; k < lines; ++k) {
      const int day = (c * 7 + k * 13) % 300;
      text +=
          fmt::format("{},2021-{:02}-{:02},{:.2f},{},1\n", id, 1 + day / 28, 1 + day % 28,
                      (k % 5 == 4 ? -1 : 1) * (0.05 + (c + k) % 900 / 7.0), k % 5 == 4 ? -1 : 1);
    }
  }
  for (const std::string order : {"date", "shuffled"}) {
    SCOPED_TRACE(order);
    const std::string path = write_file("many_" + order + ".csv", reordered(text, order));
    expect_same_as_log(path, load_options(2, true, 200000), summary_cases()[1], 3);
  }
}

TEST(SummaryTable, DeclinesOrderIdsAndValuesBeyondExactSums) {
  const std::string text = reordered(sorted_text(40), "shuffled");
  LoadOptions with_orders = load_options(2);
  with_orders.columns.order = "cost";
  EXPECT_FALSE(table(write_file("orders.csv", text), with_orders, {}).joined);
  // An amount of 1e-30 is not a multiple of 2^-72: only the log's wide sums hold it.
  const std::string tiny = text + "C000007,2021-03-04,1e-30,1,0\n";
  const std::string path = write_file("tiny.csv", tiny);
  EXPECT_FALSE(table(path, load_options(1), {}).joined);
  EXPECT_FALSE(table(path, load_options(2), {}).joined);
  // stdin cannot be read twice.
  SummaryTable t{SummaryOptions{}};
  LoadReport report;
  EXPECT_EQ(stream_transactions("-", load_options(2), report,
                                [&](int k) -> RowSink& { return t.part(k); }),
            0);
}

TEST(SummaryTable, ErrorsAndSkippedRowsAreThoseOfTheLoad) {
  std::string text = reordered(sorted_text(200), "date");
  // A bad date in a middle part: with --on-error fail the same message as the log's; with skip
  // the same counts and rows (the part read again for its line numbers is not counted twice).
  // (Not on the first line of a part: a part that starts with a bad date cannot tell its format.)
  std::size_t at = text.find('\n', text.size() * 3 / 5 + 123) + 1;
  for (int k = 0; k < 5; ++k) at = text.find('\n', at) + 1;
  at = text.find("2021-", at);
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
  for (std::size_t part_bytes : {std::size_t{0}, std::size_t{2000}}) {
    SCOPED_TRACE(part_bytes);
    EXPECT_EQ(message([&] { table(path, load_options(2, false, part_bytes), {}); }), log_error);
    LoadOptions skip = load_options(2, false, part_bytes);
    skip.on_error = ErrorPolicy::skip;
    const Tabled got = table(path, skip, {});
    ASSERT_TRUE(got.joined);
    ASSERT_EQ(got.report.skipped.size(), 1u);
    EXPECT_EQ(got.report.skipped[0].count, 1);
    expect_same_as_log(path, skip, SummaryOptions{}, 2);
  }
}

TEST(SummaryTable, ReadRepeatedSequentiallyForgetsThePartsRows) {
  // The parts after the first start with dates in another format: the parallel read is given up
  // and the file read again sequentially (rows in that format are skipped, as a sequential read
  // skips them). The table must forget what the parallel read gave it.
  std::string text = reordered(sorted_text(120), "shuffled");
  const std::size_t half = text.find('\n', text.size() / 3) + 1;
  std::string tail = text.substr(half);
  for (std::size_t at = tail.find(",2021-"); at != std::string::npos;
       at = tail.find(",2021-", at + 1)) {
    tail.replace(at + 1, 10,
                 fmt::format("{}{}{}", tail.substr(at + 1, 4), tail.substr(at + 6, 2),
                             tail.substr(at + 9, 2)));
  }
  const std::string path = write_file("formats.csv", text.substr(0, half) + tail);
  LoadOptions skip = load_options(2);
  skip.on_error = ErrorPolicy::skip;
  const Tabled got = table(path, skip, {});
  ASSERT_TRUE(got.joined);
  EXPECT_EQ(got.parts, 1);  // read sequentially
  ASSERT_FALSE(got.report.skipped.empty());
  expect_same_as_log(path, skip, SummaryOptions{}, 1);
}

TEST(SummaryTable, CalibrationEndBeforeEveryPurchaseThrowsLikeSummarize) {
  const std::string path = write_file("early.csv", reordered(sorted_text(30), "date"));
  SummaryOptions so;
  so.calibration_end = parse_date("2020-12-31", "--calibration-end");
  SummaryTable t(so);
  LoadReport report;
  const int parts = stream_transactions(path, load_options(2), report,
                                        [&](int k) -> RowSink& { return t.part(k); });
  ASSERT_EQ(parts, 2);
  ASSERT_TRUE(t.join(parts));
  EXPECT_EQ(t.customers(), 0u);
  EXPECT_THROW(t.finish(LoadedDays{report.first_day, report.last_day}), InputError);
}

}  // namespace
}  // namespace ltv
