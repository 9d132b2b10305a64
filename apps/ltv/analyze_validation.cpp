// Validation tables of `ltv validate` and the validation step of `ltv analyze`.
#include "analyze_validation.hpp"

#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"

namespace ltv::cli {

void write_tracking(std::ostream& out, OutputFormat format, const ValidationReport& report,
                    bool with_holdout) {
  std::vector<std::string> columns{"model",
                                   "period",
                                   "period_start",
                                   "actual",
                                   "expected",
                                   "actual_cumulative",
                                   "expected_cumulative"};
  if (with_holdout) columns.emplace_back("holdout");
  RowWriter w(out, format, columns);
  for (const TrackingRow& r : report.tracking) {
    w.text(r.model).integer(static_cast<std::int64_t>(r.period)).text(format_date(r.period_start));
    w.number(r.actual).number(r.expected).number(r.actual_cumulative).number(r.expected_cumulative);
    if (with_holdout) w.text(r.holdout ? "true" : "false");
    w.end_row();
  }
  w.finish();
}

void write_conditional(std::ostream& out, OutputFormat format, const ValidationReport& report) {
  RowWriter w(out, format,
              {"model", "calibration_frequency", "customers", "actual_mean", "expected_mean"});
  for (const ConditionalRow& r : report.conditional) {
    w.text(r.model).text(r.label).integer(static_cast<std::int64_t>(r.customers));
    if (r.customers > 0) {
      w.number(r.actual_mean).number(r.expected_mean);
    } else {
      w.missing().missing();
    }
    w.end_row();
  }
  w.finish();
}

void write_models(std::ostream& out, OutputFormat format, const ValidationReport& report) {
  RowWriter w(out, format,
              {"model", "parameters", "log_likelihood", "aic", "bic", "holdout_mae", "holdout_rmse",
               "holdout_actual", "holdout_expected", "aggregate_error_pct", "converged", "error"});
  for (const ModelValidation& m : report.models) {
    const HoldoutScore& s = m.score;
    w.text(s.model);
    if (s.error.empty()) {
      w.integer(static_cast<std::int64_t>(m.parameters)).number(s.fit.log_likelihood);
      w.number(m.aic).number(s.bic).number(s.mae).number(s.rmse);
      w.number(s.actual_total).number(s.expected_total).number(m.aggregate_error_pct);
    } else {
      for (int i = 0; i < 9; ++i) w.missing();
    }
    w.text(s.error.empty() && s.fit.converged ? "true" : "false").text(s.error).end_row();
  }
  w.finish();
}

void write_analyze_validation(const std::filesystem::path& dir, const TransactionLog& log,
                              const CustomerSummary& calibration,
                              std::span<const HoldoutScore> scores) {
  const ValidationReport report = validation_from_scores(log, calibration, scores);
  std::filesystem::create_directories(dir / "validation");
  {
    Output out((dir / "validation" / "tracking.csv").string());
    write_tracking(out.stream(), OutputFormat::csv, report, false);
    out.close();
  }
  Output out((dir / "validation" / "conditional.csv").string());
  write_conditional(out.stream(), OutputFormat::csv, report);
  out.close();
}

}  // namespace ltv::cli
