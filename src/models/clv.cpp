// Discounted customer lifetime value over a horizon (lifetimes' customer_lifetime_value for the
// discrete form; Fader, Hardie & Lee 2005b "RFM and CLV" for DERT in continuous time; Fader,
// Hardie & Shang 2010 eq. 14 for BG/BB DERT).
#include "ltv/models/clv.hpp"

#include <cmath>

#include <fmt/format.h>
#include <boost/math/quadrature/gauss_kronrod.hpp>

#include "ltv/error.hpp"
#include "math/parallel.hpp"

namespace ltv {

namespace {

void check_options(const ClvOptions& o, bool allow_infinite) {
  if (std::isnan(o.horizon) || !(o.horizon > 0) || (std::isinf(o.horizon) && !allow_infinite)) {
    option_error("horizon", fmt::format("{}", o.horizon),
                 allow_infinite ? "a positive number of steps (or infinity)"
                                : "a positive finite number of steps");
  }
  if (!std::isfinite(o.step) || !(o.step > 0)) {
    option_error("step", fmt::format("{}", o.step), "a positive step length in model time units");
  }
  if (!std::isfinite(o.discount_rate) || o.discount_rate < 0) {
    option_error("discount-rate", fmt::format("{}", o.discount_rate),
                 "a discount rate per step >= 0");
  }
  if (std::isinf(o.horizon) && !(o.discount_rate > 0)) {
    option_error("discount-rate", fmt::format("{}", o.discount_rate),
                 "a positive discount rate for an infinite horizon");
  }
  if (!std::isfinite(o.margin)) {
    option_error("margin", fmt::format("{}", o.margin), "a finite margin");
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

template <class Cet>
std::vector<double> value_all(const ClvCustomers& c, const ClvOptions& o, Cet cet_of) {
  check_customers(c);
  std::vector<double> out(c.x.size());
  detail::parallel_for(out.size(), [&](std::size_t i) {
    const double tx =
        discounted_transactions([&](double u) { return cet_of(u, c.x[i], c.t_x[i], c.T[i]); }, o);
    out[i] = o.margin * c.spend[i] * tx;
  });
  return out;
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

namespace {
template <class Params, class CetFn, class DertFn>
std::vector<double> nbd_clv(const Params& p, const ClvCustomers& c, const ClvOptions& o, CetFn cet,
                            DertFn dert) {
  check_options(o, o.discounting == Discounting::continuous);
  if (std::isinf(o.horizon)) {
    check_customers(c);
    const double delta = std::log1p(o.discount_rate) / o.step;
    std::vector<double> out(c.x.size());
    detail::parallel_for(out.size(), [&](std::size_t i) {
      out[i] = o.margin * c.spend[i] * dert(p, delta, c.x[i], c.t_x[i], c.T[i]);
    });
    return out;
  }
  return value_all(c, o,
                   [&](double u, double x, double t_x, double T) { return cet(p, u, x, t_x, T); });
}
}  // namespace

std::vector<double> customer_lifetime_value(const BgNbdParams& params,
                                            const ClvCustomers& customers,
                                            const ClvOptions& options) {
  return nbd_clv(
      params, customers, options,
      [](const BgNbdParams& p, double u, double x, double t_x, double T) {
        return bg_nbd::conditional_expected_transactions(p, u, x, t_x, T);
      },
      [](const BgNbdParams& p, double d, double x, double t_x, double T) {
        return bg_nbd::dert(p, d, x, t_x, T);
      });
}

std::vector<double> customer_lifetime_value(const MbgNbdParams& params,
                                            const ClvCustomers& customers,
                                            const ClvOptions& options) {
  return nbd_clv(
      params, customers, options,
      [](const MbgNbdParams& p, double u, double x, double t_x, double T) {
        return mbg_nbd::conditional_expected_transactions(p, u, x, t_x, T);
      },
      [](const MbgNbdParams& p, double d, double x, double t_x, double T) {
        return mbg_nbd::dert(p, d, x, t_x, T);
      });
}

std::vector<double> customer_lifetime_value(const BgBbParams& params, const ClvCustomers& customers,
                                            const ClvOptions& options) {
  if (options.discounting != Discounting::discrete) {
    option_error("discounting", "continuous", "discrete for BG/BB (opportunities are discrete)");
  }
  check_options(options, true);
  if (options.step != std::floor(options.step)) {
    option_error("step", fmt::format("{}", options.step),
                 "a whole number of opportunities per step for BG/BB");
  }
  if (std::isinf(options.horizon)) {
    if (options.step != 1) {
      option_error("step", fmt::format("{}", options.step),
                   "1 for an infinite horizon with BG/BB (the rate is per opportunity)");
    }
    check_customers(customers);
    std::vector<double> out(customers.x.size());
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = options.margin * customers.spend[i] *
               bg_bb::dert(params, options.discount_rate, customers.x[i], customers.t_x[i],
                           customers.T[i]);
    }
    return out;
  }
  return value_all(customers, options, [&](double u, double x, double t_x, double n) {
    return bg_bb::conditional_expected_transactions(params, std::round(u), x, t_x, n);
  });
}

}  // namespace ltv
