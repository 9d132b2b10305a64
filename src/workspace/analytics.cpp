// The business analytics jobs (see ltv/workspace/analytics.hpp).
#include "ltv/workspace/analytics.hpp"

#include <fmt/format.h>

#include "job_parameters.hpp"
#include "ltv/analytics/periods.hpp"
#include "ltv/error.hpp"
#include "ltv/workspace/side_tables.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {

namespace {

using detail::read_side_table;

/// A `period` parameter (day, week, month, quarter, year).
PeriodUnit period_parameter(const Parameters& p) {
  return parse_period_unit(p.choice("period"), "period");
}

/// Customer groups from the labels of a groups table; the note on unmatched ids goes to `notes`.
CustomerGroups groups_of(const TransactionLog& log, const Table& table,
                         const std::string& id_column, const std::string& group_column,
                         std::vector<std::string>& notes) {
  return groups_from_table(log, table, id_column, group_column, &notes);
}

/// `group_column` must be given with a groups table.
void require_group_column(const Parameters& p) {
  if (!p.text("groups").empty() && p.text("group_column").empty()) {
    parameter_error("group_column", "", "the label column of --groups FILE");
  }
}

/// `group_column` must be given with a groups table (in memory).
void require_group_column(const std::string& group_column) {
  if (group_column.empty()) {
    parameter_error("group_column", "", "the label column of --groups FILE");
  }
}

/// The optional `margin_rate` parameter: not given or 0 leaves the margin to the data.
std::optional<double> margin_rate(const Parameters& p) {
  if (!p.given("margin_rate")) return std::nullopt;
  const double rate = p.number("margin_rate");
  return rate != 0 ? std::optional<double>(rate) : std::nullopt;
}

}  // namespace

const ResultTable* AnalyticsResult::table(std::string_view name) const {
  for (const ResultTable& t : tables) {
    if (t.name() == name) return &t;
  }
  return nullptr;
}

AnalyticsInputs read_analytics_inputs(const Parameters& p) {
  AnalyticsInputs inputs;
  inputs.groups = read_side_table(p, "groups");
  if (const std::optional<Table> spend = read_side_table(p, "spend")) {
    inputs.spend = spend_from_table(*spend, p.text("spend_channel"), p.text("spend_period"),
                                    p.text("spend_amount"), period_parameter(p));
  }
  inputs.customers = read_side_table(p, "customers");
  inputs.predicted = read_side_table(p, "predicted");
  return inputs;
}

namespace {

/// The analytics jobs take only the observation end of the period options: a time unit or a
/// calibration end given to them would be silently ignored, so it is refused naming the key.
void refuse_unused_periods(const Parameters& p, std::string_view job) {
  for (const char* key : {"time_unit", "calibration_end"}) {
    if (p.accepts(key) && p.given(key)) {
      parameter_error(key, p.text(key),
                      fmt::format("no value: ltv {} uses only the observation end of the period "
                                  "options (its periods are set by period)",
                                  job));
    }
  }
}

}  // namespace

TransactionSource analytics_source(const Parameters& p) {
  TransactionSource source = TransactionSource::from_parameters(p);
  source.options.keep_extra_columns =
      (p.accepts("by") && !p.text("by").empty()) || p.accepts("acquisition_column");
  return source;
}

// ---- kpis

KpisJobOptions kpis_options(const Parameters& p) {
  p.validate();
  refuse_unused_periods(p, "kpis");
  KpisJobOptions o;
  o.kpis.period = period_parameter(p);
  o.kpis.churn_days = static_cast<std::int32_t>(p.integer("churn_days"));
  o.kpis.observation_end = p.date("observation_end");
  o.kpis.breakdown = p.text("by");
  o.top = static_cast<std::size_t>(p.integer("top"));
  o.id_column = p.text("id_column");
  o.group_column = p.text("group_column");
  require_group_column(p);
  return o;
}

