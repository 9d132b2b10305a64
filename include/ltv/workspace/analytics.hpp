#pragma once
/// The business analytics jobs behind `ltv kpis`, `ltv ltv`, `ltv cohorts`, `ltv cac`,
/// `ltv forecast` and `ltv compare`: each takes a Workspace (its transactions), typed options
/// built from the parameters of its group (kpis_options(), ...) and its side tables as data, and
/// returns its tables and what it has to tell the user. Every face calls the same job: the CLI
/// writes the tables as CSV/JSON, the server serves them, Python turns them into DataFrames.
///
///   ltv::Workspace ws(ltv::TransactionSource::file("orders.csv", mapping));
///   ltv::KpisJobOptions o;
///   o.kpis.period = ltv::PeriodUnit::quarter;
///   const ltv::AnalyticsResult r = ltv::run_kpis(ws, o);
///   // r.tables[0] is "kpis", r.tables[1] "top_items"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/analytics/cohorts.hpp"
#include "ltv/analytics/kpis.hpp"
#include "ltv/analytics/ltv.hpp"
#include "ltv/io/table.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/result_table.hpp"
#include "ltv/workspace/workspace.hpp"

namespace ltv {

/// What an analytics job returns: its tables (catalogue entries, ltv/workspace/tables.hpp) in the
/// order the command lists them — the first is the one a face shows when none is chosen — and
/// its notes, as data.
struct AnalyticsResult {
  std::vector<ResultTable> tables;
  /// Things worth saying that do not change the tables (e.g. how many ids of a side table are not
  /// in the transactions).
  std::vector<std::string> notes;
  /// The table named `name` (its catalogue name: "kpis", "top_items"), or null.
  const ResultTable* table(std::string_view name) const;
};

/// Side tables of the analytics jobs, read from files by read_analytics_inputs() or given in
/// memory (an upload, a DataFrame). A job uses those its options name and ignores the others.
struct AnalyticsInputs {
  std::optional<Table> groups;  ///< customer labels (`groups`): an id column and a label column
};

/// Reads the side files named by the parameters (`groups`) that these parameters accept and
/// that are set. InputError naming the file, line and column for a malformed file.
AnalyticsInputs read_analytics_inputs(const Parameters& parameters);

/// The transaction source of an analytics job's parameters (groups "source" and the job's):
/// unmapped columns are kept only when the job may read one (a breakdown `by` any column, an
/// acquisition column), as reading them costs time and memory on large files.
TransactionSource analytics_source(const Parameters& parameters);

// ---- kpis

/// Typed options of the KPI job (parameter groups "kpis" and "periods").
struct KpisJobOptions {
  /// Period, churn definition, observation end and the row-level breakdown column (`by`).
  KpiOptions kpis;
  std::size_t top = 10;                   ///< items in the top lists
  std::string id_column = "customer_id";  ///< customer id column of the groups table
  std::string group_column;               ///< its label column (required with a groups table)
};

/// The KPI job's options from parameters, every value checked (ParameterError naming the key).
/// `groups` given without `group_column` is an error.
KpisJobOptions kpis_options(const Parameters& parameters);

/// KPIs per period (and per breakdown group: the `by` column, else the customer labels of
/// `inputs.groups`) and the top products and categories. Tables "kpis" and "top_items"; a note
/// when ids of the groups table are not in the transactions. ParameterError for a breakdown
/// column the data lacks; InputError for a groups table without the named columns.
AnalyticsResult run_kpis(Workspace& workspace, const KpisJobOptions& options,
                         const AnalyticsInputs& inputs = {});

// ---- ltv

/// Typed options of the LTV job (parameter groups "ltv" and "periods").
struct LtvJobOptions {
  /// Lifespan method, retention period, margin (unset: from the data) and observation end.
  FormulaLtvOptions formula;
  /// Groups by each customer's value of this column on their first purchase; empty: the labels
  /// of the groups table, if any.
  std::string by;
  std::string id_column = "customer_id";  ///< customer id column of the groups table
  std::string group_column;               ///< its label column
};

/// The LTV job's options from parameters, every value checked (ParameterError naming the key).
LtvJobOptions ltv_options(const Parameters& parameters);

/// The planning formula (average check x purchases per year x lifespan, x margin), the
/// distribution of historical LTV, and LTV to date per customer, overall and per group (the `by`
/// column, else the labels of `inputs.groups`). Tables "ltv_formula", "ltv_distribution",
/// "historical_ltv".
AnalyticsResult run_ltv(Workspace& workspace, const LtvJobOptions& options,
                        const AnalyticsInputs& inputs = {});

// ---- cohorts

/// Typed options of the cohort job (parameter groups "cohorts" and "periods").
struct CohortsJobOptions {
  CohortOptions cohorts;  ///< period and observation end
  /// Empty: the long table "cohorts"; else the cohort x age matrix "cohort_matrix" of this metric
  /// (retention, active_customers, revenue, orders, cumulative_revenue_per_customer,
  /// cumulative_profit_per_customer).
  std::string matrix;
};

/// The cohort job's options from parameters, every value checked (ParameterError naming the key).
CohortsJobOptions cohorts_options(const Parameters& parameters);

/// Acquisition cohorts by first-purchase period: one table, "cohorts" or "cohort_matrix".
/// ParameterError (`matrix`) for an unknown metric, (`observation_end`) for an end before the
/// first purchase.
AnalyticsResult run_cohorts(Workspace& workspace, const CohortsJobOptions& options);

}  // namespace ltv
