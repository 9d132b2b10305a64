// The table catalogue and the functions that fill its tables (see ltv/workspace/tables.hpp).
#include "ltv/workspace/tables.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "ltv/analytics/periods.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"

namespace ltv {

namespace {

// Column shorthands: text, integer, real (shortest round-trip text), real12 (12 significant
// digits: derived figures whose last digits are float noise), date, boolean.
ColumnSpec text(std::string name, std::string description = {}) {
  return {std::move(name), ColumnType::text, 0, std::move(description)};
}
ColumnSpec integer(std::string name, std::string description = {}) {
  return {std::move(name), ColumnType::integer, 0, std::move(description)};
}
ColumnSpec real(std::string name, std::string description = {}) {
  return {std::move(name), ColumnType::real, 0, std::move(description)};
}
ColumnSpec real12(std::string name, std::string description = {}) {
  return {std::move(name), ColumnType::real, 12, std::move(description)};
}
ColumnSpec date(std::string name, std::string description = {}) {
  return {std::move(name), ColumnType::date, 0, std::move(description)};
}
ColumnSpec boolean(std::string name, std::string description = {}) {
  return {std::move(name), ColumnType::boolean, 0, std::move(description)};
}

TableDefinition table(std::string folder, std::string name, std::string description,
                      std::vector<ColumnSpec> columns, std::string wide_prefix = {}) {
  TableDefinition d;
  d.spec.name = std::move(name);
  d.spec.description = std::move(description);
  d.spec.columns = std::move(columns);
  d.folder = std::move(folder);
  d.wide_prefix = std::move(wide_prefix);
  return d;
}

// ---- Tables of the uplift, NPS and simulator commands that the main job does not write.
void append_command_tables(std::vector<TableDefinition>& c) {
  // Figures rounded to 6 significant digits (uplift_table); without an amount column the money
  // columns are null.
  c.push_back(table("cvm", "uplift",
                    "Campaign uplift: treated vs control over a window (`ltv uplift`)",
                    {text("campaign"),
                     date("first_date", "first campaign day"),
                     date("last_date", "last campaign day"),
                     integer("window_days", "outcome window"),
                     integer("treated", "treated customers"),
                     integer("control", "control customers"),
                     real("response_treated", "share buying in the window"),
                     real("response_control"),
                     real("response_diff"),
                     real("response_lower"),
                     real("response_upper"),
                     real("revenue_treated", "revenue per customer in the window"),
                     real("revenue_control"),
                     real("revenue_diff"),
                     real("revenue_lower"),
                     real("revenue_upper"),
                     real("margin_treated", "margin per customer in the window"),
                     real("margin_control"),
                     real("margin_diff"),
                     real("margin_lower"),
                     real("margin_upper"),
                     real("incremental_revenue", "revenue_diff x treated"),
                     real("incremental_margin", "margin_diff x treated"),
                     real("cost"),
                     real("romi", "(incremental margin - cost) / cost"),
                     real("revenue_mde", "minimum detectable revenue difference"),
                     real("response_mde", "minimum detectable response difference"),
                     text("significant", "true when the revenue interval excludes 0"),
                     text("large_enough", "true when |revenue_diff| >= revenue_mde"),
                     text("verdict")}));
  c.push_back(table("nps", "value_link",
                    "Retention and value after the answer, by NPS class (`ltv nps --value`)",
                    {text("class"), integer("customers", "respondents with a full window"),
                     integer("retained", "of those, bought within the window"), real("retention"),
                     real("value_before", "mean amount before the answer"),
                     real("value_after", "mean amount in the window"),
                     real("mean_ltv", "mean of the supplied LTV")}));
}

std::vector<TableDefinition> make_catalogue() {
  std::vector<TableDefinition> c;
  // ---- the main job's per-customer and per-segment tables
  c.push_back(
      table("", "customers", "One row per customer: summary, model scores, CLV and segments",
            {text("customer_id"), real("frequency", "repeat purchase days"),
             real("recency", "first to last purchase, in the time unit"),
             real("T", "first purchase to the end of the data, in the time unit"),
             real("monetary_value", "mean value of repeat purchase days"), date("first_purchase"),
             date("last_purchase"), integer("orders"), real("revenue"),
             real("p_alive", "probability the customer has not silently churned"),
             real("expected_purchases", "in the prediction horizon"),
             real("expected_spend", "per purchase (Gamma-Gamma)"),
             real("clv", "discounted value in the horizon, times the profit margin"),
             text("rfm_segment"), text("abcdx"), text("stage", "life-cycle stage")}));
  c.push_back(table("", "segments", "Size, value and purpose of every segment of every scheme",
                    {text("scheme"), text("segment"), text("purpose"), integer("customers"),
                     real("customer_share"), real("revenue"), real("revenue_share"),
                     real("average_check"), real("frequency"), real("predicted_ltv")}));
  c.push_back(table("", "models", "Count models compared on the holdout",
                    {text("model"), real("log_likelihood"), real("bic"), real("holdout_mae"),
                     real("holdout_rmse"), real("holdout_actual"), real("holdout_expected"),
                     boolean("converged"), text("error")}));
  c.push_back(table("", "segment_transitions", "Customers moving between segments",
                    {text("scheme"), date("from_date"), date("to_date"), text("from_segment"),
                     text("to_segment"), integer("customers"), real("revenue_to_date")}));
  c.push_back(table(
      "", "actions", "Today's CVM actions: who, what, on which channel, why",
      {text("customer_id"), text("rule"), text("action"), text("channel"), text("params"),
       text("reason"), integer("priority"), boolean("control", "held out as control group")}));
  c.push_back(table("", "actions_summary", "Actions per rule",
                    {text("rule"), text("action"), text("channel"), integer("priority"),
                     integer("customers"), integer("treated"), integer("control")}));
  c.push_back(table("", "due_contacts", "The contact regime's overdue customers per manager",
                    {text("manager_id"), text("role"), text("customer_id"), text("cadence"),
                     integer("every_days"), real("days_since_contact"), real("days_overdue")}));
  // ---- validation of the model choice
  c.push_back(table("validation", "tracking", "Repeat purchases per period, actual vs expected",
                    {text("model"), integer("period"), date("period_start"), real("actual"),
                     real("expected"), real("actual_cumulative"), real("expected_cumulative")}));
  c.push_back(table("validation", "conditional",
                    "Mean holdout purchases by calibration frequency, actual vs expected",
                    {text("model"), text("calibration_frequency"), integer("customers"),
                     real("actual_mean"), real("expected_mean")}));
  c.push_back(table(
      "validation", "validation_models", "Models side by side on the holdout (`ltv validate`)",
      {text("model"), integer("parameters"), real("log_likelihood"), real("aic"), real("bic"),
       real("holdout_mae"), real("holdout_rmse"), real("holdout_actual"), real("holdout_expected"),
       real("aggregate_error_pct"), boolean("converged"), text("error")}));
  // ---- business analytics
  c.push_back(
      table("analytics", "kpis", "Business KPIs per period (and breakdown group)",
            {text("group"), text("period"), integer("complete"), integer("customers"),
             integer("active_customers"), integer("new_customers"), integer("returning_customers"),
             real12("returning_share"), integer("orders"), real12("revenue"), real12("profit"),
             real12("margin"), real12("average_check"), real12("purchases_per_customer_per_year"),
             real12("repeat_purchase_rate"), real12("average_lifespan_days"),
             integer("churned_customers"), real12("churned_share")}));
  c.push_back(table(
      "analytics", "top_items", "Top products and categories",
      {text("dimension"), text("item"), real12("revenue"), integer("buyers"), integer("lines"),
       real12("quantity"), integer("rank_by_revenue"), integer("rank_by_buyers")}));
  c.push_back(table("analytics", "ltv_formula",
                    "Planning-formula LTV: average check x purchases per year x lifespan",
                    {text("group"), integer("customers"), integer("orders"), real12("revenue"),
                     real12("average_check"), real12("purchases_per_year"),
                     text("retention_period"), real12("retention_rate"),
                     real12("lifespan_years_observed"), real12("lifespan_years_retention"),
                     text("lifespan_method"), real12("lifespan_years"), real12("margin"),
                     real12("ltv_revenue"), real12("ltv_margin"), real12("historical_ltv_mean")}));
  c.push_back(table("analytics", "ltv_distribution", "Distribution of historical LTV",
                    {text("group"), text("measure"), integer("customers"), real12("total"),
                     real12("mean"), real12("median"), real12("p10"), real12("p25"), real12("p75"),
                     real12("p90"), real12("p99"), real12("max"), real12("top20_share")}));
  c.push_back(table("analytics", "historical_ltv", "LTV to date per customer",
                    {text("customer_id"), real12("revenue"), real12("profit"), integer("orders"),
                     date("first_purchase"), date("last_purchase")}));
  c.push_back(
      table("analytics", "cohorts", "Acquisition cohorts by age",
            {text("cohort"), integer("age"), text("period"), integer("complete"),
             integer("cohort_size"), integer("active_customers"), real12("retention"),
             integer("orders"), real12("revenue"), real12("profit"),
             real12("cumulative_revenue_per_customer"), real12("cumulative_profit_per_customer")}));
  c.push_back(table("analytics", "cohort_retention", "Retention matrix: cohort x age (p0, p1, ...)",
                    {text("cohort"), integer("cohort_size")}, "p"));
  c.push_back(table("analytics", "cohort_matrix", "One cohort metric as a cohort x age matrix",
                    {text("cohort"), integer("cohort_size")}, "p"));
  c.push_back(
      table("analytics", "forecast", "Revenue and active customers, history and forecast",
            {text("method"), text("series"), text("period"), text("kind"), real12("value")}));
  c.push_back(table("analytics", "forecast_backtest", "Forecast methods on a held-out tail",
                    {text("method"), text("series"), integer("holdout_periods"), real12("mape"),
                     real12("mae"), text("note")}));
  c.push_back(table("analytics", "seasonality", "Seasonality tests",
                    {text("series"), integer("season_length"), integer("tested"),
                     real12("autocorrelation"), real12("threshold"), integer("seasonal")}));
  c.push_back(table(
      "analytics", "cac", "CAC, LTV:CAC, payback and ROMI per channel and period",
      {text("channel"), text("period"), real12("spend"), integer("new_customers"), real12("cac"),
       real12("revenue"), real12("margin_attributable"), real12("historical_ltv"),
       real12("predicted_ltv"), real12("ltv_cac_historical"), real12("ltv_cac_predicted"),
       integer("payback_periods"), real12("romi"), text("note")}));
  c.push_back(
      table("analytics", "compare", "Two customer groups compared, with intervals",
            {text("metric"), text("group_a"), text("group_b"), integer("customers_a"),
             integer("customers_b"), real12("value_a"), real12("value_b"), real12("difference"),
             real12("difference_low"), real12("difference_high"), real12("relative_difference"),
             real12("relative_low"), real12("relative_high"), text("sentence"), text("warning")}));
  // ---- cross-sell
  c.push_back(table("basket", "rules", "Association rules",
                    {text("antecedent"), text("consequent"), real("support"), real("confidence"),
                     real("lift"), integer("count")}));
  c.push_back(table("basket", "itemsets", "Frequent itemsets",
                    {text("itemset"), integer("size"), real("support"), integer("count")}));
  c.push_back(table("basket", "recommendations", "Next best offers per customer, with a reason",
                    {text("customer_id"), integer("rank"), text("item"), real("score"),
                     text("because"), text("reason")}));
  c.push_back(table("basket", "category_penetration",
                    "Share of each RFM segment that ever bought each category",
                    {text("rfm_segment"), text("category"), integer("segment_customers"),
                     integer("buyers"), real("share")}));
  c.push_back(table(
      "", "reach", "Share of each segment that bought each item",
      {text("segment"), text("item"), integer("segment_size"), integer("buyers"), real("reach")}));
  // ---- NPS
  c.push_back(table("nps", "nps", "NPS by grouping, with 95% intervals",
                    {text("by"), text("group"), integer("answers"), integer("promoters"),
                     integer("passives"), integer("detractors"), real("nps"),
                     real("standard_error"), real("ci_low"), real("ci_high")}));
  c.push_back(
      table("nps", "follow_ups", "Follow-up tasks for answers below 10",
            {text("customer_id"), date("date"), integer("score"), text("class"), text("comment"),
             text("channel"), text("owner"), date("due_date"), text("priority"), integer("line")}));
  c.push_back(table("nps", "detractor_terms", "Frequent words of detractors' comments",
                    {text("term"), integer("detractor_comments"), real("share_of_detractors")}));
  c.push_back(table("nps", "value", "Retention and value after the answer, by NPS class",
                    {text("class"), integer("customers"), integer("retained"), real("retention"),
                     real("value_before"), real("value_after"), real("mean_ltv"),
                     integer("respondents"), real("mean_p_alive"), real("mean_expected_purchases"),
                     real("mean_clv"), integer("horizon_days")}));
  c.push_back(table("nps", "problems", "Problems found in the NPS answers",
                    {integer("line"), text("problem"), text("detail")}));

  // ---- tables of the segment, cross-sell and actions commands (ltv segment, basket,
  // recommend, penetration, actions)
  c.push_back(table(
      "", "segment_customers",
      "One row per customer with segments and the reason behind them (`ltv segment`); the label, "
      "potential, score, custom-segment and cluster columns only when configured or given",
      {text("customer_id"),
       real("recency_days", "days since the last purchase"),
       integer("orders"),
       real("revenue"),
       real("average_check"),
       integer("r"),
       integer("f"),
       integer("m"),
       text("r_label"),
       text("f_label"),
       text("m_label"),
       text("rfm_segment"),
       text("rfm_purpose"),
       text("abcdx"),
       real("potential_score"),
       text("stage", "life-cycle stage"),
       real("rhythm_ratio"),
       real("expected_interval_days"),
       real("p_alive"),
       real("predicted_clv"),
       text("stage_reason"),
       text("custom_segments", "';'-separated names"),
       integer("cluster")}));
  c.push_back(
      table("", "segment_stats",
            "Size, value and purpose of every segment (`ltv segment --segments-out`); "
            "predicted_ltv only with predicted CLV scores",
            {text("scheme"), text("segment"), text("purpose"), text("description"),
             integer("customers"), real("customer_share"), real("revenue"), real("revenue_share"),
             real("average_check"), real("frequency"), real("predicted_ltv")}));
  c.push_back(table("", "segment_overlaps",
                    "Customers in both of two custom segments (the diagonal: a segment's size)",
                    {text("segment_a"), text("segment_b"), integer("customers")}));
  c.push_back(table("", "lookalike", "Look-alike customers by similarity to the seed segment",
                    {text("customer_id"), integer("rank"), real("score")}));
  c.push_back(table("", "follow_on",
                    "Customers who first bought the consequent within the window after first "
                    "buying the antecedent (`ltv basket --sequence`)",
                    {text("antecedent"), text("consequent"), integer("customers"),
                     integer("antecedent_buyers"), real("share", "customers / antecedent_buyers"),
                     real("lift", "share / share of all customers who bought the consequent"),
                     integer("window_days")}));
  c.push_back(table("", "segment_drops",
                    "Customers who moved to a lower segment level between two snapshots",
                    {text("scheme"), date("from_date"), date("to_date"), text("customer_id"),
                     text("from_segment"), text("to_segment")}));
  c.push_back(table("", "recommend_evaluation",
                    "Next best offers against a popularity baseline on a time split (`ltv "
                    "recommend --evaluate`)",
                    {text("method", "follow_on or popularity"), integer("k", "cut-off"),
                     real("hit_rate", "share of customers with a hit in the top k"),
                     real("precision", "mean hits / k"),
                     real("recall", "mean hits / items bought after the split"),
                     integer("customers", "customers evaluated")}));
  c.push_back(table("", "penetration",
                    "Week-by-week share of the target group that bought the launched product "
                    "(`ltv penetration`)",
                    {integer("week"), date("week_start"),
                     integer("new_buyers", "first bought since the launch in this week"),
                     integer("cumulative_buyers"), integer("target_size"),
                     real("penetration", "cumulative_buyers / target_size")}));
  append_command_tables(c);
  return c;
}

const std::vector<TableDefinition>& catalogue() {
  static const std::vector<TableDefinition> c = make_catalogue();
  return c;
}

/// An optional real as a cell (null when absent).
Cell opt(const std::optional<double>& v) {
  return v ? Cell{*v} : Cell{};
}

std::int64_t int64(std::size_t v) {
  return static_cast<std::int64_t>(v);
}

}  // namespace

std::span<const TableDefinition> table_catalogue() {
  return catalogue();
}

const TableDefinition& table_definition(std::string_view key) {
  for (const TableDefinition& d : catalogue()) {
    if (d.key() == key) return d;
  }
  for (const TableDefinition& d : catalogue()) {
    if (d.spec.name == key) return d;
  }
  throw std::logic_error(fmt::format("no table {} in the catalogue", key));
}

const TableSpec& table_spec(std::string_view key) {
  return table_definition(key).spec;
}

// ---- analytics

ResultTable kpi_table(const KpiReport& report) {
  ResultTable t(table_spec("analytics/kpis"));
  for (const KpiRow& r : report.rows) {
    t.append_row({r.group, r.period, std::int64_t{r.complete ? 1 : 0}, r.customers,
                  r.active_customers, r.new_customers, r.returning_customers, r.returning_share,
                  r.orders, r.revenue, opt(r.profit), opt(r.margin), r.average_check,
                  r.purchases_per_customer_per_year, r.repeat_purchase_rate,
                  r.average_lifespan_days, r.churned_customers, r.churned_share});
  }
  return t;
}

ResultTable top_items_table(const std::vector<TopItem>& items) {
  ResultTable t(table_spec("analytics/top_items"));
  for (const TopItem& it : items) {
    t.append_row({it.dimension, it.item, it.revenue, it.buyers, it.lines, it.quantity,
                  it.rank_by_revenue, it.rank_by_buyers});
  }
  return t;
}

ResultTable historical_ltv_table(const TransactionLog& log, const HistoricalLtv& ltv) {
  ResultTable t(table_spec("analytics/historical_ltv"));
  for (std::size_t i = 0; i < ltv.size(); ++i) {
    t.append_row({log.customer_ids[ltv.customer[i]], ltv.revenue[i],
                  ltv.has_profit ? Cell{ltv.profit[i]} : Cell{}, ltv.orders[i],
                  std::int64_t{ltv.first_purchase[i]}, std::int64_t{ltv.last_purchase[i]}});
  }
  return t;
}

ResultTable distribution_table(const std::vector<ValueDistribution>& rows) {
  ResultTable t(table_spec("analytics/ltv_distribution"));
  for (const auto& d : rows) {
    t.append_row({d.group, d.measure, d.customers, d.total, d.mean, d.median, d.p10, d.p25, d.p75,
                  d.p90, d.p99, d.max, d.top20_share});
  }
  return t;
}

ResultTable formula_ltv_table(const std::vector<FormulaLtvRow>& rows, LifespanMethod method,
                              PeriodUnit retention_period) {
  ResultTable t(table_spec("analytics/ltv_formula"));
  for (const auto& r : rows) {
    t.append_row({r.group, r.customers, r.orders, r.revenue, r.average_check, r.purchases_per_year,
                  std::string(to_string(retention_period)), r.retention_rate,
                  r.lifespan_years_observed, r.lifespan_years_retention,
                  std::string(to_string(method)), r.lifespan_years, opt(r.margin), r.ltv_revenue,
                  opt(r.ltv_margin), r.historical_ltv_mean});
  }
  return t;
}

ResultTable cohort_table(const CohortReport& report) {
  ResultTable t(table_spec("analytics/cohorts"));
  for (const CohortCell& c : report.cells) {
    t.append_row({c.cohort, std::int64_t{c.age}, c.period, std::int64_t{c.complete ? 1 : 0},
                  c.cohort_size, c.active_customers, c.retention, c.orders, c.revenue,
                  report.has_profit ? Cell{c.profit} : Cell{}, c.cumulative_revenue_per_customer,
                  report.has_profit ? Cell{c.cumulative_profit_per_customer} : Cell{}});
  }
  return t;
}

ResultTable cohort_matrix(const CohortReport& report, std::string_view metric,
                          std::string_view name) {
  using Getter = Cell (*)(const CohortCell&);
  const std::pair<std::string_view, Getter> metrics[] = {
      {"retention", [](const CohortCell& c) { return Cell{c.retention}; }},
      {"active_customers", [](const CohortCell& c) { return Cell{c.active_customers}; }},
      {"revenue", [](const CohortCell& c) { return Cell{c.revenue}; }},
      {"orders", [](const CohortCell& c) { return Cell{c.orders}; }},
      {"cumulative_revenue_per_customer",
       [](const CohortCell& c) { return Cell{c.cumulative_revenue_per_customer}; }},
      {"cumulative_profit_per_customer",
       [](const CohortCell& c) { return Cell{c.cumulative_profit_per_customer}; }},
  };
  Getter get = nullptr;
  for (const auto& [metric_name, g] : metrics) {
    if (metric_name == metric) get = g;
  }
  if (get == nullptr) {
    parameter_error("matrix", std::string(metric),
                    "one of retention, active_customers, revenue, orders, "
                    "cumulative_revenue_per_customer, cumulative_profit_per_customer");
  }
  std::int32_t max_age = -1;
  for (const CohortCell& c : report.cells) max_age = std::max(max_age, c.age);
  const TableDefinition& definition = table_definition("analytics/" + std::string(name));
  TableSpec spec = definition.spec;
  for (std::int32_t a = 0; a <= max_age; ++a) {
    spec.columns.push_back(real12(fmt::format("{}{}", definition.wide_prefix, a)));
  }
  ResultTable t(std::move(spec));
  const std::size_t width = t.columns();
  for (std::size_t i = 0; i < report.cells.size();) {
    std::vector<Cell> row(width);
    row[0] = report.cells[i].cohort;
    row[1] = report.cells[i].cohort_size;
    const std::int32_t cohort = report.cells[i].cohort_index;
    for (; i < report.cells.size() && report.cells[i].cohort_index == cohort; ++i)
      row[2 + static_cast<std::size_t>(report.cells[i].age)] = get(report.cells[i]);
    t.append_row(row);
  }
  return t;
}

ResultTable cac_table(const CacReport& report) {
  ResultTable t(table_spec("analytics/cac"));
  for (const CacRow& r : report.rows) {
    t.append_row({r.channel, r.period, r.spend, r.new_customers, opt(r.cac), r.revenue,
                  r.margin_attributable, r.historical_ltv, opt(r.predicted_ltv),
                  opt(r.ltv_cac_historical), opt(r.ltv_cac_predicted),
                  r.payback_periods ? Cell{std::int64_t{*r.payback_periods}} : Cell{}, opt(r.romi),
                  r.note});
  }
  return t;
}

ResultTable compare_table(const CompareReport& report) {
  ResultTable t(table_spec("analytics/compare"));
  std::string warning;
  for (const auto& w : report.warnings) warning += (warning.empty() ? "" : "; ") + w;
  for (const CompareMetric& m : report.metrics) {
    t.append_row({m.metric, report.group_a, report.group_b, report.customers_a, report.customers_b,
                  m.value_a, m.value_b, m.difference, m.difference_low, m.difference_high,
                  m.relative, m.relative_low, m.relative_high, m.sentence, warning});
  }
  return t;
}

ResultTable forecast_table(const ForecastReport& report) {
  ResultTable t(table_spec("analytics/forecast"));
  const std::pair<const char*, const std::vector<double>*> history[] = {
      {"revenue", &report.revenue}, {"active_customers", &report.active_customers}};
  for (const auto& [name, y] : history)
    for (std::size_t i = 0; i < y->size(); ++i)
      t.append_row({std::string("actual"), std::string(name),
                    format_period(report.history_period[i], report.period), std::string("history"),
                    (*y)[i]});
  for (const SeriesForecast& f : report.forecasts)
    for (std::size_t h = 0; h < f.forecast.size(); ++h)
      t.append_row({std::string(to_string(f.method)), f.series,
                    format_period(report.forecast_period[h], report.period),
                    std::string("forecast"), f.forecast[h]});
  return t;
}

ResultTable backtest_table(const ForecastReport& report) {
  ResultTable t(table_spec("analytics/forecast_backtest"));
  for (const SeriesForecast& f : report.forecasts)
    t.append_row({std::string(to_string(f.method)), f.series, std::int64_t{report.holdout}, f.mape,
                  f.mae, f.note});
  return t;
}

ResultTable seasonality_table(const ForecastReport& report) {
  ResultTable t(table_spec("analytics/seasonality"));
  for (const Seasonality& z : report.seasonality)
    t.append_row({z.series, std::int64_t{z.season_length}, std::int64_t{z.tested ? 1 : 0},
                  z.tested ? Cell{z.autocorrelation} : Cell{}, z.threshold,
                  std::int64_t{z.seasonal ? 1 : 0}});
  return t;
}

// ---- models and validation

ResultTable models_table(std::span<const HoldoutScore> scores) {
  ResultTable t(table_spec("models"));
  for (const auto& s : scores) {
    const bool ok = s.error.empty();
    t.append_row({s.model, ok ? Cell{s.fit.log_likelihood} : Cell{}, ok ? Cell{s.bic} : Cell{},
                  ok ? Cell{s.mae} : Cell{}, ok ? Cell{s.rmse} : Cell{}, s.actual_total,
                  s.expected_total, ok && s.fit.converged, s.error});
  }
  return t;
}

ResultTable tracking_table(const ValidationReport& report, bool with_holdout) {
  TableSpec spec = table_spec("validation/tracking");
  if (with_holdout) spec.columns.push_back(boolean("holdout"));
  ResultTable t(std::move(spec));
  for (const TrackingRow& r : report.tracking) {
    std::vector<Cell> row{r.model,    int64(r.period),     std::int64_t{r.period_start}, r.actual,
                          r.expected, r.actual_cumulative, r.expected_cumulative};
    if (with_holdout) row.emplace_back(r.holdout);
    t.append_row(row);
  }
  return t;
}

ResultTable conditional_table(const ValidationReport& report) {
  ResultTable t(table_spec("validation/conditional"));
  for (const ConditionalRow& r : report.conditional) {
    t.append_row({r.model, r.label, int64(r.customers),
                  r.customers > 0 ? Cell{r.actual_mean} : Cell{},
                  r.customers > 0 ? Cell{r.expected_mean} : Cell{}});
  }
  return t;
}

ResultTable validation_models_table(const ValidationReport& report) {
  ResultTable t(table_spec("validation/validation_models"));
  for (const ModelValidation& m : report.models) {
    const HoldoutScore& s = m.score;
    const bool ok = s.error.empty();
    const auto v = [&](double x) { return ok ? Cell{x} : Cell{}; };
    t.append_row({s.model, ok ? Cell{int64(m.parameters)} : Cell{}, v(s.fit.log_likelihood),
                  v(m.aic), v(s.bic), v(s.mae), v(s.rmse), v(s.actual_total), v(s.expected_total),
                  v(m.aggregate_error_pct), ok && s.fit.converged, s.error});
  }
  return t;
}

// ---- segments

ResultTable segments_table(std::span<const SegmentStats> stats) {
  ResultTable t(table_spec("segments"));
  for (const auto& s : stats) {
    t.append_row({s.scheme, s.segment, s.purpose, int64(s.customers), s.customer_share, s.revenue,
                  s.revenue_share, s.average_check, s.frequency, s.predicted_ltv});
  }
  return t;
}

ResultTable transitions_table(const SegmentHistory& history) {
  ResultTable t(table_spec("segment_transitions"));
  for (const auto& tr : history.transitions) {
    const std::size_t m = tr.labels.size();
    for (std::size_t a = 0; a < m; ++a)
      for (std::size_t b = 0; b < m; ++b) {
        if (tr.counts[a * m + b] == 0) continue;
        t.append_row({tr.scheme, std::int64_t{tr.from_day}, std::int64_t{tr.to_day}, tr.labels[a],
                      tr.labels[b], int64(tr.counts[a * m + b]),
                      round_significant(tr.value[a * m + b], 12)});
      }
  }
  return t;
}

// ---- cross-sell

ResultTable rules_table(const AssociationRules& rules) {
  ResultTable t(table_spec("basket/rules"));
  for (std::size_t r = 0; r < rules.size(); ++r) {
    t.append_row({format_itemset(rules.antecedent(r), rules.item_names),
                  rules.item_names[rules.consequent[r]], rules.support(r), rules.confidence(r),
                  rules.lift(r), static_cast<std::int64_t>(rules.count[r])});
  }
  return t;
}

ResultTable itemsets_table(const FrequentItemsets& itemsets) {
  ResultTable t(table_spec("basket/itemsets"));
  for (std::size_t i = 0; i < itemsets.size(); ++i) {
    t.append_row(
        {format_itemset(itemsets.itemset(i), itemsets.item_names),
         int64(itemsets.itemset(i).size()),
         static_cast<double>(itemsets.count[i]) / static_cast<double>(itemsets.basket_count),
         static_cast<std::int64_t>(itemsets.count[i])});
  }
  return t;
}

ResultTable recommendations_table(const Recommendations& recs) {
  ResultTable t(table_spec("basket/recommendations"));
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const bool explained = recs.because[i] != Recommendations::kNoReason;
    t.append_row({recs.customer_ids[recs.customer[i]], static_cast<std::int64_t>(recs.rank[i]),
                  recs.item_names[recs.item[i]], recs.score[i],
                  explained ? Cell{recs.item_names[recs.because[i]]} : Cell{}, recs.explain(i)});
  }
  return t;
}

