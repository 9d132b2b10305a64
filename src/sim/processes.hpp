#pragma once
// The individual-level purchase processes shared by the retailer simulation and the in-memory
// summary generators. Time unit: weeks since the customer's first purchase (time 0).

#include <limits>
#include <vector>

#include "sim/random.hpp"

namespace ltv::sim::detail {

/// Purchase rate multiplied by `factor` from `time` on (a campaign); the default changes nothing.
struct RateChange {
  double time = std::numeric_limits<double>::infinity();
  double factor = 1.0;
};

/// Next purchase time after `t` for a Poisson process of rate `lambda` whose rate is multiplied by
/// change.factor after change.time. Uses one Exp(1) draw; exact by memorylessness (the residual
/// past change.time of an Exp(lambda) wait is again Exp(lambda), rescaled to Exp(lambda*factor)).
inline double next_purchase(Rng& rng, double t, double lambda, const RateChange& change) {
  const double e = rng.exponential();
  if (!(lambda > 0.0)) return std::numeric_limits<double>::infinity();
  if (t >= change.time) return t + e / (lambda * change.factor);
  const double next = t + e / lambda;
  if (next <= change.time || change.factor == 1.0) return next;
  return change.time + (next - change.time) / change.factor;
}

/// BG/NBD individual process (Fader, Hardie & Lee 2005, assumptions (i)-(iii) of section 3): while
/// active, purchases follow a Poisson process of rate lambda; immediately after each *repeat*
/// purchase the customer becomes inactive with probability p (never at time 0, so a customer with
/// no repeat purchase is alive: the likelihood's (1-p)^x term with x = 0). Appends the repeat
/// purchase times in (0, T] to `times`; returns whether the customer is alive at T.
inline bool bgnbd_repeat_times(Rng& rng, double lambda, double p, double T,
                               const RateChange& change, std::vector<double>& times) {
  double t = 0.0;
  for (;;) {
    t = next_purchase(rng, t, lambda, change);
    if (t > T) return true;
    times.push_back(t);
    if (rng.bernoulli(p)) return false;
  }
}

/// Pareto/NBD individual process (Schmittlein, Morrison & Colombo 1987): purchases at rate lambda
/// during a lifetime tau ~ Exp(mu) from time 0. Draws tau first, then appends the repeat purchase
/// times in (0, min(tau, T)] to `times`; returns whether the customer is alive at T (tau > T).
inline bool pnbd_repeat_times(Rng& rng, double lambda, double mu, double T,
                              const RateChange& change, std::vector<double>& times,
                              double& lifetime) {
  lifetime = mu > 0.0 ? rng.exponential() / mu : std::numeric_limits<double>::infinity();
  const double horizon = lifetime < T ? lifetime : T;
  double t = 0.0;
  for (;;) {
    t = next_purchase(rng, t, lambda, change);
    if (t > horizon) break;
    times.push_back(t);
  }
  return lifetime > T;
}

}  // namespace ltv::sim::detail
