#include "ltv/io/numbers.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>

namespace ltv {

namespace {
/// Fast path for the usual money text, `[-]digits[.digits]` with at most 15 digits: the digits
/// as an integer m (exact below 2^53) over 10^k (exact for k <= 22) is one correctly rounded
/// division, the value from_chars gives (Clinger's fast path). False for any other text.
bool parse_simple_decimal(std::string_view s, double& value) noexcept {
  static constexpr double kPowers[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const char* p = s.data();
  const char* const end = p + s.size();
  const bool negative = p != end && *p == '-';
  p += negative;
  std::uint64_t mantissa = 0;
  int digits = 0;
  int fraction_digits = 0;
  bool point = false;
  for (; p != end; ++p) {
    const auto d = static_cast<unsigned>(*p - '0');
    if (d < 10) {
      if (++digits > 15) return false;  // from_chars takes it from the start
      mantissa = mantissa * 10 + d;
      fraction_digits += point;
    } else if (*p == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  if (digits == 0) return false;
  const double v = static_cast<double>(mantissa) / kPowers[fraction_digits];
  value = negative ? -v : v;
  return true;
}

std::optional<double> parse_plain(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
  // Texts over 16 characters (at most 15 digits, a point and a sign fit 17, which from_chars
  // then reads as well) go straight to from_chars: full-precision values such as
  // 92.22065513732905 would otherwise be scanned twice.
  if (double v = 0; s.size() <= 16 && parse_simple_decimal(s, v)) return v;
  if (s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  // from_chars also accepts "nan", "inf" and hex-less forms like "infinity": only digits,
  // sign, '.', and an exponent are allowed here.
  const char first = s.front() == '-' && s.size() > 1 ? s[1] : s.front();
  if (!((first >= '0' && first <= '9') || first == '.')) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}
}  // namespace

std::optional<double> parse_number(std::string_view text, bool decimal_comma) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  if (!decimal_comma) return parse_plain(text);
  char buffer[128];
  std::size_t n = 0;
  bool digit_seen = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == ' ') {
      if (!digit_seen) return std::nullopt;
      continue;
    }
    if (c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0) {
      ++i;  // NBSP
      continue;
    }
    if (c == 0xE2 && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0x80 &&
        (static_cast<unsigned char>(text[i + 2]) == 0x89 ||
         static_cast<unsigned char>(text[i + 2]) == 0xAF)) {
      i += 2;  // thin space / narrow NBSP
      continue;
    }
    if (c == '.') return std::nullopt;  // with a decimal comma, '.' is not a number character
    if (n + 1 >= sizeof(buffer)) return std::nullopt;
    digit_seen |= c >= '0' && c <= '9';
    buffer[n++] = c == ',' ? '.' : static_cast<char>(c);
  }
  return parse_plain(std::string_view(buffer, n));
}

}  // namespace ltv