ResultTable reach_table(const ReachTable& table, std::string_view key) {
  ResultTable t(table_spec(key));
  for (std::size_t r = 0; r < table.size(); ++r) {
    t.append_row({table.segment[r], table.item[r], static_cast<std::int64_t>(table.segment_size[r]),
                  static_cast<std::int64_t>(table.buyers[r]), table.share[r]});
  }
  return t;
}

// ---- NPS

ResultTable nps_problems_table(std::span<const NpsProblem> problems) {
  ResultTable t(table_spec("nps/problems"));
  for (const auto& p : problems) t.append_row({p.line, p.kind, p.detail});
  return t;
}

ResultTable nps_table(std::span<const NpsTableSection> sections) {
  ResultTable t(table_spec("nps/nps"));
  for (const auto& s : sections) {
    for (std::size_t g = 0; g < s.table.size(); ++g) {
      const auto& e = s.table.estimate[g];
      t.append_row({s.by, s.table.group[g], static_cast<std::int64_t>(e.answers),
                    static_cast<std::int64_t>(e.promoters), static_cast<std::int64_t>(e.passives),
                    static_cast<std::int64_t>(e.detractors), opt(e.nps), opt(e.standard_error),
                    opt(e.ci_low), opt(e.ci_high)});
    }
  }
  return t;
}

