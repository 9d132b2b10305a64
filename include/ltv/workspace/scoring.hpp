#pragma once
/// The per-customer part of the main job on customer summaries: the Gamma-Gamma spend model,
/// each customer's P(alive), expected purchases, expected spend and discounted CLV under a
/// fitted count model, and the segments (RFM, ABCDX, life-cycle stage). Workspace::analyze runs
/// it on the summaries of its log; an incremental run of the workspace store runs it on the
/// summaries kept as running aggregates: the same summaries give the same tables.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/math/fit.hpp"
#include "ltv/models/clv.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/segment/segment.hpp"
#include "ltv/workspace/analysis.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv {

/// Scores and segments of every summarised customer (summary order).
struct CustomerScoring {
  /// The spend model of the customer base (groups, note), when the data have amounts.
  std::optional<gamma_gamma::SpendModel> spend_fit;
  std::optional<FitResult> spend_model;  ///< Gamma-Gamma, when it gives an expected spend
  std::string spend_model_note;          ///< why there is none
  std::vector<double> spend;             ///< expected average spend (NaN without spend model)
  std::vector<double> clv;               ///< discounted CLV (NaN without spend model)
  CountScores count_scores;              ///< P(alive), expected purchases in the horizon
  CustomerScores scores;                 ///< the same, with CLV, as the segments take them
  SegmentConfig segment_config;
  SegmentResult segments;
};

/// Fits the spend model on the summaries (or takes `spend_fit`, a Gamma-Gamma fit made
/// before) and scores every customer under `model` over the options' horizon, discount rate and
/// margin (segments are left empty). ModelError for a non-finite score.
CustomerScoring score_summary(const CustomerSummary& summary, const FittedCountModel& model,
                              const AnalyzeOptions& options, const FitResult* spend_fit = nullptr);
/// Segments the scored customers at the summary's calibration end (the default segment
/// configuration).
void segment_summary(const CustomerSummary& summary, CustomerScoring& scoring);
/// score_summary() then segment_summary().
CustomerScoring score_and_segment(const CustomerSummary& summary, const FittedCountModel& model,
                                  const AnalyzeOptions& options,
                                  const FitResult* spend_fit = nullptr);

/// Analysis::spend_customers: the spend model's customer groups (count and first ids), or an
/// empty object without one.
nlohmann::ordered_json spend_customers_json(const CustomerScoring& s,
                                            std::span<const std::string> ids);

/// The "customers" table: the summary columns, the scores and the segments, one row per
/// customer (`ids` in summary order).
ResultTable customers_result_table(const CustomerSummary& summary, std::span<const std::string> ids,
                                   const CustomerScoring& s);
/// The "segments" table (statistics per segment).
ResultTable segments_result_table(const CustomerSummary& summary, const CustomerScoring& s);

/// The headline figures of the summaries and scores into `a`: customers, orders, repeat rate,
/// revenue, average check, likely active, expected purchases, predicted revenue and CLV, time
/// unit, has_amount. (The caller sets transactions and the first and last day.)
void fill_headline(Analysis& a, const CustomerSummary& summary, const CustomerScoring& s);

}  // namespace ltv
