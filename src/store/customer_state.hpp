#pragma once
// The per-customer running aggregates of incremental runs: for each customer, what its summary
// holds that does not depend on the end of the data (first and last purchase day, purchase days,
// mean repeat value, revenue, profit, orders), where it first appears in the workspace (its
// place in the log: batch, line) and the days of its first and last row. A run's summaries are
// derived from them (recency and T in the time unit, T up to the last day of any row), equal to
// those summarize() computes on the full log.
//
// The aggregates of a customer are recomputed from all of its rows when a batch touches it
// (summarize() over those rows), so they are always the summary of exactly those rows. This is
// the one place to swap in a mergeable per-customer state (a new batch's rows folded into the
// stored state without reading the customer's history) once data/ offers one.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv::store {

struct CustomerState {
  std::string customer_id;
  std::int64_t first_batch = 0, first_line = 0;      ///< where the customer's first row is
  std::int32_t first_row_day = 0, last_row_day = 0;  ///< over every row (returns too)
  std::int64_t purchase_days = 0;                    ///< 0: only returns (no summary row)
  std::int32_t first_day = 0, last_day = 0;          ///< first and last purchase day
  double monetary_value = 0, revenue = 0, profit = 0;
  std::int64_t orders = 0;
};

/// The aggregates of every customer of `log`, which must hold all of each customer's rows in
/// ingest order; `batch_of` is the batch of each row (log.line its line).
std::vector<CustomerState> customer_states(const TransactionLog& log,
                                           std::span<const std::int64_t> batch_of);

/// The rows of `log` whose customer is marked in `keep` (by customer index), in order, with
/// their batches: a log of those customers only.
TransactionLog customers_log(const TransactionLog& log, std::span<const std::int64_t> batch_of,
                             const std::vector<std::uint8_t>& keep,
                             std::vector<std::int64_t>& kept_batch_of);

/// A run's summaries from the aggregates of every customer (sorted here by first appearance):
/// customers with a purchase, recency and T in `unit`, T up to the last day of any row. `ids`
/// receives the summary rows' customer ids. Equal to summarize() of the whole log with no
/// calibration or observation end.
CustomerSummary summary_from_states(std::vector<CustomerState>& states, TimeUnit unit,
                                    bool has_amount, bool has_profit,
                                    std::vector<std::string>& ids);

}  // namespace ltv::store