ResultTable follow_ups_table(std::span<const FollowUp> items) {
  ResultTable t(table_spec("nps/follow_ups"));
  for (const auto& item : items) {
    t.append_row({item.customer, std::int64_t{item.day}, std::int64_t{item.score},
                  std::string(to_string(classify_score(item.score))), item.comment, item.channel,
                  item.owner, std::int64_t{item.due_day}, item.priority, item.line});
  }
  return t;
}

ResultTable detractor_terms_table(const NpsAnswers& answers, std::size_t top) {
  std::vector<std::string> comments;
  for (std::size_t i = 0; i < answers.size(); ++i)
    if (classify_score(answers.score[i]) == NpsClass::detractor)
      comments.push_back(answers.comment[i]);
  ResultTable t(table_spec("nps/detractor_terms"));
  for (const auto& term : top_terms(comments, top)) {
    t.append_row({term.term, static_cast<std::int64_t>(term.comments),
                  static_cast<double>(term.comments) / static_cast<double>(comments.size())});
  }
  return t;
}

// ---- segment, cross-sell and actions commands

namespace {

/// The spec of `key` without the columns `drop`.
TableSpec without_columns(std::string_view key, const std::vector<std::string_view>& drop) {
  TableSpec spec = table_spec(key);
  std::erase_if(spec.columns, [&](const ColumnSpec& c) {
    return std::find(drop.begin(), drop.end(), c.name) != drop.end();
  });
  return spec;
}

}  // namespace