AnalyticsResult run_kpis(Workspace& workspace, const KpisJobOptions& options,
                         const AnalyticsInputs& inputs) {
  const TransactionLog& log = workspace.transactions();
  AnalyticsResult result;
  KpiOptions k = options.kpis;
  if (inputs.groups) {
    require_group_column(options.group_column);
    k.customer_groups =
        groups_of(log, *inputs.groups, options.id_column, options.group_column, result.notes);
  }
  const KpiReport report = compute_kpis(log, k);
  std::vector<TopItem> items;
  for (const std::string_view dimension : {"product", "category"}) {
    const bool present =
        dimension == "product" ? log.product.has_value() : log.category.has_value();
    if (!present) continue;
    auto part = top_items(log, dimension, options.top, k.observation_end);
    items.insert(items.end(), part.begin(), part.end());
  }
  result.tables.push_back(kpi_table(report));
  result.tables.push_back(top_items_table(items));
  return result;
}

// ---- ltv

LtvJobOptions ltv_options(const Parameters& p) {
  p.validate();
  refuse_unused_periods(p, "ltv");
  LtvJobOptions o;
  o.formula.method = parse_lifespan_method(p.choice("lifespan"));
  o.formula.retention_period = period_parameter(p);
  o.formula.margin = margin_rate(p);
  o.formula.observation_end = p.date("observation_end");
  o.by = p.text("by");
  o.id_column = p.text("id_column");
  o.group_column = p.text("group_column");
  if (o.by.empty()) require_group_column(p);  // the groups table is used without `by` only
  return o;
}

AnalyticsResult run_ltv(Workspace& workspace, const LtvJobOptions& options,
                        const AnalyticsInputs& inputs) {
  const TransactionLog& log = workspace.transactions();
  AnalyticsResult result;
  std::optional<CustomerGroups> groups;
  if (!options.by.empty()) {
    groups = groups_from_first_purchase(log, options.by, "by");
  } else if (inputs.groups) {
    require_group_column(options.group_column);
    groups = groups_of(log, *inputs.groups, options.id_column, options.group_column, result.notes);
  }
  const CustomerGroups* g = groups ? &*groups : nullptr;
  const FormulaLtvOptions& f = options.formula;
  const HistoricalLtv h = historical_ltv(log, f.observation_end);
  result.tables.push_back(formula_ltv_table(formula_ltv(log, f, g), f.method, f.retention_period));
  result.tables.push_back(distribution_table(ltv_distribution(h, g)));
  result.tables.push_back(historical_ltv_table(log, h));
  return result;
}

// ---- cohorts

CohortsJobOptions cohorts_options(const Parameters& p) {
  p.validate();
  refuse_unused_periods(p, "cohorts");
  CohortsJobOptions o;
  o.cohorts.period = period_parameter(p);
  o.cohorts.observation_end = p.date("observation_end");
  o.matrix = p.text("matrix");
  return o;
}

AnalyticsResult run_cohorts(Workspace& workspace, const CohortsJobOptions& options) {
  if (!options.matrix.empty()) cohort_matrix(CohortReport{}, options.matrix);  // checks the name
  const CohortReport report = build_cohorts(workspace.transactions(), options.cohorts);
  AnalyticsResult result;
  result.tables.push_back(options.matrix.empty() ? cohort_table(report)
                                                 : cohort_matrix(report, options.matrix));
  return result;
}

// ---- cac

CacJobOptions cac_options(const Parameters& p) {
  p.validate();
  refuse_unused_periods(p, "cac");
  if (p.text("spend").empty()) {
    parameter_error("spend", "", "a marketing spend FILE with channel, period, spend columns");
  }
  CacJobOptions o;
  o.cac.channel_column = p.text("acquisition_column");
  o.cac.margin = margin_rate(p);
  o.cac.observation_end = p.date("observation_end");
  o.id_column = p.text("id_column");
  o.customers_channel = p.text("customers_channel");
  o.predicted_column = p.text("predicted_column");
  return o;
}

