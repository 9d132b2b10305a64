#pragma once
/// Customer lifetime value, past and planned: historical value to date per customer and its
/// distribution, and the B2B planning formula
///   LTV = average check x purchases per year x relationship length in years (x margin).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ltv/analytics/groups.hpp"
#include "ltv/analytics/periods.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv {

/// Value to date of every customer with a purchase on or before the observation end, in the
/// order of the log's customer index. Orders are distinct (day, order id) pairs.
struct HistoricalLtv {
  std::int32_t observation_end = 0;
  bool has_profit = false;
  std::vector<std::uint32_t> customer;  ///< index into the log's customer_ids
  std::vector<double> revenue;          ///< summed amount
  std::vector<double> profit;           ///< summed profit (when has_profit)
  std::vector<std::int64_t> orders;
  std::vector<std::int32_t> first_purchase;  ///< day number
  std::vector<std::int32_t> last_purchase;   ///< day number
  std::size_t size() const noexcept { return customer.size(); }
};

/// Historical LTV per customer; rows after `observation_end` (default: last day) are ignored.
HistoricalLtv historical_ltv(const TransactionLog& log,
                             std::optional<std::int32_t> observation_end = std::nullopt);

/// Summary of a distribution of per-customer values.
struct ValueDistribution {
  std::string group = "all";
  std::string measure = "revenue";  ///< "revenue" or "profit"
  std::int64_t customers = 0;
  double total = 0;
  double mean = 0;
  double median = 0;
  double p10 = 0, p25 = 0, p75 = 0, p90 = 0, p99 = 0;  ///< percentiles (linear interpolation)
  double max = 0;
  /// Share of the total held by the top 20% of customers (ceil(0.2 n) customers by value).
  double top20_share = 0;
};

/// Describes values (any order). An empty input yields customers = 0 and zeros.
ValueDistribution describe_values(std::span<const double> values);

/// Distribution of historical revenue (and profit when present), overall and per group when
/// `groups` is given (customers without a label are only in "all").
std::vector<ValueDistribution> ltv_distribution(const HistoricalLtv& ltv,
                                                const CustomerGroups* groups = nullptr);

/// How the relationship length of the planning formula is obtained.
enum class LifespanMethod {
  observed,   ///< mean observed (last - first purchase), a lower bound for live customers
  retention,  ///< 1 / (1 - retention) periods, retention measured period to period
};

struct FormulaLtvOptions {
  LifespanMethod method = LifespanMethod::retention;
  /// Period over which retention is measured: the share of customers active in one period who
  /// are active again in the next (pooled over all consecutive pairs of periods).
  PeriodUnit retention_period = PeriodUnit::year;
  /// Margin as a fraction of revenue; unset: profit / revenue when the log has profit, else none.
  std::optional<double> margin;
  std::optional<std::int32_t> observation_end;
};

/// One line of the planning formula, with each factor shown.
struct FormulaLtvRow {
  std::string group = "all";
  std::int64_t customers = 0;
  std::int64_t orders = 0;
  double revenue = 0;
  double average_check = 0;             ///< revenue / orders
  double purchases_per_year = 0;        ///< orders per customer-year since first purchase
  double retention_rate = 0;            ///< per retention period (NaN when not measurable)
  double lifespan_years_observed = 0;   ///< mean (last - first purchase) in years
  double lifespan_years_retention = 0;  ///< 1 / (1 - retention) periods in years (NaN if r >= 1)
  double lifespan_years = 0;            ///< the one used, per the method
  std::optional<double> margin;         ///< fraction of revenue
  double ltv_revenue = 0;               ///< average_check x purchases_per_year x lifespan_years
  std::optional<double> ltv_margin;     ///< ltv_revenue x margin
  double historical_ltv_mean = 0;       ///< mean revenue to date per customer, for comparison
};

/// The planning formula overall and per group. Throws InputError for a margin outside (0, 1].
std::vector<FormulaLtvRow> formula_ltv(const TransactionLog& log, const FormulaLtvOptions& options,
                                       const CustomerGroups* groups = nullptr);

/// "observed" / "retention"; and parsing for option `--lifespan` (throws InputError).
std::string_view to_string(LifespanMethod method) noexcept;
LifespanMethod parse_lifespan_method(std::string_view text);

}  // namespace ltv