ResultTable segment_customers_table(std::span<const std::string> ids,
                                    const CustomerSummary& summary, const SegmentResult& r,
                                    const CustomerScores* scores, const SegmentConfig& config) {
  const std::size_t n = r.size();
  const bool p_alive = scores != nullptr && !scores->p_alive.empty();
  const bool clv = scores != nullptr && !scores->predicted_clv.empty();
  const bool potential =
      !config.abcdx.potential_field.empty() || !config.abcdx.lookalike_features.empty();
  // Named score bands (e.g. "monthly buyers", "large check") when the config gives labels.
  const auto& rl = config.rfm.recency.labels;
  const auto& fl = config.rfm.frequency.labels;
  const auto& ml = config.rfm.monetary.labels;
  std::vector<std::string_view> drop;
  if (rl.empty()) drop.push_back("r_label");
  if (fl.empty()) drop.push_back("f_label");
  if (ml.empty()) drop.push_back("m_label");
  if (!potential) drop.push_back("potential_score");
  if (!p_alive) drop.push_back("p_alive");
  if (!clv) drop.push_back("predicted_clv");
  if (r.custom_names.empty()) drop.push_back("custom_segments");
  if (r.cluster.empty()) drop.push_back("cluster");
  ResultTable t(without_columns("segment_customers", drop));
  const TableSpec& s = t.spec();
  const auto column = [&](std::string_view name) { return s.index(name); };
  const auto reals = [&](auto&& value) {
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = value(i);
    return out;
  };
  const auto integers = [&](auto&& value) {
    std::vector<std::int64_t> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = value(i);
    return out;
  };
  const auto texts = [&](auto&& value) {
    std::vector<std::string_view> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = value(i);
    return out;
  };
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  t.set_texts(column("customer_id"), ids.first(n));
  t.set_reals(column("recency_days"), r.recency_days);
  t.set_integers(column("orders"), summary.orders);
  // Revenue to 12 significant digits (sums of cents), checks to 8, rhythms to 6.
  t.set_reals(column("revenue"), reals([&](std::size_t i) {
                return summary.has_amount ? round_significant(summary.revenue[i], 12) : kNaN;
              }));
  t.set_reals(column("average_check"), reals([&](std::size_t i) {
                return summary.has_amount ? round_significant(r.average_check[i], 8) : kNaN;
              }));
  t.set_integers(column("r"), integers([&](std::size_t i) { return r.r[i]; }));
  t.set_integers(column("f"), integers([&](std::size_t i) { return r.f[i]; }));
  t.set_integers(column("m"), integers([&](std::size_t i) { return r.m[i]; }));
  if (!rl.empty())
    t.set_texts(column("r_label"),
                texts([&](std::size_t i) -> std::string_view { return rl[r.r[i] - 1]; }));
  if (!fl.empty())
    t.set_texts(column("f_label"),
                texts([&](std::size_t i) -> std::string_view { return fl[r.f[i] - 1]; }));
  if (!ml.empty())
    t.set_texts(column("m_label"),
                texts([&](std::size_t i) -> std::string_view { return ml[r.m[i] - 1]; }));
  std::vector<std::string_view> purpose;
  for (const auto& seg : config.rfm.segments) purpose.push_back(seg.purpose);
  purpose.emplace_back("");  // "Other"
  t.set_texts(column("rfm_segment"),
              texts([&](std::size_t i) -> std::string_view { return rfm_segment_name(r, i); }));
  t.set_texts(column("rfm_purpose"),
              texts([&](std::size_t i) { return purpose[r.rfm_segment[i]]; }));
  t.set_texts(column("abcdx"), texts([&](std::size_t i) { return to_string(r.abcdx[i]); }));
  if (potential) t.set_reals(column("potential_score"), r.potential_score);
  t.set_texts(column("stage"), texts([&](std::size_t i) { return to_string(r.stage[i]); }));
  t.set_reals(column("rhythm_ratio"),
              reals([&](std::size_t i) { return round_significant(r.rhythm_ratio[i], 6); }));
  t.set_reals(column("expected_interval_days"), reals([&](std::size_t i) {
                return round_significant(r.expected_interval_days[i], 6);
              }));
  if (p_alive) t.set_reals(column("p_alive"), scores->p_alive);
  if (clv) t.set_reals(column("predicted_clv"), scores->predicted_clv);
  std::vector<std::string> reasons(n);
  for (std::size_t i = 0; i < n; ++i) reasons[i] = stage_reason(r, i, scores);
  t.set_texts(column("stage_reason"), std::span<const std::string>(reasons));
  if (!r.custom_names.empty()) {
    std::vector<std::string> custom(n);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < r.custom_names.size(); ++k)
        if (r.custom_member[k][i]) custom[i] += (custom[i].empty() ? "" : ";") + r.custom_names[k];
    t.set_texts(column("custom_segments"), std::span<const std::string>(custom));
  }
  if (!r.cluster.empty())
    t.set_integers(column("cluster"), integers([&](std::size_t i) { return r.cluster[i]; }));
  return t;
}

