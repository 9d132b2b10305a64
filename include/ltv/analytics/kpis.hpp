#pragma once
/// Monthly (or daily / weekly / quarterly) business KPIs of a transaction log, overall and per
/// group of any categorical column, plus the top products and categories.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ltv/analytics/groups.hpp"
#include "ltv/analytics/periods.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv {

struct KpiOptions {
  PeriodUnit period = PeriodUnit::month;
  /// Churn definition: a customer is churned at a reference day when their last purchase on or
  /// before it is at least `churn_days` days earlier. Must be >= 1.
  std::int32_t churn_days = 365;
  /// Last day (inclusive) taken into account; rows after it are ignored. Unset: last day of log.
  std::optional<std::int32_t> observation_end;
  /// Row-level breakdown: name of a categorical column (channel, region, category, an extra
  /// column). Empty: no breakdown. Each row counts in the group of its own value.
  std::string breakdown;
  /// Customer-level breakdown (e.g. segments); used when set and `breakdown` is empty.
  std::optional<CustomerGroups> customer_groups;
};

/// KPIs of one group over one period (or over the whole observation window: period "all").
/// Orders are distinct order ids per customer and day (distinct purchase days without order ids).
struct KpiRow {
  std::string group;              ///< "all", or the breakdown value
  std::string period;             ///< period text, or "all" for the whole window
  std::int32_t period_index = 0;  ///< period key (0 for "all")
  bool complete = true;           ///< the period lies wholly inside the observed days
  std::int64_t customers = 0;     ///< customers with a purchase (in the group) by the period end
  std::int64_t active_customers = 0;  ///< customers with a purchase in the period
  std::int64_t new_customers = 0;  ///< active customers whose first-ever purchase is in the period
  /// Active customers who bought before the period; in the "all" row: customers with 2+ orders.
  std::int64_t returning_customers = 0;
  double returning_share = 0;  ///< returning / active
  std::int64_t orders = 0;
  double revenue = 0;
  std::optional<double> profit;  ///< when the log has profit
  std::optional<double> margin;  ///< profit / revenue
  double average_check = 0;      ///< revenue / orders
  /// Orders per customer-year of exposure (exposure counts from each customer's first purchase).
  double purchases_per_customer_per_year = 0;
  double repeat_purchase_rate = 0;  ///< share of active customers with 2+ orders in the period
  double average_lifespan_days =
      0;  ///< mean (last - first purchase) of active customers, by period end
  std::int64_t churned_customers = 0;  ///< customers churned at the period end (see churn_days)
  double churned_share = 0;            ///< churned / customers
};

/// Result of compute_kpis: the "all" group first (overall row, then periods), then each group.
struct KpiReport {
  PeriodUnit period = PeriodUnit::month;
  std::int32_t churn_days = 365;
  std::int32_t first_day = 0;
  std::int32_t observation_end = 0;
  std::string breakdown;  ///< column or grouping name, empty without breakdown
  bool has_profit = false;
  std::vector<KpiRow> rows;
};

/// Computes the KPIs. Throws InputError for an unknown breakdown column, churn_days < 1, or an
/// observation end before the first purchase. An empty log yields no rows.
KpiReport compute_kpis(const TransactionLog& log, const KpiOptions& options);

/// One item (product or category) with its revenue and distinct buyers.
struct TopItem {
  std::string dimension;  ///< "product" or "category" (or the column name)
  std::string item;
  double revenue = 0;
  std::int64_t buyers = 0;           ///< distinct customers
  std::int64_t lines = 0;            ///< transaction rows
  double quantity = 0;               ///< summed quantity (0 when the log has none)
  std::int64_t rank_by_revenue = 0;  ///< 1 = highest revenue
  std::int64_t rank_by_buyers = 0;   ///< 1 = most buyers
};

/// Items of `column` ranking in the top `n` by revenue or by buyers (union of both lists), in
/// order of revenue rank. Ties are broken by item text. Throws InputError for an unknown column.
std::vector<TopItem> top_items(const TransactionLog& log, std::string_view column, std::size_t n,
                               std::optional<std::int32_t> observation_end = std::nullopt);

}  // namespace ltv
