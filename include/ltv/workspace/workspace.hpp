#pragma once
/// The embedding API: a Workspace over a transaction source, offering the engine's jobs — the
/// main job (analyze), customer summaries, model fits and predictions. Every face holds one: the
/// `ltv` command line, the HTTP server, the Python module (as DuckDB's shell, C API and Python
/// package hold a `DuckDB` + `Connection`).
///
///   ltv::Workspace ws(ltv::TransactionSource::file("orders.csv", mapping));
///   ltv::Analysis a = ws.analyze(ltv::AnalyzeOptions{}, ltv::SideInputs{});
///   std::cout << a.customers << " customers, CLV " << a.clv_total.value_or(0) << "\n";

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "ltv/cvm/actions.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/data/transaction_log.hpp"
#include "ltv/io/load.hpp"
#include "ltv/io/row_writer.hpp"
#include "ltv/io/table.hpp"
#include "ltv/nps/nps.hpp"
#include "ltv/workspace/analysis.hpp"
#include "ltv/workspace/parameters.hpp"

namespace ltv {

/// Where transactions come from: a delimited text file (optionally gzip-compressed; "-" is
/// standard input) read with a column mapping and parse options; a workspace database (ltv.db, a
/// postgresql:// URL) holding ingested batches; a query or table of a user's own database, read
/// with the same column mapping and validation as a file; or transactions already in memory (a
/// face's arrays, e.g. a DataFrame).
struct TransactionSource {
  enum class Kind {
    file,       ///< `path`, read with `options`
    workspace,  ///< the transactions ingested into the workspace at `location`
    database,   ///< `query` or `table` of the database at `location`, read with `options`
    memory,     ///< `log`, already in memory
  };
  Kind kind = Kind::file;
  /// file: its path; otherwise the source's name for messages (a URL's password masked).
  std::string path;
  LoadOptions options;
  /// workspace / database: where the database is (a URL may hold a password: never print it).
  std::string location;
  std::string query;  ///< database: an SQL query whose rows are the transactions, or
  std::string table;  ///< database: a table (or schema.table) whose rows are the transactions
  std::int64_t up_to_batch = 0;  ///< workspace: the last batch read (0 = every batch)
  /// memory: the transactions, read by no one else.
  std::shared_ptr<const TransactionLog> log;
  LoadReport report;  ///< memory: the load report of the in-memory transactions

