#include "ltv/analytics/periods.hpp"

#include <gtest/gtest.h>

#include "ltv/error.hpp"

namespace ltv {
namespace {

TEST(Periods, CivilRoundTripOverFourCenturies) {
  for (std::int32_t d = -200000; d <= 200000; d += 13) {
    const CivilDate c = civil_from_days(d);
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2000, 3, 1), 11017);
  EXPECT_EQ(days_from_civil(2010, 12, 1), 14944);
}

TEST(Periods, FormatsEachUnit) {
  const std::int32_t d = days_from_civil(2010, 12, 1);
  EXPECT_EQ(format_period(period_index(d, PeriodUnit::day), PeriodUnit::day), "2010-12-01");
  EXPECT_EQ(format_period(period_index(d, PeriodUnit::month), PeriodUnit::month), "2010-12");
  EXPECT_EQ(format_period(period_index(d, PeriodUnit::quarter), PeriodUnit::quarter), "2010-Q4");
  EXPECT_EQ(format_period(period_index(d, PeriodUnit::year), PeriodUnit::year), "2010");
  EXPECT_EQ(format_period(period_index(d, PeriodUnit::week), PeriodUnit::week), "2010-W48");
}

TEST(Periods, IsoWeeksAtYearBoundaries) {
  // 2021-01-03 (Sunday) belongs to 2020-W53; 2021-01-04 (Monday) starts 2021-W01.
  EXPECT_EQ(
      format_period(period_index(days_from_civil(2021, 1, 3), PeriodUnit::week), PeriodUnit::week),
      "2020-W53");
  EXPECT_EQ(
      format_period(period_index(days_from_civil(2021, 1, 4), PeriodUnit::week), PeriodUnit::week),
      "2021-W01");
  // 2018-12-31 (Monday) is 2019-W01.
  EXPECT_EQ(format_period(period_index(days_from_civil(2018, 12, 31), PeriodUnit::week),
                          PeriodUnit::week),
            "2019-W01");
  EXPECT_EQ(iso_weekday(days_from_civil(2021, 1, 4)), 1);
  EXPECT_EQ(period_first_day(period_index(days_from_civil(2021, 1, 7), PeriodUnit::week),
                             PeriodUnit::week),
            days_from_civil(2021, 1, 4));
}

TEST(Periods, ParseInvertsFormat) {
  for (PeriodUnit u : {PeriodUnit::day, PeriodUnit::week, PeriodUnit::month, PeriodUnit::quarter,
                       PeriodUnit::year}) {
    for (std::int32_t d = days_from_civil(2015, 1, 1); d < days_from_civil(2026, 1, 1); d += 5) {
      const std::int32_t k = period_index(d, u);
      ASSERT_EQ(parse_period(format_period(k, u), u), k) << format_period(k, u);
      ASSERT_LE(period_first_day(k, u), d);
      ASSERT_GE(period_last_day(k, u), d);
    }
  }
}

TEST(Periods, RejectsMalformedText) {
  EXPECT_THROW(parse_period("2020-13", PeriodUnit::month), InputError);
  EXPECT_THROW(parse_period("2021-W53", PeriodUnit::week), InputError);  // 2021 has 52 ISO weeks
  EXPECT_THROW(parse_period("2021-02-29", PeriodUnit::day), InputError);
  EXPECT_THROW(parse_period("2021/01", PeriodUnit::month), InputError);
  EXPECT_THROW(parse_period_unit("fortnight"), InputError);
  EXPECT_EQ(parse_period("2020-W53", PeriodUnit::week),
            period_index(days_from_civil(2020, 12, 31), PeriodUnit::week));
}

}  // namespace
}  // namespace ltv
