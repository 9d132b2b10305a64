// `ltv kpis`: monthly (or other period) business KPIs, overall and per group, plus the top
// products and categories.
#include <CLI/CLI.hpp>

#include <memory>

#include "analytics_output.hpp"
#include "command.hpp"
#include "ltv/analytics/kpis.hpp"

namespace ltv::cli {
namespace {

struct KpisCli {
  TransactionCliOptions io;
  std::string period = "month";
  std::int32_t churn_days = 365;
  std::string by;
  std::string groups_file;
  std::string id_column = "customer_id";
  std::string group_column;
  std::size_t top = 10;
  std::string table;
};

void setup_kpis(CLI::App& root) {
  auto o = std::make_shared<KpisCli>();
  CLI::App* cmd = root.add_subcommand(
      "kpis",
      "Business KPIs per period and overall: customers, active / new / returning customers, "
      "orders, revenue, profit and margin, average check, purchases per customer per year, "
      "repeat-purchase rate, observed lifespan, churned share; optional breakdown by a column; "
      "top products and categories by revenue and by buyers.");
  add_transaction_options(*cmd, o->io, PeriodOptions::observation_end);
  add_period_option(*cmd, o->period, "KPI period");
  cmd->add_option("--churn-days", o->churn_days,
                  "Churn definition: no purchase in the last N days before the period end")
      ->capture_default_str();
  cmd->add_option("--by", o->by,
                  "Break down by a column of the transactions (channel, region, category, ...)");
  cmd->add_option("--groups", o->groups_file,
                  "Break down by customer labels from FILE (with --group-column)");
  cmd->add_option("--id-column", o->id_column, "Customer id column of --groups FILE")
      ->capture_default_str();
  cmd->add_option("--group-column", o->group_column,
                  "Label column of --groups FILE (e.g. segment)");
  cmd->add_option("--top", o->top, "Items in the top lists (by revenue and by buyers)")
      ->capture_default_str();
  cmd->add_option("--table", o->table,
                  "Table to write as CSV: kpis (default) or top_items; JSON writes both");
  cmd->footer(
      "Output (kpis): "
      "group,period,complete,customers,active_customers,new_customers,returning_customers,"
      "returning_share,orders,revenue,profit,margin,average_check,purchases_per_customer_per_year,"
      "repeat_purchase_rate,average_lifespan_days,churned_customers,churned_share\n"
      "Output (top_items): "
      "dimension,item,revenue,buyers,lines,quantity,rank_by_revenue,rank_by_buyers\n\n"
      "Example (Online Retail, cancellations dropped, by country):\n"
      "  ltv kpis online_retail.csv.gz --customer CustomerID --date InvoiceDate --order InvoiceNo "
      "\\\n"
      "      --quantity Quantity --price UnitPrice --product StockCode --region Country --returns "
      "drop --by region");
  cmd->callback([o]() {
    KpiOptions k;
    k.period = parse_period_unit(o->period);
    k.churn_days = o->churn_days;
    k.observation_end = analytics_observation_end(o->io);
    k.breakdown = o->by;
    const TransactionLog log = load_log(o->io, nullptr, !o->by.empty());
    if (!o->groups_file.empty()) {
      if (o->group_column.empty())
        parameter_error("group_column", "", "the label column of --groups FILE");
      k.customer_groups =
          groups_from_file(log, o->groups_file, o->id_column, o->group_column, o->io.quiet);
    }
    const KpiReport report = compute_kpis(log, k);
    std::vector<TopItem> items;
    for (const char* dimension : {"product", "category"}) {
      const bool present = std::string_view(dimension) == "product" ? log.product.has_value()
                                                                    : log.category.has_value();
      if (!present) continue;
      auto part = top_items(log, dimension, o->top, k.observation_end);
      items.insert(items.end(), part.begin(), part.end());
    }
    write_analytics(o->io, {kpi_table(report), top_items_table(items)}, o->table);
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(40, ltv::cli::setup_kpis);