CacResult run_cac(Workspace& workspace, const CacJobOptions& options,
                  const AnalyticsInputs& inputs) {
  if (!inputs.spend) {
    parameter_error("spend", "", "a marketing spend FILE with channel, period, spend columns");
  }
  const TransactionLog& log = workspace.transactions();
  CacResult result;
  CacOptions c = options.cac;
  if (inputs.customers) {
    c.acquisition_channel = groups_of(log, *inputs.customers, options.id_column,
                                      options.customers_channel, result.notes);
  }
  if (inputs.predicted) {
    c.predicted_ltv =
        values_from_table(log, *inputs.predicted, options.id_column, options.predicted_column);
  }
  const CacReport report = compute_cac(log, *inputs.spend, c);
  result.margin_source = report.margin_source;
  result.tables.push_back(cac_table(report));
  return result;
}

// ---- forecast

ForecastJobOptions forecast_options(const Parameters& p) {
  p.validate();
  refuse_unused_periods(p, "forecast");
  ForecastJobOptions o;
  ForecastOptions& f = o.forecast;
  f.period = period_parameter(p);
  f.horizon = static_cast<std::int32_t>(p.integer("horizon"));
  f.holdout = static_cast<std::int32_t>(p.integer("holdout"));
  f.season_length = static_cast<std::int32_t>(p.integer("season"));
  f.fourier_terms = static_cast<std::int32_t>(p.integer("fourier"));
  f.average_window = static_cast<std::int32_t>(p.integer("window"));
  f.methods.clear();
  for (const std::string& m : detail::list_parameter(p, "method")) {
    f.methods.push_back(parse_forecast_method(m));
  }
  f.observation_end = p.date("observation_end");
  return o;
}

ForecastResult run_forecast(Workspace& workspace, const ForecastJobOptions& options) {
  const ForecastReport report = forecast_company(workspace.transactions(), options.forecast);
  ForecastResult result;
  result.excluded = report.excluded;
  result.tables.push_back(forecast_table(report));
  result.tables.push_back(backtest_table(report));
  result.tables.push_back(seasonality_table(report));
  return result;
}

// ---- compare

CompareJobOptions compare_options(const Parameters& p) {
  p.validate();
  refuse_unused_periods(p, "compare");
  CompareJobOptions o;
  o.compare.bootstrap = static_cast<std::int32_t>(p.integer("bootstrap"));
  o.compare.seed = detail::seed_parameter(p, "seed");
  o.compare.confidence = p.number("confidence");
  o.compare.retention_period = period_parameter(p);
  o.compare.min_group_size = p.integer("min_group");
  o.compare.observation_end = p.date("observation_end");
  o.by = p.text("by");
  o.id_column = p.text("id_column");
  o.group_column = p.text("group_column");
  o.a = p.text("a");
  o.b = p.text("b");
  o.name_a = p.text("name_a");
  o.name_b = p.text("name_b");
  if (!p.given("a")) parameter_error("a", "", "the label of the first group");
  if (!p.given("b")) parameter_error("b", "", "the label of the second group");
  if (o.by.empty() == p.text("groups").empty()) {
    parameter_error("by", o.by, "exactly one of --by or --groups");
  }
  return o;
}

CompareResult run_compare(Workspace& workspace, const CompareJobOptions& options,
                          const AnalyticsInputs& inputs) {
  if (options.by.empty() && !inputs.groups) {
    parameter_error("by", "", "exactly one of --by or --groups");
  }
  const TransactionLog& log = workspace.transactions();
  CompareResult result;
  CustomerGroups groups;
  if (!options.by.empty()) {
    groups = groups_from_first_purchase(log, options.by, "by");
  } else {
    require_group_column(options.group_column);
    groups = groups_of(log, *inputs.groups, options.id_column, options.group_column, result.notes);
  }
  // Display names replace the labels (e.g. loyalty_member 1 / 0 -> members / non-members).
  std::string a = options.a, b = options.b;
  for (auto& label : groups.labels) {
    if (label == options.a && !options.name_a.empty()) {
      label = a = options.name_a;
    } else if (label == options.b && !options.name_b.empty()) {
      label = b = options.name_b;
    }
  }
  const CompareReport report = compare_groups(log, groups, a, b, options.compare);
  result.warnings = report.warnings;
  for (const auto& m : report.metrics) result.sentences.push_back(m.sentence);
  result.tables.push_back(compare_table(report));
  return result;
}

}  // namespace ltv
