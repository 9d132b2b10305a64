#pragma once
/// The columnar transaction log every later step shares: one entry per input row that survived
/// validation, customer ids interned to dense indices, civil dates as day numbers.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ltv {

/// A dictionary-encoded string column: `values[codes[row]]` is the text of a row.
struct CategoricalColumn {
  std::string name;                  ///< column name as in the input header (or "#N")
  std::vector<std::string> values;   ///< code -> text, in order of first appearance
  std::vector<std::uint32_t> codes;  ///< one per row of the log
};

/// Columnar transactions. All per-row vectors have `size()` entries unless documented as
/// optional, in which case they are either empty (column absent) or `size()` long.
///
/// Time: `day` is the civil date exactly as written in the input (days since 1970-01-01, no time
/// zone conversion); `second_of_day` holds the wall-clock time within that day when the input had
/// datetimes. Inputs carrying a UTC offset are converted to the time zone chosen at load time
/// (see docs/cli.md, "Time zones").
struct TransactionLog {
  std::vector<std::string> customer_ids;      ///< customer index -> external id (interned)
  std::vector<std::uint32_t> customer;        ///< per row: index into customer_ids
  std::vector<std::int32_t> day;              ///< per row: days since 1970-01-01
  std::vector<std::int32_t> second_of_day;    ///< optional: seconds since midnight (0..86399)
  std::vector<double> amount;                 ///< optional: line value; absent = count-only data
  std::vector<double> quantity;               ///< optional: units on the line
  std::vector<double> profit;                 ///< optional: margin of the line (amount - cost)
  std::optional<CategoricalColumn> order;     ///< optional: order / invoice id
  std::optional<CategoricalColumn> product;   ///< optional: product / SKU
  std::optional<CategoricalColumn> category;  ///< optional: product category
  std::optional<CategoricalColumn> channel;   ///< optional: sales or acquisition channel
  std::optional<CategoricalColumn> region;    ///< optional: store / region
  std::vector<CategoricalColumn> extra;       ///< input columns not mapped to a role, kept by name
  /// optional: the physical input line of each row (LoadOptions::keep_lines; the workspace store
  /// records where each stored row came from)
  std::vector<std::int64_t> line;

  std::size_t size() const noexcept { return customer.size(); }
  std::size_t customer_count() const noexcept { return customer_ids.size(); }
  bool has_amount() const noexcept { return !amount.empty(); }
  bool has_profit() const noexcept { return !profit.empty(); }
};

}  // namespace ltv
