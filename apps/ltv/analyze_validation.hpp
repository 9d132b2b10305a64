#pragma once
// Validation tables shared by `ltv validate` and `ltv analyze` (DIR/validation/tracking.csv and
// DIR/validation/conditional.csv; columns in docs/cli.md, "ltv validate").

#include <filesystem>
#include <ostream>
#include <span>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/io/row_writer.hpp"
#include "ltv/models/selection.hpp"
#include "ltv/models/validation.hpp"

namespace ltv::cli {

/// Tracking rows: model,period,period_start,actual,expected,actual_cumulative,
/// expected_cumulative (+ holdout when `with_holdout`).
void write_tracking(std::ostream& out, OutputFormat format, const ValidationReport& report,
                    bool with_holdout);
/// Conditional rows: model,calibration_frequency,customers,actual_mean,expected_mean.
void write_conditional(std::ostream& out, OutputFormat format, const ValidationReport& report);
/// Model rows: model,parameters,log_likelihood,aic,bic,holdout_mae,holdout_rmse,holdout_actual,
/// holdout_expected,aggregate_error_pct,converged,error.
void write_models(std::ostream& out, OutputFormat format, const ValidationReport& report);

/// The `ltv analyze` step: writes DIR/validation/tracking.csv and conditional.csv for the models
/// scored on the calibration summary `calibration` (no refit).
void write_analyze_validation(const std::filesystem::path& dir, const TransactionLog& log,
                              const CustomerSummary& calibration,
                              std::span<const HoldoutScore> scores);

}  // namespace ltv::cli
