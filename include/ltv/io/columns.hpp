#pragma once
/// Transactions handed over as in-memory columns (a DataFrame's arrays, parsed uploads) rather
/// than a file: turned into the same TransactionLog, with the same checks, returns policy and
/// load report as load_transactions(), so that every row is either loaded or counted. Rows are
/// named by their 1-based row number in place of a file line (SourceLocation::line), the source
/// by TransactionColumns::source.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/transaction_log.hpp"
#include "ltv/io/load.hpp"

namespace ltv {

/// A text column given as codes into its distinct values (as pandas.factorize or an Arrow
/// dictionary gives it): row i holds values[codes[i]]; a negative code is a missing value.
/// Values need not be distinct (equal texts are one value in the log).
struct CodedColumn {
  std::string name;                     ///< column name, for messages and the log
  std::span<const std::int64_t> codes;  ///< one per row
  std::span<const std::string> values;  ///< code -> text
};

/// A column of numbers, one per row.
struct NumberColumn {
  std::string name;
  std::span<const double> values;
};

/// Transactions as columns of equal length. The customer and a purchase time are required.
struct TransactionColumns {
  std::string source = "<memory>";  ///< name of the data in messages and the load report
  CodedColumn customer;
  /// Purchase times as nanoseconds since 1970-01-01 00:00 in wall-clock time (no time-zone
  /// conversion; INT64_MIN = missing) ...
  std::optional<std::string> timestamp_name;
  std::span<const std::int64_t> timestamp_ns;
  /// ... or as text, parsed with LoadOptions::date_format (detected from the first date when
  /// automatic) and time_zone_minutes, exactly as a file's date column.
  std::optional<CodedColumn> date_text;
  std::optional<NumberColumn> amount, quantity, price, margin, cost;
  std::optional<CodedColumn> order, product, category, channel, region;
  std::vector<CodedColumn> extra;  ///< other columns, kept when LoadOptions::keep_extra_columns
  /// Number of rows (of the customer column).
  std::size_t rows() const noexcept { return customer.codes.size(); }
};

/// Builds the log of in-memory columns as load_transactions() builds it from a file: each row is
/// validated (customer present, a valid date, finite numbers; amount = quantity x price when
/// only a price is given; profit from margin or amount - cost) and either loaded, counted as a
/// return (kept or dropped by LoadOptions::returns) or, under ErrorPolicy::skip, skipped and
/// counted by reason; under ErrorPolicy::fail the first bad row throws InputError naming the
/// source, the row (1-based) and the column. A missing customer is a bad row here (a file's
/// empty customer id is dropped and counted; a missing value in an array is not data). Throws
/// InputError when the columns differ in length or a code is out of range, ParameterError for
/// `price` without `quantity` or both `margin` and `cost`.
TransactionLog transactions_from_columns(const TransactionColumns& columns,
                                         const LoadOptions& options, LoadReport& report);

/// Checks that every value of an in-memory column is finite. InputError naming `source`, the
/// first bad row (1-based, as SourceLocation::line) and `column` otherwise.
void check_finite(std::string_view source, std::string_view column, std::span<const double> values);

}  // namespace ltv
