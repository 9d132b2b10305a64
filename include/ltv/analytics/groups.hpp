#pragma once
/// Customer-level groupings used by breakdowns, formula LTV, CAC and group comparisons: each
/// customer of a TransactionLog gets a label (acquisition channel, segment, loyalty flag, ...).

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/transaction_log.hpp"

namespace ltv {

/// Code of a customer that has no label.
inline constexpr std::uint32_t kNoGroup = std::numeric_limits<std::uint32_t>::max();

/// Label of every customer of a log: `labels[code[c]]` for customer index c, or kNoGroup.
struct CustomerGroups {
  std::string name;                 ///< what the labels are, e.g. "channel"
  std::vector<std::string> labels;  ///< code -> label
  std::vector<std::uint32_t> code;  ///< one per customer index of the log
};

/// Label written for customers with an empty value in the grouping column.
inline constexpr std::string_view kUnknownLabel = "(unknown)";

/// The categorical column of a log by role name ("order", "product", "category", "channel",
/// "region") or by the header name of a role or extra column. Throws InputError for `option`
/// (e.g. "--by") when there is no such column.
const CategoricalColumn& find_column(const TransactionLog& log, std::string_view name,
                                     std::string_view option = "--by");

/// Each customer's value of `column` on their first purchase (earliest day, then time, then row):
/// the acquisition channel / region / category. Empty values get the label "(unknown)".
/// Throws InputError when the column is absent.
CustomerGroups groups_from_first_purchase(const TransactionLog& log, std::string_view column,
                                          std::string_view option = "--by");

/// Groups from an external table of (customer id, label) pairs, e.g. a segments or customers
/// file. Customers of the log missing from the table get kNoGroup; ids not in the log are ignored
/// and counted in `unmatched_ids` when given. Empty labels become "(unknown)".
CustomerGroups groups_from_labels(const TransactionLog& log, std::string name,
                                  const std::vector<std::string>& customer_ids,
                                  const std::vector<std::string>& labels,
                                  std::size_t* unmatched_ids = nullptr);

}  // namespace ltv
