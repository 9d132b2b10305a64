// summarize_blocks() gives summarize()'s result in pieces, and a log whose customers are
// grouped (read in place) is summarised exactly like the same lines interleaved (copied).
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "ltv/data/summary.hpp"

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

TEST(SummaryBlocks, ConcatenatedBlocksEqualTheWholeSummary) {
  const TransactionLog log = make_log(50, grouped_lines(50));
  const CustomerSummary whole = summarize(log, holdout_options());
  ASSERT_GT(whole.size(), 30u);
  ASSERT_LT(whole.size(), 50u);  // some customers start after the calibration end
  for (std::size_t block : {std::size_t{1}, std::size_t{3}, std::size_t{7}, std::size_t{1000}}) {
    CustomerSummary joined;
    std::size_t calls = 0;
    summarize_blocks(log, holdout_options(), block, [&](const CustomerSummary& b) {
      ++calls;
      if (calls == 1)
        joined = b;  // header fields and first rows
      else {
        auto append = [](auto& to, const auto& from) {
          to.insert(to.end(), from.begin(), from.end());
        };
        append(joined.customer, b.customer);
        append(joined.frequency, b.frequency);
        append(joined.recency, b.recency);
        append(joined.T, b.T);
        append(joined.monetary_value, b.monetary_value);
        append(joined.first_purchase, b.first_purchase);
        append(joined.last_purchase, b.last_purchase);
        append(joined.orders, b.orders);
        append(joined.revenue, b.revenue);
        append(joined.frequency_holdout, b.frequency_holdout);
        append(joined.monetary_value_holdout, b.monetary_value_holdout);
      }
      EXPECT_LE(b.size(), block);
      EXPECT_TRUE(b.has_holdout);
    });
    EXPECT_EQ(calls, (50 + block - 1) / block) << block;
    expect_equal(joined, whole);
  }
}

TEST(SummaryBlocks, EmptyLogGivesOneEmptyBlock) {
  std::size_t calls = 0;
  summarize_blocks(TransactionLog{}, SummaryOptions{}, 10, [&](const CustomerSummary& b) {
    ++calls;
    EXPECT_EQ(b.size(), 0u);
  });
  EXPECT_EQ(calls, 1u);
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
