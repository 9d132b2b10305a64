// In-memory generators of per-customer summaries for parameter-recovery tests of the models.
#include <cmath>
#include <string>

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/sim/simulate.hpp"
#include "sim/processes.hpp"

namespace ltv::sim {

namespace {

void require_positive(double value, const char* name) {
  if (!(value > 0.0) || !std::isfinite(value)) {
    parameter_error(name, fmt::format("{}", value), "a finite number > 0");
  }
}

void require_horizons(std::span<const double> T) {
  for (double t : T) {
    if (!(t >= 0.0) || !std::isfinite(t)) {
      parameter_error("T", fmt::format("{}", t), "finite observation lengths >= 0");
    }
  }
}

}  // namespace

namespace {

/// Simulates one customer per horizon T[i] with `draw(rng, T, times)`, which fills the repeat
/// purchase times and returns {lambda, dropout parameter, alive at T}.
template <class Draw>
SimulatedSummary simulate_summary(std::span<const double> T, std::uint64_t seed, Draw draw) {
  require_horizons(T);
  SimulatedSummary out;
  const std::size_t n = T.size();
  out.x.resize(n);
  out.t_x.resize(n);
  out.T.assign(T.begin(), T.end());
  out.lambda.resize(n);
  out.dropout.resize(n);
  out.alive.resize(n);
  std::vector<double> times;
  for (std::size_t i = 0; i < n; ++i) {
    detail::Rng rng(seed, i, detail::Stream::summary);
    times.clear();
    const auto [lambda, dropout, alive] = draw(rng, T[i], times);
    out.x[i] = static_cast<double>(times.size());
    out.t_x[i] = times.empty() ? 0.0 : times.back();
    out.lambda[i] = lambda;
    out.dropout[i] = dropout;
    out.alive[i] = alive ? 1 : 0;
  }
  return out;
}

struct Latent {
  double lambda, dropout;
  bool alive;
};

}  // namespace

SimulatedSummary simulate_bgnbd_summary(std::span<const double> T, const BgNbdParams& params,
                                        std::uint64_t seed) {
  require_positive(params.r, "r");
  require_positive(params.alpha, "alpha");
  require_positive(params.a, "a");
  require_positive(params.b, "b");
  return simulate_summary(T, seed, [&](detail::Rng& rng, double horizon, auto& times) {
    const double lambda = rng.gamma(params.r, params.alpha);
    const double p = rng.beta(params.a, params.b);
    const bool alive = detail::bgnbd_repeat_times(rng, lambda, p, horizon, {}, times);
    return Latent{lambda, p, alive};
  });
}

SimulatedSummary simulate_bgnbd_summary(std::size_t n, double T, const BgNbdParams& params,
                                        std::uint64_t seed) {
  const std::vector<double> horizons(n, T);
  return simulate_bgnbd_summary(horizons, params, seed);
}

SimulatedSummary simulate_pnbd_summary(std::span<const double> T, const ParetoNbdParams& params,
                                       std::uint64_t seed) {
  require_positive(params.r, "r");
  require_positive(params.alpha, "alpha");
  require_positive(params.s, "s");
  require_positive(params.beta, "beta");
  return simulate_summary(T, seed, [&](detail::Rng& rng, double horizon, auto& times) {
    const double lambda = rng.gamma(params.r, params.alpha);
    const double mu = rng.gamma(params.s, params.beta);
    double lifetime = 0.0;
    const bool alive = detail::pnbd_repeat_times(rng, lambda, mu, horizon, {}, times, lifetime);
    return Latent{lambda, mu, alive};
  });
}

SimulatedSummary simulate_pnbd_summary(std::size_t n, double T, const ParetoNbdParams& params,
                                       std::uint64_t seed) {
  const std::vector<double> horizons(n, T);
  return simulate_pnbd_summary(horizons, params, seed);
}

SimulatedBgBbSummary simulate_bgbb_summary(std::span<const int> n, const BgBbParams& params,
                                           std::uint64_t seed) {
  require_positive(params.alpha, "alpha");
  require_positive(params.beta, "beta");
  require_positive(params.gamma, "gamma");
  require_positive(params.delta, "delta");
  for (int opportunities : n) {
    if (opportunities < 0) {
      parameter_error("n", std::to_string(opportunities), "numbers of opportunities >= 0");
    }
  }
  SimulatedBgBbSummary out;
  const std::size_t count = n.size();
  out.x.resize(count);
  out.t_x.resize(count);
  out.n.assign(n.begin(), n.end());
  out.p.resize(count);
  out.theta.resize(count);
  out.alive.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    detail::Rng rng(seed, i, detail::Stream::summary);
    const double p = rng.beta(params.alpha, params.beta);
    const double theta = rng.beta(params.gamma, params.delta);
    int x = 0;
    int t_x = 0;
    bool alive = true;
    // Fader, Hardie & Shang (2010), section 2: a customer alive at the start of an opportunity
    // dies at its beginning with probability theta; if still alive, buys with probability p.
    for (int t = 1; t <= n[i]; ++t) {
      if (rng.bernoulli(theta)) {
        alive = false;
        break;
      }
      if (rng.bernoulli(p)) {
        ++x;
        t_x = t;
      }
    }
    out.x[i] = x;
    out.t_x[i] = t_x;
    out.p[i] = p;
    out.theta[i] = theta;
    out.alive[i] = alive ? 1 : 0;
  }
  return out;
}

std::vector<double> simulate_gamma_gamma_spend(std::span<const double> x,
                                               const GammaGammaParams& params, std::uint64_t seed,
                                               std::vector<double>* nu) {
  require_positive(params.p, "p");
  require_positive(params.q, "q");
  require_positive(params.gamma, "gamma");
  for (double count : x) {
    if (!(count >= 0.0) || count != std::floor(count) || count > 1e9) {
      parameter_error("x", fmt::format("{}", count), "whole numbers of transactions >= 0");
    }
  }
  std::vector<double> mean_spend(x.size());
  if (nu != nullptr) nu->resize(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    detail::Rng rng(seed, i, detail::Stream::gamma_gamma);
    const double customer_nu = rng.gamma(params.q, params.gamma);
    const auto transactions = static_cast<std::uint64_t>(x[i]);
    double total = 0.0;
    for (std::uint64_t j = 0; j < transactions; ++j) total += rng.gamma(params.p, customer_nu);
    mean_spend[i] = transactions > 0 ? total / static_cast<double>(transactions) : 0.0;
    if (nu != nullptr) (*nu)[i] = customer_nu;
  }
  return mean_spend;
}

}  // namespace ltv::sim
