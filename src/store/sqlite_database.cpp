// The Database interface over SQLite's C API (libsqlite3): WAL mode, prepared statements,
// multi-row INSERTs for bulk loads, BEGIN IMMEDIATE for writers (which wait for each other).
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

#include "database.hpp"
#include "ltv/dates.hpp"
#include "ltv/store/store.hpp"

namespace ltv::store {

namespace {

/// `$N` parameters (the store's spelling, PostgreSQL's) as SQLite's `?N`, outside quotes.
std::string sqlite_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '$' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      out += '?';
      continue;
    }
    out += c;
  }
  return out;
}

/// Appends a CSV field, quoted when it holds a comma, quote or line break.
void append_csv_field(std::string& out, std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += v;
    return;
  }
  out += '"';
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string shorten_sql(std::string_view sql) {
  std::string s(sql.substr(0, 120));
  std::replace(s.begin(), s.end(), '\n', ' ');
  return sql.size() > 120 ? s + "..." : s;
}

class SqliteDatabase;

class Statement {
 public:
  Statement(sqlite3* db, const std::string& name, std::string_view sql) : db_(db), name_(name) {
    const std::string text = sqlite_parameters(sql);
    if (sqlite3_prepare_v2(db, text.c_str(), static_cast<int>(text.size()), &stmt_, nullptr) !=
        SQLITE_OK) {
      fail(sql);
    }
    sql_ = std::string(sql);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  sqlite3_stmt* get() const noexcept { return stmt_; }

  void bind(int index, const SqlValue& v) {
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::monostate>(v)) {
      rc = sqlite3_bind_null(stmt_, index);
    } else if (const auto* i = std::get_if<std::int64_t>(&v)) {
      rc = sqlite3_bind_int64(stmt_, index, *i);
    } else if (const auto* d = std::get_if<double>(&v)) {
      rc = sqlite3_bind_double(stmt_, index, *d);
    } else {
      const std::string& s = std::get<std::string>(v);
      rc = sqlite3_bind_text(stmt_, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) fail(sql_);
  }
  void bind_all(std::span<const SqlValue> params) {
    for (std::size_t i = 0; i < params.size(); ++i) bind(static_cast<int>(i + 1), params[i]);
  }
  /// Steps once: true for a row, false when done.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(sql_);
  }
  void reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  [[noreturn]] void fail(std::string_view sql) const {
    throw DatabaseError(
        fmt::format("{}: {} (in: {})", name_, sqlite3_errmsg(db_), shorten_sql(sql)));
  }

 private:
  sqlite3* db_;
  const std::string& name_;
  sqlite3_stmt* stmt_ = nullptr;
  std::string sql_;
};

class SqliteRow final : public SqlRow {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  std::size_t size() const noexcept override {
    return static_cast<std::size_t>(sqlite3_column_count(stmt_));
  }
  bool is_null(std::size_t c) const override {
    return sqlite3_column_type(stmt_, static_cast<int>(c)) == SQLITE_NULL;
  }
  std::int64_t integer(std::size_t c) const override {
    return sqlite3_column_int64(stmt_, static_cast<int>(c));
  }
  double real(std::size_t c) const override {
    return sqlite3_column_double(stmt_, static_cast<int>(c));
  }
  std::string_view text(std::size_t c) const override {
    const auto* p = sqlite3_column_text(stmt_, static_cast<int>(c));
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p),
            static_cast<std::size_t>(sqlite3_column_bytes(stmt_, static_cast<int>(c)))};
  }

 private:
  sqlite3_stmt* stmt_;
};

