#pragma once
/// The prediction job of `ltv predict`: per-customer P(alive), expected purchases and — with a
/// spend model — expected spend and discounted CLV, from a saved model file or a model fitted on
/// the input first.

#include <optional>
#include <string>
#include <vector>

#include "ltv/io/load.hpp"
#include "ltv/math/fit.hpp"
#include "ltv/store/clickhouse.hpp"
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

  /// A ClickHouse source (docs/scale-out.md): what was read there, and what travelled.
  struct PushedDown {
    store::ClickHouseScan scan;
    std::size_t patterns = 0;       ///< scored once each in ltvkit
    std::size_t spend_groups = 0;   ///< distinct (x, m_x), each scored once (with spend)
    std::size_t rows_received = 0;  ///< rows ltvkit read from ClickHouse (patterns, groups)
    std::size_t rows_sent = 0;      ///< rows ltvkit sent to ClickHouse (their scores)
    /// Wall time per step (name, seconds); the staging tables' drop is not in it.
    std::vector<std::pair<std::string, double>> steps;
    /// With a clickhouse:// output: the table written (the table above is then empty).
    std::optional<store::ClickHouseScoringRun::Written> written;
  };
  std::optional<PushedDown> pushed_down;
};

/// Runs the job on parameters of the groups source, periods, model, fit, clv and predict. The
/// model parameter is a model file (`ltv fit -o`) or a model name fitted on the input; a saved
/// model's time unit is used unless `time_unit` was given. Everything is computed before the
/// table is returned (an error leaves no partial output). ParameterError / InputError /
/// ModelError as the steps throw.
///
/// A ClickHouse source (FILE or --source clickhouse://...) is scored inside ClickHouse: the
/// patterns are computed there, scored once each here, and joined back to the customers there
/// (store::ClickHouseScoringRun); with an `output` parameter naming a clickhouse:// table the
/// result is written to it (switched in whole, never half-visible) and the returned table is
/// empty, else the joined rows come back into the table. A clickhouse:// output needs a
/// ClickHouse source on the same server (ParameterError `output`).
Prediction predict(const Parameters& parameters);

}  // namespace ltv
