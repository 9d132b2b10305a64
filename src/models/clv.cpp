// Discounted customer lifetime value over a horizon (lifetimes' customer_lifetime_value for the
// discrete form; Fader, Hardie & Lee 2005b "RFM and CLV" for DERT in continuous time; Fader,
// Hardie & Shang 2010 eq. 14 for BG/BB DERT).
#include "ltv/models/clv.hpp"

#include <cmath>
#include <exception>
#include <tuple>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>
#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "ltv/error.hpp"

namespace ltv {

namespace {

void check_options(const ClvOptions& o, bool allow_infinite) {
  if (std::isnan(o.horizon) || !(o.horizon > 0) || (std::isinf(o.horizon) && !allow_infinite)) {
    parameter_error("horizon", fmt::format("{}", o.horizon),
                    allow_infinite ? "a positive number of steps (or infinity)"
                                   : "a positive finite number of steps");
  }
  if (!std::isfinite(o.step) || !(o.step > 0)) {
    parameter_error("step", fmt::format("{}", o.step),
                    "a positive step length in model time units");
  }
  if (!std::isfinite(o.discount_rate) || o.discount_rate < 0) {
    parameter_error("discount_rate", fmt::format("{}", o.discount_rate),
                    "a discount rate per step >= 0");
  }
  if (std::isinf(o.horizon) && !(o.discount_rate > 0)) {
    parameter_error("discount_rate", fmt::format("{}", o.discount_rate),
                    "a positive discount rate for an infinite horizon");
  }
  if (!std::isfinite(o.margin)) {
    parameter_error("margin", fmt::format("{}", o.margin), "a finite margin");
  }
}

void check_customers(const ClvCustomers& c) {
  const std::size_t n = c.x.size();
  if (c.t_x.size() != n || c.T.size() != n || c.spend.size() != n) {
    input_error(SourceLocation{"", 0, "spend"},
                fmt::format("lengths x={}, t_x={}, T={}, spend={}", n, c.t_x.size(), c.T.size(),
                            c.spend.size()),
                "columns of equal length");
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (!std::isfinite(c.spend[i]) || c.spend[i] < 0) {
      input_error(SourceLocation{"", 0, "spend"},
                  fmt::format("{} (customer #{})", c.spend[i], i + 1),
                  "a finite spend per transaction >= 0");
    }
  }
}

}  // namespace

double discounted_transactions(const std::function<double(double)>& cet, const ClvOptions& o) {
  check_options(o, false);
  if (o.discounting == Discounting::discrete) {
    double sum = 0, prev = 0;
    const double log_disc = -std::log1p(o.discount_rate);
    const auto steps = static_cast<long>(std::ceil(o.horizon - 1e-9));
    for (long i = 1; i <= steps; ++i) {
      const double u = std::min(static_cast<double>(i), o.horizon) * o.step;
      const double c = cet(u);
      sum += (c - prev) * std::exp(log_disc * static_cast<double>(i));
      prev = c;
    }
    return sum;
  }
  // Continuous: ∫_0^H e^{−δu} dCET(u) = e^{−δH} CET(H) + δ ∫_0^H e^{−δu} CET(u) du.
  const double delta = std::log1p(o.discount_rate) / o.step;
  const double H = o.horizon * o.step;
  double value = std::exp(-delta * H) * cet(H);
  if (delta > 0) {
    auto f = [&](double u) -> double { return std::exp(-delta * u) * cet(u); };
    value +=
        delta * boost::math::quadrature::gauss_kronrod<double, 31>::integrate(f, 0.0, H, 8, 1e-10);
  }
  return value;
}

void check_clv_options(const ClvOptions& options, const FittedCountModel& model) {
  if (!model.discrete()) {
    check_options(options, options.discounting == Discounting::continuous);
    return;
  }
  if (options.discounting != Discounting::discrete) {
    parameter_error(
        "discounting", "continuous",
        "discrete for " + std::string(model.definition().title) + " (opportunities are discrete)");
  }
  check_options(options, true);
  if (options.step != std::floor(options.step)) {
    parameter_error(
        "step", fmt::format("{}", options.step),
        "a whole number of opportunities per step for " + std::string(model.definition().title));
  }
  if (std::isinf(options.horizon) && options.step != 1) {
    parameter_error("step", fmt::format("{}", options.step),
                    "1 for an infinite horizon with " + std::string(model.definition().title) +
                        " (the rate is per opportunity)");
  }
}

namespace {

struct PatternHash {
  std::size_t operator()(const std::tuple<double, double, double>& k) const noexcept {
    const std::hash<double> h;
    std::size_t v = h(std::get<0>(k));
    v = v * 0x9E3779B97F4A7C15ull ^ h(std::get<1>(k));
    return v * 0x9E3779B97F4A7C15ull ^ h(std::get<2>(k));
  }
};

struct PairHash {
  std::size_t operator()(const std::pair<double, double>& k) const noexcept {
    const std::hash<double> h;
    return h(k.first) * 0x9E3779B97F4A7C15ull ^ h(k.second);
  }
};

/// Runs body(i) for i in [0, n) on every core; rethrows the exception of the lowest failing i
/// (so the error does not depend on thread timing).
template <class Body>
void for_each_in_order_of_errors(std::size_t n, int block, Body body) {
  std::vector<std::exception_ptr> errors(n);
  const auto count = static_cast<long long>(n);
#pragma omp parallel for schedule(dynamic, block)
  for (long long i = 0; i < count; ++i) {
    try {
      body(static_cast<std::size_t>(i));
    } catch (...) {
      errors[static_cast<std::size_t>(i)] = std::current_exception();
    }
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

}  // namespace

CountScores score_customers(const FittedCountModel& model, std::span<const double> x,
                            std::span<const double> t_x, std::span<const double> T, double horizon,
                            const ClvOptions* clv) {
  const std::size_t n = x.size();
  if (t_x.size() != n || T.size() != n) {
    input_error(SourceLocation{"", 0, "t_x/T"},
                fmt::format("lengths x={}, t_x={}, T={}", n, t_x.size(), T.size()),
                "columns of equal length");
  }
  if (clv != nullptr) check_clv_options(*clv, model);
  const bool with_discounted = clv != nullptr;
  const auto discounted = [&](double xi, double t_xi, double Ti) {
    return discounted_transactions(
        [&](double u) {
          return u <= 0 ? 0.0 : model.conditional_expected_transactions(u, xi, t_xi, Ti);
        },
        *clv);
  };
  // Customers grouped into distinct (x, t_x, T) patterns, each scored once.
  std::unordered_map<std::tuple<double, double, double>, std::uint32_t, PatternHash> ids;
  ids.reserve(std::min<std::size_t>(n, std::size_t{1} << 22));
  std::vector<std::uint32_t> pattern_of(n);
  std::vector<std::size_t> first_row;  // a customer of each pattern
  for (std::size_t i = 0; i < n; ++i) {
    const auto [it, added] =
        ids.try_emplace({x[i], t_x[i], T[i]}, static_cast<std::uint32_t>(first_row.size()));
    if (added) first_row.push_back(i);
    pattern_of[i] = it->second;
  }
  ids = {};
  // Given that a customer is alive at T, the future does not depend on t_x (in every count model
  // of the registry the likelihood of the history of a customer alive at T involves x and T
  // only), so CET(u | x, t_x, T) = P(alive | x, t_x, T) * CET(u | x, T, T) / P(alive | x, T, T).
  // The expensive CET curve (horizon and every CLV step) is computed once per (x, T) and scaled
  // by each pattern's P(alive) (tested in tests/models/validation_test.cpp).
  std::unordered_map<std::pair<double, double>, std::uint32_t, PairHash> pair_ids;
  std::vector<std::uint32_t> pair_of(first_row.size());
  std::vector<std::pair<double, double>> pairs;
  for (std::size_t p = 0; p < first_row.size(); ++p) {
    const std::size_t i = first_row[p];
    const auto [it, added] =
        pair_ids.try_emplace({x[i], T[i]}, static_cast<std::uint32_t>(pairs.size()));
    if (added) pairs.emplace_back(x[i], T[i]);
    pair_of[p] = it->second;
  }
  pair_ids = {};
  struct Curve {
    double alive_at_T, cet, discounted;  // P(alive | x, T, T); CET and D of (x, T, T)
  };
  std::vector<Curve> per_pair(pairs.size());
  for_each_in_order_of_errors(pairs.size(), 16, [&](std::size_t k) {
    const auto [xk, Tk] = pairs[k];
    const double t_xk = xk > 0 ? Tk : 0.0;
    per_pair[k] = Curve{model.p_alive(xk, t_xk, Tk),
                        model.conditional_expected_transactions(horizon, xk, t_xk, Tk),
                        with_discounted ? discounted(xk, t_xk, Tk) : 0.0};
  });
  std::vector<Curve> per_pattern(first_row.size());
  for_each_in_order_of_errors(first_row.size(), 256, [&](std::size_t p) {
    const std::size_t i = first_row[p];
    const Curve& a = per_pair[pair_of[p]];
    const double alive = model.p_alive(x[i], t_x[i], T[i]);
    Curve c{alive, a.cet, a.discounted};
    if (t_x[i] != (x[i] > 0 ? T[i] : 0.0)) {
      if (a.alive_at_T > 1e-250) {
        const double f = alive / a.alive_at_T;
        c.cet = f * a.cet;
        c.discounted = f * a.discounted;
      } else {  // no usable reference: compute directly
        c.cet = model.conditional_expected_transactions(horizon, x[i], t_x[i], T[i]);
        c.discounted = with_discounted ? discounted(x[i], t_x[i], T[i]) : 0.0;
      }
    }
    if (!std::isfinite(c.alive_at_T) || !std::isfinite(c.cet) || !std::isfinite(c.discounted)) {
      throw ModelError(fmt::format("{}: non-finite prediction for x={}, t_x={}, T={}", model.name(),
                                   x[i], t_x[i], T[i]));
    }
    per_pattern[p] = c;
  });
  CountScores out;
  out.p_alive.resize(n);
  out.expected_purchases.resize(n);
  if (with_discounted) out.discounted_purchases.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const Curve& c = per_pattern[pattern_of[i]];
    out.p_alive[i] = c.alive_at_T;
    out.expected_purchases[i] = c.cet;
    if (with_discounted) out.discounted_purchases[i] = c.discounted;
  }
  return out;
}

std::vector<double> customer_lifetime_value(const FittedCountModel& model,
                                            const ClvCustomers& customers,
                                            const ClvOptions& options) {
  check_clv_options(options, model);
  check_customers(customers);
  const std::size_t n = customers.x.size();
  std::vector<double> out(n);
  if (std::isinf(options.horizon)) {
    // DERT: continuous-time models take the continuous rate per time unit, discrete ones the
    // rate per opportunity.
    const double rate =
        model.discrete() ? options.discount_rate : std::log1p(options.discount_rate) / options.step;
    for_each_in_order_of_errors(n, 64, [&](std::size_t i) {
      out[i] = options.margin * customers.spend[i] *
               model.dert(rate, customers.x[i], customers.t_x[i], customers.T[i]);
    });
    return out;
  }
  const CountScores scores =
      score_customers(model, customers.x, customers.t_x, customers.T, options.step, &options);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = options.margin * customers.spend[i] * scores.discounted_purchases[i];
  }
  return out;
}

}  // namespace ltv
