#pragma once
// The workspace schema and its migrations (see docs/store.md). Version 1 holds the inputs and
// the runs; version 2 adds the products table, the per-customer running aggregates of
// incremental runs and the indexes they read by. A database is upgraded one version at a time,
// all steps in one transaction.

#include <string>
#include <string_view>

#include "database.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv::store {

/// The schema version recorded in the database (0 when it has no ltv_meta table).
int stored_schema_version(Database& db);

/// Creates the schema of version `version` (1 .. kSchemaVersion) in an empty database, inside
/// the caller's write transaction, and records it. (Tests create older workspaces with it.)
void create_schema(Database& db, int version);

/// Upgrades a workspace of version `from` to kSchemaVersion inside the caller's write
/// transaction.
void migrate_schema(Database& db, int from);

/// Tables of the schema (any one present means the database already holds a workspace, or
/// tables of those names).
std::span<const std::string_view> schema_tables() noexcept;

/// The SQL type of a result column in this database.
std::string_view sql_type(const Database& db, ColumnType type);

/// Creates the stored table of result spec `spec` (`table`: its SQL name) when missing, and adds
/// the columns it lacks; columns are run_id, row_index and the spec's columns, typed.
void ensure_result_table(Database& db, const std::string& table, const TableSpec& spec);

/// The current time, UTC, ISO 8601 ("2025-01-31T12:00:00Z").
std::string utc_now();

}  // namespace ltv::store
