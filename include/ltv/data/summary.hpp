#pragma once
/// Per-customer RFM summaries in the form the BTYD literature and lifetimes use, with an optional
/// calibration / holdout split.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/transaction_log.hpp"

namespace ltv {

/// Unit in which recency, T and durations are expressed.
enum class TimeUnit { day, week, month };

/// Days per unit: 1, 7, or 365.25 / 12 for a month.
double days_per_unit(TimeUnit unit) noexcept;
/// "day", "week", "month".
std::string_view to_string(TimeUnit unit) noexcept;
/// Parses "day"/"days", "week"/"weeks", "month"/"months"; throws InputError for --time-unit.
TimeUnit parse_time_unit(std::string_view text);

struct SummaryOptions {
  TimeUnit time_unit = TimeUnit::week;
  /// Last day (inclusive) of the calibration period. Unset: the whole log is calibration.
  std::optional<std::int32_t> calibration_end;
  /// Last day (inclusive) of observation. Unset: the last day in the log.
  std::optional<std::int32_t> observation_end;
};

/// One row per customer who made a purchase on or before the calibration end, in the order of
/// the log's customer index. Purchases on the same day are one purchase (BTYD convention).
struct CustomerSummary {
  TimeUnit time_unit = TimeUnit::week;
  std::int32_t calibration_end = 0;  ///< day number, inclusive
  std::int32_t observation_end = 0;  ///< day number, inclusive (== calibration_end w/o holdout)
  bool has_holdout = false;
  bool has_amount = false;
  bool has_profit = false;

  std::vector<std::uint32_t> customer;       ///< index into the log's customer_ids
  std::vector<double> frequency;             ///< repeat purchase days in calibration
  std::vector<double> recency;               ///< first to last calibration purchase, in time_unit
  std::vector<double> T;                     ///< first purchase to calibration end, in time_unit
  std::vector<double> monetary_value;        ///< mean value of repeat purchase days (0 if none)
  std::vector<std::int32_t> first_purchase;  ///< day number
  std::vector<std::int32_t> last_purchase;   ///< day number (within calibration)
  std::vector<std::int64_t>
      orders;                   ///< distinct orders (order ids, else purchase days) in calibration
  std::vector<double> revenue;  ///< total amount in calibration
  std::vector<double> profit;   ///< total profit in calibration (when has_profit)
  // Holdout (when has_holdout): purchases after calibration_end up to observation_end.
  std::vector<double> frequency_holdout;       ///< purchase days in the holdout
  std::vector<double> monetary_value_holdout;  ///< mean value of holdout purchase days (0 if none)
  double duration_holdout = 0;                 ///< holdout length in time_unit

  std::size_t size() const noexcept { return customer.size(); }
};

/// Builds summaries from a log. Throws InputError when the calibration end precedes every
/// purchase or the observation end precedes the calibration end.
CustomerSummary summarize(const TransactionLog& log, const SummaryOptions& options);

/// The summaries of summarize() computed a range of customers at a time, so that only one range
/// is held at once (about 60 bytes per customer) and ranges can be computed on several threads.
/// Construction indexes the log's lines by customer (without copying them when each customer's
/// lines are together in the log) and throws as summarize() does.
class SummaryBuilder {
 public:
  SummaryBuilder(const TransactionLog& log, const SummaryOptions& options);
  ~SummaryBuilder();
  SummaryBuilder(const SummaryBuilder&) = delete;
  SummaryBuilder& operator=(const SummaryBuilder&) = delete;

  /// Number of customers in the log (ranges are of customer indices 0 .. customers()).
  std::size_t customers() const noexcept;
  /// The header fields (calibration_end, has_holdout, ...) with no rows.
  const CustomerSummary& header() const noexcept;
  /// The rows of the customers with indices [begin, end) into `out` (its header fields are
  /// set, its columns replaced): concatenated over consecutive ranges, the rows of summarize().
  /// Computed on the calling thread only; const, so several threads may build ranges at once.
  void build(std::size_t begin, std::size_t end, CustomerSummary& out) const;

 private:
  struct Lines;
  const TransactionLog& log_;
  CustomerSummary header_;
  std::unique_ptr<Lines> lines_;
};

}  // namespace ltv
