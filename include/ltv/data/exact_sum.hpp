#pragma once
/// Exact sums of doubles, rounded once at the end: the same result whatever order the values
/// come in and however they are grouped into partial sums. Customer summaries add amounts with
/// these, so that a file gives the same bytes in any row order and a summary built from partial
/// states (two parts of a file, or yesterday's state plus today's batch) equals one built at once.

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace ltv {

namespace detail {
__extension__ typedef __int128 Int128;            // GCC / Clang 128-bit integers
__extension__ typedef unsigned __int128 UInt128;  // (__extension__: not ISO C++)
}  // namespace detail

/// A sum of doubles held exactly in 128-bit fixed point with 72 fractional bits: 16 bytes, a
/// few integer instructions per addition. It holds a value exactly when the value is a multiple
/// of 2^-72 below 2^53 in magnitude: every double from 2^-20 (about 1e-6) up to 2^53 (9.0e15),
/// and smaller ones whose low bits are zero; the sum itself may reach 2^54 (1.8e16). add()
/// refuses anything else (false, the sum unchanged), so that a caller can move to WideSum.
class ExactSum {
 public:
  static constexpr int kFractionBits = 72;

  ExactSum() = default;
  /// The sum of the single value `v`, when ExactSum holds it (see representable()).
  static bool from(double v, ExactSum& out) noexcept {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(v);
    const auto exponent = static_cast<int>((bits >> 52) & 0x7ff);
    std::uint64_t mantissa = bits & ((std::uint64_t{1} << 52) - 1);
    if (exponent == 0) {  // zero (held) or subnormal (below 2^-1022: not held)
      out.fixed_ = 0;
      return mantissa == 0;
    }
    if (exponent == 0x7ff) return false;  // infinity or NaN
    mantissa |= std::uint64_t{1} << 52;
    // |v| * 2^72 = mantissa * 2^shift.
    const int shift = exponent - 1075 + kFractionBits;
    detail::UInt128 magnitude = 0;
    if (shift >= 0) {
      if (shift > 72) return false;  // |v| >= 2^53
      magnitude = static_cast<detail::UInt128>(mantissa) << shift;
    } else {
      if (shift < -52 || (mantissa & ((std::uint64_t{1} << -shift) - 1)) != 0) return false;
      magnitude = mantissa >> -shift;
    }
    const auto value = static_cast<detail::Int128>(magnitude);
    out.fixed_ = (bits >> 63) != 0 ? -value : value;
    return true;
  }
  /// Whether add(v) would hold `v` exactly (ignoring overflow of the sum).
  static bool representable(double v) noexcept {
    ExactSum s;
    return from(v, s);
  }
  /// Adds `v`; false (and nothing added) when `v` is not held exactly or the sum would overflow.
  bool add(double v) noexcept {
    ExactSum x;
    return from(v, x) && add(x);
  }
  /// Adds `other`; false (and nothing added) when the sum would reach +-2^54.
  bool add(const ExactSum& other) noexcept {
    const detail::Int128 sum = fixed_ + other.fixed_;  // both within +-2^126: no wrap
    if (sum > kLimit || sum < -kLimit) return false;
    fixed_ = sum;
    return true;
  }
  /// Subtracts `other`; false (and nothing subtracted) when the difference would reach +-2^54.
  bool subtract(const ExactSum& other) noexcept {
    const detail::Int128 difference = fixed_ - other.fixed_;
    if (difference > kLimit || difference < -kLimit) return false;
    fixed_ = difference;
    return true;
  }
  /// The exact value rounded to the nearest double (ties to even).
  double value() const noexcept;
  bool is_zero() const noexcept { return fixed_ == 0; }
  friend bool operator==(const ExactSum& a, const ExactSum& b) noexcept {
    return a.fixed_ == b.fixed_;
  }

 private:
  // Sums stay below 2^(54 + 72) = 2^126 in magnitude: any two of them add or subtract without
  // wrapping around in 128 bits.
  static constexpr detail::Int128 kLimit = (static_cast<detail::Int128>(1) << 126) - 1;
  detail::Int128 fixed_ = 0;  // the value times 2^72
};

/// A sum of any finite doubles held exactly (a fixed-point integer of 2,176 bits, from 2^-1074,
/// the smallest subnormal, to beyond the largest double): 552 bytes, meant for a few sums at a
/// time where ExactSum refused a value. add() always succeeds.
class WideSum {
 public:
  WideSum() = default;
  /// The sum of the single finite value `v`. Always true.
  static bool from(double v, WideSum& out) noexcept {
    out = WideSum();
    return out.add(v);
  }
  /// Adds `v` (finite). Always true.
  bool add(double v) noexcept;
  /// Adds `other`. Always true.
  bool add(const WideSum& other) noexcept;
  /// Subtracts `other`. Always true.
  bool subtract(const WideSum& other) noexcept;
  /// The exact value rounded to the nearest double (ties to even; beyond the largest double:
  /// infinity with the sign of the value).
  double value() const noexcept;
  bool is_zero() const noexcept;

 private:
  static constexpr std::size_t kLimbs = 68;  // of 32 bits each, bit 0 = 2^-1074
  /// Propagates carries so that every limb but the top one is in 0 .. 2^32 - 1.
  void normalize() noexcept;
  // Signed limbs of 32 bits (carries deferred): value = sum of limbs_[i] * 2^(32 i - 1074).
  std::array<std::int64_t, kLimbs> limbs_{};
  std::uint32_t pending_ = 0;  // additions since the last normalize()
};

}  // namespace ltv
