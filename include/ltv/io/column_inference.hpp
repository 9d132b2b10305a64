#pragma once
/// Column inference: which column of a transaction file holds the customer id, the date, the
/// amount (or quantity x price) and the optional roles (order, product, category, channel,
/// region), from the header's names — English and Russian, case-, space- and
/// punctuation-insensitive — confirmed by the content of the first rows (a date column parses as
/// dates, an amount as numbers, with a decimal point or a decimal comma).
///
/// The rules (docs/cli.md, "Column inference"):
///  - each name is normalised: letters lowercased (Latin and Cyrillic, `ё` read as `е`), `№` read
///    as `номер`, every other character that is not a letter or digit dropped: `Customer ID`,
///    `customer_id` and `CustomerID` are all `customerid`; `Дата заказа` is `датазаказа`;
///  - a role's candidates are the columns whose normalised name is one of the role's names
///    (strong), else the columns matching the role's looser patterns (weak: a name ending in `id`
///    for the customer, containing `date` or `дата` for the date, ...), in both cases only those
///    whose non-empty values in the first rows fit the role;
///  - exactly one candidate: it is used; several: refused (ParameterError naming the role's key
///    and every candidate); none: the role stays unmapped (an error for customer and date);
///  - no amount column: quantity x unit price when both are found; a price column alone (no
///    quantity) is the line's amount (`Id,Date,Price`);
///  - a column given explicitly is never a candidate for another role, and a column is used for
///    one role only (roles are taken in the order customer, date, amount, quantity, price, order,
///    product, category, channel, region).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/io/csv.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/load.hpp"

namespace ltv {

/// Most text read_column_sample() keeps (fields of very long records stop the sample early).
inline constexpr std::size_t kMaxSampleBytes = std::size_t{8} << 20;

/// The header and the first records of a file, as inference sees them.
struct ColumnSample {
  std::string source;                          ///< the file name, for messages
  std::vector<std::string> header;             ///< column names (trimmed)
  std::vector<std::vector<std::string>> rows;  ///< the first records (fields as text)
  std::vector<std::int64_t> lines;             ///< the physical line of each row
  Delimiter delimiter = Delimiter::comma;      ///< the delimiter in use (after detection)
};

/// Reads the header and up to `max_rows` records of `path` (gzip allowed; not stdin) with
/// `options` (ragged records are allowed), and no more records once kMaxSampleBytes of text are
/// held. Throws InputError as CsvReader does.
ColumnSample read_column_sample(const std::string& path, CsvOptions options,
                                std::size_t max_rows = 500);

/// Throws InputError naming the file, line and column when a name or a field of the sample is
/// not UTF-8 text — a Windows-1251 export, say: the message says how to convert it with iconv.
/// (Names in another encoding cannot be recognised, and ids would be written back as bytes no
/// UTF-8 reader shows.)
void check_utf8(const ColumnSample& sample);

/// What inference may do and what was already given.
struct ColumnInferenceOptions {
  ColumnMapping given;  ///< columns given explicitly (non-empty = given); never changed
  /// Roles that may be inferred besides customer, date and amount (with quantity and price):
  /// the keys the caller accepts among order, product, category, channel, region.
  std::vector<std::string> optional_roles = {"order", "product", "category", "channel", "region"};
  DateFormat date_format;  ///< automatic: a date column's values parse in any supported format
  std::optional<bool> decimal_comma;  ///< given: numbers are checked with it; else detected
};

/// One role's decision, for messages and the printed mapping.
struct InferredRole {
  std::string role;       ///< the parameter key: customer, date, amount, quantity, price, ...
  std::string column;     ///< the header name used
  bool inferred = false;  ///< false: given explicitly
};

/// The mapping inference settled on.
struct ColumnInference {
  ColumnMapping columns;                ///< given and inferred columns
  std::vector<InferredRole> roles;      ///< every mapped role, in the order above
  bool decimal_comma = false;           ///< numbers use a decimal comma (given or detected)
  bool decimal_comma_detected = false;  ///< detected here (not given)
  /// The date pattern detected from the first rows when the date format is automatic and the
  /// dates are written month/day or day/month (`%m/%d/%Y %H:%M`): the loader's automatic format
  /// looks at the first date only, which cannot tell 12/1/2010. Empty otherwise.
  std::string date_format;
  /// Columns named for a role but not used for it, and why (`'Total' is not used as the amount
  /// column: it holds 'n/a', not a number`), for people.
  std::vector<std::string> notes;
  /// One line for people: `customer <- CustomerID, date <- InvoiceDate, amount <- Quantity x
  /// UnitPrice, ...` (`; dates PATTERN`, `; decimal comma` when detected).
  std::string describe() const;
};

/// Lowercased, punctuation-free form of a column name (see the rules above).
std::string normalize_column_name(std::string_view name);

/// Infers the roles not given. Throws ParameterError (key = the role: customer, date, amount,
/// ...) when a role has several candidates ("one column, but the customer column is ambiguous:
/// 'client_id' or 'customer_id'; say which"), when no column can be the customer or the date
/// (listing the header's columns), and (decimal_comma) when the numeric columns used mix decimal
/// points and decimal commas.
ColumnInference infer_columns(const ColumnSample& sample, const ColumnInferenceOptions& options);

}  // namespace ltv