ResultTable segment_stats_table(std::span<const SegmentStats> stats, bool with_predicted_ltv) {
  ResultTable t(with_predicted_ltv ? table_spec("segment_stats")
                                   : without_columns("segment_stats", {"predicted_ltv"}));
  for (const SegmentStats& s : stats) {
    std::vector<Cell> row{s.scheme,
                          s.segment,
                          s.purpose,
                          s.description,
                          int64(s.customers),
                          round_significant(s.customer_share, 6),
                          round_significant(s.revenue, 12),
                          round_significant(s.revenue_share, 6),
                          round_significant(s.average_check, 8),
                          round_significant(s.frequency, 8)};
    if (with_predicted_ltv) row.emplace_back(round_significant(s.predicted_ltv, 8));
    t.append_row(row);
  }
  return t;
}

ResultTable segment_overlaps_table(const SegmentResult& result) {
  ResultTable t(table_spec("segment_overlaps"));
  const std::vector<std::size_t> counts = custom_overlaps(result);
  const std::size_t m = result.custom_names.size();
  for (std::size_t a = 0; a < m; ++a)
    for (std::size_t b = 0; b < m; ++b)
      t.append_row({result.custom_names[a], result.custom_names[b], int64(counts[a * m + b])});
  return t;
}

ResultTable lookalike_table(const SegmentResult& result, std::span<const std::string> ids) {
  ResultTable t(table_spec("lookalike"));
  for (std::size_t k = 0; k < result.lookalike_rows.size(); ++k) {
    t.append_row({ids[result.lookalike_rows[k]], int64(k + 1),
                  round_significant(result.lookalike_scores[k], 8)});
  }
  return t;
}

