#pragma once
/// Calendar periods for analytics: day numbers (days since 1970-01-01) mapped to day, ISO week,
/// month or quarter keys, and their text forms `YYYY-MM-DD`, `YYYY-Www`, `YYYY-MM`, `YYYY-Qn`.

#include <cstdint>
#include <string>
#include <string_view>

#include "ltv/io/dates.hpp"

namespace ltv {

/// Length of an analytics period. Weeks are ISO weeks (Monday to Sunday).
enum class PeriodUnit { day, week, month, quarter, year };

// Civil dates (CivilDate, days_from_civil, civil_from_days) come from ltv/io/dates.hpp.

/// ISO weekday of a day number: 1 = Monday .. 7 = Sunday.
int iso_weekday(std::int32_t day) noexcept;

/// Monotone integer key of the period holding `day`: consecutive periods have consecutive keys.
/// day: the day number; week: index of the ISO week (Monday-based); month: year*12 + month-1;
/// quarter: year*4 + quarter-1; year: the year.
std::int32_t period_index(std::int32_t day, PeriodUnit unit) noexcept;
/// First day (day number) of the period with key `index`.
std::int32_t period_first_day(std::int32_t index, PeriodUnit unit) noexcept;
/// Last day (day number, inclusive) of the period with key `index`.
std::int32_t period_last_day(std::int32_t index, PeriodUnit unit) noexcept;
/// Text of a period key: `YYYY-MM-DD`, `YYYY-Www` (ISO week-numbering year), `YYYY-MM`, `YYYY-Qn`,
/// `YYYY`.
std::string format_period(std::int32_t index, PeriodUnit unit);
/// `YYYY-MM-DD` text of a day number.
std::string format_day(std::int32_t day);
/// Parses the text form written by format_period back to a key. Throws InputError (with `what`
/// naming the source, e.g. "spend.csv period") when the text does not match the unit.
std::int32_t parse_period(std::string_view text, PeriodUnit unit, std::string_view what = "period");

/// "day", "week", "month", "quarter", "year".
std::string_view to_string(PeriodUnit unit) noexcept;
/// Parses day/week/month/quarter/year (plural accepted); throws InputError for option `option`.
PeriodUnit parse_period_unit(std::string_view text, std::string_view option = "--period");
/// Average number of periods in a year: 365.2425, 365.2425/7, 12, 4, 1.
double periods_per_year(PeriodUnit unit) noexcept;
/// Usual seasonal cycle length in periods: 7 for days, 52 for weeks, 12 for months, 4 for quarters,
/// 1 (none) for years.
int season_length(PeriodUnit unit) noexcept;

}  // namespace ltv
