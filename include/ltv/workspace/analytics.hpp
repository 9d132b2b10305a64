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

#include "ltv/analytics/cac.hpp"
#include "ltv/analytics/cohorts.hpp"
#include "ltv/analytics/compare.hpp"
#include "ltv/analytics/forecast.hpp"
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
  /// Marketing spend per channel and period (`spend`; spend_from_table reads a table).
  std::optional<SpendTable> spend;
  std::optional<Table> customers;  ///< acquisition channel per customer (`customers`)
  std::optional<Table> predicted;  ///< a predicted LTV per customer (`predicted`)
};

/// Reads the side files named by the parameters (groups, spend, customers, predicted) that these
/// parameters accept and that are set; the spend file is read into periods of the `period`
/// parameter with the columns spend_channel, spend_period, spend_amount. InputError naming the
/// file, line and column for a malformed file.
AnalyticsInputs read_analytics_inputs(const Parameters& parameters);

/// The transaction source of an analytics job's parameters (groups "source" and the job's):
/// unmapped columns are kept only when the job may read one (a breakdown or grouping `by` any
/// column, the acquisition column of the CAC job), as reading them costs time and memory on
/// large files.
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

// ---- cac

/// Typed options of the acquisition-economics job (parameter groups "cac" and "periods").
struct CacJobOptions {
  /// Acquisition column, margin (unset: the profit column when mapped, else revenue) and
  /// observation end; the job fills the acquisition channels and predicted LTV from the inputs.
  CacOptions cac;
  std::string id_column = "customer_id";      ///< customer id column of the customers / predicted
  std::string customers_channel = "channel";  ///< channel column of the customers table
  std::string predicted_column = "clv";       ///< LTV column of the predicted table
};

/// The CAC job's options from parameters, every value checked (ParameterError naming the key;
/// `spend` is required).
CacJobOptions cac_options(const Parameters& parameters);

/// What the CAC job returns besides its table "cac".
struct CacResult : AnalyticsResult {
  std::string margin_source;  ///< where the margin came from (the rate, the profit column, ...)
};

/// CAC, LTV:CAC (historical and, with `inputs.predicted`, predicted), payback and ROMI per
/// channel and period of `inputs.spend` (required: ParameterError `spend` without it); the
/// acquisition channel from `inputs.customers` when given, else the first purchase's
/// acquisition column. Table "cac".
CacResult run_cac(Workspace& workspace, const CacJobOptions& options,
                  const AnalyticsInputs& inputs);

// ---- forecast

/// Typed options of the forecast job (parameter groups "forecast" and "periods").
struct ForecastJobOptions {
  ForecastOptions forecast;  ///< period, horizon, backtest, seasonality, methods, observation end
};

/// The forecast job's options from parameters, every value checked (ParameterError naming the
/// key; `method` is a comma-separated list).
ForecastJobOptions forecast_options(const Parameters& parameters);

/// What the forecast job returns besides its tables.
struct ForecastResult : AnalyticsResult {
  std::string excluded;  ///< partial first / last periods left out of the history (or empty)
};

/// Company revenue and active customers for the next periods by each method, with backtests and
/// seasonality tests. Tables "forecast", "forecast_backtest", "seasonality".
ForecastResult run_forecast(Workspace& workspace, const ForecastJobOptions& options);

// ---- compare

/// Typed options of the group comparison job (parameter groups "compare" and "periods").
struct CompareJobOptions {
  CompareOptions compare;  ///< bootstrap, seed, confidence, retention period, minimum group size
  /// Groups by each customer's value of this column on their first purchase; empty: the labels
  /// of the groups table.
  std::string by;
  std::string id_column = "customer_id";  ///< customer id column of the groups table
  std::string group_column;               ///< its label column
  std::string a, b;                       ///< the labels compared (a vs b)
  std::string name_a, name_b;  ///< names of the groups in the table and sentences (or empty)
};

/// The comparison's options from parameters, every value checked (ParameterError naming the
/// key: exactly one of `by` and `groups`; `a` and `b` are required).
CompareJobOptions compare_options(const Parameters& parameters);

/// What the comparison returns besides its table "compare".
struct CompareResult : AnalyticsResult {
  std::vector<std::string> warnings;   ///< e.g. a group smaller than the minimum
  std::vector<std::string> sentences;  ///< one plain-language sentence per metric
};

/// Two customer groups compared (spend, frequency, check, retention, LTV) with bootstrap
/// intervals. Table "compare". ParameterError (`a`, `b`) for a label that no customer has.
CompareResult run_compare(Workspace& workspace, const CompareJobOptions& options,
                          const AnalyticsInputs& inputs = {});

}  // namespace ltv
