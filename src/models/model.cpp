#include "ltv/models/model.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <string>
#include <utility>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "math/parallel.hpp"

namespace ltv {

double RfmPatterns::customers() const noexcept {
  return std::accumulate(weight.begin(), weight.end(), 0.0);
}

namespace {

[[noreturn]] void bad_value(const char* column, std::size_t index, double value,
                            const std::string& expected) {
  SourceLocation where;
  where.column = column;
  input_error(std::move(where), fmt::format("{} (customer #{})", value, index + 1), expected);
}

/// A customer's (t_x, T) and weight while compressing.
struct Row {
  double t_x, T, w;
};

/// Bits of a non-negative double that order like the value (+0.0 for -0.0).
std::uint64_t order_bits(double v) noexcept {
  return std::bit_cast<std::uint64_t>(v + 0.0);
}

/// Sorts rows by (t_x, T). Large ranges: least-significant-digit radix sort on the 16 bytes of
/// the two non-negative doubles, skipping bytes that are equal in every row (a comparison sort
/// of 50,000 rows spends most of its time on mispredicted branches).
void sort_rows(std::vector<Row>::iterator first, std::vector<Row>::iterator last) {
  const auto n = static_cast<std::size_t>(last - first);
  if (n < 512) {
    std::sort(first, last, [](const Row& p, const Row& q) {
      return p.t_x != q.t_x ? p.t_x < q.t_x : p.T < q.T;
    });
    return;
  }
  // Digit d: byte d of T for d < 8, byte d - 8 of t_x after.
  const auto digit = [](const Row& r, int d) {
    const std::uint64_t bits = d < 8 ? order_bits(r.T) : order_bits(r.t_x);
    return static_cast<std::size_t>((bits >> (8 * (d % 8))) & 0xFF);
  };
  std::vector<std::array<std::size_t, 256>> counts(16);
  for (auto& c : counts) c.fill(0);
  for (auto it = first; it != last; ++it) {
    for (int d = 0; d < 16; ++d) ++counts[d][digit(*it, d)];
  }
  std::vector<Row> buffer(n);
  Row* src = &*first;
  Row* dst = buffer.data();
  for (int d = 0; d < 16; ++d) {
    auto& c = counts[d];
    if (std::find(c.begin(), c.end(), n) != c.end()) continue;  // one value: order unchanged
    std::size_t sum = 0;
    for (auto& v : c) sum += std::exchange(v, sum);
    for (std::size_t i = 0; i < n; ++i) dst[c[digit(src[i], d)]++] = src[i];
    std::swap(src, dst);
  }
  if (src != &*first) std::copy(src, src + n, first);
}

}  // namespace

RfmPatterns compress_patterns(std::span<const double> x, std::span<const double> t_x,
                              std::span<const double> T, std::span<const double> weights) {
  const std::size_t n = x.size();
  if (t_x.size() != n || T.size() != n || (!weights.empty() && weights.size() != n)) {
    input_error(SourceLocation{"", 0, "t_x/T/weight"},
                fmt::format("lengths x={}, t_x={}, T={}, weight={}", n, t_x.size(), T.size(),
                            weights.size()),
                "columns of equal length (weights may be omitted)");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i]) || x[i] < 0 || x[i] != std::floor(x[i])) {
      bad_value("x", i, x[i], "a whole number of repeat transactions >= 0");
    }
    if (!std::isfinite(t_x[i]) || t_x[i] < 0) bad_value("t_x", i, t_x[i], "a finite time >= 0");
    if (!std::isfinite(T[i]) || T[i] < 0) bad_value("T", i, T[i], "a finite time >= 0");
    // Allow rounding noise of summaries written with a few decimals (t_x = T up to 1e-9 relative).
    if (t_x[i] > T[i] * (1 + 1e-9) + 1e-12) {
      bad_value("t_x", i, t_x[i], fmt::format("t_x <= T = {}", T[i]));
    }
    if (x[i] == 0 && t_x[i] != 0) bad_value("t_x", i, t_x[i], "t_x = 0 when x = 0");
    if (!weights.empty() && (!std::isfinite(weights[i]) || weights[i] < 0)) {
      bad_value("weight", i, weights[i], "a finite weight >= 0");
    }
  }
  // Bucket by x (counting sort), then sort each bucket by (t_x, T) on compact rows (radix sort
  // for large buckets): faster than one comparison sort of indices into three columns. Buckets
  // are the whole numbers 0..max(x), or the distinct values of x when they are very large.
  double max_x = 0;
  for (std::size_t i = 0; i < n; ++i) max_x = std::max(max_x, x[i]);
  std::vector<double> levels;  // value of each bucket when x is not its own index
  if (max_x >= 1e6) {
    levels.assign(x.begin(), x.end());
    std::sort(levels.begin(), levels.end());
    levels.erase(std::unique(levels.begin(), levels.end()), levels.end());
  }
  const std::size_t buckets =
      (levels.empty() ? static_cast<std::size_t>(max_x) + 1 : levels.size()) + 1;
  const auto bucket_of = [&](std::size_t i) {
    return levels.empty()
               ? static_cast<std::size_t>(x[i])
               : static_cast<std::size_t>(std::lower_bound(levels.begin(), levels.end(), x[i]) -
                                          levels.begin());
  };
  const auto value_of = [&](std::size_t b) {
    return levels.empty() ? static_cast<double>(b) : levels[b];
  };
  std::vector<std::size_t> start(buckets, 0);
  for (std::size_t i = 0; i < n; ++i) ++start[bucket_of(i) + 1];
  for (std::size_t b = 1; b < buckets; ++b) start[b] += start[b - 1];
  std::vector<Row> rows(n);
  {
    std::vector<std::size_t> next(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      rows[next[bucket_of(i)]++] =
          Row{std::min(t_x[i], T[i]), T[i], weights.empty() ? 1.0 : weights[i]};
    }
  }
  RfmPatterns out;
  out.x.reserve(n);
  out.t_x.reserve(n);
  out.T.reserve(n);
  out.weight.reserve(n);
  const auto emit = [&](double xi, const Row& r) {
    if (r.w == 0) return;
    if (!out.x.empty() && out.x.back() == xi && out.t_x.back() == r.t_x && out.T.back() == r.T) {
      out.weight.back() += r.w;
    } else {
      out.x.push_back(xi);
      out.t_x.push_back(r.t_x);
      out.T.push_back(r.T);
      out.weight.push_back(r.w);
    }
  };
  // The buckets sort independently (on both cores for large inputs: x = 0 alone is often half
  // of the customers), then are merged in order.
  const auto count = static_cast<long long>(buckets - 1);
  detail::ParallelErrors errors;
#pragma omp parallel for schedule(dynamic, 1) if (n > 50000)
  for (long long b = 0; b < count; ++b) {
    errors.run([&] {
      sort_rows(rows.begin() + static_cast<std::ptrdiff_t>(start[b]),
                rows.begin() + static_cast<std::ptrdiff_t>(start[b + 1]));
    });
  }
  errors.rethrow();
  for (std::size_t b = 0; b + 1 < buckets; ++b) {
    for (std::size_t k = start[b]; k < start[b + 1]; ++k) emit(value_of(b), rows[k]);
  }
  return out;
}

}  // namespace ltv