ResultTable segment_drops_table(const SegmentHistory& history) {
  ResultTable t(table_spec("segment_drops"));
  for (const SegmentTransition& tr : history.transitions)
    for (std::size_t k = 0; k < tr.dropped_ids.size(); ++k)
      t.append_row({tr.scheme, std::int64_t{tr.from_day}, std::int64_t{tr.to_day},
                    tr.dropped_ids[k], tr.dropped_from[k], tr.dropped_to[k]});
  return t;
}

nlohmann::json rules_json(const AssociationRules& rules) {
  nlohmann::json doc = nlohmann::json::array();
  for (std::size_t r = 0; r < rules.size(); ++r) {
    std::vector<std::string> antecedent;
    for (auto i : rules.antecedent(r)) antecedent.push_back(rules.item_names[i]);
    std::sort(antecedent.begin(), antecedent.end());
    doc.push_back({{"antecedent", antecedent},
                   {"consequent", rules.item_names[rules.consequent[r]]},
                   {"support", rules.support(r)},
                   {"confidence", rules.confidence(r)},
                   {"lift", rules.lift(r)},
                   {"count", rules.count[r]},
                   {"antecedent_count", rules.antecedent_count[r]}});
  }
  return doc;
}

ResultTable recommend_evaluation_table(const RecommendEvaluation& e) {
  ResultTable t(table_spec("recommend_evaluation"));
  for (const auto* set : {&e.model, &e.popularity}) {
    for (const RankingMetrics& m : *set) {
      t.append_row({std::string(set == &e.model ? "follow_on" : "popularity"),
                    static_cast<std::int64_t>(m.k), m.hit_rate, m.precision, m.recall,
                    static_cast<std::int64_t>(e.evaluated_customers)});
    }
  }
  return t;
}

