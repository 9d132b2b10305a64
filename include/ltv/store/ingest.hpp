#pragma once
/// Ingest: a file (or a query of a user's database) becomes one batch of a workspace, in one
/// transaction. A file whose content was ingested before (same SHA-256, same kind) is recognised
/// and not counted twice; rows whose natural key (--key) is already present are skipped and
/// counted; rows that do not load go to the rejected_rows table with file, line, column, text and
/// reason. Under --on-error fail (the default) a file with a bad row ingests nothing.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ltv/io/load.hpp"
#include "ltv/store/store.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/workspace.hpp"

namespace ltv::store {

/// What to ingest and how.
struct IngestOptions {
  InputKind kind = InputKind::transactions;
  /// Transactions: the column mapping and parsing; every kind: the delimiter, header and the
  /// error policy (on_error).
  LoadOptions load;
  /// Natural key columns (header names or roles: order, product, customer, ...): a row whose
  /// key is already in the workspace (or earlier in the file) is skipped and counted.
  std::vector<std::string> key;
  /// Other kinds: the input column of each of the kind's columns (customer_id -> CustomerID);
  /// columns not named keep their canonical name.
  std::map<std::string, std::string> columns;
  /// The parameters as given, recorded with the batch.
  nlohmann::ordered_json parameters = nlohmann::ordered_json::object();
};

/// From parameters of the groups "source" and "ingest". ParameterError for a bad value.
IngestOptions ingest_options(const Parameters& parameters);

/// What an ingest did.
struct IngestReport {
  std::int64_t batch = 0;  ///< the new batch (0 when nothing was ingested)
  /// The batch that already holds the same content (then nothing was ingested), else 0.
  std::int64_t already = 0;
  std::string content_hash;
  std::int64_t rows_read = 0;       ///< data rows of the input
  std::int64_t rows_loaded = 0;     ///< rows stored
  std::int64_t rows_rejected = 0;   ///< rows in rejected_rows
  std::int64_t rows_duplicate = 0;  ///< rows skipped for a natural key already present
  std::int64_t customers = 0;       ///< transactions: distinct customers of the batch
  std::optional<std::int32_t> first_day, last_day;
  LoadReport load;  ///< transactions: the loader's report
  double seconds = 0;
};

/// Ingests `source` (a file, or a query / table of a user's database) into the workspace as one
/// batch. InputError for a malformed input (naming file, line and column) or a mapping that
/// does not fit; DatabaseError when the workspace fails. The workspace is unchanged when it
/// throws.
IngestReport ingest(WorkspaceStore& workspace, const TransactionSource& source,
                    const IngestOptions& options);

}  // namespace ltv::store
