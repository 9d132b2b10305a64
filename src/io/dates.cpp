#include "ltv/io/dates.hpp"

#include <array>
#include <cctype>

#include <fmt/format.h>

#include "ltv/error.hpp"

namespace ltv {

namespace {

/// A cursor over the text being parsed.
struct Cursor {
  std::string_view s;
  std::size_t i = 0;

  bool done() const { return i >= s.size(); }
  char peek() const { return i < s.size() ? s[i] : '\0'; }
  bool accept(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  /// Reads between min and max digits.
  bool number(int min_digits, int max_digits, int& out) {
    int n = 0;
    int value = 0;
    while (n < max_digits && i < s.size() && s[i] >= '0' && s[i] <= '9') {
      value = value * 10 + (s[i] - '0');
      ++i, ++n;
    }
    if (n < min_digits) return false;
    out = value;
    return true;
  }
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

struct Fields {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  bool has_time = false;
  bool has_offset = false;
  int offset_minutes = 0;
};

std::optional<DateTime> finish(const Fields& f, int target_offset) {
  if (!is_valid_date(f.year, f.month, f.day)) return std::nullopt;
  if (f.hour > 23 || f.minute > 59 || f.second > 59) return std::nullopt;
  DateTime dt;
  dt.day = days_from_civil(f.year, f.month, f.day);
  dt.second = f.hour * 3600 + f.minute * 60 + f.second;
  dt.has_time = f.has_time;
  if (f.has_offset) {
    std::int64_t t = static_cast<std::int64_t>(dt.day) * 86400 + dt.second -
                     static_cast<std::int64_t>(f.offset_minutes) * 60 +
                     static_cast<std::int64_t>(target_offset) * 60;
    std::int64_t d = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    dt.day = static_cast<std::int32_t>(d);
    dt.second = static_cast<std::int32_t>(t - d * 86400);
  }
  return dt;
}

/// Optional UTC offset at the cursor: Z, +HH, +HH:MM, +HHMM.
bool offset(Cursor& c, Fields& f) {
  if (c.accept('Z') || c.accept('z')) {
    f.has_offset = true;
    f.offset_minutes = 0;
    return true;
  }
  const char sign = c.peek();
  if (sign != '+' && sign != '-') return false;
  ++c.i;
  int hh = 0, mm = 0;
  if (!c.number(2, 2, hh)) return false;
  if (c.accept(':')) {
    if (!c.number(2, 2, mm)) return false;
  } else if (!c.done()) {
    if (!c.number(2, 2, mm)) return false;
  }
  if (hh > 23 || mm > 59) return false;
  f.has_offset = true;
  f.offset_minutes = (sign == '-' ? -1 : 1) * (hh * 60 + mm);
  return true;
}

/// HH:MM[:SS[.fff]] at the cursor.
bool time_of_day(Cursor& c, Fields& f, int min_hour_digits) {
  if (!c.number(min_hour_digits, 2, f.hour) || !c.accept(':') || !c.number(2, 2, f.minute)) {
    return false;
  }
  if (c.accept(':')) {
    if (!c.number(2, 2, f.second)) return false;
    if (c.peek() == '.' || c.peek() == ',') {
      ++c.i;
      int ignored = 0;
      if (!c.number(1, 9, ignored)) return false;  // fractional seconds are truncated
      while (!c.done() && std::isdigit(static_cast<unsigned char>(c.peek()))) ++c.i;
    }
  }
  f.has_time = true;
  return true;
}

std::optional<DateTime> parse_iso(std::string_view text, int target) {
  Cursor c{text};
  Fields f;
  if (!c.number(4, 4, f.year) || !c.accept('-') || !c.number(2, 2, f.month) || !c.accept('-') ||
      !c.number(2, 2, f.day)) {
    return std::nullopt;
  }
  if (!c.done()) {
    if (!c.accept('T') && !c.accept(' ') && !c.accept('t')) return std::nullopt;
    if (!time_of_day(c, f, 2)) return std::nullopt;
    if (!c.done() && !offset(c, f)) return std::nullopt;
  }
  if (!c.done()) return std::nullopt;
  return finish(f, target);
}

std::optional<DateTime> parse_yyyymmdd(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  Cursor c{text};
  Fields f;
  if (!c.number(4, 4, f.year) || !c.number(2, 2, f.month) || !c.number(2, 2, f.day)) {
    return std::nullopt;
  }
  return finish(f, 0);
}

std::optional<DateTime> parse_dmy_dots(std::string_view text) {
  Cursor c{text};
  Fields f;
  if (!c.number(1, 2, f.day) || !c.accept('.') || !c.number(1, 2, f.month) || !c.accept('.') ||
      !c.number(4, 4, f.year)) {
    return std::nullopt;
  }
  if (!c.done()) {
    if (!c.accept(' ')) return std::nullopt;
    while (c.accept(' ')) {
    }
    if (!time_of_day(c, f, 1)) return std::nullopt;
  }
  if (!c.done()) return std::nullopt;
  return finish(f, 0);
}

int month_from_abbreviation(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths{
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (s.size() < 3) return 0;
  for (std::size_t m = 0; m < 12; ++m) {
    bool same = true;
    for (std::size_t k = 0; k < 3; ++k) {
      if (std::tolower(static_cast<unsigned char>(s[k])) != kMonths[m][k]) same = false;
    }
    if (same) return static_cast<int>(m) + 1;
  }
  return 0;
}

std::optional<DateTime> parse_pattern(std::string_view text, std::string_view pattern, int target) {
  Cursor c{text};
  Fields f;
  bool have_date = false;
  for (std::size_t p = 0; p < pattern.size(); ++p) {
    const char pc = pattern[p];
    if (c.done() && have_date && f.year != 0 && (pc == ' ' || pc == 'T') &&
        p + 2 < pattern.size() && pattern[p + 1] == '%' && pattern[p + 2] == 'H') {
      break;  // the value has no time part: midnight
    }
    if (pc != '%') {
      if (pc == ' ') {
        if (!c.accept(' ')) return std::nullopt;
        while (c.accept(' ')) {
        }
      } else if (!c.accept(pc)) {
        return std::nullopt;
      }
      continue;
    }
    if (++p >= pattern.size()) return std::nullopt;
    bool ok = true;
    switch (pattern[p]) {
      case 'Y':
        ok = c.number(4, 4, f.year);
        break;
      case 'y':
        ok = c.number(2, 2, f.year);
        f.year += f.year < 69 ? 2000 : 1900;
        break;
      case 'm':
        ok = c.number(1, 2, f.month);
        break;
      case 'd':
        ok = c.number(1, 2, f.day);
        have_date = true;
        break;
      case 'b': {
        f.month = month_from_abbreviation(text.substr(c.i));
        ok = f.month != 0;
        c.i += 3;
        while (!c.done() && std::isalpha(static_cast<unsigned char>(c.peek())) && c.peek() != 'T')
          ++c.i;
        break;
      }
      case 'H':
        ok = c.number(1, 2, f.hour);
        f.has_time = true;
        break;
      case 'M':
        ok = c.number(1, 2, f.minute);
        break;
      case 'S':
        ok = c.number(1, 2, f.second);
        if (ok && (c.peek() == '.' || c.peek() == ',')) {
          ++c.i;
          while (!c.done() && std::isdigit(static_cast<unsigned char>(c.peek()))) ++c.i;
        }
        break;
      case 'z':
        ok = offset(c, f);
        break;
      case '%':
        ok = c.accept('%');
        break;
      default:
        return std::nullopt;
    }
    if (!ok) return std::nullopt;
  }
  if (!c.done()) return std::nullopt;
  return finish(f, target);
}

}  // namespace

DateFormat parse_date_format(std::string_view text) {
  DateFormat f;
  if (text.empty() || text == "auto") return f;
  if (text == "iso" || text == "ISO" || text == "yyyy-mm-dd" || text == "%Y-%m-%d") {
    f.kind = DateFormat::Kind::iso;
  } else if (text == "yyyymmdd" || text == "%Y%m%d") {
    f.kind = DateFormat::Kind::yyyymmdd;
  } else if (text == "dd.mm.yyyy" || text == "%d.%m.%Y") {
    f.kind = DateFormat::Kind::dd_mm_yyyy;
  } else if (text.find('%') != std::string_view::npos) {
    static constexpr std::string_view kDirectives = "YymdbHMSz%";
    bool has_year = false, has_month = false, has_day = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] != '%') continue;
      if (i + 1 >= text.size() || kDirectives.find(text[i + 1]) == std::string_view::npos) {
        parameter_error("date_format", std::string(text),
                        "a pattern using %Y %y %m %b %d %H %M %S %z %% (or auto, iso, yyyymmdd, "
                        "dd.mm.yyyy)");
      }
      const char d = text[++i];
      has_year |= d == 'Y' || d == 'y';
      has_month |= d == 'm' || d == 'b';
      has_day |= d == 'd';
    }
    if (!has_year || !has_month || !has_day) {
      parameter_error("date_format", std::string(text), "a pattern with a year, a month and a day");
    }
    f.kind = DateFormat::Kind::pattern;
    f.pattern = std::string(text);
  } else {
    parameter_error("date_format", std::string(text),
                    "auto, iso, yyyymmdd, dd.mm.yyyy or a pattern such as %d/%m/%Y %H:%M");
  }
  return f;
}

std::string describe(const DateFormat& format) {
  switch (format.kind) {
    case DateFormat::Kind::automatic:
      return "a date like YYYY-MM-DD, YYYYMMDD or DD.MM.YYYY";
    case DateFormat::Kind::iso:
      return "a date like YYYY-MM-DD (optionally with a time HH:MM[:SS])";
    case DateFormat::Kind::yyyymmdd:
      return "a date like YYYYMMDD";
    case DateFormat::Kind::dd_mm_yyyy:
      return "a date like DD.MM.YYYY (optionally with a time HH:MM[:SS])";
    case DateFormat::Kind::pattern:
      return fmt::format("a date in the format '{}'", format.pattern);
  }
  return "a date";
}

std::optional<DateTime> parse_datetime(std::string_view text, const DateFormat& format,
                                       int target_offset_minutes) noexcept {
  text = trim(text);
  if (text.empty()) return std::nullopt;
  switch (format.kind) {
    case DateFormat::Kind::iso:
      return parse_iso(text, target_offset_minutes);
    case DateFormat::Kind::yyyymmdd:
      return parse_yyyymmdd(text);
    case DateFormat::Kind::dd_mm_yyyy:
      return parse_dmy_dots(text);
    case DateFormat::Kind::pattern:
      return parse_pattern(text, format.pattern, target_offset_minutes);
    case DateFormat::Kind::automatic:
      if (auto dt = parse_iso(text, target_offset_minutes)) return dt;
      if (auto dt = parse_yyyymmdd(text)) return dt;
      return parse_dmy_dots(text);
  }
  return std::nullopt;
}

std::optional<DateFormat> detect_date_format(std::span<const std::string_view> samples) {
  auto parses_all = [&](const DateFormat& f) {
    bool any = false;
    for (std::string_view s : samples) {
      if (trim(s).empty()) continue;
      any = true;
      if (!parse_datetime(s, f, 0)) return false;
    }
    return any;
  };
  for (auto kind :
       {DateFormat::Kind::iso, DateFormat::Kind::yyyymmdd, DateFormat::Kind::dd_mm_yyyy}) {
    DateFormat f;
    f.kind = kind;
    if (parses_all(f)) return f;
  }
  DateFormat mdy{DateFormat::Kind::pattern, "%m/%d/%Y %H:%M:%S"};
  DateFormat dmy{DateFormat::Kind::pattern, "%d/%m/%Y %H:%M:%S"};
  for (const char* time : {" %H:%M:%S", " %H:%M"}) {
    mdy.pattern = std::string("%m/%d/%Y") + time;
    dmy.pattern = std::string("%d/%m/%Y") + time;
    const bool m = parses_all(mdy);
    const bool d = parses_all(dmy);
    if (m != d) return m ? mdy : dmy;
    if (m && d) return std::nullopt;  // ambiguous day/month order
  }
  return std::nullopt;
}

int parse_utc_offset(std::string_view text) {
  std::string_view t = trim(text);
  if (t == "Z" || t == "UTC" || t == "utc" || t == "GMT") return 0;
  if (t.starts_with("UTC") || t.starts_with("GMT")) t.remove_prefix(3);
  Cursor c{t};
  Fields f;
  if (t.empty() || !offset(c, f) || !c.done() || f.offset_minutes < -14 * 60 ||
      f.offset_minutes > 14 * 60) {
    parameter_error("time_zone", std::string(text), "a fixed UTC offset like +03:00, -05:00 or Z");
  }
  return f.offset_minutes;
}

std::int32_t parse_date(std::string_view text, const std::string& what) {
  DateFormat automatic;
  if (auto dt = parse_datetime(text, automatic, 0)) return dt->day;
  const std::string expected = "a date like YYYY-MM-DD (or YYYYMMDD, DD.MM.YYYY)";
  if (what.starts_with("-")) parameter_error(what, std::string(text), expected);
  input_error(SourceLocation{"", 0, what}, std::string(text), expected);
}

std::pair<std::int32_t, std::int32_t> parse_date_window(std::string_view text,
                                                        std::int32_t default_from,
                                                        std::int32_t default_to,
                                                        const std::string& option) {
  const std::string expected =
      "a date window FROM..TO such as 1900-01-01..2100-12-31 (dates "
      "YYYY-MM-DD, YYYYMMDD or DD.MM.YYYY; either side may be empty)";
  const std::size_t dots = text.find("..");
  if (dots == std::string_view::npos) parameter_error(option, std::string(text), expected);
  auto side = [&](std::string_view part, std::int32_t fallback) {
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
    if (part.empty()) return fallback;
    if (auto dt = parse_datetime(part, DateFormat{}, 0); dt && !dt->has_time) return dt->day;
    parameter_error(option, std::string(text), expected);
  };
  const std::int32_t from = side(text.substr(0, dots), default_from);
  const std::int32_t to = side(text.substr(dots + 2), default_to);
  if (from > to) {
    parameter_error(option, std::string(text),
                    fmt::format("a window whose start is not after its end ({} > {})",
                                format_date(from), format_date(to)));
  }
  return {from, to};
}

}  // namespace ltv
