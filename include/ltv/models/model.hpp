#pragma once
/// Shared vocabulary of the customer-base models (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma):
/// compressed RFM data (fit options and the fit result are in ltv/math/fit.hpp). Each model
/// lives in its own header (ltv/models/bg_nbd.hpp, ...) and offers the same operations under the
/// same names: log_likelihood, fit, expected_transactions, conditional_expected_transactions,
/// p_alive, p_n_transactions, simulate (see docs/models.md).

#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

#include "ltv/math/fit.hpp"

namespace ltv {

/// Customers compressed to unique (x, t_x, T) patterns with a weight (number of customers).
/// The likelihoods depend on customers only through these triples.
struct RfmPatterns {
  std::vector<double> x;       ///< frequency (repeat transactions)
  std::vector<double> t_x;     ///< recency
  std::vector<double> T;       ///< age (time since first transaction)
  std::vector<double> weight;  ///< customers with this pattern (>0)
  /// Regularity statistic of the (M)BG/CNBD-k models: the weighted sum over customers of litt
  /// (the sum of ln inter-purchase times, ltv/data/regularity.hpp). NaN when unknown (a summary
  /// without inter-purchase times); the other models ignore it.
  double sum_log_itt = std::numeric_limits<double>::quiet_NaN();
  std::size_t size() const noexcept { return x.size(); }
  double customers() const noexcept;  ///< sum of weights
};

/// Compresses per-customer (x, t_x, T) (and optional per-customer weights) into unique patterns.
/// Patterns are sorted by (x, t_x, T); customers with weight 0 are dropped. Throws InputError when
/// lengths differ, x is not a whole number >= 0, a value is negative / non-finite, t_x > T, or
/// x = 0 with t_x != 0.
RfmPatterns compress_patterns(std::span<const double> x, std::span<const double> t_x,
                              std::span<const double> T, std::span<const double> weights = {});

}  // namespace ltv
