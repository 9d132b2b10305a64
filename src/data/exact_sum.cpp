#include "ltv/data/exact_sum.hpp"

#include <cmath>
#include <limits>

namespace ltv {

namespace {

/// `magnitude` * 2^`exponent` rounded to the nearest double, ties to even (`magnitude` < 2^128).
double round_to_double(detail::UInt128 magnitude, int exponent) noexcept {
  if (magnitude == 0) return 0.0;
  const auto high = static_cast<std::uint64_t>(magnitude >> 64);
  const int bits = high != 0 ? 128 - std::countl_zero(high)
                             : 64 - std::countl_zero(static_cast<std::uint64_t>(magnitude));
  if (bits <= 53) {  // exactly a double: no rounding
    return std::ldexp(static_cast<double>(static_cast<std::uint64_t>(magnitude)), exponent);
  }
  const int drop = bits - 53;
  auto kept = static_cast<std::uint64_t>(magnitude >> drop);
  const detail::UInt128 rest = magnitude & ((static_cast<detail::UInt128>(1) << drop) - 1);
  const detail::UInt128 half = static_cast<detail::UInt128>(1) << (drop - 1);
  if (rest > half || (rest == half && (kept & 1) != 0)) ++kept;  // may reach 2^53: still exact
  return std::ldexp(static_cast<double>(kept), exponent + drop);
}

}  // namespace

double ExactSum::value() const noexcept {
  const bool negative = fixed_ < 0;
  const auto magnitude =
      negative ? static_cast<detail::UInt128>(-fixed_) : static_cast<detail::UInt128>(fixed_);
  const double v = round_to_double(magnitude, -kFractionBits);
  return negative ? -v : v;
}

bool WideSum::add(double v) noexcept {
  const std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
  const auto exponent = static_cast<int>((bits >> 52) & 0x7ff);
  std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
  if (exponent == 0x7ff) return true;  // not finite: callers never pass one
  // v = mantissa * 2^(e - 1075) for normal numbers (with the hidden bit), 2^-1074 for subnormals:
  // bit `position` of the fixed-point integer (bit 0 = 2^-1074).
  int position = 0;
  if (exponent != 0) {
    mantissa |= std::uint64_t{1} << 52;
    position = exponent - 1;
  }
  if (mantissa == 0) return true;
  const auto limb = static_cast<std::size_t>(position / 32);
  const int offset = position % 32;
  // The mantissa (53 bits) shifted by up to 31 bits spans up to three 32-bit limbs.
  const detail::UInt128 shifted = static_cast<detail::UInt128>(mantissa) << offset;
  const auto parts = std::array<std::int64_t, 3>{
      static_cast<std::int64_t>(static_cast<std::uint64_t>(shifted) & 0xffffffffu),
      static_cast<std::int64_t>(static_cast<std::uint64_t>(shifted >> 32) & 0xffffffffu),
      static_cast<std::int64_t>(static_cast<std::uint64_t>(shifted >> 64))};
  const bool negative = (bits >> 63) != 0;
  for (std::size_t k = 0; k < 3 && limb + k < kLimbs; ++k) {
    limbs_[limb + k] += negative ? -parts[k] : parts[k];
  }
  // Each addition changes a limb by less than 2^32: 2^30 of them stay far from overflow.
  if (++pending_ >= (1u << 30)) normalize();
  return true;
}

bool WideSum::add(const WideSum& other) noexcept {
  WideSum copy = other;
  copy.normalize();
  normalize();
  for (std::size_t i = 0; i < kLimbs; ++i) limbs_[i] += copy.limbs_[i];
  normalize();
  return true;
}

bool WideSum::subtract(const WideSum& other) noexcept {
  WideSum copy = other;
  copy.normalize();
  normalize();
  for (std::size_t i = 0; i < kLimbs; ++i) limbs_[i] -= copy.limbs_[i];
  normalize();
  return true;
}

void WideSum::normalize() noexcept {
  std::int64_t carry = 0;
  for (std::size_t i = 0; i + 1 < kLimbs; ++i) {
    const std::int64_t v = limbs_[i] + carry;
    // Floor division by 2^32: the limb keeps 0 .. 2^32 - 1, the rest carries (possibly < 0).
    carry = v >> 32;
    limbs_[i] = v & 0xffffffff;
  }
  limbs_[kLimbs - 1] += carry;
  pending_ = 0;
}

bool WideSum::is_zero() const noexcept {
  WideSum copy = *this;
  copy.normalize();
  for (std::int64_t limb : copy.limbs_) {
    if (limb != 0) return false;
  }
  return true;
}

double WideSum::value() const noexcept {
  WideSum copy = *this;
  copy.normalize();
  // The sign is that of the top limb (the others are 0 .. 2^32 - 1); a negative value is negated
  // (two's complement over the limbs) and rounded as a magnitude.
  const bool negative = copy.limbs_[kLimbs - 1] < 0;
  if (negative) {
    for (std::int64_t& limb : copy.limbs_) limb = -limb;
    copy.normalize();
  }
  std::size_t top = kLimbs;
  while (top > 0 && copy.limbs_[top - 1] == 0) --top;
  if (top == 0) return 0.0;
  // The top four limbs (up to 128 bits) and a sticky bit for every nonzero limb below them.
  const std::size_t low = top >= 4 ? top - 4 : 0;
  detail::UInt128 magnitude = 0;
  for (std::size_t i = top; i-- > low;) {
    magnitude = (magnitude << 32) | static_cast<std::uint32_t>(copy.limbs_[i]);
  }
  bool sticky = false;
  for (std::size_t i = 0; i < low; ++i) sticky = sticky || copy.limbs_[i] != 0;
  const int exponent = static_cast<int>(32 * low) - 1074;
  // The top limb is nonzero, so the magnitude has more than 96 bits when four limbs were taken:
  // the sticky bit lies below the rounding position and only breaks ties.
  if (sticky) magnitude |= 1;
  double v = round_to_double(magnitude, exponent);
  if (!std::isfinite(v)) v = std::numeric_limits<double>::infinity();
  return negative ? -v : v;
}

}  // namespace ltv
