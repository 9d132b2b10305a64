#pragma once
/// Model validation on a calibration / holdout split: per-period tracking of repeat transactions
/// (actual vs expected, as in Fader, Hardie & Lee 2005, fig. 3, and BTYD's
/// bgnbd.ExpectedCumulativeTransactions), conditional expected vs actual holdout purchases by
/// calibration frequency (FHL 2005, fig. 5), per-customer errors and the models side by side.
/// Definitions: docs/models.md, "Validation".

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/models/model.hpp"
#include "ltv/models/selection.hpp"

namespace ltv {

/// The tracking periods of a summary: period k (1-based) covers the days
/// [start_day + (k-1) u, start_day + k u) with u = days_per_unit(time_unit), from the first
/// purchase of any summarised customer through the observation end (the last period may be
/// partial).
struct TrackingPeriods {
  std::int32_t start_day = 0;           ///< first purchase day of the earliest customer
  double unit_days = 7;                 ///< days per period
  std::vector<std::int32_t> start;      ///< first day of each period
  std::vector<double> end_time;         ///< end of each period in time units since start_day
  std::size_t calibration_periods = 0;  ///< periods that begin on or before the calibration end
  std::size_t size() const noexcept { return start.size(); }
};

/// Periods spanning the summary's calibration and holdout (observation end).
TrackingPeriods tracking_periods(const CustomerSummary& summary);

/// Actual repeat transactions per period of the summary's customers: purchase days (same-day
/// purchases merged) other than the customer's first, counted in the period holding that day.
/// Days after the observation end are ignored. `log` must be the log the summary was built from.
std::vector<double> actual_repeat_transactions(const TransactionLog& log,
                                               const CustomerSummary& summary,
                                               const TrackingPeriods& periods);

/// Expected cumulative repeat transactions of the population at each period end: the sum over
/// customers of E[X(t - b_i)] where b_i is the customer's first purchase in time units since
/// periods.start_day (customers not yet born contribute 0). Customers are grouped by first
/// purchase day, so the cost is (distinct days) x (periods).
std::vector<double> expected_cumulative_transactions(const FittedCountModel& model,
                                                     const CustomerSummary& summary,
                                                     const TrackingPeriods& periods);

/// One period of the tracking table.
struct TrackingRow {
  std::string model;
  std::size_t period = 0;         ///< 1-based
  std::int32_t period_start = 0;  ///< day number
  bool holdout = false;           ///< the period begins after the calibration end
  double actual = 0, expected = 0, actual_cumulative = 0, expected_cumulative = 0;
};

/// One calibration-frequency bucket of the conditional-expectation table.
struct ConditionalRow {
  std::string model;
  int calibration_frequency = 0;  ///< bucket (the last one holds this frequency and above)
  std::string label;              ///< "0", "1", ..., "7+"
  std::size_t customers = 0;
  double actual_mean = 0;    ///< mean holdout purchases
  double expected_mean = 0;  ///< mean CET(duration of the holdout)
};

/// Conditional expected vs actual holdout purchases by calibration frequency 0..max_bucket-1 and
/// max_bucket+ (the last bucket). Empty buckets are kept (customers = 0, means 0).
/// Throws InputError when the summary has no holdout.
std::vector<ConditionalRow> conditional_by_frequency(const FittedCountModel& model,
                                                     const CustomerSummary& summary,
                                                     int max_bucket = 7);

/// One model's fit on the calibration data and its holdout quality.
struct ModelValidation {
  HoldoutScore score;              ///< fit, BIC, MAE, RMSE, totals, error
  std::size_t parameters = 0;      ///< number of estimated parameters
  double aic = 0;                  ///< 2k - 2 LL
  double aggregate_error_pct = 0;  ///< 100 (expected_total - actual_total) / actual_total
};

/// Options of validate().
struct ValidationOptions {
  std::vector<std::string> models{"bgnbd", "mbgnbd", "pnbd"};  ///< count models to compare
  int max_frequency_bucket = 7;                                ///< last conditional bucket ("7+")
  FitOptions fit;
};

/// Everything `ltv validate` reports.
struct ValidationReport {
  TimeUnit time_unit = TimeUnit::week;
  std::int32_t calibration_end = 0, observation_end = 0;
  double duration_holdout = 0;  ///< in time units
  std::size_t customers = 0, patterns = 0;
  TrackingPeriods periods;
  std::vector<double> actual;  ///< actual repeat transactions per period (model independent)
  std::vector<ModelValidation> models;
  std::vector<TrackingRow> tracking;        ///< every model that fitted, period by period
  std::vector<ConditionalRow> conditional;  ///< every model that fitted, bucket by bucket
  std::size_t best = 0;  ///< index into models of the lowest holdout MAE (models.size(): none)
};

/// The report for models already fitted and scored by compare_on_holdout() on `summary` (no
/// refit): tracking and conditional tables for every score without an error. Same errors as
/// validate().
ValidationReport validation_from_scores(const TransactionLog& log, const CustomerSummary& summary,
                                        std::span<const HoldoutScore> scores,
                                        int max_frequency_bucket = 7);

/// Fits every model on the calibration part of `summary` (built from `log` with a calibration
/// end) and computes tracking, conditional expectations and errors. A model whose fit fails is
/// kept with its error and left out of the tables. Throws InputError when the summary has no
/// holdout or a model name is unknown.
ValidationReport validate(const TransactionLog& log, const CustomerSummary& summary,
                          const ValidationOptions& options = {});

}  // namespace ltv