  /// A file source.
  static TransactionSource file(std::string path, LoadOptions options = {});
  /// Transactions already in memory (e.g. from transactions_from_columns()), named `name` in
  /// messages and results.
  static TransactionSource memory(std::string name, TransactionLog log, LoadReport report);
  /// The transactions of a workspace (batches up to `up_to_batch`; 0 = all).
  static TransactionSource workspace(std::string location, std::int64_t up_to_batch = 0);
  /// A query (or, when `query` is empty, a table) of a user's database.
  static TransactionSource database(std::string location, std::string query, std::string table,
                                    LoadOptions options);
  /// A file, a workspace or a query / table of a database, told apart by `location`: a
  /// postgresql:// or sqlite: URL, or an existing SQLite file, is a database — a workspace when
  /// neither `query` nor `table` is given — and anything else a file. ParameterError (`query`)
  /// for a query or table on a file.
  static TransactionSource detect(std::string location, LoadOptions options, std::string query = {},
                                  std::string table = {});
  /// From parameters of the group "source": FILE (a file, a workspace or a database URL) or
  /// --source URL, with --query or --source-table for a database that is not a workspace; the
  /// columns and parsing. ParameterError for a bad value.
  static TransactionSource from_parameters(const Parameters& parameters);
};

/// True for a clickhouse:// database source: its summary and model fit are computed in
/// ClickHouse (Workspace::write_summaries, pushed_down_model_input), only the results travel.
bool is_clickhouse_source(const TransactionSource& source) noexcept;

/// Reads the transactions of any source (a file, a workspace, a user's database), as
/// Workspace::transactions() does, with its load report. InputError for malformed input;
/// store::DatabaseError when a database cannot be reached or a query fails.
TransactionLog load_source(const TransactionSource& source, LoadReport& report);

/// LoadOptions from parameters of the group "source". ParameterError for a bad value.
LoadOptions load_options(const Parameters& parameters);
/// SummaryOptions from parameters of the group "periods". ParameterError for a bad value.
SummaryOptions summary_options(const Parameters& parameters);

/// The main job's side inputs, read before any work so that a bad file fails fast. Each is
/// optional; a face fills them from files (read_side_inputs), uploads or DataFrames.
struct SideInputs {
  std::optional<Table> customers;  ///< attributes: customer_id + any columns (birth_date, ...)
  std::optional<Table> spend;      ///< marketing spend: channel, period (YYYY-MM), spend
  /// products: product + category, brand, launch_date (coarser levels for association rules)
  std::optional<Table> products;
  std::string nps_source;                  ///< name of the NPS answers, for messages
  std::optional<std::vector<NpsRow>> nps;  ///< NPS answers: customer_id, date, score, ...
  std::optional<Table> contacts;           ///< contact history: customer_id, date, channel
  std::optional<Table> suppress;           ///< do-not-contact list: customer_id
  std::optional<ActionConfig> playbook;    ///< CVM rules (default: the built-in playbook)
};

/// Reads the side files named by the parameters customers, spend, products, nps, contacts,
/// suppress and rules. InputError naming the file, line and column for a malformed file.
SideInputs read_side_inputs(const Parameters& parameters);

/// A workspace: one company's transactions and the jobs that run over them.
class Workspace {
 public:
  explicit Workspace(TransactionSource source);
  /// A workspace over transactions already read from `source` (the workspace store reads its
  /// database itself): `report` is their load report.
  Workspace(TransactionSource source, TransactionLog transactions, LoadReport report);
  ~Workspace();
  Workspace(Workspace&&) noexcept;
  Workspace& operator=(Workspace&&) noexcept;

  const TransactionSource& source() const noexcept { return source_; }

  /// The transactions, loaded on first use (with every column mapped, kept for later jobs).
  /// InputError for a malformed file or when no row loads.
  const TransactionLog& transactions();
  /// The load report of transactions().
  const LoadReport& load_report();

  /// Per-customer summaries of the transactions.
  CustomerSummary summaries(const SummaryOptions& options);

  /// Writes the customer summaries (columns of `ltv summary`) as CSV or JSON, a range of
  /// customers at a time. A file in customer order is summarised as it is read, without holding
  /// its lines. Once the transactions are read, `loaded` sees the load report (a face prints
  /// it), then — unless nothing loaded, which throws InputError — `open()` returns the stream to
  /// write to, so a face creates its output only after the input was read. A ClickHouse source
  /// is summarised inside ClickHouse (ltv/store/clickhouse.hpp): only the summary rows travel.
  void write_summaries(const SummaryOptions& options, OutputFormat format,
                       const std::function<void(const LoadReport&)>& loaded,
                       const std::function<std::ostream&()>& open);

  /// The main job: summarise customers, choose a count model on a holdout, fit it on all data,
  /// score every customer (P(alive), expected purchases, spend and CLV), segment, plan CVM
  /// actions, run the business analytics, cross-sell and NPS. Options must be valid
  /// (analyze_options() checks them). `progress` is told each step.
  Analysis analyze(const AnalyzeOptions& options, const SideInputs& side = {},
                   const Progress& progress = {});
  /// The number of steps analyze() reports to its progress callback (the first is loading).
  static constexpr int kAnalyzeSteps = 6;

 private:
  void load();
  TransactionSource source_;
  std::shared_ptr<const TransactionLog> log_;
  LoadReport report_;
  double load_seconds_ = 0;  ///< how long load() took
};

}  // namespace ltv
