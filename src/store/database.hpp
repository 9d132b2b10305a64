#pragma once
// The one interface the workspace store talks to a database through, with two implementations:
// SQLite through its C API (sqlite_database.cpp) and PostgreSQL through libpq
// (postgres_database.cpp). Everything above it (schema and migrations, ingest, runs, reading
// inputs back, export) is written once against this interface; what differs between the two
// databases — connecting, locking, bulk load (prepared INSERT vs COPY FROM STDIN), bulk read
// (stepping a statement vs COPY TO STDOUT), column types — lives below it.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ltv::store {

enum class Dialect { sqlite, postgresql };

/// A statement parameter.
using SqlValue = std::variant<std::monostate, std::int64_t, double, std::string>;

/// One row of a scan, valid during the callback only.
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual std::size_t size() const noexcept = 0;
  virtual bool is_null(std::size_t column) const = 0;
  virtual std::int64_t integer(std::size_t column) const = 0;
  virtual double real(std::size_t column) const = 0;
  virtual std::string_view text(std::size_t column) const = 0;
};

/// Rows appended to one table, value by value in column order, then end_row(). finish() must be
/// called (PostgreSQL: ends the COPY); a writer dropped without finish() abandons the rows and
/// the enclosing transaction must be rolled back.
class BulkWriter {
 public:
  virtual ~BulkWriter() = default;
  virtual void null() = 0;
  virtual void integer(std::int64_t value) = 0;
  /// A non-finite value is written as null.
  virtual void real(double value) = 0;
  virtual void text(std::string_view value) = 0;
  virtual void boolean(bool value) = 0;
  /// A day number: SQLite stores the text YYYY-MM-DD, PostgreSQL a date.
  virtual void date(std::int32_t day) = 0;
  virtual void end_row() = 0;
  virtual void finish() = 0;
};

/// A connection. Methods throw DatabaseError (ltv/store/store.hpp) naming the database (never
/// its password) and the statement that failed.
class Database {
 public:
  virtual ~Database() = default;
  virtual Dialect dialect() const noexcept = 0;
  /// The database for messages: a file name, or a URL with its password masked.
  virtual const std::string& name() const noexcept = 0;

  /// Runs one statement; returns the number of rows it changed. Parameters are written $1, $2,
  /// ... in both dialects.
  virtual std::int64_t execute(std::string_view sql, std::span<const SqlValue> params = {}) = 0;
  /// Runs a query and hands each row to `row`. PostgreSQL streams a query without parameters
  /// through COPY TO STDOUT.
  virtual void scan(std::string_view sql, std::span<const SqlValue> params,
                    const std::function<void(const SqlRow&)>& row) = 0;
  /// Appends the result of `query` to `out` as CSV text (RFC 4180, comma, LF) with a header line
  /// of its column names: how a user's database is read with the CSV loader's column mapping and
  /// validation. PostgreSQL streams it with COPY (...) TO STDOUT (FORMAT csv, HEADER).
  virtual void query_csv(std::string_view query, std::string& out) = 0;
  /// Appends rows to `table` (columns in this order).
  virtual std::unique_ptr<BulkWriter> bulk_insert(std::string_view table,
                                                  std::span<const std::string> columns) = 0;

  /// Starts a write transaction that excludes every other writer until commit or rollback
  /// (SQLite: BEGIN IMMEDIATE, waiting for a busy database; PostgreSQL: BEGIN and a
  /// transaction-level advisory lock).
  virtual void begin_write() = 0;
  /// Starts a read-only transaction that sees one consistent snapshot.
  virtual void begin_read() = 0;
  virtual void commit() = 0;
  /// Rolls back the open transaction, if any. Never throws.
  virtual void rollback() noexcept = 0;
  virtual bool in_transaction() const noexcept = 0;

  /// True when the table exists.
  virtual bool has_table(std::string_view table) = 0;
  /// The table's column names, in order (empty when it does not exist).
  virtual std::vector<std::string> columns(std::string_view table) = 0;

  /// SQL type names of this dialect.
  virtual std::string_view real_type() const noexcept = 0;     ///< a 64-bit float
  virtual std::string_view date_type() const noexcept = 0;     ///< for result dates
  virtual std::string_view boolean_type() const noexcept = 0;  ///< for result booleans
};

/// How a SQLite file is opened.
enum class SqliteMode {
  create,     ///< a workspace: created when missing, WAL mode
  existing,   ///< a workspace that must exist, WAL mode
  read_only,  ///< a user's database: read only, its settings left as they are
};
/// Opens a SQLite database file.
std::unique_ptr<Database> open_sqlite(const std::string& path, SqliteMode mode);
/// Connects to PostgreSQL. `url` is a libpq connection URI; `display` names it in messages.
std::unique_ptr<Database> open_postgres(const std::string& url, const std::string& display);

/// A write or read transaction that rolls back unless committed.
class Transaction {
 public:
  enum class Kind { read, write };
  Transaction(Database& db, Kind kind) : db_(db) {
    if (kind == Kind::write) {
      db_.begin_write();
    } else {
      db_.begin_read();
    }
  }
  ~Transaction() {
    if (!done_) db_.rollback();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    db_.commit();
    done_ = true;
  }

 private:
  Database& db_;
  bool done_ = false;
};

/// Quotes an identifier ("name", with inner quotes doubled).
std::string quote_identifier(std::string_view name);

/// Helpers over scan(): the first column of the first row, or the fallback.
std::int64_t query_integer(Database& db, std::string_view sql, std::span<const SqlValue> params,
                           std::int64_t fallback);
std::string query_text(Database& db, std::string_view sql, std::span<const SqlValue> params,
                       std::string fallback = {});

/// Decodes one text field with backslash escapes into `out` (cleared first): \b \f \n \r \t \v,
/// \xHH, octal \ooo (so \0 is NUL), and a backslash before any other character stands for that
/// character (\\, \'). The escapes of PostgreSQL's COPY text format and of ClickHouse's
/// TabSeparated output, which write a subset of these.
void decode_backslash_escapes(std::string_view field, std::string& out);

}  // namespace ltv::store
