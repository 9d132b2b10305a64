// The business analytics jobs (see ltv/workspace/analytics.hpp).
#include "ltv/workspace/analytics.hpp"

#include "ltv/analytics/periods.hpp"
#include "ltv/error.hpp"
#include "ltv/workspace/side_tables.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {

namespace {

/// The side table at the path parameter `key`, when these parameters take it and it is set.
std::optional<Table> read_side_table(const Parameters& p, std::string_view key) {
  if (!p.accepts(key)) return std::nullopt;
  const std::string path = p.text(key);
  if (path.empty()) return std::nullopt;
  return read_table(path);
}

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
  return inputs;
}

TransactionSource analytics_source(const Parameters& p) {
  TransactionSource source = TransactionSource::from_parameters(p);
  source.options.keep_extra_columns = p.accepts("by") && !p.text("by").empty();
  return source;
}

// ---- kpis

KpisJobOptions kpis_options(const Parameters& p) {
  p.validate();
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

}  // namespace ltv
