// The Database interface over PostgreSQL's libpq: COPY FROM STDIN for bulk loads, COPY TO STDOUT
// for bulk reads (text format, streamed row by row), a transaction-level advisory lock that makes
// writers wait for each other, and one-line error messages that never show a password.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <cstring>

#include "database.hpp"
#include "ltv/dates.hpp"
#include "ltv/store/store.hpp"

namespace ltv::store {

namespace {

/// libpq's multi-line message on one line: "ERROR:  x\nDETAIL:  y\n" -> "ERROR: x; DETAIL: y".
std::string one_line(const char* message) {
  std::string out;
  std::string_view rest = message == nullptr ? "" : message;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    // Collapse runs of blanks; drop the caret line under a quoted statement.
    std::string cleaned;
    for (char c : line) {
      if ((c == ' ' || c == '\t') && (cleaned.empty() || cleaned.back() == ' ')) continue;
      cleaned += c == '\t' ? ' ' : c;
    }
    while (!cleaned.empty() && cleaned.back() == ' ') cleaned.pop_back();
    if (cleaned.empty() || cleaned == "^") continue;
    if (!out.empty()) out += "; ";
    out += cleaned;
  }
  return out;
}

std::string shorten_sql(std::string_view sql) {
  std::string s(sql.substr(0, 120));
  for (char& c : s) {
    if (c == '\n') c = ' ';
  }
  return sql.size() > 120 ? s + "..." : s;
}

std::string value_text(const SqlValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return {};
}

/// A row of COPY TO STDOUT text output: fields split at tabs, decoded on demand.
class CopyRow final : public SqlRow {
 public:
  void set(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    fields_.clear();
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
      if (i == line.size() || line[i] == '\t') {
        fields_.push_back(line.substr(start, i - start));
        start = i + 1;
      }
    }
    decoded_.resize(fields_.size());
  }
  std::size_t size() const noexcept override { return fields_.size(); }
  bool is_null(std::size_t c) const override { return fields_.at(c) == "\\N"; }
  std::int64_t integer(std::size_t c) const override {
    const std::string_view f = fields_.at(c);
    std::int64_t v = 0;
    if (f == "t") return 1;
    if (f == "f") return 0;
    std::from_chars(f.data(), f.data() + f.size(), v);
    return v;
  }
  double real(std::size_t c) const override {
    const std::string_view f = fields_.at(c);
    if (f == "\\N") return std::nan("");
    double v = 0;
    const auto r = std::from_chars(f.data(), f.data() + f.size(), v);
    if (r.ec != std::errc()) {
      if (f == "NaN") return std::nan("");
      if (f == "Infinity") return HUGE_VAL;
      if (f == "-Infinity") return -HUGE_VAL;
    }
    return v;
  }
  std::string_view text(std::size_t c) const override {
    const std::string_view f = fields_.at(c);
    if (f == "\\N") return {};
    if (f.find('\\') == std::string_view::npos) return f;
    decode_backslash_escapes(f, decoded_[c]);
    return decoded_[c];
  }

 private:
  std::vector<std::string_view> fields_;
  mutable std::vector<std::string> decoded_;
};

/// A row of a PGresult.
class ResultRow final : public SqlRow {
 public:
  explicit ResultRow(const PGresult* r) : r_(r) {}
  void set(int row) { row_ = row; }
  std::size_t size() const noexcept override { return static_cast<std::size_t>(PQnfields(r_)); }
  bool is_null(std::size_t c) const override {
    return PQgetisnull(r_, row_, static_cast<int>(c)) != 0;
  }
  std::int64_t integer(std::size_t c) const override {
    const std::string_view f = text(c);
    if (f == "t") return 1;
    if (f == "f") return 0;
    std::int64_t v = 0;
    std::from_chars(f.data(), f.data() + f.size(), v);
    return v;
  }
  double real(std::size_t c) const override {
    if (is_null(c)) return std::nan("");
    const std::string_view f = text(c);
    double v = 0;
    std::from_chars(f.data(), f.data() + f.size(), v);
    return v;
  }
  std::string_view text(std::size_t c) const override {
    const int ci = static_cast<int>(c);
    return {PQgetvalue(r_, row_, ci), static_cast<std::size_t>(PQgetlength(r_, row_, ci))};
  }

 private:
  const PGresult* r_;
  int row_ = 0;
};

