#pragma once
/// Workspaces in a database. A workspace holds one company's inputs (transactions with the batch
/// and file line each row came from, customer attributes, products with brand and category,
/// marketing spend, NPS answers, contacts, campaigns, a do-not-contact list) and the results of
/// every run of the main job (each result table of the catalogue, tagged with its run), with the
/// runs themselves (when, which data, options, model parameters, durations) and the schema
/// version. SQLite is the embedded default (a file, nothing to install or start); PostgreSQL is
/// the server for teams that run one. docs/store.md describes the schema.
///
///   auto ws = ltv::store::WorkspaceStore::open("ltv.db");
///   for (const auto& run : ws.runs()) ...

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ltv/data/transaction_log.hpp"
#include "ltv/error.hpp"
#include "ltv/io/load.hpp"
#include "ltv/io/table.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv {
struct SideInputs;
}

namespace ltv::store {

class Database;

/// A database that failed: cannot be reached, refused the credentials, is not a workspace, has a
/// newer schema, or a statement failed. The message names the database (a password is never
/// shown) and what failed, on one line.
class DatabaseError : public Error {
 public:
  using Error::Error;
};

/// Where a database is.
struct DatabaseLocation {
  /// clickhouse: a transaction source only (ltv/store/clickhouse.hpp), never a workspace.
  enum class Kind { sqlite, postgresql, clickhouse };
  Kind kind = Kind::sqlite;
  /// SQLite: the file path. PostgreSQL, ClickHouse: the URL as given (it may hold a password:
  /// never print it; use `display`).
  std::string target;
  /// For messages: the path, or the URL with its password replaced by ***.
  std::string display;
};

/// Parses a database location: `postgresql://...` or `postgres://...` (libpq URLs),
/// `clickhouse://...` (ltv/store/clickhouse.hpp), `sqlite:PATH` / `sqlite://PATH`, or a file
/// path (SQLite).
DatabaseLocation parse_location(std::string_view text);
/// True when `text` names a database rather than a text file: a URL of the schemes above, or an
/// existing file that starts with SQLite's header.
bool is_database(std::string_view text);
/// `url` with a password (`user:PASSWORD@` or a `password=` parameter) replaced by ***.
std::string redact_url(std::string_view url);

/// The kinds of input a workspace holds.
enum class InputKind : std::uint8_t {
  transactions,
  customers,  ///< attributes: customer_id + any columns
  products,   ///< product id, brand, category + any columns
  spend,      ///< marketing spend: channel, period, spend
  nps,        ///< NPS answers: customer_id, date, score[, comment, channel]
  contacts,   ///< contact history: customer_id, date, channel
  campaigns,  ///< campaigns: campaign_id + any columns
  suppress,   ///< do-not-contact list: customer_id
};
/// "transactions", "customers", ...
std::string_view to_string(InputKind kind) noexcept;
/// Parses a kind; ParameterError (`kind`) otherwise.
InputKind parse_input_kind(std::string_view text);

/// The schema version this build writes (and upgrades older workspaces to).
constexpr int kSchemaVersion = 4;

/// One ingested file.
struct BatchInfo {
  std::int64_t id = 0;
  InputKind kind = InputKind::transactions;
  std::string file;          ///< as given to `ltv ingest`
  std::string content_hash;  ///< SHA-256 of the file's bytes
  std::string ingested_at;   ///< UTC, ISO 8601
  std::int64_t rows_read = 0, rows_loaded = 0, rows_rejected = 0, rows_duplicate = 0;
  std::optional<std::int32_t> first_day, last_day;  ///< transactions: of the loaded rows
};

/// One committed run of the main job.
struct RunInfo {
  std::int64_t id = 0;
  std::string kind;            ///< "full" or "incremental"
  std::string started_at;      ///< UTC, ISO 8601
  std::string finished_at;     ///< UTC, ISO 8601 (when its results were committed)
  double seconds = 0;          ///< wall time of the run
  std::int64_t watermark = 0;  ///< the last batch the run includes (every batch up to it)
  std::int64_t customers = 0, transactions = 0;
  std::string model;           ///< the count model used
  std::string refit;           ///< the refit policy (incremental runs)
  std::string refit_decision;  ///< what the policy decided and why
  nlohmann::ordered_json options = nlohmann::ordered_json::object();  ///< parameters set
  std::vector<std::string> tables;                                    ///< result tables held
};

/// A workspace database. Reads take one consistent snapshot; every write (a batch, a run) is
/// one transaction, so a reader never sees half of one. Not thread-safe (one per thread).
class WorkspaceStore {
 public:
  /// Creates a workspace (`ltv init`): the schema in a new SQLite file or an empty PostgreSQL
  /// database; an existing workspace is opened (and upgraded) instead. DatabaseError when the
  /// database cannot be reached or already holds other tables of the same names. `created` tells
  /// whether the schema was created (false: the workspace existed).
  static WorkspaceStore create(std::string_view location, bool* created = nullptr);
  /// Opens an existing workspace. An older schema is upgraded in one transaction; a newer one
  /// is refused. DatabaseError when it is missing, unreachable or not a workspace.
  static WorkspaceStore open(std::string_view location);

