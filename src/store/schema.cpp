// The workspace schema, its migrations and the stored result tables (see schema.hpp).
#include "schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>

#include "ltv/store/store.hpp"
#include "ltv/version.hpp"

namespace ltv::store {

namespace {

constexpr std::array<std::string_view, 14> kTables{
    "ltv_meta", "batches", "transactions", "side_rows", "rejected_rows", "runs", "run_tables",
    "run_files", "products", "customer_state", "state_batches",
    // version 3 (server identities)
    "users", "tokens",
    // version 4 (the server's recalculation jobs)
    "jobs"};

/// `{real}` in a statement as this database's 64-bit float type.
std::string typed(const Database& db, std::string_view sql) {
  std::string out(sql);
  for (std::size_t at = out.find("{real}"); at != std::string::npos; at = out.find("{real}")) {
    out.replace(at, 6, db.real_type());
  }
  return out;
}

// Version 1: inputs (batches, transactions, side tables, rejected rows) and runs.
constexpr std::string_view kVersion1[] = {
    "CREATE TABLE ltv_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    // One row per ingested file. layout: JSON (header, mapped roles and their column names,
    // extra column names); options: the ingest parameters.
    "CREATE TABLE batches (batch_id BIGINT PRIMARY KEY, kind TEXT NOT NULL, file TEXT NOT NULL, "
    "content_hash TEXT NOT NULL, ingested_at TEXT NOT NULL, rows_read BIGINT NOT NULL, "
    "rows_loaded BIGINT NOT NULL, rows_rejected BIGINT NOT NULL, rows_duplicate BIGINT NOT NULL, "
    "first_day INTEGER, last_day INTEGER, layout TEXT NOT NULL, options TEXT NOT NULL, "
    "UNIQUE (kind, content_hash))",
    // One row per loaded transaction line. day: days since 1970-01-01; second_of_day: time of
    // day when the batch had times; extra: unmapped columns' values separated by U+001F (names
    // in the batch's layout); natural_key: the --key columns' values, same separator.
    "CREATE TABLE transactions (batch_id BIGINT NOT NULL, line BIGINT NOT NULL, "
    "customer_id TEXT NOT NULL, day INTEGER NOT NULL, second_of_day INTEGER, amount {real}, "
    "quantity {real}, profit {real}, order_id TEXT, product TEXT, category TEXT, channel TEXT, "
    "region TEXT, extra TEXT, natural_key TEXT)",
    // Rows of the other inputs: their cells separated by U+001F (header in the batch's layout),
    // natural_key: the row's key (customer id, product id, channel + period, campaign id).
    "CREATE TABLE side_rows (kind TEXT NOT NULL, batch_id BIGINT NOT NULL, line BIGINT NOT NULL, "
    "natural_key TEXT, cells TEXT NOT NULL)",
    "CREATE INDEX side_rows_kind ON side_rows (kind, batch_id)",
    "CREATE TABLE rejected_rows (batch_id BIGINT NOT NULL, file TEXT NOT NULL, "
    "line BIGINT NOT NULL, column_name TEXT, found TEXT, reason TEXT NOT NULL, expected TEXT)",
    // One row per committed run; its tables in run_tables, its files (summary.json,
    // model.json, report.html) in run_files, its rows in the r_* tables.
    "CREATE TABLE runs (run_id BIGINT PRIMARY KEY, kind TEXT NOT NULL, status TEXT NOT NULL, "
    "started_at TEXT NOT NULL, finished_at TEXT NOT NULL, seconds {real} NOT NULL, "
    "watermark BIGINT NOT NULL, customers BIGINT NOT NULL, transactions BIGINT NOT NULL, "
    "model TEXT, refit TEXT, refit_decision TEXT, options TEXT NOT NULL, timings TEXT)",
    "CREATE TABLE run_tables (run_id BIGINT NOT NULL, table_key TEXT NOT NULL, "
    "sql_table TEXT NOT NULL, columns TEXT NOT NULL, row_count BIGINT NOT NULL, "
    "PRIMARY KEY (run_id, table_key))",
    "CREATE TABLE run_files (run_id BIGINT NOT NULL, name TEXT NOT NULL, content TEXT NOT NULL, "
    "PRIMARY KEY (run_id, name))",
};

// Version 2: products (brand and category: the partner portal scopes partners by brand), the
// per-customer running aggregates of incremental runs (and which batches they hold), the
// index that reads a customer's history, and natural-key deduplication.
constexpr std::string_view kVersion2[] = {
    "CREATE TABLE products (batch_id BIGINT NOT NULL, line BIGINT NOT NULL, "
    "product_id TEXT NOT NULL, name TEXT, brand TEXT, category TEXT)",
    "CREATE INDEX products_brand ON products (brand)",
    // The summary of each customer over every line of the batches in state_batches, with the
    // position of the customer's first line (its place in the log: first_batch, first_line).
    "CREATE TABLE customer_state (customer_id TEXT PRIMARY KEY, first_batch BIGINT NOT NULL, "
    "first_line BIGINT NOT NULL, first_row_day INTEGER NOT NULL, last_row_day INTEGER NOT NULL, "
    "purchase_days BIGINT NOT NULL, "
    "first_day INTEGER, last_day INTEGER, monetary_value {real}, revenue {real}, "
    "profit {real}, orders BIGINT)",
    "CREATE TABLE state_batches (batch_id BIGINT PRIMARY KEY)",
    "CREATE INDEX transactions_customer ON transactions (customer_id)",
    "CREATE UNIQUE INDEX transactions_natural_key ON transactions (natural_key) "
    "WHERE natural_key IS NOT NULL",
};

// Version 3 (the server, issue 19): users of `ltv serve` and their API tokens. brands: a JSON
// array (partners only). A token is stored only as the hex of its libsodium generic hash
// (BLAKE2b-256); expires_at / revoked_at are UTC ISO 8601 texts (null: never / not revoked).
constexpr std::string_view kVersion3[] = {
    "CREATE TABLE users (name TEXT PRIMARY KEY, role TEXT NOT NULL, brands TEXT NOT NULL, "
    "created_at TEXT NOT NULL)",
    "CREATE TABLE tokens (token_id BIGINT PRIMARY KEY, user_name TEXT NOT NULL, "
    "hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT)",
};

// Version 4 (the server's recalculations, issue 19): one row per job of `ltv serve` (POST
// /api/v1/runs or the --recalc-every timer), written when it starts and when it ends, so that a
// job interrupted by a crash of the server is reported failed after a restart (the server marks
// the rows still 'running' failed when it starts). status: running, committed, skipped, failed;
// run_id: the committed run.
constexpr std::string_view kVersion4[] = {
    "CREATE TABLE jobs (job_id BIGINT PRIMARY KEY, started_by TEXT NOT NULL, "
    "status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, step TEXT, "
    "run_id BIGINT, error TEXT, note TEXT)",
};

void run_all(Database& db, std::span<const std::string_view> statements) {
  for (std::string_view sql : statements) db.execute(typed(db, sql));
}

void set_meta(Database& db, std::string_view name, const std::string& value) {
  const SqlValue p[] = {std::string(name), value};
  if (db.execute("UPDATE ltv_meta SET value = $2 WHERE name = $1", p) == 0) {
    db.execute("INSERT INTO ltv_meta (name, value) VALUES ($1, $2)", p);
  }
}

}  // namespace

std::span<const std::string_view> schema_tables() noexcept {
  return kTables;
}

std::string utc_now() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

int stored_schema_version(Database& db) {
  if (!db.has_table("ltv_meta")) return 0;
  const SqlValue p[] = {std::string("schema_version")};
  const std::string v = query_text(db, "SELECT value FROM ltv_meta WHERE name = $1", p);
  return v.empty() ? 0 : std::stoi(v);
}

void create_schema(Database& db, int version) {
  run_all(db, kVersion1);
  set_meta(db, "schema_version", "1");
  set_meta(db, "created_at", utc_now());
  set_meta(db, "created_by", std::string("ltv ") + kVersion);
  if (version > 1) migrate_schema(db, 1);
}

void migrate_schema(Database& db, int from) {
  for (int v = from; v < kSchemaVersion; ++v) {
    switch (v + 1) {
      case 2:
        run_all(db, kVersion2);
        break;
      case 3:  // the server's users and tokens
        run_all(db, kVersion3);
        break;
      case 4:  // the server's recalculation jobs
        run_all(db, kVersion4);
        break;
      default:
        throw std::logic_error(fmt::format("no migration to schema version {}", v + 1));
    }
    set_meta(db, "schema_version", std::to_string(v + 1));
    set_meta(db, fmt::format("migrated_to_{}_at", v + 1), utc_now());
  }
}

std::string_view sql_type(const Database& db, ColumnType type) {
  switch (type) {
    case ColumnType::text:
      return "TEXT";
    case ColumnType::integer:
      return "BIGINT";
    case ColumnType::real:
      return db.real_type();
    case ColumnType::date:
      return db.date_type();
    case ColumnType::boolean:
      return db.boolean_type();
  }
  return "TEXT";
}

void ensure_result_table(Database& db, const std::string& table, const TableSpec& spec) {
  const std::vector<std::string> have = db.columns(table);
  if (have.empty()) {
    std::string sql = fmt::format(
        "CREATE TABLE {} (run_id BIGINT NOT NULL, row_index BIGINT NOT "
        "NULL",
        quote_identifier(table));
    for (const ColumnSpec& c : spec.columns) {
      sql += fmt::format(", {} {}", quote_identifier(c.name), sql_type(db, c.type));
    }
    sql += ", PRIMARY KEY (run_id, row_index))";
    db.execute(sql);
    return;
  }
  // A table of an earlier catalogue (or a matrix with fewer columns) gains the new columns; the
  // rows of earlier runs hold nulls there, and run_tables says which columns each run has.
  for (const ColumnSpec& c : spec.columns) {
    if (std::find(have.begin(), have.end(), c.name) != have.end()) continue;
    db.execute(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", quote_identifier(table),
                           quote_identifier(c.name), sql_type(db, c.type)));
  }
}

}  // namespace ltv::store
