#pragma once
/// Per-customer RFM summaries in the form the BTYD literature and lifetimes use, with an optional
/// calibration / holdout split.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/customer_accumulator.hpp"
#include "ltv/data/row_sink.hpp"
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

/// One row per customer who made a purchase on or before the calibration end. Purchases on the
/// same day are one purchase (BTYD convention). Money figures are exact sums rounded once
/// (ltv/data/customer_accumulator.hpp), so they do not depend on the order of the lines.
struct CustomerSummary {
  TimeUnit time_unit = TimeUnit::week;
  std::int32_t calibration_end = 0;  ///< day number, inclusive
  std::int32_t observation_end = 0;  ///< day number, inclusive (== calibration_end w/o holdout)
  bool has_holdout = false;
  bool has_amount = false;
  bool has_profit = false;

  std::vector<std::uint32_t> customer;       ///< the customer (index into the log's customer_ids)
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

/// Builds summaries from a log, one row per customer in the order of the log's customer index.
/// Throws InputError when the calibration end precedes every purchase or the observation end
/// precedes the calibration end.
CustomerSummary summarize(const TransactionLog& log, const SummaryOptions& options);

/// The order of summary rows that `ltv summary` writes, whatever the order of the input: by
/// customer id, shorter ids first, ids of the same length byte by byte (numeric ids without
/// leading zeros, and zero-padded ones, come out in numeric order).
bool id_before(std::string_view a, std::string_view b) noexcept;

/// The positions 0 .. n-1 sorted by the ids `id(i)` in id_before() order (ties: equal ids keep
/// their order). Two threads; about 16 bytes per position besides the result.
std::vector<std::uint32_t> sort_by_id(std::size_t n,
                                      const std::function<std::string_view(std::uint32_t)>& id);

/// Where summary rows come from a range at a time (SummaryBuilder over a log, SummaryStream and
/// SummaryTable over rows as they are read), so that only one range is held at once. Rows are in
/// id_before() order of the customer ids.
class SummaryRanges {
 public:
  virtual ~SummaryRanges() = default;
  /// Number of positions (ranges are of positions 0 .. customers(); a position may give no row).
  virtual std::size_t customers() const noexcept = 0;
  /// The header fields (calibration_end, has_holdout, ...) with no rows.
  virtual const CustomerSummary& header() const noexcept = 0;
  /// The rows of positions [begin, end) into `out` (its header fields are set, its columns
  /// replaced): concatenated over consecutive ranges, the rows of every customer with a
  /// calibration purchase in id_before() order, each the row summarize() gives it. Computed on
  /// the calling thread only; const, so several threads may build ranges at once.
  virtual void build(std::size_t begin, std::size_t end, CustomerSummary& out) const = 0;
  /// The id of customer `customer` (a value of CustomerSummary::customer).
  virtual std::string_view customer_id(std::uint32_t customer) const = 0;
};

/// The summaries of summarize() computed a range at a time (about 60 bytes per customer in a
/// range), also on several threads at once, in id_before() order. Construction indexes the log's
/// lines by customer (without copying them when each customer's lines are together in the log),
/// sorts the customers by id and throws as summarize() does. CustomerSummary::customer holds
/// indices of the log.
class SummaryBuilder : public SummaryRanges {
 public:
  SummaryBuilder(const TransactionLog& log, const SummaryOptions& options);
  ~SummaryBuilder() override;
  SummaryBuilder(const SummaryBuilder&) = delete;
  SummaryBuilder& operator=(const SummaryBuilder&) = delete;

  std::size_t customers() const noexcept override;
  const CustomerSummary& header() const noexcept override;
  void build(std::size_t begin, std::size_t end, CustomerSummary& out) const override;
  std::string_view customer_id(std::uint32_t customer) const override {
    return log_.customer_ids[customer];
  }

 private:
  struct Lines;
  const TransactionLog& log_;
  CustomerSummary header_;
  std::unique_ptr<Lines> lines_;
  std::vector<std::uint32_t> order_;  // log customer indices in id_before() order
};

/// The first and last day of the loaded rows of a read (LoadReport::first_day, last_day), which
/// set the default calibration and observation ends.
struct LoadedDays {
  std::optional<std::int32_t> first;
  std::optional<std::int32_t> last;
};

/// The summaries of summarize() computed while a file is read (its rows handed to part(k) by
/// stream_transactions), without a TransactionLog: about 30 bytes and the id per customer are
/// kept instead of 16 bytes or more per line. For input whose customers come one after the
/// other in id_before() order: each customer's lines together (in any order), as in an export
/// sorted by customer (and `ltv simulate --order customer`). Input in any other order, or with
/// an order id column, is declined (the sinks stop the read, or join() returns false): then use
/// SummaryTable. Customer indices count the stored rows, in input (= id) order.
class SummaryStream : public SummaryRanges {
 public:
  explicit SummaryStream(const SummaryOptions& options);
  ~SummaryStream() override;
  SummaryStream(const SummaryStream&) = delete;
  SummaryStream& operator=(const SummaryStream&) = delete;

