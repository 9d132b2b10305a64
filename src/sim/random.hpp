#pragma once
// Portable random numbers for the simulator. std:: distributions are implementation-defined, so
// every sampler here is our own, written from the published algorithms, and fed by xoshiro256**
// (Blackman & Vigna 2018) seeded through SplitMix64. Each customer gets independent streams
// derived from (seed, customer index, stream id), so results never depend on threading.

#include <cmath>
#include <cstdint>
#include <limits>

namespace ltv::sim::detail {

/// SplitMix64 step (Steele, Lea & Flood 2014): advances `state` and returns a mixed value.
inline std::uint64_t splitmix64(std::uint64_t& state) noexcept {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// Random stream ids of one customer (changing one option never shifts another stream).
enum class Stream : std::uint64_t {
  purchase = 1,     // acquisition time, lambda, dropout, purchase times
  spend = 2,        // nu and transaction values
  basket = 3,       // products, quantities, sales channel
  attributes = 4,   // demographics, acquisition channel, loyalty, potential
  feedback = 5,     // NPS answers and contacts
  campaign = 6,     // campaign assignment
  summary = 7,      // in-memory summary generators
  gamma_gamma = 8,  // in-memory Gamma-Gamma generator
};

/// xoshiro256** 1.0: 256-bit state, period 2^256 - 1. Satisfies UniformRandomBitGenerator.
class Rng {
 public:
  using result_type = std::uint64_t;

  Rng(std::uint64_t seed, std::uint64_t index, Stream stream) noexcept {
    std::uint64_t sm = seed;
    std::uint64_t h = splitmix64(sm);
    sm = h ^ (index * 0xD1B54A32D192ED03ULL);
    h = splitmix64(sm);
    sm = h ^ (static_cast<std::uint64_t>(stream) * 0xAEF17502108EF2D9ULL);
    for (auto& word : s_) word = splitmix64(sm);
  }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

  result_type operator()() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  /// Uniform on [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }
  /// Uniform on (0, 1].
  double uniform_pos() noexcept { return static_cast<double>(((*this)() >> 11) + 1) * 0x1.0p-53; }
  /// Uniform integer in [0, n), n > 0 and small (bias below n * 2^-53).
  std::uint64_t below(std::uint64_t n) noexcept {
    const auto i = static_cast<std::uint64_t>(uniform() * static_cast<double>(n));
    return i < n ? i : n - 1;
  }
  bool bernoulli(double p) noexcept { return uniform() < p; }
  /// Exp(1).
  double exponential() noexcept { return -std::log(uniform_pos()); }

  /// Standard normal (Marsaglia polar method; the second value is kept for the next call).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double m = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * m;
    has_spare_ = true;
    return u * m;
  }

  /// log of a Gamma(shape, 1) variate, shape > 0 (Marsaglia & Tsang 2000; for shape < 1 the
  /// boost X * U^(1/shape) with X ~ Gamma(shape + 1), done in logs so tiny shapes never underflow).
  double log_gamma_variate(double shape) noexcept {
    if (shape < 1.0) {
      return log_gamma_variate(shape + 1.0) + std::log(uniform_pos()) / shape;
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform_pos();
      const double x2 = x * x;
      if (u < 1.0 - 0.0331 * x2 * x2) return std::log(d * v);
      if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return std::log(d * v);
    }
  }

  /// Gamma(shape, rate): density rate^shape x^(shape-1) e^(-rate x) / Gamma(shape).
  double gamma(double shape, double rate) noexcept {
    return std::exp(log_gamma_variate(shape)) / rate;
  }

  /// Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), computed from logs.
  double beta(double a, double b) noexcept {
    const double lx = log_gamma_variate(a);
    const double ly = log_gamma_variate(b);
    return 1.0 / (1.0 + std::exp(ly - lx));
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
  double spare_ = 0.0;
  bool has_spare_ = false;
};

/// Draws an index from cumulative weights (last element = total).
template <class Cumulative>
inline std::size_t pick(Rng& rng, const Cumulative& cumulative) noexcept {
  const double u = rng.uniform() * cumulative.back();
  std::size_t i = 0;
  while (i + 1 < cumulative.size() && u >= cumulative[i]) ++i;
  return i;
}

}  // namespace ltv::sim::detail
