#pragma once
/// Acquisition economics: CAC per channel and period, LTV:CAC (historical and predicted LTV),
/// payback period and ROMI, from a marketing spend table and the transaction log.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ltv/analytics/groups.hpp"
#include "ltv/analytics/periods.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv {

/// Marketing spend, one entry per (channel, period); repeated keys are summed.
struct SpendTable {
  PeriodUnit period = PeriodUnit::month;
  std::vector<std::string> channel;
  std::vector<std::int32_t> period_index;  ///< period key (see periods.hpp)
  std::vector<double> spend;               ///< money spent, >= 0
  std::size_t size() const noexcept { return channel.size(); }
};

struct CacOptions {
  /// Column whose value on a customer's first purchase is their acquisition channel.
  std::string channel_column = "channel";
  /// Acquisition channel per customer (e.g. from customers.csv); overrides channel_column.
  std::optional<CustomerGroups> acquisition_channel;
  /// Margin as a fraction of revenue. Unset: the log's profit when present, else revenue
  /// itself (margin 1), reported in `margin_source`.
  std::optional<double> margin;
  /// Predicted LTV per customer index of the log (NaN = none); empty: no predicted LTV.
  std::vector<double> predicted_ltv;
  std::optional<std::int32_t> observation_end;
};

/// One (channel, acquisition period) line, or the channel total (period "all"), or the grand
/// total (channel "all", period "all").
struct CacRow {
  std::string channel;
  std::string period;
  double spend = 0;
  std::int64_t new_customers = 0;
  std::optional<double> cac;            ///< spend / new customers (none without customers or spend)
  double revenue = 0;                   ///< revenue to date of the customers acquired
  double margin_attributable = 0;       ///< margin to date of the customers acquired
  double historical_ltv = 0;            ///< margin to date per acquired customer
  std::optional<double> predicted_ltv;  ///< mean predicted LTV of acquired customers with one
  std::optional<double> ltv_cac_historical;  ///< historical_ltv / cac
  std::optional<double> ltv_cac_predicted;   ///< predicted_ltv / cac
  /// Periods (counting the acquisition period as 1) until cumulative margin per acquired
  /// customer reaches CAC; none when not reached within the observed data.
  std::optional<std::int32_t> payback_periods;
  std::optional<double> romi;  ///< (margin_attributable - spend) / spend
  std::string note;            ///< e.g. "spend but no new customers"
};

struct CacReport {
  PeriodUnit period = PeriodUnit::month;
  std::string margin_source;  ///< "profit", "margin option", or "revenue (no margin given)"
  std::vector<CacRow>
      rows;  ///< per channel: periods in order, then the channel total; grand total last
};

/// Computes acquisition economics. Throws InputError for negative spend, a margin outside
/// (0, 1], a predicted LTV vector of the wrong size, or a missing channel column.
CacReport compute_cac(const TransactionLog& log, const SpendTable& spend,
                      const CacOptions& options);

}  // namespace ltv