  WorkspaceStore(WorkspaceStore&&) noexcept;
  WorkspaceStore& operator=(WorkspaceStore&&) noexcept;
  ~WorkspaceStore();

  /// The workspace for messages (never with a password).
  const std::string& name() const noexcept { return location_.display; }
  const DatabaseLocation& location() const noexcept { return location_; }
  /// The connection (for the store's own modules and tests).
  Database& database() noexcept { return *db_; }
  /// The schema version of the database (kSchemaVersion once opened).
  int schema_version();

  /// Every batch, in order.
  std::vector<BatchInfo> batches();
  /// The newest batch id (0 when there is none).
  std::int64_t last_batch();

  /// The transactions of every batch up to `up_to` (0 = all), in the order they were ingested
  /// (batch, then file line): the log a load of the same files would give. `report` describes
  /// them (source = the workspace). InputError when there are none.
  TransactionLog read_transactions(std::int64_t up_to, LoadReport& report);
  /// The side inputs held (customers, spend, NPS, contacts, do-not-contact list) as of batch
  /// `up_to` (0 = all); a later batch of customers / spend replaces rows with the same key.
  SideInputs read_side_inputs(std::int64_t up_to);
  /// A side input as a table (rows in ingest order, later rows replacing earlier ones with the
  /// same key), or nullopt when none was ingested.
  std::optional<Table> read_side_table(InputKind kind, std::int64_t up_to);

  /// True when a batch of `kind` was ingested.
  bool has_input(InputKind kind);

  /// The workspace's own tables as result tables: "runs" (committed runs), "batches" (ingested
  /// files) and "rejected_rows" (rows that did not load, with file, line, column, text, reason).
  /// DatabaseError for another name.
  ResultTable workspace_table(std::string_view name);
  /// The names workspace_table() takes.
  static std::span<const std::string_view> workspace_tables() noexcept;

  /// Committed runs, oldest first.
  std::vector<RunInfo> runs();
  /// The run `id`, or the newest (id 0); nullopt when there is none.
  std::optional<RunInfo> run(std::int64_t id = 0);
  /// Result table `key` ("customers", "analytics/kpis", ...) of run `run`, or of the newest run
  /// holding it (run 0). `run_out` receives the run read. DatabaseError for an unknown table or
  /// a run without it.
  ResultTable read_result(std::string_view key, std::int64_t run = 0,
                          std::int64_t* run_out = nullptr);
  /// A file of a run (summary.json, model.json, spend_model.json, report.html), or nullopt.
  std::optional<std::string> read_run_file(std::string_view name, std::int64_t run);

 private:
  WorkspaceStore(DatabaseLocation location, std::unique_ptr<Database> db);
  DatabaseLocation location_;
  std::unique_ptr<Database> db_;
};

/// The SQL name of the stored result table `key`: `r_` + the key with `/` written `__`
/// ("analytics/kpis" -> r_analytics__kpis).
std::string result_table_name(std::string_view key);

}  // namespace ltv::store
