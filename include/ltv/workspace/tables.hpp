#pragma once
/// The table catalogue: every result table of the engine, defined once — its name, the folder the
/// CLI writes it in, its columns and their types — and the functions that turn the typed results
/// of the analytics, models, segments, cross-sell and NPS modules into those tables. The CLI
/// writes them as files, the server serves them as JSON/CSV, Python turns them into DataFrames,
/// the store keeps them.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/analytics/cac.hpp"
#include "ltv/analytics/cohorts.hpp"
#include "ltv/analytics/compare.hpp"
#include "ltv/analytics/forecast.hpp"
#include "ltv/analytics/kpis.hpp"
#include "ltv/analytics/ltv.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/models/selection.hpp"
#include "ltv/models/validation.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/recommend/association.hpp"
#include "ltv/recommend/penetration.hpp"
#include "ltv/recommend/recommend.hpp"
#include "ltv/segment/segment.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv {

/// One catalogue entry: the spec and where the CLI writes it.
struct TableDefinition {
  TableSpec spec;      ///< spec.name is the table's name ("kpis")
  std::string folder;  ///< "" or a folder of the output directory ("analytics")
  /// Wide tables (a cohort x age matrix): after the spec's columns come `<prefix>0`,
  /// `<prefix>1`, ... of type real. Empty for fixed tables.
  std::string wide_prefix;
  /// The table's key in an Analysis and its file name without ".csv": folder/name.
  std::string key() const { return folder.empty() ? spec.name : folder + "/" + spec.name; }
};

/// Every table, in the order the output folder lists them.
std::span<const TableDefinition> table_catalogue();
/// The entry whose key() (or name) is `key`; std::logic_error when absent (a programmer error).
const TableDefinition& table_definition(std::string_view key);
/// The spec of table `key` (see table_definition).
const TableSpec& table_spec(std::string_view key);

// ---- analytics (digits: 12 significant digits for derived figures)
ResultTable kpi_table(const KpiReport& report);
ResultTable top_items_table(const std::vector<TopItem>& items);
ResultTable historical_ltv_table(const TransactionLog& log, const HistoricalLtv& ltv);
ResultTable distribution_table(const std::vector<ValueDistribution>& rows);
ResultTable formula_ltv_table(const std::vector<FormulaLtvRow>& rows, LifespanMethod method,
                              PeriodUnit retention_period);
ResultTable cohort_table(const CohortReport& report);
/// A cohort x age matrix of one metric (retention, active_customers, revenue, orders,
/// cumulative_revenue_per_customer, cumulative_profit_per_customer), named `name`.
/// ParameterError (`matrix`) for another metric.
ResultTable cohort_matrix(const CohortReport& report, std::string_view metric,
                          std::string_view name = "cohort_matrix");
ResultTable cac_table(const CacReport& report);
ResultTable compare_table(const CompareReport& report);
ResultTable forecast_table(const ForecastReport& report);
ResultTable backtest_table(const ForecastReport& report);
ResultTable seasonality_table(const ForecastReport& report);

// ---- models and validation
/// The holdout comparison of the main job (models.csv).
ResultTable models_table(std::span<const HoldoutScore> scores);
/// Tracking rows; `with_holdout` adds the `holdout` column (`ltv validate`).
ResultTable tracking_table(const ValidationReport& report, bool with_holdout);
ResultTable conditional_table(const ValidationReport& report);
/// The model comparison of `ltv validate`.
ResultTable validation_models_table(const ValidationReport& report);

// ---- segments
ResultTable segments_table(std::span<const SegmentStats> stats);
/// One row per non-empty cell of every transition matrix of `history`.
ResultTable transitions_table(const SegmentHistory& history);

// ---- cross-sell
ResultTable rules_table(const AssociationRules& rules);
ResultTable itemsets_table(const FrequentItemsets& itemsets);
ResultTable recommendations_table(const Recommendations& recs);
/// Reach of items within segments as table `key` ("basket/category_penetration" of the main job,
/// "reach" of `ltv penetration --reach`: the same five columns under their names).
ResultTable reach_table(const ReachTable& table, std::string_view key);

// ---- NPS
ResultTable nps_problems_table(std::span<const NpsProblem> problems);
/// One stacked table of NPS by several groupings.
struct NpsTableSection {
  std::string by;
  NpsGroupTable table;
};
ResultTable nps_table(std::span<const NpsTableSection> sections);
ResultTable follow_ups_table(std::span<const FollowUp> items);
/// The `top` most frequent words and #tags of detractors' comments.
ResultTable detractor_terms_table(const NpsAnswers& answers, std::size_t top);

}  // namespace ltv
