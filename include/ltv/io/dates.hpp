#pragma once
/// Calendar dates and datetimes as ltvkit reads them.
///
/// Day numbers count days since 1970-01-01 (proleptic Gregorian), as in TransactionLog::day.
/// Supported formats: ISO 8601 dates and datetimes (`2011-12-09`, `2011-12-09 12:50:00`,
/// `2011-12-09T12:50:00.250Z`, `...+03:00`), `yyyymmdd` (CDNOW), `dd.mm.yyyy` with an optional
/// ` HH:MM[:SS]` (Russian CRM exports), and strptime-like patterns (`%d/%m/%Y %H:%M`).
///
/// Time zones: a datetime written without an offset is taken as written (wall-clock time, no
/// conversion). A datetime with an offset (`Z`, `+03:00`, `-0500`) is converted to the target
/// fixed UTC offset (`--time-zone`, default +00:00), which may move it to another day.
/// Calendar validity is checked: `2021-02-30` and `24:00` are rejected.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "ltv/dates.hpp"

namespace ltv {

/// A parsed date, with the time of day when the text had one.
struct DateTime {
  std::int32_t day = 0;     ///< days since 1970-01-01
  std::int32_t second = 0;  ///< seconds since midnight, 0..86399
  bool has_time = false;
};

/// How date text is read.
struct DateFormat {
  enum class Kind { automatic, iso, yyyymmdd, dd_mm_yyyy, pattern };
  Kind kind = Kind::automatic;
  std::string pattern;  ///< for Kind::pattern: %Y %y %m %d %H %M %S %b %%, other bytes literal
};

/// Parses a `--date-format` value: auto, iso, yyyymmdd, dd.mm.yyyy, or a pattern with `%`.
/// Throws InputError for option `--date-format`.
DateFormat parse_date_format(std::string_view text);
/// Human description of what a format expects ("a date like YYYY-MM-DD").
std::string describe(const DateFormat& format);

/// Picks a concrete format that parses every non-empty sample (`iso`, `yyyymmdd`, `dd.mm.yyyy`,
/// or the unambiguous one of `%m/%d/%Y` / `%d/%m/%Y` with optional time). Returns nullopt when
/// none parses all samples, or when day/month order is ambiguous.
std::optional<DateFormat> detect_date_format(std::span<const std::string_view> samples);

/// Parses a fixed UTC offset `+HH:MM`, `-HH:MM`, `+HHMM`, `+HH`, `Z`, `UTC` to minutes.
/// Throws InputError for option `--time-zone`.
int parse_utc_offset(std::string_view text);

/// Parses one value with a concrete format (not automatic; automatic tries iso, yyyymmdd,
/// dd.mm.yyyy in turn). Datetimes with an offset are converted to `target_offset_minutes`.
/// Returns nullopt when the text does not match or is not a real date/time. Never throws.
std::optional<DateTime> parse_datetime(std::string_view text, const DateFormat& format,
                                       int target_offset_minutes = 0) noexcept;

/// Parses a date (any supported automatic format: ISO, yyyymmdd, dd.mm.yyyy) to its day number,
/// ignoring any time of day. Throws InputError naming `what` (e.g. "--calibration-end").
std::int32_t parse_date(std::string_view text, const std::string& what = "date");
/// Parses a date window `FROM..TO` (inclusive; dates as parse_date() reads them). Either side may
/// be empty, e.g. `2000-01-01..`: that bound stays `default_from` / `default_to`. Throws
/// InputError for option `option` when the text is not a window or FROM is after TO.
std::pair<std::int32_t, std::int32_t> parse_date_window(
    std::string_view text, std::int32_t default_from, std::int32_t default_to,
    const std::string& option = "--date-window");

}  // namespace ltv
