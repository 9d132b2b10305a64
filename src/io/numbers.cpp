#include "ltv/io/numbers.hpp"

#include <charconv>
#include <cmath>

namespace ltv {

namespace {
std::optional<double> parse_plain(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
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
