#pragma once
/// The prediction job of `ltv predict`: per-customer P(alive), expected purchases and — with a
/// spend model — expected spend and discounted CLV, from a saved model file or a model fitted on
/// the input first.

#include <optional>
#include <string>
#include <vector>

#include "ltv/io/load.hpp"
#include "ltv/math/fit.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv {

/// What predict() computed.
struct Prediction {
  FitResult model;                    ///< the count model used (saved or fitted)
  std::vector<std::string> warnings;  ///< e.g. a fit that did not converge
  std::optional<LoadReport> load;     ///< of a transaction file input
  /// customer_id, frequency, recency, T, p_alive, expected_purchases [, frequency_holdout]
  /// [, monetary_value, expected_spend, clv] (discrete models: T = opportunities).
  ResultTable table;
};

/// Runs the job on parameters of the groups source, periods, model, fit, clv and predict. The
/// model parameter is a model file (`ltv fit -o`) or a model name fitted on the input; a saved
/// model's time unit is used unless `time_unit` was given. Everything is computed before the
/// table is returned (an error leaves no partial output). ParameterError / InputError /
/// ModelError as the steps throw.
Prediction predict(const Parameters& parameters);

}  // namespace ltv
