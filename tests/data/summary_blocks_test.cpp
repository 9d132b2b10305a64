// SummaryBuilder gives summarize()'s result in ranges (also built on two threads at once), and a
// log whose customers are grouped (read in place) is summarised exactly like the same lines
// interleaved (copied).
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"

namespace ltv {
namespace {

struct Line {
  std::uint32_t customer;
  std::int32_t day;
  double amount;
  double quantity;
};

TransactionLog make_log(std::size_t customers, const std::vector<Line>& lines) {
  TransactionLog log;
  for (std::size_t c = 0; c < customers; ++c) {
    std::string id = std::to_string(c);
    log.customer_ids.push_back(id.insert(0, 1, 'c'));
  }
  for (const Line& l : lines) {
    log.customer.push_back(l.customer);
    log.day.push_back(l.day);
    log.amount.push_back(l.amount);
    log.quantity.push_back(l.quantity);
  }
  return log;
}

/// Customer c buys on days c % 5, c % 5 + 7, ... (c % 4 + 1 lines, one a return); every
/// seventh customer starts after day 30 (dropped with a calibration end at day 30).
std::vector<Line> grouped_lines(std::size_t customers) {
  std::vector<Line> lines;
  for (std::uint32_t c = 0; c < customers; ++c) {
    const std::int32_t start = static_cast<std::int32_t>(c % 7 == 3 ? 40 : c % 5);
    for (std::uint32_t k = 0; k <= c % 4; ++k) {
      const bool ret = k == 2;
      lines.push_back({c, start + static_cast<std::int32_t>(7 * k), ret ? -3.5 : 10.0 + c % 3 + k,
                       ret ? -1.0 : 1.0});
    }
    lines.push_back({c, start + 50, 4.25, 1.0});  // after the calibration end
  }
  return lines;
}

void expect_equal(const CustomerSummary& a, const CustomerSummary& b) {
  EXPECT_EQ(a.calibration_end, b.calibration_end);
  EXPECT_EQ(a.observation_end, b.observation_end);
  EXPECT_EQ(a.has_holdout, b.has_holdout);
  EXPECT_EQ(a.customer, b.customer);
  EXPECT_EQ(a.frequency, b.frequency);
  EXPECT_EQ(a.recency, b.recency);
  EXPECT_EQ(a.T, b.T);
  EXPECT_EQ(a.monetary_value, b.monetary_value);
  EXPECT_EQ(a.first_purchase, b.first_purchase);
  EXPECT_EQ(a.last_purchase, b.last_purchase);
  EXPECT_EQ(a.orders, b.orders);
  EXPECT_EQ(a.revenue, b.revenue);
  EXPECT_EQ(a.frequency_holdout, b.frequency_holdout);
  EXPECT_EQ(a.monetary_value_holdout, b.monetary_value_holdout);
  EXPECT_EQ(a.duration_holdout, b.duration_holdout);
}

SummaryOptions holdout_options() {
  SummaryOptions o;
  o.calibration_end = 30;
  o.observation_end = 80;
  return o;
}

void append_rows(CustomerSummary& to, const CustomerSummary& from) {
  auto append = [](auto& x, const auto& y) { x.insert(x.end(), y.begin(), y.end()); };
  append(to.customer, from.customer);
  append(to.frequency, from.frequency);
  append(to.recency, from.recency);
  append(to.T, from.T);
  append(to.monetary_value, from.monetary_value);
  append(to.first_purchase, from.first_purchase);
  append(to.last_purchase, from.last_purchase);
  append(to.orders, from.orders);
  append(to.revenue, from.revenue);
  append(to.frequency_holdout, from.frequency_holdout);
  append(to.monetary_value_holdout, from.monetary_value_holdout);
}

TEST(SummaryBlocks, ConcatenatedRangesEqualTheWholeSummary) {
  const TransactionLog log = make_log(50, grouped_lines(50));
  const CustomerSummary whole = summarize(log, holdout_options());
  ASSERT_GT(whole.size(), 30u);
  ASSERT_LT(whole.size(), 50u);  // some customers start after the calibration end
  const SummaryBuilder builder(log, holdout_options());
  ASSERT_EQ(builder.customers(), 50u);
  EXPECT_TRUE(builder.header().has_holdout);
  EXPECT_EQ(builder.header().size(), 0u);
  for (std::size_t block : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{1000}}) {
    CustomerSummary joined = builder.header();
    CustomerSummary part;  // reused from range to range, as the summary command does
    for (std::size_t begin = 0; begin < builder.customers(); begin += block) {
      builder.build(begin, begin + block, part);
      EXPECT_LE(part.size(), block);
      EXPECT_TRUE(part.has_holdout);
      EXPECT_EQ(part.calibration_end, whole.calibration_end);
      append_rows(joined, part);
    }
    expect_equal(joined, whole);
  }
}

TEST(SummaryBlocks, RangesBuiltOnTwoThreadsAtOnceEqualTheWholeSummary) {
  const TransactionLog log = make_log(400, grouped_lines(400));
  const CustomerSummary whole = summarize(log, holdout_options());
  const SummaryBuilder builder(log, holdout_options());
  CustomerSummary first, second;
  std::thread other([&] { builder.build(123, 400, second); });
  builder.build(0, 123, first);
  other.join();
  append_rows(first, second);
  expect_equal(first, whole);
}

TEST(SummaryBlocks, EmptyLogHasNoCustomers) {
  const TransactionLog empty;
  const SummaryBuilder builder(empty, SummaryOptions{});
  EXPECT_EQ(builder.customers(), 0u);
  CustomerSummary part;
  builder.build(0, 10, part);
  EXPECT_EQ(part.size(), 0u);
}

TEST(SummaryBlocks, ACalibrationEndBeforeEveryPurchaseIsRejected) {
  const TransactionLog log = make_log(5, grouped_lines(5));
  SummaryOptions o;
  o.calibration_end = -10;
  EXPECT_THROW(SummaryBuilder(log, o), InputError);
}

TEST(SummaryBlocks, GroupedAndInterleavedLinesGiveTheSameSummary) {
  const std::vector<Line> grouped = grouped_lines(40);
  // Interleave: a stable sort by day keeps each customer's lines in their order.
  std::vector<Line> interleaved = grouped;
  std::stable_sort(interleaved.begin(), interleaved.end(),
                   [](const Line& a, const Line& b) { return a.day < b.day; });
  // Codes must still be in order of first appearance for a log to be "grouped": renumber.
  const TransactionLog a = make_log(40, grouped);
  const TransactionLog b = make_log(40, interleaved);
  ASSERT_TRUE(std::is_sorted(a.customer.begin(), a.customer.end()));
  ASSERT_FALSE(std::is_sorted(b.customer.begin(), b.customer.end()));
  expect_equal(summarize(a, holdout_options()), summarize(b, holdout_options()));
  expect_equal(summarize(a, SummaryOptions{}), summarize(b, SummaryOptions{}));
}

}  // namespace
}  // namespace ltv
