#pragma once
/// Loading a transaction file (CSV/TSV/whitespace, optionally gzip, or stdin) into a
/// TransactionLog, with every dropped or skipped row counted in a LoadReport.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/row_sink.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/dates.hpp"

namespace ltv {

/// What happens to return / cancellation lines (negative amount or quantity, or an order id
/// like `C536379`: a `C` followed by a digit, as in Online Retail).
enum class ReturnsPolicy {
  net,   ///< keep the negative lines so the customer's revenue nets out
  drop,  ///< remove them (counted in the report)
};
/// What happens to a row with an unparseable field.
enum class ErrorPolicy {
  fail,  ///< the first bad row throws InputError (file, line, column, text, expected)
  skip,  ///< the row is skipped and counted by reason, with the first examples kept
};

/// Parses "net"/"drop"; throws InputError for option --returns.
ReturnsPolicy parse_returns_policy(std::string_view text);
/// Parses "fail"/"skip"; throws InputError for option --on-error.
ErrorPolicy parse_error_policy(std::string_view text);

/// Input column of each role: a header name (exact, else case-insensitive) or a 1-based
/// position ("3" or "#3"). Empty = the role is absent.
struct ColumnMapping {
  std::string customer;  ///< customer id (required unless LoadOptions::require_customer is false)
  std::string date;      ///< date or datetime (required unless require_date is false)
  std::string amount;    ///< line value; absent = count-only data (unless price is given)
  std::string order;     ///< order / invoice id
  std::string quantity;  ///< units on the line
  std::string price;     ///< unit price: amount = quantity x price when amount is absent
  std::string product;
  std::string category;
  std::string margin;  ///< profit of the line (exclusive with cost)
  std::string cost;    ///< cost of the line: profit = amount - cost
  std::string channel;
  std::string region;  ///< store / region
};

struct LoadOptions {
  ColumnMapping columns;
  CsvOptions csv;              ///< delimiter and header; ragged rows are handled by on_error
  DateFormat date_format;      ///< automatic: detected from the first non-empty date
  bool decimal_comma = false;  ///< numbers like `1 234,56`
  int time_zone_minutes = 0;   ///< fixed UTC offset datetimes with an offset are converted to
  ReturnsPolicy returns = ReturnsPolicy::net;
  ErrorPolicy on_error = ErrorPolicy::fail;
  /// Plausible purchase dates, inclusive (days since 1970-01-01). A date outside is a bad field
  /// ("date out of range": an InputError naming the file, line and column, or a skipped row under
  /// on_error = skip), so that a sentinel such as 0000-01-01 cannot stretch every period table of
  /// the analyses over two thousand years. Default 1900-01-01 .. 2100-12-31 (`--date-window`).
  std::int32_t min_day = kDefaultMinDay;
  std::int32_t max_day = kDefaultMaxDay;
  static constexpr std::int32_t kDefaultMinDay = -25567;  ///< 1900-01-01
  static constexpr std::int32_t kDefaultMaxDay = 47846;   ///< 2100-12-31
  /// Largest magnitude of a number read from the file (amount, quantity, price, margin, cost,
  /// and amount = quantity x price): a larger one is a bad field ("amount out of range"). With
  /// it, no sum of loaded values can overflow: 2^32 rows of 1e15 add up to less than 1e25.
  double max_abs_value = 1e15;
  bool require_customer = true;    ///< false: without a customer column every row is customer ""
  bool require_date = true;        ///< false: without a date column every row has day 0
  bool keep_extra_columns = true;  ///< keep unmapped columns in TransactionLog::extra
  bool keep_lines = false;         ///< fill TransactionLog::line with each row's input line
  /// Record every rejected row (skipped under on_error skip, or without a customer id) in
  /// LoadReport::rejected, not only the first examples.
  bool keep_rejected = false;
  std::size_t max_examples = 5;  ///< examples kept per skip reason
  /// Parsing threads for a plain (not compressed) regular file of at least parallel_min_bytes:
  /// 0 = automatic (2), 1 = sequential. The file is split at a line break; when the split
  /// turns out to fall inside a quoted field (or the chunks disagree on the date format) the
  /// file is re-read sequentially, so results and errors are always those of a sequential read.
  int threads = 0;
  std::size_t parallel_min_bytes = std::size_t{16} << 20;
  /// stream_transactions reads a parallel file in parts of about this size (from 2 to 64 parts),
  /// each thread taking the next part when it is done with one: the threads finish together even
  /// when one runs slower (load_transactions reads two halves).
  std::size_t part_bytes = std::size_t{128} << 20;
};

/// Rows skipped for one reason.
struct SkippedRows {
  std::string reason;  ///< e.g. "invalid date"
  std::int64_t count = 0;
  std::vector<std::string> examples;  ///< first messages, `file:line: column 'x': found ...`
};

/// Something valid but suspicious about the data, counted, with the first examples (also shown
/// by LoadReport::to_text()).
struct DataWarning {
  std::string kind;                   ///< e.g. "net_negative_customers"
  std::string message;                ///< one line for people, with the count
  std::int64_t count = 0;             ///< how many customers / rows
  std::vector<std::string> examples;  ///< the first few, e.g. "customer 17850: net -12.50"
};

/// One row that did not load (LoadOptions::keep_rejected): where it is and why.
struct RejectedRow {
  std::int64_t line = 0;  ///< physical input line
  std::string column;     ///< the column at fault (empty: the whole row)
  std::string text;       ///< the text found there
  std::string reason;     ///< e.g. "invalid date", "missing customer id"
  std::string expected;   ///< what was expected
};

/// What a load did. Every input row is either loaded or counted here.
struct LoadReport {
  std::string source;
  std::int64_t rows_read = 0;  ///< data records (header and blank lines excluded)
  std::int64_t rows_loaded = 0;
  std::size_t customers = 0;
  std::int64_t rows_without_customer = 0;  ///< dropped: empty customer id
  std::int64_t return_rows = 0;            ///< return/cancellation lines among rows with a customer
  std::int64_t cancellation_rows = 0;      ///< of which with a `C` order id
  ReturnsPolicy returns = ReturnsPolicy::net;  ///< net: return_rows were kept; drop: removed
  std::vector<SkippedRows> skipped;            ///< by reason (on_error = skip)
  std::optional<std::int32_t> first_day;       ///< of the loaded rows
  std::optional<std::int32_t> last_day;
  bool has_amount = false;
  double total_amount = 0;            ///< sum of loaded amounts (returns netted)
  std::string date_format;            ///< the date format used (after detection)
  std::string delimiter;              ///< the delimiter used (after detection)
  std::vector<std::string> warnings;  ///< e.g. a header line that looks like data
  /// Suspicious but valid data, as data: customers whose returns exceed their purchases (net
  /// amount below zero: "net_negative_customers"). Counted exactly for a TransactionLog load;
  /// for a streamed read (stream_transactions), over each run of consecutive rows of a customer
  /// (exact for input in customer order, the only input a streamed summary accepts).
  std::vector<DataWarning> data_warnings;
  /// Every rejected row, in input order, when LoadOptions::keep_rejected.
  std::vector<RejectedRow> rejected;

