#include "ltv/dates.hpp"

#include <array>

#include <fmt/format.h>

namespace ltv {

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
std::int32_t days_from_civil(int year, int month, int day) noexcept {
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned mp = static_cast<unsigned>(month + (month > 2 ? -3 : 9));
  const unsigned doy = (153 * mp + 2) / 5 + static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int>(doe) - 719468;
}

CivilDate civil_from_days(std::int32_t z0) noexcept {
  const int z = z0 + 719468;
  const int era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int y = static_cast<int>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{y + (m <= 2 ? 1 : 0), static_cast<int>(m), static_cast<int>(d)};
}

bool is_valid_date(int year, int month, int day) noexcept {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int last = kDays[static_cast<std::size_t>(month - 1)];
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) last = 29;
  return day <= last;
}

std::string format_date(std::int32_t day) {
  const CivilDate d = civil_from_days(day);
  return fmt::format("{:04}-{:02}-{:02}", d.year, d.month, d.day);
}

std::string format_datetime(std::int32_t day, std::int32_t second) {
  return fmt::format("{} {:02}:{:02}:{:02}", format_date(day), second / 3600, second / 60 % 60,
                     second % 60);
}

}  // namespace ltv