ResultTable penetration_table(const PenetrationCurve& curve) {
  ResultTable t(table_spec("penetration"));
  for (std::size_t i = 0; i < curve.size(); ++i) {
    t.append_row({std::int64_t{curve.week[i]}, std::int64_t{curve.week_start[i]},
                  static_cast<std::int64_t>(curve.new_buyers[i]),
                  static_cast<std::int64_t>(curve.cumulative[i]),
                  static_cast<std::int64_t>(curve.target_size), curve.share[i]});
  }
  return t;
}

ResultTable follow_on_table(const FollowOnTable& table, std::span<const std::uint8_t> wanted) {
  ResultTable t(table_spec("follow_on"));
  const double customers = static_cast<double>(table.customer_count);
  for (std::uint32_t x = 0; x < table.item_names.size(); ++x) {
    if (!wanted[x]) continue;
    for (auto k = table.offsets[x]; k < table.offsets[x + 1]; ++k) {
      const double share = table.share(x, k);
      const double base = static_cast<double>(table.buyers[table.next[k]]) / customers;
      t.append_row({table.item_names[x], table.item_names[table.next[k]],
                    std::int64_t{table.customers[k]}, std::int64_t{table.buyers[x]}, share,
                    share / base, std::int64_t{table.window_days}});
    }
  }
  return t;
}

