#pragma once
// Pieces shared by the store's modules (not part of the public API).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ltv/data/transaction_log.hpp"
#include "ltv/io/load.hpp"
#include "ltv/workspace/result_table.hpp"
#include "store/database.hpp"

namespace ltv::store {

class Database;

/// Separates the cells of a stored row (side_rows.cells, transactions.extra and natural_key):
/// U+001F, the unit separator, which no text input holds (ingest refuses a cell with it).
constexpr char kCellSeparator = '\x1f';

/// Appends the cells of `text` (split at kCellSeparator) to `out`.
void split_cells(std::string_view text, std::vector<std::string_view>& out);

/// Day number of "YYYY-MM-DD".
std::int32_t parse_iso_day(std::string_view text);

/// The columns a run stored for a result table (`columns_json`: run_tables.columns), typed by
/// the catalogue's spec `definition` (a column it does not know, e.g. a matrix's value column,
/// is a real).
TableSpec stored_table_spec(const TableSpec& definition, std::string_view columns_json);
/// The rows of the stored result table `sql_table` (columns `spec`) that pass `where` (an SQL
/// condition with $1.. for `params`), in row order.
ResultTable read_stored_rows(Database& db, const TableSpec& spec, std::string_view sql_table,
                             std::string_view where, std::span<const SqlValue> params);

/// What a transactions batch holds, from its layout JSON.
struct TransactionLayout {
  bool amount = false, quantity = false, profit = false, time = false;
  /// Categorical roles present (order, product, category, channel, region) with the input
  /// column's name.
  std::vector<std::pair<std::string, std::string>> roles;
  std::vector<std::string> extra;  ///< unmapped columns kept, by name
};
TransactionLayout transaction_layout(const nlohmann::json& layout);

/// The transactions of batches up to `up_to` whose rows pass `where` (an SQL condition on the
/// transactions table, or empty), in ingest order (batch, line), with `report` describing them
/// and `batches` (when given) receiving each row's batch. InputError when the workspace has no
/// transactions batch; an empty log when no row passes.
TransactionLog read_log(Database& db, const std::string& name, std::int64_t up_to,
                        std::string_view where, LoadReport& report,
                        std::vector<std::int64_t>* batches);

}  // namespace ltv::store
