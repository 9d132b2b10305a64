#include "ltv/models/model.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include <fmt/format.h>

#include "ltv/error.hpp"

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
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (x[a] != x[b]) return x[a] < x[b];
    if (t_x[a] != t_x[b]) return t_x[a] < t_x[b];
    return T[a] < T[b];
  });
  RfmPatterns out;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = order[k];
    const double w = weights.empty() ? 1.0 : weights[i];
    if (w == 0) continue;
    const double ti = std::min(t_x[i], T[i]);
    if (!out.x.empty() && out.x.back() == x[i] && out.t_x.back() == ti && out.T.back() == T[i]) {
      out.weight.back() += w;
    } else {
      out.x.push_back(x[i]);
      out.t_x.push_back(ti);
      out.T.push_back(T[i]);
      out.weight.push_back(w);
    }
  }
  return out;
}

}  // namespace ltv
