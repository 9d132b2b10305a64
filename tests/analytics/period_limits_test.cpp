// Dense per-period tables are bounded: a date span that would need gigabytes is a clear error
// naming the option to change, never an allocation that takes the machine down.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>

#include "analytics_fixture.hpp"
#include "ltv/analytics/cac.hpp"
#include "ltv/analytics/cohorts.hpp"
#include "ltv/analytics/kpis.hpp"
#include "ltv/error.hpp"

namespace ltv {
namespace {

TransactionLog two_centuries() {
  return test::make_log({{"a", "1900-01-01", 10, "o1", "web"},
                         {"b", "2010-06-01", 20, "o2", "web"},
                         {"a", "2100-12-31", 5, "o3", "shop"}});
}

TEST(PeriodLimits, DailyCohortsOverTwoCenturiesAreAClearError) {
  CohortOptions o;
  o.period = PeriodUnit::day;
  try {
    (void)build_cohorts(two_centuries(), o);
    FAIL() << "no error";
  } catch (const InputError& e) {
    const std::string m = e.what();
    EXPECT_EQ(m.rfind("parameter period: found 'day', expected a period long enough for a cohort "
                      "table of at most 256 MiB (73414 day periods from 1900-01-01 to 2100-12-31",
                      0),
              0u)
        << m;
  }
  // Yearly cohorts over the same span are small and fine.
  o.period = PeriodUnit::year;
  EXPECT_FALSE(build_cohorts(two_centuries(), o).cells.empty());
}

TEST(PeriodLimits, DailyKpisOverTwoCenturiesWithManyGroupsAreAClearError) {
  KpiOptions o;
  o.period = PeriodUnit::day;
  o.breakdown = "order_id";  // one group per order: 3 x 73k cells are fine
  EXPECT_NO_THROW((void)compute_kpis(two_centuries(), o));
  // 400 groups x 73k days x 80 bytes is over the limit.
  std::vector<test::Line> lines;
  for (int i = 0; i < 400; ++i) {
    lines.push_back({fmt::format("c{}", i), i % 2 ? "1900-01-01" : "2100-12-31", 1.0,
                     fmt::format("o{}", i), fmt::format("ch{}", i)});
  }
  o.breakdown = "channel";
  try {
    (void)compute_kpis(test::make_log(lines), o);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("a KPI table of at most 256 MiB"), std::string::npos)
        << e.what();
  }
}

TEST(PeriodLimits, SpendThatSumsToInfinityIsAnErrorNotAnEmptyCell) {
  SpendTable spend;
  spend.channel = {"web", "web"};
  spend.period_index = {
      period_index(parse_period("2010-06-01", PeriodUnit::day), PeriodUnit::month),
      period_index(parse_period("2010-06-01", PeriodUnit::day), PeriodUnit::month)};
  spend.spend = {1e308, 1e308};
  try {
    (void)compute_cac(two_centuries(), spend, CacOptions{});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(),
                 "spend:3: column 'spend': found '1e+308', expected spend amounts whose "
                 "total is a finite number (the sum overflows here)");
  }
}

}  // namespace
}  // namespace ltv
