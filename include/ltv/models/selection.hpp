#pragma once
/// Uniform access to the count models (BG/NBD, MBG/NBD, Pareto/NBD in continuous time; BG/BB in
/// discrete opportunities, where T is the number of opportunities n and t a number of future
/// opportunities) and the comparison of the continuous-time ones on a calibration / holdout
/// split, as used by `ltv analyze` to pick a model.

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/models/model.hpp"
#include "ltv/models/registry.hpp"

namespace ltv {

/// The continuous-time models compared by `ltv analyze` by default (default_model_candidates()).
std::span<const std::string_view> count_model_names() noexcept;

/// Patterns (frequency, recency, T) of every customer of a summary.
RfmPatterns summary_patterns(const CustomerSummary& summary);

/// One model's fit on the calibration period and its error on the holdout.
struct HoldoutScore {
  std::string model;
  FitResult fit;
  double bic = 0;             ///< k ln(n) - 2 LL on the calibration data
  double mae = 0;             ///< mean |actual - expected| holdout purchases per customer
  double rmse = 0;            ///< root mean squared error per customer
  double actual_total = 0;    ///< holdout purchases of all customers
  double expected_total = 0;  ///< sum of CET(duration_holdout) over customers
  std::string error;          ///< non-empty when the model could not be fitted
};

/// Fits each named model on the calibration part of `summary` (which must have a holdout) and
/// scores per-customer holdout purchases. A model whose fit fails is reported with `error` set,
/// never dropped. Throws InputError when the summary has no holdout.
std::vector<HoldoutScore> compare_on_holdout(const CustomerSummary& summary,
                                             std::span<const std::string> models,
                                             const FitOptions& options = {});

/// Index of the best score: lowest MAE among the models that fitted and converged.
/// Returns scores.size() when none qualifies.
std::size_t best_by_holdout(std::span<const HoldoutScore> scores) noexcept;

}  // namespace ltv