  /// The sink of part k of stream_transactions() (created on first use; not thread-safe: ask for
  /// every part before the read starts).
  RowSink& part(int k);
  /// Joins the parts after stream_transactions() returned `parts` (1 or more). false when the
  /// input was declined (not in customer order).
  bool join(int parts);
  /// Whether the input was declined for a value that an exact 128-bit sum cannot hold (then
  /// SummaryTable declines it too: read a log).
  bool declined_for_values() const noexcept { return declined_for_values_; }
  /// After join(): sets the header from the first and last day of the loaded rows. Throws as
  /// summarize() does for a calibration end before every purchase.
  void finish(const LoadedDays& days);
  /// Customers with at least one loaded line (LoadReport::customers), after join().
  std::size_t customers_loaded() const noexcept { return customers_loaded_; }

  std::size_t customers() const noexcept override;
  const CustomerSummary& header() const noexcept override { return header_; }
  void build(std::size_t begin, std::size_t end, CustomerSummary& out) const override;
  std::string_view customer_id(std::uint32_t customer) const override;

 private:
  class Part;
  SummaryOptions options_;
  std::atomic<bool> declined_{false};
  bool declined_for_values_ = false;
  /// The part holding customer index `customer` (< customers()).
  std::size_t part_of(std::size_t customer) const noexcept;

  std::vector<std::unique_ptr<Part>> parts_;
  std::vector<std::size_t> starts_;  // customer index of each used part's first stored row
  CustomerSummary header_;
  std::size_t customers_loaded_ = 0;
};

/// The summaries of summarize() computed while a file in any row order is read (by date, as
/// exports come; shuffled; anything), without a TransactionLog: one state of 64 bytes per
/// customer (CustomerAccumulator's, with its id) in a hash table, looked up once per row, plus
/// what a customer's state needs beyond that (purchase days other than its first, second and
/// last; return lines), and bounded buffers. Both reading threads take their rows in batches
/// into the table, shard by shard. Input with an order id column, or with a value an exact
/// 128-bit sum cannot hold (ExactSum), is declined: then load a TransactionLog and use
/// SummaryBuilder. Rows are in id_before() order; customer indices are positions in that order.
class SummaryTable : public SummaryRanges {
 public:
  explicit SummaryTable(const SummaryOptions& options);
  ~SummaryTable() override;
  SummaryTable(const SummaryTable&) = delete;
  SummaryTable& operator=(const SummaryTable&) = delete;

  /// The sink of part k of stream_transactions() (created on first use; not thread-safe: ask for
  /// every part before the read starts). The sinks of different parts may take rows at once.
  RowSink& part(int k);
  /// Completes the summaries after stream_transactions() returned `parts` (1 or more): false
  /// when the input was declined. Sorts the customers by id (two threads).
  bool join(int parts);
  /// After join(): as SummaryStream::finish().
  void finish(const LoadedDays& days);
  /// Customers with at least one loaded line (LoadReport::customers), after join().
  std::size_t customers_loaded() const noexcept { return customers_loaded_; }

  std::size_t customers() const noexcept override { return order_.size(); }
  const CustomerSummary& header() const noexcept override { return header_; }
  void build(std::size_t begin, std::size_t end, CustomerSummary& out) const override;
  std::string_view customer_id(std::uint32_t customer) const override;

 private:
  class Shard;
  class Part;
  struct Result;
  SummaryOptions options_;
  SummaryPeriods periods_;
  std::atomic<bool> declined_{false};
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<std::unique_ptr<Part>> parts_;
  std::vector<std::uint32_t> order_;  // (shard << kShardShift) | record, in id_before() order
  CustomerSummary header_;
  std::size_t customers_loaded_ = 0;
  bool has_profit_ = false, has_holdout_ = false;
  const Result& result(std::uint32_t ref) const noexcept;
};

}  // namespace ltv
