#pragma once
/// Accounting of customers between the load and the summary: every customer of a log is either a
/// row of its CustomerSummary or counted under exactly one reason, so a report can say why the
/// load found 4,372 customers and the summary 4,339 (Online Retail: 33 customers whose every
/// line is a cancellation).

#include <cstddef>
#include <string>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"

namespace ltv {

/// Customers left out of the summary for one reason: how many, and the first few ids (in the
/// order of the log's customer index).
struct UnsummarisedCustomers {
  std::size_t count = 0;
  std::vector<std::string> examples;
};

/// Where the customers of a log went in its summary.
struct SummaryAccounting {
  std::size_t customers_loaded = 0;      ///< customers with at least one line in the log
  std::size_t customers_summarised = 0;  ///< rows of the summary
  /// Every line of the customer is a return or cancellation (negative amount or quantity, kept
  /// by --returns net): there is no purchase to summarise, as a return is never a purchase day.
  UnsummarisedCustomers only_returns;
  /// The customer has purchases, but none on or before the calibration end (the first purchase
  /// comes after it; with an observation end, possibly after that too).
  UnsummarisedCustomers no_purchase_by_calibration_end;
  /// Customers loaded but not summarised: the sum of the reasons above.
  std::size_t not_summarised() const noexcept {
    return only_returns.count + no_purchase_by_calibration_end.count;
  }
};

/// Accounts for the customers of `log` in `summary` (which must be summarize(log, ...) or
/// SummaryBuilder rows of that log, with its calibration and observation end). Examples keep the
/// first `max_examples` ids per reason. Throws InputError when the summary names a customer the
/// log does not have, or when a customer is missing from the summary for no reason above (the
/// summary is then not one of this log).
SummaryAccounting account_summary(const TransactionLog& log, const CustomerSummary& summary,
                                  std::size_t max_examples = 5);

}  // namespace ltv
