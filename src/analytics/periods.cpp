#include "ltv/analytics/periods.hpp"

#include <charconv>
#include <cstdio>

#include "ltv/error.hpp"

namespace ltv {

namespace {

constexpr std::int32_t floor_div(std::int32_t a, std::int32_t b) noexcept {
  std::int32_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

bool parse_int(std::string_view text, std::int32_t& out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

[[noreturn]] void bad_period(std::string_view text, PeriodUnit unit, std::string_view what) {
  const char* expected = "a period";
  switch (unit) {
    case PeriodUnit::day:
      expected = "a day as YYYY-MM-DD";
      break;
    case PeriodUnit::week:
      expected = "an ISO week as YYYY-Www (W01..W53)";
      break;
    case PeriodUnit::month:
      expected = "a month as YYYY-MM";
      break;
    case PeriodUnit::quarter:
      expected = "a quarter as YYYY-Qn (Q1..Q4)";
      break;
    case PeriodUnit::year:
      expected = "a year as YYYY";
      break;
  }
  input_error(SourceLocation{std::string(what), 0, {}}, std::string(text), expected);
}

bool leap(std::int32_t y) noexcept {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

std::int32_t days_in_month(std::int32_t y, std::int32_t m) noexcept {
  static constexpr std::int32_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return (m == 2 && leap(y)) ? 29 : kDays[m - 1];
}

}  // namespace

int iso_weekday(std::int32_t day) noexcept {
  // 1970-01-01 was a Thursday (ISO 4).
  const std::int32_t r = ((day + 3) % 7 + 7) % 7;  // 0 = Monday
  return r + 1;
}

std::int32_t period_index(std::int32_t day, PeriodUnit unit) noexcept {
  switch (unit) {
    case PeriodUnit::day:
      return day;
    case PeriodUnit::week:
      return floor_div(day + 3, 7);  // week 0 starts Monday 1969-12-29
    case PeriodUnit::month: {
      const CivilDate c = civil_from_days(day);
      return c.year * 12 + c.month - 1;
    }
    case PeriodUnit::quarter: {
      const CivilDate c = civil_from_days(day);
      return c.year * 4 + (c.month - 1) / 3;
    }
    case PeriodUnit::year:
      return civil_from_days(day).year;
  }
  return day;
}

std::int32_t period_first_day(std::int32_t index, PeriodUnit unit) noexcept {
  switch (unit) {
    case PeriodUnit::day:
      return index;
    case PeriodUnit::week:
      return 7 * index - 3;
    case PeriodUnit::month:
      return days_from_civil(floor_div(index, 12), index - 12 * floor_div(index, 12) + 1, 1);
    case PeriodUnit::quarter: {
      const std::int32_t y = floor_div(index, 4);
      return days_from_civil(y, 3 * (index - 4 * y) + 1, 1);
    }
    case PeriodUnit::year:
      return days_from_civil(index, 1, 1);
  }
  return index;
}

std::int32_t period_last_day(std::int32_t index, PeriodUnit unit) noexcept {
  return period_first_day(index + 1, unit) - 1;
}

std::string format_day(std::int32_t day) {
  const CivilDate c = civil_from_days(day);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", c.year, c.month, c.day);
  return buf;
}

std::string format_period(std::int32_t index, PeriodUnit unit) {
  char buf[32];
  switch (unit) {
    case PeriodUnit::day:
      return format_day(index);
    case PeriodUnit::week: {
      const std::int32_t thursday = 7 * index;  // first day + 3
      const std::int32_t iso_year = civil_from_days(thursday).year;
      const std::int32_t week = (thursday - days_from_civil(iso_year, 1, 1)) / 7 + 1;
      std::snprintf(buf, sizeof buf, "%04d-W%02d", iso_year, week);
      return buf;
    }
    case PeriodUnit::month: {
      const std::int32_t y = floor_div(index, 12);
      std::snprintf(buf, sizeof buf, "%04d-%02d", y, index - 12 * y + 1);
      return buf;
    }
    case PeriodUnit::quarter: {
      const std::int32_t y = floor_div(index, 4);
      std::snprintf(buf, sizeof buf, "%04d-Q%d", y, index - 4 * y + 1);
      return buf;
    }
    case PeriodUnit::year:
      std::snprintf(buf, sizeof buf, "%04d", index);
      return buf;
  }
  return {};
}

std::int32_t parse_period(std::string_view text, PeriodUnit unit, std::string_view what) {
  std::int32_t y = 0;
  std::int32_t n = 0;
  if (unit == PeriodUnit::year) {
    if (text.size() != 4 || !parse_int(text, y)) bad_period(text, unit, what);
    return y;
  }
  if (text.size() < 6 || text[4] != '-' || !parse_int(text.substr(0, 4), y))
    bad_period(text, unit, what);
  switch (unit) {
    case PeriodUnit::day: {
      std::int32_t d = 0;
      if (text.size() != 10 || text[7] != '-' || !parse_int(text.substr(5, 2), n) ||
          !parse_int(text.substr(8, 2), d) || n < 1 || n > 12 || d < 1 || d > days_in_month(y, n))
        bad_period(text, unit, what);
      return days_from_civil(y, n, d);
    }
    case PeriodUnit::week: {
      if (text.size() != 8 || text[5] != 'W' || !parse_int(text.substr(6, 2), n) || n < 1)
        bad_period(text, unit, what);
      const std::int32_t week1 = period_index(days_from_civil(y, 1, 4), PeriodUnit::week);
      const std::int32_t key = week1 + n - 1;
      if (civil_from_days(7 * key).year != y) bad_period(text, unit, what);  // no week 53 this year
      return key;
    }
    case PeriodUnit::month:
      if (text.size() != 7 || !parse_int(text.substr(5, 2), n) || n < 1 || n > 12)
        bad_period(text, unit, what);
      return y * 12 + n - 1;
    case PeriodUnit::quarter:
      if (text.size() != 7 || text[5] != 'Q' || !parse_int(text.substr(6, 1), n) || n < 1 || n > 4)
        bad_period(text, unit, what);
      return y * 4 + n - 1;
    case PeriodUnit::year:
      break;
  }
  bad_period(text, unit, what);
}

std::string_view to_string(PeriodUnit unit) noexcept {
  switch (unit) {
    case PeriodUnit::day:
      return "day";
    case PeriodUnit::week:
      return "week";
    case PeriodUnit::month:
      return "month";
    case PeriodUnit::quarter:
      return "quarter";
    case PeriodUnit::year:
      return "year";
  }
  return "month";
}

PeriodUnit parse_period_unit(std::string_view text, std::string_view option) {
  if (text == "day" || text == "days") return PeriodUnit::day;
  if (text == "week" || text == "weeks") return PeriodUnit::week;
  if (text == "month" || text == "months") return PeriodUnit::month;
  if (text == "quarter" || text == "quarters") return PeriodUnit::quarter;
  if (text == "year" || text == "years") return PeriodUnit::year;
  parameter_error(std::string(option), std::string(text), "one of day, week, month, quarter, year");
}

double periods_per_year(PeriodUnit unit) noexcept {
  switch (unit) {
    case PeriodUnit::day:
      return 365.2425;
    case PeriodUnit::week:
      return 365.2425 / 7.0;
    case PeriodUnit::month:
      return 12.0;
    case PeriodUnit::quarter:
      return 4.0;
    case PeriodUnit::year:
      return 1.0;
  }
  return 12.0;
}

int season_length(PeriodUnit unit) noexcept {
  switch (unit) {
    case PeriodUnit::day:
      return 7;
    case PeriodUnit::week:
      return 52;
    case PeriodUnit::month:
      return 12;
    case PeriodUnit::quarter:
      return 4;
    case PeriodUnit::year:
      return 1;
  }
  return 12;
}

}  // namespace ltv
