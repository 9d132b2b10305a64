#include "ltv/io/csv_writer.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <iostream>
#include <optional>

#include <fmt/compile.h>
#include <fmt/format.h>

#include "ltv/error.hpp"

namespace ltv {

namespace {

/// |value| below this has cent and integer forms that the fast paths below handle exactly.
constexpr double kFastLimit = 1e9;

/// Writes the digits of `v`; returns the end.
char* write_unsigned(char* out, std::uint64_t v) {
  const fmt::format_int digits(v);
  std::memcpy(out, digits.data(), digits.size());
  return out + digits.size();
}

/// The whole number of cents c with c / 100.0 == value exactly, for 0 < |value| < kFastLimit;
/// else false. Such a value's shortest round-trip text is c / 100 with trailing zeros dropped: it
/// reads back to value, and every decimal with fewer digits is at least 0.01 away (far outside
/// the rounding interval, about 1e-16 |value| wide), so fmt's shortest form is exactly that.
bool exact_cents(double value, std::int64_t& cents) {
  if (!(std::fabs(value) < kFastLimit)) return false;
  const double c = std::nearbyint(value * 100.0);
  if (c / 100.0 != value) return false;
  cents = static_cast<std::int64_t>(c);
  return true;
}

char* write_cents(char* out, std::int64_t cents) {
  if (cents < 0) {
    *out++ = '-';
    cents = -cents;
  }
  const auto c = static_cast<std::uint64_t>(cents);
  out = write_unsigned(out, c / 100);
  const auto fraction = static_cast<unsigned>(c % 100);
  if (fraction == 0) return out;
  *out++ = '.';
  *out++ = static_cast<char>('0' + fraction / 10);
  if (fraction % 10 != 0) *out++ = static_cast<char>('0' + fraction % 10);
  return out;
}

/// Exact powers of ten (every 10^k with k <= 22 is a double).
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/// The whole number of cents c such that `value` rounded to `digits` significant digits is exactly
/// c / 100 (money sums with float noise: 74.02000000000001 -> 7402), for 3 <= digits <= 15 and
/// 0.005 <= |value| < min(kFastLimit, 10^(digits-2)); else false. In that range c / 100 lies on the
/// grid of `digits`-digit decimals near value (steps of 10^(e-digits+1) <= 0.01, e the decimal
/// exponent of value), and a step exceeds 10^-digits |value|. The true distance from value to
/// c / 100 is at most the computed one (exact by Sterbenz's lemma when they are this close) plus
/// half an ulp of value: below 0.4 x 10^-digits |value| it is less than half a step, so c / 100 is
/// the rounding.
bool rounds_to_cents(double value, int digits, std::int64_t& cents) {
  if (digits < 3 || digits > 15) return false;
  const double a = std::fabs(value);
  if (!(a < kFastLimit && a < kPow10[digits - 2])) return false;
  const double c = std::nearbyint(value * 100.0);
  if (c == 0) return false;
  const double tolerance = 0.4 / kPow10[digits] - 0x1p-52;
  if (!(std::fabs(value - c / 100.0) <= tolerance * a)) return false;
  cents = static_cast<std::int64_t>(c);
  return true;
}

/// |value| rounded to `digits` significant decimal digits: `mantissa` (its trailing zeros
/// dropped, `length` digits) times 10^(exponent - length + 1), so that `exponent` is the
/// decimal exponent of the leading digit.
struct Decimal {
  std::uint64_t mantissa = 0;
  int length = 0;
  int exponent = 0;
};

/// The correctly rounded `digits`-digit decimal of |value| (the digits "{:.{digits}g}" prints),
/// for 1 <= digits <= 15 and 1e-4 <= |value| < 1e15, computed with one multiplication or
/// division by an exact power of ten. That product is within half an ulp of the exact scaled
/// value, so rounding it to an integer rounds the exact value the same way unless it lies within
/// that error of a tie (x.5): then, and outside the range, nullopt (the caller formats instead).
std::optional<Decimal> round_decimal(double value, int digits) {
  if (digits < 1 || digits > 15) return std::nullopt;
  const double a = std::fabs(value);
  if (!(a >= 1e-4 && a < 1e15)) return std::nullopt;
  const double low = kPow10[digits - 1], high = kPow10[digits];
  // floor(log10(a)) or one less, from the binary exponent (a is normal here); corrected below.
  const auto binary_exponent =
      static_cast<int>((std::bit_cast<std::uint64_t>(a) >> 52) & 0x7FF) - 1023;
  int exponent = (binary_exponent * 1233) >> 12;  // floor(binary_exponent * log10(2))
  double m = 0;                                   // a scaled to [low, high)
  for (int attempt = 0;; ++attempt) {
    if (attempt == 3) return std::nullopt;
    const int scale = digits - 1 - exponent;  // from digits - 17 to digits + 5
    m = scale >= 0 ? a * kPow10[scale] : a / kPow10[-scale];
    if (m < low) {
      --exponent;
    } else if (m >= high) {
      ++exponent;
    } else {
      break;
    }
  }
  if (std::fabs(m - std::floor(m) - 0.5) <= m * 0x1p-51) return std::nullopt;  // (near) a tie
  double r = std::nearbyint(m);
  if (r == high) {  // rounded up to the next power of ten
    r = low;
    ++exponent;
  }
  Decimal d;
  d.mantissa = static_cast<std::uint64_t>(r);
  d.length = digits;
  d.exponent = exponent;
  while (d.mantissa % 10 == 0) {
    d.mantissa /= 10;
    --d.length;
  }
  return d;
}

/// The double nearest to `d` (one correctly rounded operation: the mantissa and the power of
/// ten are exact), with the sign of `negative`.
double to_double(const Decimal& d, bool negative) {
  const int shift = d.exponent - d.length + 1;  // from -19 to 15
  const auto m = static_cast<double>(d.mantissa);
  const double v = shift >= 0 ? m * kPow10[shift] : m / kPow10[-shift];
  return negative ? -v : v;
}

/// Writes `d` in fixed notation (fmt's shortest form for decimal exponents -4 to 15: at most
/// 22 characters); returns the end.
char* write_fixed(char* out, const Decimal& d, bool negative) {
  char digits[20];
  char* const last = digits + sizeof(digits);
  char* p = last;
  for (std::uint64_t m = d.mantissa; m != 0; m /= 10) *--p = static_cast<char>('0' + m % 10);
  const auto n = static_cast<std::size_t>(last - p);  // == d.length
  if (negative) *out++ = '-';
  if (d.exponent < 0) {  // 0.000ddd
    const auto zeros = static_cast<std::size_t>(-d.exponent - 1);
    *out++ = '0';
    *out++ = '.';
    std::memset(out, '0', zeros);
    out += zeros;
    std::memcpy(out, p, n);
    return out + n;
  }
  const auto whole = static_cast<std::size_t>(d.exponent) + 1;
  if (whole >= n) {  // ddd000
    std::memcpy(out, p, n);
    std::memset(out + n, '0', whole - n);
    return out + whole;
  }
  std::memcpy(out, p, whole);  // dd.ddd
  out[whole] = '.';
  std::memcpy(out + whole + 1, p + whole, n - whole);
  return out + n + 1;
}

}  // namespace

char* write_number(char* out, double value) {
  if (!std::isfinite(value)) return out;
  if (value == 0) {  // also for -0.0
    *out = '0';
    return out + 1;
  }
  // Fast path for whole numbers and whole cents below 1e9 (counts, money), with the text of
  // fmt's shortest form (fixed notation there).
  std::int64_t cents = 0;
  if (exact_cents(value, cents)) return write_cents(out, cents);
  return fmt::format_to(out, FMT_COMPILE("{}"), value);
}

void append_number(std::string& out, double value) {
  char text[kNumberChars];
  out.append(text, static_cast<std::size_t>(write_number(text, value) - text));
}

std::string format_number(double value) {
  std::string text;
  append_number(text, value);
  return text;
}

char* write_csv_field(char* out, std::string_view text, char delimiter) {
  bool needs_quotes = !text.empty() && (text.front() == ' ' || text.back() == ' ');
  for (char c : text) {
    if (c == delimiter || c == '"' || c == '\n' || c == '\r') {
      needs_quotes = true;
      break;
    }
  }
  if (!needs_quotes) {
    std::memcpy(out, text.data(), text.size());
    return out + text.size();
  }
  *out++ = '"';
  for (char c : text) {
    if (c == '"') *out++ = '"';
    *out++ = c;
  }
  *out++ = '"';
  return out;
}

void append_csv_field(std::string& out, std::string_view text, char delimiter) {
  const std::size_t size = out.size();
  out.resize(size + 2 * text.size() + 2);
  char* const end = write_csv_field(out.data() + size, text, delimiter);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

double round_significant(double value, int digits) {
  if (!std::isfinite(value) || value == 0) return value;
  if (std::int64_t cents = 0; rounds_to_cents(value, digits, cents)) {
    return static_cast<double>(cents) / 100.0;
  }
  // In the fixed range (money, rates) one scaling by a power of ten, e.g. 74.02000000000001 ->
  // 74.02 at 12 digits.
  if (const auto d = round_decimal(value, digits)) return to_double(*d, value < 0);
  // Elsewhere formatted into a stack buffer and read back with from_chars (correctly rounded,
  // like strtod, without an allocation or the locale).
  char text[64];
  const auto end = fmt::format_to_n(text, sizeof(text), "{:.{}g}", value, digits).out;
  double rounded = value;
  std::from_chars(text, end, rounded);
  return rounded;
}

CsvWriter::CsvWriter(std::ostream& out, char delimiter) : out_(out), delimiter_(delimiter) {
  buffer_.reserve(1 << 16);
}

CsvWriter::~CsvWriter() {
  try {
    flush();
  } catch (...) {  // destructors must not throw; Output::close() reports write failures
  }
}

void CsvWriter::separator() {
  if (row_started_) buffer_.push_back(delimiter_);
  row_started_ = true;
}

void CsvWriter::row(std::initializer_list<std::string_view> fields) {
  for (std::string_view f : fields) field(f);
  end_row();
}

void CsvWriter::row(const std::vector<std::string>& fields) {
  for (const std::string& f : fields) field(std::string_view(f));
  end_row();
}

CsvWriter& CsvWriter::field(std::string_view text) {
  separator();
  append_csv_field(buffer_, text, delimiter_);
  return *this;
}

CsvWriter& CsvWriter::field(double value) {
  separator();
  append_number(buffer_, value);
  return *this;
}

void CsvWriter::append_integer(std::int64_t value) {
  const fmt::format_int text(value);
  buffer_.append(text.data(), text.size());
}

CsvWriter& CsvWriter::empty() {
  separator();
  return *this;
}

void CsvWriter::end_row() {
  buffer_.push_back('\n');
  row_started_ = false;
  if (buffer_.size() >= (1 << 16)) flush();
}

void CsvWriter::flush() {
  if (!buffer_.empty()) {
    out_.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }
  out_.flush();
}

char* write_rounded(char* out, double value, int digits) {
  // The shortest text of the double nearest to a decimal of at most 15 digits is that decimal
  // (two such decimals never read back to the same double), so the digits come straight from
  // the rounding; fmt's shortest form writes them in fixed notation in this range.
  if (std::isfinite(value) && value != 0) {
    if (std::int64_t cents = 0; rounds_to_cents(value, digits, cents)) {
      return write_cents(out, cents);
    }
    if (const auto d = round_decimal(value, digits)) return write_fixed(out, *d, value < 0);
  }
  return write_number(out, round_significant(value, digits));
}

void append_rounded(std::string& out, double value, int digits) {
  char text[kNumberChars];
  out.append(text, static_cast<std::size_t>(write_rounded(text, value, digits) - text));
}

}  // namespace ltv