  /// Rows skipped for bad fields, all reasons.
  std::int64_t rows_skipped() const noexcept;
  /// Return rows removed under ReturnsPolicy::drop (0 under net).
  std::int64_t returns_dropped() const noexcept {
    return returns == ReturnsPolicy::drop ? return_rows : 0;
  }
  /// Multi-line human summary for stderr.
  std::string to_text() const;
};

/// Reads `path` as load_transactions does (same validation, errors, skipped-row counts and
/// report, except LoadReport::customers, which only the sinks know), handing the loaded rows to
/// sinks instead of building a log. `sink(k)` is the sink of part k; it is asked for every part
/// before the read starts. A plain file of at least options.parallel_min_bytes is read in
/// consecutive parts (options.part_bytes) on two threads, the rows of part k going to sink(k)
/// (the sinks of two parts are called at the same time, from different threads; each part's
/// rows reach its sink once, followed by finish()); otherwise every row goes to sink(0). When a
/// parallel read has to be repeated sequentially, sink(0) is started again and takes every row.
/// Returns the number of parts, or 0 when the input cannot be streamed (stdin, which cannot be
/// read twice) or a sink declined it: then load the file with load_transactions instead. Throws
/// as load_transactions does.
int stream_transactions(const std::string& path, const LoadOptions& options, LoadReport& report,
                        const std::function<RowSink&(int)>& sink);

/// Loads `path` ("-" = stdin). Throws InputError for unknown columns (naming the option), for
/// unreadable/malformed files, and for the first bad row when options.on_error is fail.
TransactionLog load_transactions(const std::string& path, const LoadOptions& options,
                                 LoadReport& report);
/// Same over an open reader (its header/delimiter settings win over options.csv).
TransactionLog load_transactions(CsvReader& reader, const LoadOptions& options, LoadReport& report);

}  // namespace ltv