/// Bulk insert through multi-row INSERT statements: rows are buffered (texts in one arena) and
/// bound kRows at a time, so a statement is stepped once per kRows rows.
class SqliteBulkWriter final : public BulkWriter {
 public:
  SqliteBulkWriter(sqlite3* db, const std::string& name, std::string_view table,
                   std::span<const std::string> columns)
      : db_(db), name_(name), width_(static_cast<int>(columns.size())) {
    prefix_ = fmt::format("INSERT INTO {} (", quote_identifier(table));
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i) prefix_ += ",";
      prefix_ += quote_identifier(columns[i]);
    }
    prefix_ += ") VALUES ";
    rows_per_statement_ = std::max(1, std::min(kRows, 32000 / std::max(width_, 1)));
    cells_.reserve(static_cast<std::size_t>(rows_per_statement_ * width_));
  }

  void null() override { cells_.push_back(Cell{Cell::null, 0, 0, 0, 0}); }
  void integer(std::int64_t v) override { cells_.push_back(Cell{Cell::integer, v, 0, 0, 0}); }
  void real(double v) override {
    if (!std::isfinite(v)) return null();
    cells_.push_back(Cell{Cell::real, 0, v, 0, 0});
  }
  void text(std::string_view v) override {
    cells_.push_back(Cell{Cell::text, 0, 0, arena_.size(), v.size()});
    arena_.append(v);
  }
  void boolean(bool v) override { integer(v ? 1 : 0); }
  void date(std::int32_t day) override { text(format_date(day)); }
  void end_row() override {
    if (++rows_ == rows_per_statement_) {
      if (!full_) full_ = prepare(rows_per_statement_);
      flush(*full_);
    }
  }
  void finish() override {
    if (rows_ == 0) return;
    flush(*prepare(rows_));
  }

 private:
  static constexpr int kRows = 100;
  struct Cell {
    enum Type : std::uint8_t { null, integer, real, text } type;
    std::int64_t i;
    double d;
    std::size_t offset, size;
  };
  std::unique_ptr<Statement> prepare(int rows) {
    std::string sql = prefix_;
    std::string one = "(";
    for (int c = 0; c < width_; ++c) one += c ? ",?" : "?";
    one += ")";
    for (int r = 0; r < rows; ++r) {
      if (r) sql += ",";
      sql += one;
    }
    return std::make_unique<Statement>(db_, name_, sql);
  }
  void flush(Statement& s) {
    if (cells_.size() != static_cast<std::size_t>(rows_ * width_)) {
      throw std::logic_error(fmt::format("bulk insert: {} values for {} rows of {} columns",
                                         cells_.size(), rows_, width_));
    }
    sqlite3_stmt* stmt = s.get();
    for (std::size_t k = 0; k < cells_.size(); ++k) {
      const Cell& c = cells_[k];
      const int index = static_cast<int>(k + 1);
      int rc = SQLITE_OK;
      switch (c.type) {
        case Cell::null:
          rc = sqlite3_bind_null(stmt, index);
          break;
        case Cell::integer:
          rc = sqlite3_bind_int64(stmt, index, c.i);
          break;
        case Cell::real:
          rc = sqlite3_bind_double(stmt, index, c.d);
          break;
        case Cell::text:
          rc = sqlite3_bind_text(stmt, index, arena_.data() + c.offset, static_cast<int>(c.size),
                                 SQLITE_STATIC);
          break;
      }
      if (rc != SQLITE_OK) {
        throw DatabaseError(fmt::format("{}: {} (bulk insert)", name_, sqlite3_errmsg(db_)));
      }
    }
    s.step();
    sqlite3_reset(stmt);
    cells_.clear();
    arena_.clear();
    rows_ = 0;
  }

  sqlite3* db_;
  const std::string& name_;
  int width_;
  std::string prefix_;
  int rows_per_statement_ = 1;
  std::unique_ptr<Statement> full_;
  std::vector<Cell> cells_;
  std::string arena_;
  int rows_ = 0;
};