struct ResultDeleter {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresDatabase;

/// COPY table (columns) FROM STDIN in text format, sent in blocks of about 1 MiB.
class CopyWriter final : public BulkWriter {
 public:
  CopyWriter(PGconn* conn, const std::string& name, std::string sql)
      : conn_(conn), name_(name), sql_(std::move(sql)) {
    Result r(PQexec(conn_, sql_.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COPY_IN) fail(r.get());
    open_ = true;
    buffer_.reserve(kBlock + 4096);
  }
  ~CopyWriter() override {
    if (open_) {  // abandoned: end the COPY with an error so the connection stays usable
      PQputCopyEnd(conn_, "abandoned");
      Result r(PQgetResult(conn_));
      while (Result more{PQgetResult(conn_)}) {
      }
    }
  }

  void null() override { field("\\N"); }
  void integer(std::int64_t v) override {
    char buf[24];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    field(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }
  void real(double v) override {
    if (!std::isfinite(v)) return null();
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest text that reads back
    field(std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)));
  }
  void text(std::string_view v) override {
    separator();
    for (char c : v) {
      switch (c) {
        case '\\':
          buffer_ += "\\\\";
          break;
        case '\t':
          buffer_ += "\\t";
          break;
        case '\n':
          buffer_ += "\\n";
          break;
        case '\r':
          buffer_ += "\\r";
          break;
        default:
          buffer_ += c;
      }
    }
  }
  void boolean(bool v) override { field(v ? "t" : "f"); }
  void date(std::int32_t day) override { field(format_date(day)); }
  void end_row() override {
    buffer_ += '\n';
    first_ = true;
    if (buffer_.size() >= kBlock) send();
  }
  void finish() override {
    send();
    open_ = false;
    if (PQputCopyEnd(conn_, nullptr) != 1) fail(nullptr);
    Result r(PQgetResult(conn_));
    const bool ok = PQresultStatus(r.get()) == PGRES_COMMAND_OK;
    while (Result more{PQgetResult(conn_)}) {
    }
    if (!ok) fail(r.get());
  }

 private:
  static constexpr std::size_t kBlock = std::size_t{1} << 20;
  void separator() {
    if (!first_) buffer_ += '\t';
    first_ = false;
  }
  void field(std::string_view v) {
    separator();
    buffer_ += v;
  }
  void send() {
    if (buffer_.empty()) return;
    if (PQputCopyData(conn_, buffer_.data(), static_cast<int>(buffer_.size())) != 1) fail(nullptr);
    buffer_.clear();
  }
  [[noreturn]] void fail(const PGresult* r) {
    open_ = false;
    const char* why = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    throw DatabaseError(fmt::format("{}: {} (in: {})", name_, one_line(why), shorten_sql(sql_)));
  }

  PGconn* conn_;
  const std::string& name_;
  std::string sql_;
  std::string buffer_;
  bool first_ = true;
  bool open_ = false;
};

class PostgresDatabase final : public Database {
 public:
  PostgresDatabase(const std::string& url, std::string display) : name_(std::move(display)) {
    // A server that does not answer fails after 10 s unless the URL says otherwise.
    const bool has_timeout = url.find("connect_timeout") != std::string::npos;
    const char* keys[] = {"dbname", "application_name", has_timeout ? nullptr : "connect_timeout",
                          nullptr};
    const char* values[] = {url.c_str(), "ltv", "10", nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      const std::string why = conn_ ? one_line(PQerrorMessage(conn_)) : "out of memory";
      PQfinish(conn_);
      conn_ = nullptr;
      throw DatabaseError(fmt::format("{}: cannot connect: {}", name_, why));
    }
    // Floats as the shortest text that reads back to the same double, ISO dates, UTF-8, and
    // no notices on stderr.
    execute(
        "SET extra_float_digits = 1; SET datestyle = 'ISO, YMD'; SET client_encoding = 'UTF8'; "
        "SET client_min_messages = warning",
        {});
  }
  ~PostgresDatabase() override {
    if (in_transaction_) rollback();
    PQfinish(conn_);
  }

  Dialect dialect() const noexcept override { return Dialect::postgresql; }
  const std::string& name() const noexcept override { return name_; }

  std::int64_t execute(std::string_view sql, std::span<const SqlValue> params) override {
    Result r = run(sql, params);
    const char* n = PQcmdTuples(r.get());
    return n != nullptr && *n != 0 ? std::atoll(n) : 0;
  }