// ---- uplift

ResultTable uplift_table(std::span<const UpliftResult> results, bool has_amount, int window_days) {
  ResultTable t(table_spec("cvm/uplift"));
  const auto num = [](double v) { return Cell{round_significant(v, 6)}; };
  // Without an amount column money is unknown, not zero: those cells are null.
  const auto cash = [&](double v) { return has_amount ? num(v) : Cell{}; };
  for (const UpliftResult& r : results) {
    t.append_row({r.campaign,
                  std::int64_t{r.first_day},
                  std::int64_t{r.last_day},
                  std::int64_t{window_days},
                  int64(r.treated),
                  int64(r.control),
                  num(r.response.treated),
                  num(r.response.control),
                  num(r.response.diff),
                  num(r.response.lower),
                  num(r.response.upper),
                  cash(r.revenue.treated),
                  cash(r.revenue.control),
                  cash(r.revenue.diff),
                  cash(r.revenue.lower),
                  cash(r.revenue.upper),
                  cash(r.margin.treated),
                  cash(r.margin.control),
                  cash(r.margin.diff),
                  cash(r.margin.lower),
                  cash(r.margin.upper),
                  cash(r.incremental_revenue),
                  cash(r.incremental_margin),
                  num(r.cost),
                  cash(r.romi),
                  cash(r.revenue.mde),
                  num(r.response.mde),
                  std::string(r.significant ? "true" : "false"),
                  std::string(r.large_enough ? "true" : "false"),
                  r.verdict});
  }
  return t;
}

ResultTable nps_value_link_table(std::span<const NpsValueRow> rows) {
  ResultTable t(table_spec("nps/value_link"));
  for (const NpsValueRow& r : rows) {
    t.append_row({std::string(to_string(r.cls)), static_cast<std::int64_t>(r.customers),
                  static_cast<std::int64_t>(r.retained), opt(r.retention), opt(r.value_before),
                  opt(r.value_after), opt(r.mean_ltv)});
  }
  return t;
}

}  // namespace ltv