class SqliteDatabase final : public Database {
 public:
  SqliteDatabase(const std::string& path, SqliteMode mode) : name_(path) {
    std::error_code ec;
    if (mode != SqliteMode::create && !std::filesystem::exists(path, ec)) {
      throw DatabaseError(
          mode == SqliteMode::existing
              ? fmt::format("{}: no such workspace (create one with `ltv init {}`)", path, path)
              : fmt::format("{}: no such database file", path));
    }
    const int flags =
        SQLITE_OPEN_NOMUTEX |
        (mode == SqliteMode::read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
        (mode == SqliteMode::create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      db_ = nullptr;
      throw DatabaseError(fmt::format("{}: cannot open: {}", path, why));
    }
    sqlite3_extended_result_codes(db_, 0);
    // Writers wait for each other (a concurrent ingest holds the write lock while it inserts).
    sqlite3_busy_timeout(db_, 10 * 60 * 1000);
    try {
      // The header check: a text file handed over as a database fails here, clearly.
      if (mode == SqliteMode::read_only) {
        execute("SELECT count(*) FROM sqlite_master", {});
        return;
      }
      execute("PRAGMA journal_mode=WAL", {});
      execute("PRAGMA synchronous=NORMAL", {});
      execute("PRAGMA cache_size=-131072", {});  // 128 MiB of page cache
      execute("PRAGMA temp_store=MEMORY", {});
    } catch (...) {
      sqlite3_close(db_);
      db_ = nullptr;
      throw;
    }
  }
  ~SqliteDatabase() override {
    if (in_transaction_) rollback();
    sqlite3_close_v2(db_);
  }

  Dialect dialect() const noexcept override { return Dialect::sqlite; }
  const std::string& name() const noexcept override { return name_; }

  std::int64_t execute(std::string_view sql, std::span<const SqlValue> params) override {
    Statement s(db_, name_, sql);
    s.bind_all(params);
    while (s.step()) {
    }
    return sqlite3_changes64(db_);
  }

  void scan(std::string_view sql, std::span<const SqlValue> params,
            const std::function<void(const SqlRow&)>& row) override {
    Statement s(db_, name_, sql);
    s.bind_all(params);
    SqliteRow r(s.get());
    while (s.step()) row(r);
  }

  std::unique_ptr<BulkWriter> bulk_insert(std::string_view table,
                                          std::span<const std::string> columns) override {
    return std::make_unique<SqliteBulkWriter>(db_, name_, table, columns);
  }

  void query_csv(std::string_view query, std::string& out) override {
    Statement s(db_, name_, query);
    sqlite3_stmt* stmt = s.get();
    const int n = sqlite3_column_count(stmt);
    for (int c = 0; c < n; ++c) {
      if (c) out += ',';
      append_csv_field(out, sqlite3_column_name(stmt, c));
    }
    out += '\n';
    char buf[32];
    while (s.step()) {
      for (int c = 0; c < n; ++c) {
        if (c) out += ',';
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            break;
          case SQLITE_INTEGER: {
            const auto r = std::to_chars(buf, buf + sizeof buf, sqlite3_column_int64(stmt, c));
            out.append(buf, r.ptr);
            break;
          }
          case SQLITE_FLOAT: {
            const auto r = std::to_chars(buf, buf + sizeof buf, sqlite3_column_double(stmt, c));
            out.append(buf, r.ptr);
            break;
          }
          default: {
            const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            append_csv_field(out, std::string_view(p ? p : "", static_cast<std::size_t>(
                                                                   sqlite3_column_bytes(stmt, c))));
          }
        }
      }
      out += '\n';
    }
  }

  void begin_write() override {
    execute("BEGIN IMMEDIATE", {});
    in_transaction_ = true;
  }
  void begin_read() override {
    execute("BEGIN", {});
    in_transaction_ = true;
    // The snapshot starts at the first read: take it now.
    execute("SELECT count(*) FROM sqlite_master", {});
  }
  void commit() override {
    execute("COMMIT", {});
    in_transaction_ = false;
  }
  void rollback() noexcept override {
    if (!in_transaction_) return;
    in_transaction_ = false;
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  bool in_transaction() const noexcept override { return in_transaction_; }

  bool has_table(std::string_view table) override {
    const SqlValue p[] = {std::string(table)};
    return query_integer(*this,
                         "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') "
                         "AND name = $1",
                         p, 0) > 0;
  }
  std::vector<std::string> columns(std::string_view table) override {
    std::vector<std::string> out;
    scan(fmt::format("PRAGMA table_info({})", quote_identifier(table)), {},
         [&](const SqlRow& r) { out.emplace_back(r.text(1)); });
    return out;
  }

  std::string_view real_type() const noexcept override { return "REAL"; }
  std::string_view date_type() const noexcept override { return "TEXT"; }
  std::string_view boolean_type() const noexcept override { return "INTEGER"; }

 private:
  std::string name_;
  sqlite3* db_ = nullptr;
  bool in_transaction_ = false;
};

}  // namespace

std::unique_ptr<Database> open_sqlite(const std::string& path, SqliteMode mode) {
  return std::make_unique<SqliteDatabase>(path, mode);
}

}  // namespace ltv::store
