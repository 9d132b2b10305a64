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
/// standard input) read with a column mapping and parse options, or transactions already in
/// memory (a face's arrays, e.g. a DataFrame). (The workspace store adds databases.)
struct TransactionSource {
  std::string path;  ///< the file; for in-memory transactions only their name
  LoadOptions options;
  /// In-memory transactions (memory()): when set they are the source, read by no one else.
  std::shared_ptr<const TransactionLog> log;
  LoadReport report;  ///< the load report of the in-memory transactions
  /// A file source.
  static TransactionSource file(std::string path, LoadOptions options = {});
  /// Transactions already in memory (e.g. from transactions_from_columns()), named `name` in
  /// messages and results.
  static TransactionSource memory(std::string name, TransactionLog log, LoadReport report);
  /// From parameters of the group "source" (file, columns, parsing). ParameterError for a bad
  /// value.
  static TransactionSource from_parameters(const Parameters& parameters);
};

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
  /// write to, so a face creates its output only after the input was read.
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
