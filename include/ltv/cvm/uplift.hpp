#pragma once
/// Campaign uplift: treated vs control response rate, revenue and margin per customer over a
/// window after the campaign date, differences with 95% confidence intervals (normal
/// approximation, unequal variances), incremental revenue, ROMI and the minimum detectable effect.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ltv/data/transaction_log.hpp"

namespace ltv {

/// A campaign log: one row per customer and campaign.
struct CampaignLog {
  std::vector<std::string> customer_id;
  std::vector<std::string> campaign;
  std::vector<std::int32_t> day;      ///< campaign (contact) day number
  std::vector<std::uint8_t> treated;  ///< 1 = treated, 0 = control
  std::size_t size() const noexcept { return customer_id.size(); }
};

/// Options of measure_uplift.
struct UpliftOptions {
  int window_days = 30;  ///< outcome window [day, day + window_days)
  double margin = 1.0;   ///< share of revenue that is margin when the log has no profit column
  double cost_per_treated = 0;                  ///< campaign cost per treated customer (currency)
  std::span<const std::string> cost_campaigns;  ///< optional per-campaign total costs: names ...
  std::span<const double> cost_values;          ///< ... and costs (override cost_per_treated)
  double confidence = 0.95;
  double power = 0.8;  ///< for the minimum detectable effect
};

/// Mean and 95% interval of a difference treated - control.
struct Difference {
  double treated = 0, control = 0;  ///< group means
  double diff = 0, lower = 0, upper = 0;
  double mde = 0;  ///< minimum detectable difference at the given power (two-sided test)
};

/// Uplift of one campaign.
struct UpliftResult {
  std::string campaign;
  std::int32_t first_day = 0, last_day = 0;
  std::size_t treated = 0, control = 0;
  Difference response;             ///< share of customers with a purchase in the window
  Difference revenue;              ///< revenue per customer in the window
  Difference margin;               ///< margin per customer
  double incremental_revenue = 0;  ///< revenue.diff * treated
  double incremental_margin = 0;   ///< margin.diff * treated
  double cost = 0;
  double romi = 0;            ///< (incremental margin - cost) / cost; NaN without a cost
  bool significant = false;   ///< the revenue interval excludes 0
  bool large_enough = false;  ///< |observed revenue difference| >= its minimum detectable effect
  std::string verdict;        ///< one sentence
};

/// Measures every campaign of the log (in order of first appearance) against `log`. Customers
/// of the campaign log who are not in `log` count as non-buyers. Throws InputError when a
/// campaign has no treated or no control customers.
std::vector<UpliftResult> measure_uplift(const CampaignLog& campaigns, const TransactionLog& log,
                                         const UpliftOptions& options);

}  // namespace ltv
