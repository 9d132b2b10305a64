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

// ------------------------------------------------------------------------------ write-back

/// Scores computed in ClickHouse's place by ltvkit, joined back to the customers there: the
/// per-customer summary is computed once into a staging table on the server (per shard when the
/// source is sharded by customer; the rows go from the shards to that server, never to ltvkit),
/// its (x, t_x_days, T_days) patterns are fetched (RowBinary), ltvkit scores each pattern once,
/// sends the scores back (RowBinary, in batches) and the customers are joined to them inside
/// ClickHouse (ANY LEFT JOIN ... USING). The expected spend, which depends on the customer's
/// mean spend m too, travels as the two coefficients of a + b * m per pattern (Gamma-Gamma's
/// conditional expectation is linear in m for a given x), evaluated in the join. Fitting
/// Gamma-Gamma needs the (x, m) groups of the repeat customers: fetched only when asked. See
/// docs/scale-out.md.
class ClickHouseScoringRun {
 public:
  /// Summarises `source` into the staging table (with the mean spend when `spend` and the source
  /// has an amount) and fetches the patterns and, when also `spend_groups`, the (x, m) groups
  /// (the Gamma-Gamma fit's input). `staging` is where the staging tables go: a
  /// clickhouse:// URL naming a database (and a table, whose name prefixes them), on the
  /// source's server; empty: the source's database. Errors as clickhouse_patterns(); a
  /// ParameterError (`output`) when `staging` is on another server.
  ClickHouseScoringRun(const ClickHouseSource& source, const SummaryOptions& options, bool spend,
                       std::string_view staging = {}, bool spend_groups = false);
  /// Drops the staging tables (and a run table not switched in); errors are ignored.
  ~ClickHouseScoringRun();
  ClickHouseScoringRun(const ClickHouseScoringRun&) = delete;
  ClickHouseScoringRun& operator=(const ClickHouseScoringRun&) = delete;

  /// The patterns (as clickhouse_patterns: sorted, in the time unit) and the Gamma-Gamma input.
  const PushedDownPatterns& input() const noexcept { return input_; }
  /// The summary's header (calibration end, holdout, its duration, time unit).
  const CustomerSummary& header() const noexcept { return header_; }
  /// The patterns in the order scores are expected: frequency x, recency t_x and age T in the
  /// time unit, one entry per distinct (x, t_x_days, T_days).
  const std::vector<double>& pattern_x() const noexcept { return px_; }
  const std::vector<double>& pattern_t_x() const noexcept { return ptx_; }
  const std::vector<double>& pattern_T() const noexcept { return pT_; }
  /// The spend groups: the distinct (x, m_x) of the customers (x = 0, m_x = 0 for those
  /// without a repeat purchase); empty unless `spend_groups`.
  const std::vector<double>& spend_x() const noexcept { return sx_; }
  const std::vector<double>& spend_m() const noexcept { return sm_; }

  /// The scores, one per pattern.
  struct Scores {
    std::vector<double> p_alive, expected_purchases;
    std::vector<double> discounted_purchases;  ///< with spend
    /// Expected spend per purchase of a customer with mean spend m: spend_a + spend_b * m;
    /// both empty: no spend columns.
    std::vector<double> spend_a, spend_b;
    double margin = 1;  ///< clv = margin * expected spend * discounted purchases
  };

  /// What write() did.
  struct Written {
    std::string target;  ///< the table's URL (password masked)
    std::string run;     ///< the run id of the table switched in
    std::int64_t customers = 0;
    bool replaced = false;  ///< a previous table was replaced
  };

  /// Joins the customers to `scores` in ClickHouse into `<target>__run_<id>`, checks that it
  /// holds one row per customer (every customer matched a pattern), then switches it in (one
  /// RENAME TABLE of the previous table away and the run table to the target) and drops the
  /// previous table. A failure before the switch leaves the previous table as it was.
  /// Columns: customer_id, frequency, recency, T, p_alive, expected_purchases
  /// [, frequency_holdout][, monetary_value, expected_spend, clv].
  Written write(std::string_view target, const Scores& scores);

  /// The joined rows streamed back instead (one call per customer, in the server's order):
  /// the id and the values of the columns of write() after customer_id.
  void fetch(
      const Scores& scores,
      const std::function<void(std::string_view id, const std::vector<double>& values)>& row);

  /// Rows ltvkit received (patterns, spend groups) and sent (the patterns' scores) so far.
  std::size_t rows_received() const noexcept { return received_; }
  std::size_t rows_sent() const noexcept { return sent_; }
  /// The customers in the staging table.
  std::int64_t customers() const noexcept { return customers_; }
  /// Wall time of each step so far (name, seconds), in order.
  const std::vector<std::pair<std::string, double>>& steps() const noexcept { return steps_; }

 private:
  /// The constructor's work; `sql` is the source's push-down SQL (internal to the .cpp).
  void start(const void* sql, const SummaryOptions& options, bool spend, bool spend_groups);
  void drop_tables() noexcept;
  std::string send_scores(const Scores& scores);
  std::string join_sql(const Scores& scores) const;

  std::unique_ptr<ClickHouseClient> client_;
  std::string database_, prefix_, run_id_;
  std::vector<std::string> to_drop_;
  std::string customers_table_;
  PushedDownPatterns input_;
  CustomerSummary header_;
  std::vector<std::int64_t> kx_, ktx_, kT_;  // pattern keys in days
  std::vector<double> px_, ptx_, pT_, sx_, sm_;
  std::int64_t customers_ = 0;
  std::size_t received_ = 0, sent_ = 0;
  bool with_spend_ = false;
  std::vector<std::pair<std::string, double>> steps_;
  double step_start_ = 0;
  void step(std::string name);  // ends a step begun at step_start_
};

/// A load report describing a push-down read (rows, customers, days, amount), for the faces.
LoadReport load_report(const ClickHouseScan& scan);

}  // namespace ltv::store