  void scan(std::string_view sql, std::span<const SqlValue> params,
            const std::function<void(const SqlRow&)>& row) override {
    if (!params.empty()) {
      Result r = run(sql, params);
      ResultRow rr(r.get());
      for (int i = 0; i < PQntuples(r.get()); ++i) {
        rr.set(i);
        row(rr);
      }
      return;
    }
    // Streamed: COPY (query) TO STDOUT hands the rows over one at a time.
    const std::string copy = fmt::format("COPY ({}) TO STDOUT", sql);
    Result start(PQexec(conn_, copy.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_OUT) fail(start.get(), sql);
    CopyRow cr;
    std::exception_ptr error;
    for (;;) {
      char* buffer = nullptr;
      const int n = PQgetCopyData(conn_, &buffer, 0);
      if (n < 0) break;
      if (!error) {
        try {
          cr.set(std::string_view(buffer, static_cast<std::size_t>(n)));
          row(cr);
        } catch (...) {
          error = std::current_exception();  // drain the COPY first: the connection stays usable
        }
      }
      PQfreemem(buffer);
    }
    Result end(PQgetResult(conn_));
    const bool ok = PQresultStatus(end.get()) == PGRES_COMMAND_OK;
    while (Result more{PQgetResult(conn_)}) {
    }
    if (error) std::rethrow_exception(error);
    if (!ok) fail(end.get(), sql);
  }

  void query_csv(std::string_view query, std::string& out) override {
    const std::string copy = fmt::format("COPY ({}) TO STDOUT (FORMAT csv, HEADER true)", query);
    Result start(PQexec(conn_, copy.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_OUT) fail(start.get(), query);
    for (;;) {
      char* buffer = nullptr;
      const int n = PQgetCopyData(conn_, &buffer, 0);
      if (n < 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
      PQfreemem(buffer);
    }
    Result end(PQgetResult(conn_));
    const bool ok = PQresultStatus(end.get()) == PGRES_COMMAND_OK;
    while (Result more{PQgetResult(conn_)}) {
    }
    if (!ok) fail(end.get(), query);
  }

  std::unique_ptr<BulkWriter> bulk_insert(std::string_view table,
                                          std::span<const std::string> columns) override {
    std::string sql = fmt::format("COPY {} (", quote_identifier(table));
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i) sql += ",";
      sql += quote_identifier(columns[i]);
    }
    sql += ") FROM STDIN";
    return std::make_unique<CopyWriter>(conn_, name_, std::move(sql));
  }

  void begin_write() override {
    execute("BEGIN", {});
    in_transaction_ = true;
    // Writers of one workspace database wait for each other (batch and run ids are the next
    // number, and a run's aggregates are updated by one writer at a time).
    execute("SELECT pg_advisory_xact_lock(7108450)", {});
  }
  void begin_read() override {
    // Not READ ONLY: a run's reads build a temporary table of the customers it recomputes.
    execute("BEGIN ISOLATION LEVEL REPEATABLE READ", {});
    in_transaction_ = true;
  }
  void commit() override {
    execute("COMMIT", {});
    in_transaction_ = false;
  }
  void rollback() noexcept override {
    if (!in_transaction_) return;
    in_transaction_ = false;
    Result r(PQexec(conn_, "ROLLBACK"));
  }
  bool in_transaction() const noexcept override { return in_transaction_; }

  bool has_table(std::string_view table) override {
    const SqlValue p[] = {std::string(table)};
    return query_integer(*this,
                         "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                         "current_schema() AND table_name = $1",
                         p, 0) > 0;
  }
  std::vector<std::string> columns(std::string_view table) override {
    std::vector<std::string> out;
    const SqlValue p[] = {std::string(table)};
    scan(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND table_name = $1 ORDER BY ordinal_position",
        p, [&](const SqlRow& r) { out.emplace_back(r.text(0)); });
    return out;
  }

  std::string_view real_type() const noexcept override { return "DOUBLE PRECISION"; }
  std::string_view date_type() const noexcept override { return "DATE"; }
  std::string_view boolean_type() const noexcept override { return "BOOLEAN"; }

 private:
  Result run(std::string_view sql, std::span<const SqlValue> params) {
    const std::string text(sql);
    Result r;
    if (params.empty()) {
      r.reset(PQexec(conn_, text.c_str()));
    } else {
      std::vector<std::string> values;
      std::vector<const char*> pointers;
      values.reserve(params.size());
      for (const SqlValue& v : params) values.push_back(value_text(v));
      for (std::size_t i = 0; i < params.size(); ++i) {
        pointers.push_back(std::holds_alternative<std::monostate>(params[i]) ? nullptr
                                                                             : values[i].c_str());
      }
      r.reset(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                           pointers.data(), nullptr, nullptr, 0));
    }
    const ExecStatusType status = PQresultStatus(r.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) fail(r.get(), sql);
    return r;
  }
  [[noreturn]] void fail(const PGresult* r, std::string_view sql) {
    std::string why = one_line(r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
    if (why.empty()) why = one_line(PQerrorMessage(conn_));
    throw DatabaseError(fmt::format("{}: {} (in: {})", name_, why, shorten_sql(sql)));
  }

  std::string name_;
  PGconn* conn_ = nullptr;
  bool in_transaction_ = false;
};

}  // namespace

std::unique_ptr<Database> open_postgres(const std::string& url, const std::string& display) {
  return std::make_unique<PostgresDatabase>(url, display);
}

}  // namespace ltv::store
