#pragma once
/// Contractual retention (subscriptions, B2B contracts, memberships): cohorts' survival tables
/// read from a CSV, the shifted-beta-geometric model (`sbg`, ltv/models/sbg.hpp) fitted on them,
/// and the projection `ltv predict --model sbg` writes — survival, retention rate, expected
/// customers per period beside the observed ones, and the discounted expected residual lifetime
/// (and value) of a customer after each number of renewals.
///
/// The survival CSV has a header with an `alive` column (customers still under contract after
/// `period` renewal opportunities), an optional `cohort` column (several cohorts in one file,
/// each cohort's rows together) and an optional `period` column (0, 1, 2, ... for each cohort;
/// without it the rows are in period order):
///
///   cohort,period,alive
///   regular,0,1000
///   regular,1,631
///   ...

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ltv/math/fit.hpp"
#include "ltv/models/sbg.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv {

struct Table;

/// Cohorts' survival tables with their names.
struct SurvivalData {
  std::string source;              ///< the file, for messages
  std::vector<std::string> names;  ///< cohort names ("" when the file has no cohort column)
  std::vector<SurvivalCohort> cohorts;
  /// The first `periods` renewal opportunities of every cohort (alive[0 .. periods]); cohorts
  /// observed for fewer periods are kept whole. InputError naming the file when `periods` < 1.
  SurvivalData first_periods(std::int64_t periods) const;
};

/// True when the file's header has an `alive` column and no `frequency` (a survival CSV).
bool is_survival_csv(const std::string& path);

/// Reads a survival CSV. InputError naming file, line and column for: no `alive` column, a
/// count that is not a finite number >= 0, a cohort whose first count is 0, a count above the
/// one before it, a period that is not the next whole number of its cohort (the first is 0),
/// a cohort whose rows are not together, a cohort with only period 0.
SurvivalData read_survival_csv(const std::string& path);
/// The same from a table already read (e.g. an HTTP upload).
SurvivalData survival_data(const Table& table);

/// The sBG fit on the survival data (first `calibration_periods` periods when > 0).
FitResult fit_retention(const SurvivalData& data, std::int64_t calibration_periods,
                        const FitOptions& options);

/// `ltv fit --model sbg FILE`: the survival CSV named by parameter `file`, fitted on its first
/// `calibration_periods` periods (group fit). InputError / ParameterError as the steps throw.
FitResult fit_retention(const Parameters& parameters);

/// What the projection writes beside the survival curve.
struct RetentionProjectionOptions {
  /// Project periods 0 .. horizon (0 = as far as the longest cohort is observed).
  std::int64_t horizon = 0;
  /// Discount rate per period for the discounted expected residual lifetime; nullopt = no
  /// `derl` column.
  std::optional<double> discount_rate;
  /// Value of one period of a contract; > 0 adds `clv` = value × derl (needs a discount rate).
  double period_value = 0;
  /// The first periods the model was fitted on (0 = all); later periods are marked holdout.
  std::int64_t calibration_periods = 0;
};

/// One row per cohort and period 0 .. horizon: cohort, period, holdout (observed but not used by
/// the fit), alive (observed; null beyond the data), expected_alive (alive[0] × S(t)), survival
/// S(t), retention r(t) (null at 0), p_churn P(T = t) (null at 0), and with a discount rate
/// derl (discounted expected residual lifetime of a customer who has made t renewals) and clv.
/// InputError / ModelError as sbg's functions throw (e.g. a discount rate of 0 with gamma <= 1).
ResultTable retention_projection(const FitResult& fit, const SurvivalData& data,
                                 const RetentionProjectionOptions& options);

/// `ltv predict --model sbg` (a model name fitted on the file, or an sbg model file): parameters
/// of the groups source, model, fit, clv and predict. Returns the fit used and the projection.
struct RetentionPrediction {
  FitResult model;
  std::vector<std::string> warnings;
  ResultTable table;
};
RetentionPrediction predict_retention(const Parameters& parameters, std::optional<FitResult> saved);

}  // namespace ltv
