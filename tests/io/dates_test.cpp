#include "ltv/io/dates.hpp"

#include <gtest/gtest.h>

#include "ltv/error.hpp"
#include "ltv/io/numbers.hpp"
#include "ltv/io/table.hpp"

namespace ltv {
namespace {

DateFormat fmt_of(std::string_view s) {
  return parse_date_format(s);
}

TEST(Dates, CivilRoundTripAndKnownDays) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(1997, 9, 30), 10134);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  for (std::int32_t d = -800000; d < 800000; d += 997) {
    const CivilDate c = civil_from_days(d);
    ASSERT_TRUE(is_valid_date(c.year, c.month, c.day));
    ASSERT_EQ(days_from_civil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(format_date(10134), "1997-09-30");
  EXPECT_EQ(format_datetime(0, 3661), "1970-01-01 01:01:01");
}

TEST(Dates, IsoDatesAndDatetimes) {
  const DateFormat iso = fmt_of("iso");
  auto dt = parse_datetime("2011-12-09 12:50:00", iso);
  ASSERT_TRUE(dt);
  EXPECT_EQ(format_date(dt->day), "2011-12-09");
  EXPECT_EQ(dt->second, 12 * 3600 + 50 * 60);
  EXPECT_TRUE(dt->has_time);
  dt = parse_datetime("2011-12-09T12:50:00.999", iso);
  ASSERT_TRUE(dt);
  EXPECT_EQ(dt->second, 12 * 3600 + 50 * 60);
  dt = parse_datetime("2011-12-09", iso);
  ASSERT_TRUE(dt);
  EXPECT_FALSE(dt->has_time);
  EXPECT_TRUE(parse_datetime("2011-12-09 08:26", iso));
  EXPECT_FALSE(parse_datetime("2011-12-9", iso));
  EXPECT_FALSE(parse_datetime("2011-12-09x", iso));
  EXPECT_FALSE(parse_datetime("", iso));
}

TEST(Dates, OffsetsConvertToTheTargetZone) {
  const DateFormat iso = fmt_of("iso");
  // 01:30 at +03:00 is 22:30 the previous day in UTC.
  auto dt = parse_datetime("2021-03-01T01:30:00+03:00", iso, 0);
  ASSERT_TRUE(dt);
  EXPECT_EQ(format_date(dt->day), "2021-02-28");
  EXPECT_EQ(dt->second, 22 * 3600 + 30 * 60);
  // Z in a +03:00 target: same instant, three hours later on the wall clock.
  dt = parse_datetime("2021-02-28T22:30:00Z", iso, parse_utc_offset("+03:00"));
  ASSERT_TRUE(dt);
  EXPECT_EQ(format_date(dt->day), "2021-03-01");
  EXPECT_EQ(dt->second, 5400);
  dt = parse_datetime("2021-02-28 23:00:00-0500", iso, 0);
  ASSERT_TRUE(dt);
  EXPECT_EQ(format_datetime(dt->day, dt->second), "2021-03-01 04:00:00");
  // Naive datetimes are taken as written whatever the target zone.
  dt = parse_datetime("2021-02-28 23:00:00", iso, parse_utc_offset("+05:00"));
  EXPECT_EQ(format_datetime(dt->day, dt->second), "2021-02-28 23:00:00");
  EXPECT_EQ(parse_utc_offset("-05:30"), -330);
  EXPECT_EQ(parse_utc_offset("Z"), 0);
  EXPECT_THROW(parse_utc_offset("Europe/Moscow"), InputError);
  EXPECT_THROW(parse_utc_offset("+25:00"), InputError);
}

TEST(Dates, CompactRussianAndPatternFormats) {
  auto d = parse_datetime("19970101", fmt_of("yyyymmdd"));
  ASSERT_TRUE(d);
  EXPECT_EQ(format_date(d->day), "1997-01-01");
  EXPECT_FALSE(parse_datetime("1997010", fmt_of("yyyymmdd")));
  d = parse_datetime("09.12.2011 14:05", fmt_of("dd.mm.yyyy"));
  ASSERT_TRUE(d);
  EXPECT_EQ(format_datetime(d->day, d->second), "2011-12-09 14:05:00");
  d = parse_datetime("9.1.2011", fmt_of("dd.mm.yyyy"));
  ASSERT_TRUE(d);
  EXPECT_EQ(format_date(d->day), "2011-01-09");
  d = parse_datetime("12/1/2010 8:26", fmt_of("%m/%d/%Y %H:%M"));
  ASSERT_TRUE(d);
  EXPECT_EQ(format_datetime(d->day, d->second), "2010-12-01 08:26:00");
  d = parse_datetime("01/12/2010", fmt_of("%d/%m/%Y %H:%M"));  // time part may be absent
  ASSERT_TRUE(d);
  EXPECT_EQ(format_date(d->day), "2010-12-01");
  d = parse_datetime("05 Mar 21", fmt_of("%d %b %y"));
  ASSERT_TRUE(d);
  EXPECT_EQ(format_date(d->day), "2021-03-05");
  EXPECT_FALSE(parse_datetime("13/13/2010", fmt_of("%m/%d/%Y")));
  EXPECT_THROW(parse_date_format("%Q"), InputError);
  EXPECT_THROW(parse_date_format("%H:%M"), InputError);
  EXPECT_THROW(parse_date_format("dd/mm"), InputError);
}

TEST(Dates, RejectsImpossibleCalendarDatesAndTimes) {
  for (const char* bad : {"2021-02-30", "2021-02-29", "2021-13-01", "2021-00-10", "2021-04-31",
                          "2021-01-01 24:00:00", "2021-01-01 10:60"}) {
    EXPECT_FALSE(parse_datetime(bad, fmt_of("iso"))) << bad;
  }
  EXPECT_TRUE(parse_datetime("2020-02-29", fmt_of("iso")));
  EXPECT_TRUE(parse_datetime("2000-02-29", fmt_of("iso")));
  EXPECT_FALSE(parse_datetime("1900-02-29", fmt_of("iso")));
  EXPECT_FALSE(parse_datetime("30.02.2021", fmt_of("dd.mm.yyyy")));
  EXPECT_FALSE(parse_datetime("19970230", fmt_of("yyyymmdd")));
  EXPECT_THROW(parse_date("2021-02-30", "--calibration-end"), InputError);
  EXPECT_EQ(parse_date("1997-09-30"), 10134);
  EXPECT_EQ(parse_date("19970930"), 10134);
  EXPECT_EQ(parse_date("30.09.1997"), 10134);
}

TEST(Dates, DetectsFormatFromSamples) {
  auto detect = [](std::vector<std::string_view> s) { return detect_date_format(s); };
  EXPECT_EQ(detect({"2011-12-09 12:50:00", "", "2011-12-10"})->kind, DateFormat::Kind::iso);
  EXPECT_EQ(detect({"19970101"})->kind, DateFormat::Kind::yyyymmdd);
  EXPECT_EQ(detect({"31.12.2020 10:00"})->kind, DateFormat::Kind::dd_mm_yyyy);
  auto us = detect({"12/1/2010 8:26", "12/13/2010 9:00"});
  ASSERT_TRUE(us);
  EXPECT_EQ(us->pattern.substr(0, 8), "%m/%d/%Y");
  auto eu = detect({"13/12/2010", "01/12/2010"});
  ASSERT_TRUE(eu);
  EXPECT_EQ(eu->pattern.substr(0, 8), "%d/%m/%Y");
  EXPECT_FALSE(detect({"01/02/2010"}));  // ambiguous
  EXPECT_FALSE(detect({"yesterday"}));
}

TEST(Numbers, StrictParsing) {
  EXPECT_EQ(*parse_number("12.5"), 12.5);
  EXPECT_EQ(*parse_number(" -3 "), -3);
  EXPECT_EQ(*parse_number("+1e3"), 1000);
  EXPECT_EQ(*parse_number(".5"), 0.5);
  for (const char* bad :
       {"", "abc", "1.2.3", "nan", "NaN", "inf", "-inf", "1e999", "12abc", "1,5", "--1", "+"}) {
    EXPECT_FALSE(parse_number(bad)) << bad;
  }
}

TEST(Numbers, DecimalCommaWithThousandsSeparators) {
  EXPECT_EQ(*parse_number("1 234,56", true), 1234.56);
  EXPECT_EQ(*parse_number("1\xC2\xA0"
                          "234,5",
                          true),
            1234.5);
  EXPECT_EQ(*parse_number("1\xE2\x80\x89"
                          "234",
                          true),
            1234);
  EXPECT_EQ(*parse_number("1\xE2\x80\xAF"
                          "000,25",
                          true),
            1000.25);
  EXPECT_EQ(*parse_number("-0,5", true), -0.5);
  EXPECT_FALSE(parse_number("1.234,56", true));
  EXPECT_FALSE(parse_number("1,2,3", true));
  EXPECT_FALSE(parse_number("1 234,56", false));
}

TEST(Table, TypedColumnsReportLineAndColumn) {
  Table t = read_table_text("id,spend,day\na,1.5,2021-01-01\nb,,2021-01-02\nc,x,2021-02-30\n", {},
                            "spend.csv");
  EXPECT_EQ(t.rows(), 3u);
  EXPECT_EQ(t.column("ID")[1], "b");
  EXPECT_EQ(*t.find("#2"), 1u);
  try {
    t.numbers("spend", 0.0);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              "spend.csv:4: column 'spend': found 'x', expected a finite number");
  }
  try {
    t.dates("day");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 4);
    EXPECT_EQ(e.found(), "2021-02-30");
  }
  EXPECT_THROW(t.require("revenue"), InputError);
  Table u = read_table_text("frequency,T\n2,38.86\n0,1\n");
  EXPECT_EQ(u.integers("frequency"), (std::vector<std::int64_t>{2, 0}));
  EXPECT_EQ(u.numbers("T")[0], 38.86);
}

}  // namespace
}  // namespace ltv
