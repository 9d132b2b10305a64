#pragma once
/// Shared vocabulary of the BG/CNBD-k and MBG/CNBD-k models (Reutterer, Platzer & Schröder 2021,
/// "Leveraging purchase regularity for predicting customer behavior the easy way", IJRM 38(1);
/// Platzer & Reutterer 2016; BTYDplus `bgcnbd.*`, `mbgcnbd.*`): while alive a customer's
/// inter-purchase times are Erlang-k with rate lambda ~ Gamma(shape r, rate alpha) per phase (mean
/// k / lambda), and after each purchase the customer drops out with probability p ~ Beta(a, b).
/// Besides (x, t_x, T) the likelihood needs the regularity statistic litt, the sum of the log
/// inter-purchase times (ltv/data/regularity.hpp computes it from a transaction log); k is chosen
/// by likelihood over 1..k_max (as BTYDplus does). Equations: docs/models-cnbd-k.md.

#include <cstdint>
#include <span>
#include <vector>

#include "ltv/models/model.hpp"

namespace ltv {

/// (M)BG/CNBD-k parameters: regularity k (Erlang shape, a whole number >= 1), lambda ~ Gamma(r,
/// alpha) (shape, rate), p ~ Beta(a, b).
struct CnbdKParams {
  int k = 1;
  double r = 1, alpha = 1, a = 1, b = 1;
};

/// Customers compressed to (x, t_x, T) patterns, plus the sum over all customers (with their
/// weights) of litt = sum of ln(inter-purchase time) over each customer's repeat purchases, in the
/// time unit of t_x and T. Only the sum enters the likelihood: (k-1) litt - x ln((k-1)!) per
/// customer does not depend on r, alpha, a, b, but it decides between values of k.
struct RegularityPatterns {
  RfmPatterns patterns;
  double sum_log_itt = 0;  ///< NaN when unknown: then k must be given to fit
};

/// Compresses per-customer (x, t_x, T, litt) (optional weights) into patterns and the weighted sum
/// of litt. Throws InputError as compress_patterns does, and for a non-finite litt, a litt != 0
/// with x = 0, or columns of unequal length. `litt` may be empty (sum unknown: NaN).
RegularityPatterns compress_regularity_patterns(std::span<const double> x,
                                                std::span<const double> t_x,
                                                std::span<const double> T,
                                                std::span<const double> litt,
                                                std::span<const double> weights = {});

/// Options of a (M)BG/CNBD-k fit.
struct CnbdKFitOptions {
  FitOptions fit;  ///< optimizer options of each fit at fixed k
  int k = 0;       ///< 0: choose k by likelihood over 1..k_max; else fit this k only
  int k_max = 12;  ///< largest k tried (the search stops early, see fit)
};

}  // namespace ltv
