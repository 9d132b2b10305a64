#pragma once
/// Day numbers: the calendar vocabulary below every layer (data, io, analytics).
///
/// A day number counts days since 1970-01-01 in the proleptic Gregorian calendar, as in
/// TransactionLog::day. Reading dates in the many formats of user files lives in ltv/io/dates.hpp.

#include <cstdint>
#include <string>

namespace ltv {

/// Days since 1970-01-01 of a civil date (any year, proleptic Gregorian). No validation.
std::int32_t days_from_civil(int year, int month, int day) noexcept;
/// Civil date of a day number.
struct CivilDate {
  int year = 1970;
  int month = 1;  ///< 1..12
  int day = 1;    ///< 1..31
};
CivilDate civil_from_days(std::int32_t day) noexcept;
/// True for a real calendar date (month 1..12, day within the month, leap years).
bool is_valid_date(int year, int month, int day) noexcept;

/// "YYYY-MM-DD" of a day number.
std::string format_date(std::int32_t day);
/// "YYYY-MM-DD HH:MM:SS" of a day number and seconds since midnight.
std::string format_datetime(std::int32_t day, std::int32_t second);

}  // namespace ltv
