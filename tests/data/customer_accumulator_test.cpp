// CustomerAccumulator: a customer's running summary state. Its totals are those of a plain
// day-by-day reading of the definition (written out below, independently), bit for bit, for
// lines in any order, split into states merged in any order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "ltv/data/customer_accumulator.hpp"

namespace ltv {
namespace {

struct Line {
  std::int32_t day;
  double amount;
  double profit;
  bool is_return;
};

/// The definition, day by day (docs/cli.md, `ltv summary`): purchase days are the days with a
/// purchase line; each return nets into the latest purchase day on or before it in its period;
/// the first calibration purchase day is left out of the monetary value. Sums are WideSum.
CustomerTotals reference(std::vector<Line> lines, const SummaryPeriods& periods) {
  struct Day {
    WideSum purchases, returns;
    bool purchase = false;
  };
  std::map<std::int32_t, Day> calibration, holdout;
  WideSum revenue, profit;
  for (const Line& l : lines) {
    if (l.day > periods.observation_end) continue;
    const bool cal = l.day <= periods.calibration_end;
    Day& d = (cal ? calibration : holdout)[l.day];
    if (cal) {
      revenue.add(l.amount);
      profit.add(l.profit);
    }
    if (l.is_return) {
      d.returns.add(l.amount);
    } else {
      d.purchases.add(l.amount);
      d.purchase = true;
    }
  }
  // Each purchase day's value: its purchases and the returns up to the next purchase day.
  auto day_values = [](const std::map<std::int32_t, Day>& days) {
    std::vector<std::pair<std::int32_t, WideSum>> values;
    for (const auto& [day, d] : days) {
      if (d.purchase) {
        values.emplace_back(day, d.purchases);
        values.back().second.add(d.returns);
      } else if (!values.empty()) {
        values.back().second.add(d.returns);
      }
    }
    return values;
  };
  const auto cal = day_values(calibration);
  const auto hold = day_values(holdout);
  CustomerTotals t;
  t.purchase_days = static_cast<std::uint32_t>(cal.size());
  if (cal.empty()) return t;
  t.first_purchase = cal.front().first;
  t.last_purchase = cal.back().first;
  t.revenue = revenue.value();
  t.profit = profit.value();
  WideSum repeat;
  for (std::size_t k = 1; k < cal.size(); ++k) repeat.add(cal[k].second);
  t.monetary_value = cal.size() > 1 ? repeat.value() / static_cast<double>(cal.size() - 1) : 0.0;
  WideSum all;
  for (const auto& [day, value] : hold) all.add(value);
  t.holdout_days = static_cast<std::uint32_t>(hold.size());
  t.monetary_value_holdout = hold.empty() ? 0.0 : all.value() / static_cast<double>(hold.size());
  return t;
}

void expect_same(const CustomerTotals& a, const CustomerTotals& b) {
  EXPECT_EQ(a.purchase_days, b.purchase_days);
  if (a.purchase_days == 0 || b.purchase_days == 0) return;
  EXPECT_EQ(a.first_purchase, b.first_purchase);
  EXPECT_EQ(a.last_purchase, b.last_purchase);
  EXPECT_EQ(a.revenue, b.revenue);
  EXPECT_EQ(a.monetary_value, b.monetary_value);
  EXPECT_EQ(a.profit, b.profit);
  EXPECT_EQ(a.holdout_days, b.holdout_days);
  EXPECT_EQ(a.monetary_value_holdout, b.monetary_value_holdout);
}

CustomerTotals totals_of(const std::vector<Line>& lines, const SummaryPeriods& periods) {
  CustomerAccumulator acc;
  for (const Line& l : lines) {
    EXPECT_TRUE(acc.add(periods, l.day, l.amount, l.profit, l.is_return));
  }
  CustomerTotals t;
  EXPECT_TRUE(acc.totals(periods, t));
  return t;
}

/// A customer with many days, several lines on some days, returns before and after purchases
/// (also before the first purchase, and on days without a purchase), lines in the holdout and
/// after the observation end.
std::vector<Line> busy_customer(unsigned seed, int lines) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> day(0, 120), cents(1, 40000), kind(0, 9);
  std::vector<Line> v;
  for (int i = 0; i < lines; ++i) {
    const double amount = cents(rng) / 100.0;
    const bool ret = kind(rng) == 0;
    v.push_back(Line{day(rng), ret ? -amount / 2 : amount, amount * 0.25, ret});
  }
  return v;
}

TEST(CustomerAccumulator, HandWorkedExample) {
  // Day 1: 10 and 5 (one purchase day); day 3: 20; day 4: a return of 5 (nets into day 3);
  // day 7: 30. Frequency 2, monetary (20 - 5 + 30) / 2 = 22.5, revenue 60.
  const SummaryPeriods all;
  const CustomerTotals t = totals_of(
      {{7, 30, 0, false}, {4, -5, 0, true}, {1, 10, 0, false}, {3, 20, 0, false}, {1, 5, 0, false}},
      all);
  EXPECT_EQ(t.purchase_days, 3u);
  EXPECT_EQ(t.first_purchase, 1);
  EXPECT_EQ(t.last_purchase, 7);
  EXPECT_EQ(t.monetary_value, 22.5);
  EXPECT_EQ(t.revenue, 60.0);
  // A return on the first purchase day's stretch (day 2, before the second purchase day) nets
  // into the first day: not in the monetary value, but in the revenue.
  const CustomerTotals u = totals_of({{1, 10, 0, false}, {2, -4, 0, true}, {5, 8, 0, false}}, all);
  EXPECT_EQ(u.monetary_value, 8.0);
  EXPECT_EQ(u.revenue, 14.0);
  // Holdout: calibration ends on day 3; a holdout return before the first holdout purchase is
  // left out, one after it nets in.
  SummaryPeriods split;
  split.calibration_end = 3;
  split.observation_end = 20;
  const CustomerTotals h = totals_of({{1, 10, 0, false},
                                      {4, -1, 0, true},
                                      {6, 12, 0, false},
                                      {6, 4, 0, false},
                                      {9, -2, 0, true},
                                      {15, 6, 0, false},
                                      {21, 99, 0, false}},
                                     split);
  EXPECT_EQ(h.purchase_days, 1u);
  EXPECT_EQ(h.holdout_days, 2u);
  EXPECT_EQ(h.monetary_value_holdout, (12 + 4 - 2 + 6) / 2.0);
  // Only returns, or only lines after the calibration end: no calibration purchase.
  EXPECT_EQ(totals_of({{1, -3, 0, true}}, all).purchase_days, 0u);
  EXPECT_EQ(totals_of({{5, 3, 0, false}}, split).purchase_days, 0u);
}

TEST(CustomerAccumulator, EqualsTheDefinitionInAnyOrder) {
  SummaryPeriods split;
  split.calibration_end = 80;
  split.observation_end = 110;
  for (unsigned seed = 1; seed <= 40; ++seed) {
    SCOPED_TRACE(seed);
    std::vector<Line> lines = busy_customer(seed, 1 + static_cast<int>(seed * 7 % 90));
    for (const SummaryPeriods& periods : {SummaryPeriods{}, split}) {
      const CustomerTotals want = reference(lines, periods);
      std::mt19937 rng(seed);
      for (int round = 0; round < 6; ++round) {
        if (round == 1) {  // by day, as a date-ordered export
          std::stable_sort(lines.begin(), lines.end(),
                           [](const Line& a, const Line& b) { return a.day < b.day; });
        } else if (round == 2) {  // reversed
          std::reverse(lines.begin(), lines.end());
        } else if (round > 2) {
          std::shuffle(lines.begin(), lines.end(), rng);
        }
        expect_same(totals_of(lines, periods), want);
      }
    }
  }
}

TEST(CustomerAccumulator, MergedStatesEqualOneState) {
  SummaryPeriods split;
  split.calibration_end = 70;
  split.observation_end = 100;
  for (unsigned seed = 1; seed <= 30; ++seed) {
    SCOPED_TRACE(seed);
    std::vector<Line> lines = busy_customer(seed + 100, 5 + static_cast<int>(seed * 11 % 70));
    std::mt19937 rng(seed);
    std::shuffle(lines.begin(), lines.end(), rng);
    const CustomerTotals want = reference(lines, split);
    // Three states over a random split of the lines, merged in two orders.
    std::uniform_int_distribution<int> pick(0, 2);
    std::vector<CustomerAccumulator> parts(3);
    for (const Line& l : lines) {
      ASSERT_TRUE(parts[static_cast<std::size_t>(pick(rng))].add(split, l.day, l.amount, l.profit,
                                                                 l.is_return));
    }
    CustomerAccumulator forward = parts[0];
    ASSERT_TRUE(forward.merge(split, parts[1]));
    ASSERT_TRUE(forward.merge(split, parts[2]));
    CustomerAccumulator backward = parts[2];
    ASSERT_TRUE(backward.merge(split, parts[1]));
    ASSERT_TRUE(backward.merge(split, parts[0]));
    for (const CustomerAccumulator* acc : {&forward, &backward}) {
      CustomerTotals t;
      ASSERT_TRUE(acc->totals(split, t));
      expect_same(t, want);
    }
    // A state split by date (yesterday's state and today's batch), as a store ingests.
    std::stable_sort(lines.begin(), lines.end(),
                     [](const Line& a, const Line& b) { return a.day < b.day; });
    CustomerAccumulator before, batch;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      CustomerAccumulator& to = i < lines.size() / 2 ? before : batch;
      ASSERT_TRUE(
          to.add(split, lines[i].day, lines[i].amount, lines[i].profit, lines[i].is_return));
    }
    ASSERT_TRUE(before.merge(split, batch));
    CustomerTotals t;
    ASSERT_TRUE(before.totals(split, t));
    expect_same(t, want);
  }
}

TEST(CustomerAccumulator, RefusesValuesBeyondExactSumAndTheWideStateTakesThem) {
  const SummaryPeriods all;
  CustomerAccumulator acc;
  ASSERT_TRUE(acc.add(all, 1, 10.0, 0, false));
  EXPECT_FALSE(acc.add(all, 2, 1e-30, 0, false));
  EXPECT_FALSE(acc.add(all, 2, 5.0, 1e300, false));  // the profit
  CustomerTotals t;
  ASSERT_TRUE(acc.totals(all, t));
  EXPECT_EQ(t.purchase_days, 1u);  // unchanged by the refused lines
  WideCustomerAccumulator wide;
  ASSERT_TRUE(wide.add(all, 1, 10.0, 0, false));
  ASSERT_TRUE(wide.add(all, 2, 1e-30, 0, false));
  ASSERT_TRUE(wide.add(all, 3, 1e20, 0, false));
  ASSERT_TRUE(wide.totals(all, t));
  EXPECT_EQ(t.purchase_days, 3u);
  EXPECT_EQ(t.monetary_value, 1e20 / 2);
  EXPECT_EQ(t.revenue, 10.0 + 1e20);
}

}  // namespace
}  // namespace ltv
