// The fast paths of the CSV number output (whole numbers, whole cents) must give exactly the
// text of fmt's shortest form, and round_significant / append_rounded (one scaling by a power of
// ten) exactly the value and text of the format-and-parse rounding they short-cut.
#include <gtest/gtest.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "ltv/io/csv_writer.hpp"
#include "ltv/io/numbers.hpp"

namespace ltv {
namespace {

std::string reference_number(double value) {
  if (!std::isfinite(value)) return {};
  if (value == 0) return "0";
  return fmt::format("{}", value);
}

double reference_round(double value, int digits) {
  if (!std::isfinite(value) || value == 0) return value;
  const std::string text = fmt::format("{:.{}g}", value, digits);
  double rounded = value;
  std::from_chars(text.data(), text.data() + text.size(), rounded);
  return rounded;
}

/// Values of the kinds summaries write: sums of cents with float noise, whole numbers, ratios of
/// days, and arbitrary doubles over many magnitudes, both signs.
std::vector<double> sample_values() {
  std::mt19937_64 rng(42);
  std::vector<double> values{
      0.0, -0.0, 0.01, 0.1, 0.3, 1.0, -1.0, 99.99, 100.0, 1e8, 1e9, 1e9 - 0.01, 1e15, 1e16, 1e-5,
      123.4567, 1.0 / 3, 2.0 / 7, 74.02000000000001,
      // Exact ties at 6, 8, 12, 13 and 15 digits, powers of ten.
      123456.5, -12345678.5, 123456789012.5, 1234567890123.5, 123456789012345.5, 0.1, 1e-4,
      9.99999999999995e-5, 1e-3, 1e14, 999999999999999.9, 9999999999999.95};
  std::uniform_int_distribution<std::int64_t> cents(-100000000, 100000000);
  std::uniform_int_distribution<int> lines(1, 12);
  for (int i = 0; i < 100000; ++i) {
    double sum = 0;  // a sum of line amounts, as the summary adds them
    for (int k = lines(rng); k > 0; --k) sum += static_cast<double>(cents(rng) / 1000) / 100.0;
    values.push_back(sum);
    values.push_back(sum / lines(rng));
    values.push_back(static_cast<double>(cents(rng)));
    values.push_back(static_cast<double>(cents(rng) % 5000) / 7.0);
  }
  // Near whole cents, around the distance (0.4 x 10^-digits relative) within which rounding to
  // 6 to 15 digits is taken to give the cents, and around half a rounding step (0.5 x 10^-digits
  // up to 5 x 10^-digits relative, where the rounding stops being the cents).
  std::uniform_int_distribution<std::int64_t> any_cents(1, 99999999999);
  for (int i = 0; i < 3000; ++i) {
    const double c = static_cast<double>(any_cents(rng) >> (i % 30)) / 100.0;
    if (c == 0) continue;
    for (int digits : {6, 8, 12, 13, 15}) {
      for (double r : {0.3, 0.39, 0.41, 0.5, 0.7, 1.0, 4.9, 5.1}) {
        const double delta = r * std::pow(10.0, -digits) * c;
        values.push_back(c + delta);
        values.push_back(-(c - delta));
      }
    }
  }
  std::uniform_real_distribution<double> exponent(-12, 18);
  std::uniform_real_distribution<double> mantissa(-1, 1);
  for (int i = 0; i < 100000; ++i) {
    const double v = mantissa(rng) * std::pow(10.0, exponent(rng));
    values.push_back(v);
    values.push_back(std::round(v * 100) / 100);
    values.push_back(std::nextafter(std::round(v * 100) / 100, 1e300));
  }
  return values;
}

TEST(NumberFormat, FastPathsGiveFmtsShortestText) {
  for (double v : sample_values()) {
    std::string text;
    append_number(text, v);
    ASSERT_EQ(text, reference_number(v)) << fmt::format("{:.17g}", v);
    ASSERT_EQ(format_number(v), reference_number(v));
  }
  std::string text;
  append_number(text, std::nan(""));
  EXPECT_EQ(text, "");
}

TEST(NumberFormat, RoundSignificantMatchesFormatAndParse) {
  for (double v : sample_values()) {
    for (int digits : {1, 6, 8, 12, 13, 15}) {
      const double fast = round_significant(v, digits);
      const double reference = reference_round(v, digits);
      ASSERT_EQ(std::signbit(fast), std::signbit(reference));
      ASSERT_TRUE(fast == reference || (std::isnan(fast) && std::isnan(reference)))
          << fmt::format("{:.17g} at {} digits: {:.17g} vs {:.17g}", v, digits, fast, reference);
    }
  }
  EXPECT_EQ(round_significant(74.02000000000001, 12), 74.02);
}

TEST(NumberFormat, AppendRoundedWritesTheTextOfTheRoundedNumber) {
  std::mt19937_64 rng(7);
  std::vector<double> values = sample_values();
  // Neighbours of powers of ten and of decimals near the rounding ties.
  for (int e = -6; e <= 16; ++e) {
    double p = std::pow(10.0, e);
    for (int k = 0; k < 4; ++k) {
      values.push_back(p);
      values.push_back(-p);
      p = std::nextafter(p, 0.0);
    }
    values.push_back(std::nextafter(std::pow(10.0, e), 1e300));
  }
  std::uniform_int_distribution<std::int64_t> mantissa(100000000000, 999999999999);
  std::uniform_int_distribution<int> exponent(-16, 4);
  for (int i = 0; i < 100000; ++i) {  // d.ddddddddddd5 x 10^e and its neighbours
    const double tie = (static_cast<double>(mantissa(rng)) + 0.5) * std::pow(10.0, exponent(rng));
    values.push_back(tie);
    values.push_back(std::nextafter(tie, 0.0));
    values.push_back(std::nextafter(tie, 1e300));
  }
  for (double v : values) {
    for (int digits : {1, 6, 8, 12, 13, 15}) {
      std::string text = "x";  // appended, not assigned
      append_rounded(text, v, digits);
      std::string expected = "x";
      expected += reference_number(reference_round(v, digits));
      ASSERT_EQ(text, expected) << fmt::format("{:.17g} at {} digits", v, digits);
    }
  }
}

TEST(NumberFormat, CsvFieldsAreQuotedOnlyWhenNeeded) {
  std::string out;
  append_csv_field(out, "C0001");
  append_csv_field(out, "a,b");
  append_csv_field(out, " x");
  append_csv_field(out, "say \"hi\"");
  EXPECT_EQ(out, "C0001\"a,b\"\" x\"\"say \"\"hi\"\"\"");
}

/// parse_number's contract for plain text, written with from_chars alone.
std::optional<double> reference_parse(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  const char first = s.front() == '-' && s.size() > 1 ? s[1] : s.front();
  if (!((first >= '0' && first <= '9') || first == '.')) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

TEST(NumberFormat, ParseNumberFastPathMatchesFromChars) {
  std::vector<std::string> texts{"5.",
                                 "-.5",
                                 ".5",
                                 "-0",
                                 "0",
                                 "00012.50",
                                 "1.",
                                 "-",
                                 ".",
                                 "-.",
                                 "1..2",
                                 "1.2.3",
                                 "+-5",
                                 "--5",
                                 "12,5",
                                 "1e3",
                                 " 7 ",
                                 "-0.0",
                                 "999999999999999",
                                 "9999999999999999",
                                 "123456789012.345",
                                 "0.000000000000001",
                                 "1234567890123456789012",
                                 "4.35",
                                 "0.1",
                                 "2.675",
                                 "-1.005"};
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> length(1, 17);
  std::uniform_int_distribution<int> digit(0, 9);
  for (int i = 0; i < 200000; ++i) {
    std::string t = i % 3 == 0 ? "-" : "";
    const int n = length(rng);
    const int point = length(rng);
    for (int k = 0; k < n; ++k) {
      if (k == point) t.push_back('.');
      t.push_back(static_cast<char>('0' + digit(rng)));
    }
    texts.push_back(t);
  }
  for (const std::string& t : texts) {
    const auto fast = parse_number(t);
    const auto reference = reference_parse(t);
    ASSERT_EQ(fast.has_value(), reference.has_value()) << t;
    if (fast) {
      ASSERT_EQ(*fast, *reference) << t;
      ASSERT_EQ(std::signbit(*fast), std::signbit(*reference)) << t;
    }
  }
}

}  // namespace
}  // namespace ltv
