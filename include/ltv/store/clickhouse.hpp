#pragma once
/// ClickHouse as a transaction source, over its HTTP interface (cpp-httplib's client; no C++
/// client library is packaged for Debian). A location is
///
///   clickhouse://[USER[:PASSWORD]@]HOST[:PORT][/DATABASE[.TABLE]]
///
/// (port 8123 by default, database `default`). Credentials come from the URL, else from the
/// environment (LTV_CLICKHOUSE_USER, LTV_CLICKHOUSE_PASSWORD); they travel as the
/// X-ClickHouse-User / X-ClickHouse-Key headers and are never printed: messages name the server
/// by its URL with the password masked.
///
/// Two ways to read: the rows of a table or query as CSV text (read by the CSV loader, so every
/// command works, the rows travelling to ltvkit), and the push-down (below): the per-customer
/// summary and the compressed (x, t_x, T) patterns computed inside ClickHouse, so that only they
/// travel. docs/scale-out.md describes both.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/io/load.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/model.hpp"

namespace ltv::store {

/// Where a ClickHouse server (and optionally a table) is.
struct ClickHouseLocation {
  std::string host;
  int port = 8123;
  std::string user;      ///< empty: the server's `default` user
  std::string password;  ///< never print it
  std::string database = "default";
  std::string table;    ///< empty when the URL names only a database
  std::string display;  ///< the URL with the password masked, for messages
};

/// True for a `clickhouse://` URL.
bool is_clickhouse(std::string_view text) noexcept;
/// Parses a clickhouse:// URL; the user and password default to LTV_CLICKHOUSE_USER /
/// LTV_CLICKHOUSE_PASSWORD. ParameterError (`source`) for a malformed URL (the password masked).
ClickHouseLocation parse_clickhouse_url(std::string_view url);

/// One ClickHouse server. Every request is one HTTP POST with the SQL as the body (or, for an
/// insert, the SQL in the URL and the data as the body) and the settings as URL parameters.
class ClickHouseClient {
 public:
  using Settings = std::vector<std::pair<std::string, std::string>>;

  explicit ClickHouseClient(ClickHouseLocation location);
  ~ClickHouseClient();
  ClickHouseClient(ClickHouseClient&&) noexcept;
  ClickHouseClient& operator=(ClickHouseClient&&) noexcept;

  /// Runs `sql` and returns the response body (the rows in the FORMAT the SQL names).
  /// DatabaseError naming the server (host:port, never the password) when it cannot be reached,
  /// and with ClickHouse's `Code: NN` and message when the query fails (HTTP 500).
  std::string query(std::string_view sql, const Settings& settings = {}) const;
  /// Runs `sql` and hands each line of the response (without its newline) to `line` as it
  /// arrives, without holding the whole response. Errors as query().
  void query_lines(std::string_view sql, const Settings& settings,
                   const std::function<void(std::string_view)>& line) const;
  /// Sends `data` to `sql` (an `INSERT INTO ... FORMAT ...`). Errors as query().
  void insert(std::string_view sql, std::string_view data, const Settings& settings = {}) const;

  const ClickHouseLocation& location() const noexcept { return location_; }
  /// The server for messages (the URL, password masked).
  const std::string& name() const noexcept { return location_.display; }

 private:
  void post(const std::string& target, std::string_view body,
            const std::function<void(std::string_view)>& receive) const;
  ClickHouseLocation location_;
};

/// The rows of `query`, or of `table` (`db.table` or `table` of the URL's database; empty: the
/// URL's table), as CSV text with a header (FORMAT CSVWithNames).
std::string read_clickhouse_csv(std::string_view location, std::string_view query,
                                std::string_view table);

// ------------------------------------------------------------------------------- push-down

/// A ClickHouse source of transactions to push work down to: the server, the rows (a table or a
/// query) and which of its columns hold the customer id, the purchase date (Date, DateTime or
/// 'YYYY-MM-DD' text) and the amount (a number; empty: count-only data). Columns are named as in
/// a file's header (exact, else case-insensitive) or by 1-based position.
struct ClickHouseSource {
  std::string location;  ///< the clickhouse:// URL (may hold a password: never print it)
  std::string query;     ///< an SQL query whose rows are the transactions, or
  std::string table;     ///< a table (`db.table`); both empty: the URL's table
  std::string customer, date, amount;
};

/// Builds a ClickHouseSource from a transaction source's location, query, table and column
/// mapping. ParameterError naming the option for a mapping the push-down does not take (an order,
/// quantity, price, margin or cost column; a customer or date column not given).
ClickHouseSource clickhouse_source(std::string location, std::string query, std::string table,
                                   const ColumnMapping& columns);

/// What a push-down read counts of the rows (over the whole source, before the periods).
struct ClickHouseScan {
  std::string source;     ///< the source for messages (URL with the password masked, table/query)
  std::int64_t rows = 0;  ///< every row of the source
  std::int64_t rows_without_customer = 0;  ///< left out: empty customer id (as the loader does)
  std::int64_t customers = 0;              ///< with a purchase on or before the calibration end
  std::int32_t first_day = 0, last_day = 0;
  bool has_amount = false;
  double total_amount = 0;
  /// The source is a Distributed table sharded by a function of the customer column only:
  /// each shard computed its customers' rows to the end (distributed_group_by_no_merge=1) and
  /// only they travelled to the initiator. Otherwise the shards (if any) sent one row per
  /// customer-day.
  bool sharded_by_customer = false;
  std::int32_t calibration_end = 0, observation_end = 0;  ///< as used (defaults resolved)
};

/// The model input computed in ClickHouse: the compressed (x, t_x, T) patterns (t_x and T in
/// the time unit, from whole days) and, with an amount column, the Gamma-Gamma input of the
/// repeat customers compressed to (x, mean repeat spend) with counts.
struct PushedDownPatterns {
  ClickHouseScan scan;
  TimeUnit time_unit = TimeUnit::week;
  RfmPatterns patterns;
  SpendData spend;  ///< empty without an amount column (or when not asked for)
};

/// Runs the summary and the pattern compression in ClickHouse (one row per customer-day, then
/// per customer, then GROUP BY (x, t_x_days, T_days) with count(); a Distributed table sharded
/// by the customer column takes one GROUP BY per customer on each shard instead, see
/// ClickHouseScan::sharded_by_customer) and returns the patterns, sorted by (x, t_x, T) as
/// compress_patterns() sorts them. InputError when there is no
/// purchase on or before the calibration end, a row has a negative amount (returns are not
/// pushed down) or a NULL customer, date or amount; DatabaseError when the server or a shard
/// fails.
/// `spend = false` skips the Gamma-Gamma query (a count model needs only the patterns).
PushedDownPatterns clickhouse_patterns(const ClickHouseSource& source,
                                       const SummaryOptions& options, bool spend = true);

/// The per-customer summaries computed in ClickHouse, in id_before() order, as summarize()
/// computes them from the same rows (no profit column; orders = purchase days). `scan`
/// receives the counts. Errors as clickhouse_patterns().
std::unique_ptr<SummaryRanges> clickhouse_summary(const ClickHouseSource& source,
                                                  const SummaryOptions& options,
                                                  ClickHouseScan& scan);

/// A load report describing a push-down read (rows, customers, days, amount), for the faces.
LoadReport load_report(const ClickHouseScan& scan);

}  // namespace ltv::store
