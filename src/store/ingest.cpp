// Ingest: one input becomes one batch of a workspace, in one transaction (see
// ltv/store/ingest.hpp and docs/store.md).
#include "ltv/store/ingest.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <unordered_set>

#include "database.hpp"
#include "ltv/analytics/periods.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/numbers.hpp"
#include "ltv/io/table.hpp"
#include "ltv/store/source.hpp"
#include "schema.hpp"
#include "store_internal.hpp"

namespace ltv::store {

namespace {

// ------------------------------------------------------------------------------ content hash

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) {
    if (ctx_ == nullptr || EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) != 1) {
      throw std::runtime_error("SHA-256 is not available");
    }
  }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, std::size_t n) { EVP_DigestUpdate(ctx_, data, n); }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx_, digest, &n);
    std::string out;
    for (unsigned int i = 0; i < n; ++i) out += fmt::format("{:02x}", digest[i]);
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
};

std::string hash_text(std::string_view text) {
  Sha256 h;
  h.update(text.data(), text.size());
  return h.hex();
}

std::string hash_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) input_error({path, 0, ""}, "a file that cannot be opened", "a readable file");
  Sha256 h;
  std::vector<char> buffer(std::size_t{1} << 20);
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), f)) > 0) h.update(buffer.data(), n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) input_error({path, 0, ""}, "a read error", "a readable file");
  return h.hex();
}

/// An input: a file read in place, or text (standard input, a user database's rows as CSV).
struct Input {
  std::string name;             ///< for messages and the batch's `file`
  std::string path;             ///< a file read in place, or empty
  std::string text;             ///< the text otherwise
  std::int64_t first_line = 1;  ///< line number of the header (0 for a database: rows by number)
  std::string hash;
};

Input open_input(const TransactionSource& source) {
  Input in;
  in.name = source.path;
  switch (source.kind) {
    case TransactionSource::Kind::file:
      if (source.path == "-") {
        in.text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
        in.hash = hash_text(in.text);
      } else {
        in.path = source.path;
        in.hash = hash_file(source.path);
      }
      break;
    case TransactionSource::Kind::database:
      in.text = read_database_csv(source.location, source.query, source.table);
      in.first_line = 0;
      in.hash = hash_text(in.text);
      break;
    case TransactionSource::Kind::workspace:
      parameter_error("file", source.path,
                      "a file or a query of a database (--query / --source-table) to ingest, not "
                      "a workspace");
    case TransactionSource::Kind::memory:
      parameter_error("file", source.path, "a file or a query of a database to ingest");
  }
  return in;
}

std::optional<std::int64_t> batch_with_hash(Database& db, InputKind kind, const std::string& hash) {
  std::optional<std::int64_t> out;
  const SqlValue p[] = {std::string(to_string(kind)), hash};
  db.scan("SELECT batch_id FROM batches WHERE kind = $1 AND content_hash = $2", p,
          [&](const SqlRow& r) { out = r.integer(0); });
  return out;
}

std::int64_t next_batch_id(Database& db) {
  return query_integer(db, "SELECT max(batch_id) FROM batches", {}, 0) + 1;
}

void insert_batch(Database& db, std::int64_t id, InputKind kind, const Input& in,
                  const IngestReport& r, const nlohmann::ordered_json& layout,
                  const nlohmann::ordered_json& parameters) {
  const SqlValue p[] = {id,
                        std::string(to_string(kind)),
                        in.name,
                        in.hash,
                        utc_now(),
                        r.rows_read,
                        r.rows_loaded,
                        r.rows_rejected,
                        r.rows_duplicate,
                        r.first_day ? SqlValue{std::int64_t{*r.first_day}} : SqlValue{},
                        r.last_day ? SqlValue{std::int64_t{*r.last_day}} : SqlValue{},
                        layout.dump(),
                        parameters.dump()};
  db.execute(
      "INSERT INTO batches (batch_id, kind, file, content_hash, ingested_at, rows_read, "
      "rows_loaded, rows_rejected, rows_duplicate, first_day, last_day, layout, options) VALUES "
      "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      p);
}

void insert_rejected(Database& db, std::int64_t batch, const std::string& file,
                     const std::vector<RejectedRow>& rows) {
  if (rows.empty()) return;
  const std::string columns[] = {"batch_id", "file",   "line",    "column_name",
                                 "found",    "reason", "expected"};
  auto w = db.bulk_insert("rejected_rows", columns);
  for (const RejectedRow& r : rows) {
    w->integer(batch);
    w->text(file);
    w->integer(r.line);
    if (r.column.empty()) {
      w->null();
    } else {
      w->text(r.column);
    }
    w->text(r.text);
    w->text(r.reason);
    w->text(r.expected);
    w->end_row();
  }
  w->finish();
}

/// A cell holding the separator of stored cells cannot be stored.
bool has_separator(std::string_view text) {
  return text.find(kCellSeparator) != std::string_view::npos;
}

// ---------------------------------------------------------------------------- transactions

/// The column of the log a natural-key name refers to.
struct KeyPart {
  enum class Kind { customer, day, categorical } kind = Kind::customer;
  const CategoricalColumn* column = nullptr;
};

std::vector<KeyPart> resolve_key(const TransactionLog& log, const IngestOptions& o,
                                 const std::string& file) {
  std::vector<KeyPart> parts;
  const std::pair<const char*, const std::optional<CategoricalColumn>*> roles[] = {
      {"order", &log.order},
      {"product", &log.product},
      {"category", &log.category},
      {"channel", &log.channel},
      {"region", &log.region}};
  for (const std::string& name : o.key) {
    if (name == "customer" || name == o.load.columns.customer) {
      parts.push_back({KeyPart::Kind::customer, nullptr});
      continue;
    }
    if (name == "date" || name == o.load.columns.date) {
      parts.push_back({KeyPart::Kind::day, nullptr});
      continue;
    }
    const CategoricalColumn* found = nullptr;
    for (const auto& [role, column] : roles) {
      if (column->has_value() && (name == role || (*column)->name == name)) found = &**column;
    }
    for (const auto& column : log.extra) {
      if (found == nullptr && column.name == name) found = &column;
    }
    if (found == nullptr) {
      std::string known = "customer, date";
      for (const auto& [role, column] : roles) {
        if (column->has_value()) known += ", " + (*column)->name;
      }
      for (const auto& column : log.extra) known += ", " + column.name;
      parameter_error("key", name, fmt::format("a column of {}: {}", file, known));
    }
    parts.push_back({KeyPart::Kind::categorical, found});
  }
  return parts;
}

nlohmann::ordered_json log_layout(const TransactionLog& log, const LoadOptions& lo) {
  nlohmann::ordered_json layout;
  layout["has"] = {{"amount", log.has_amount()},
                   {"quantity", !log.quantity.empty()},
                   {"profit", log.has_profit()},
                   {"time", !log.second_of_day.empty()}};
  nlohmann::ordered_json roles = nlohmann::ordered_json::object();
  roles["customer"] = lo.columns.customer;
  roles["date"] = lo.columns.date;
  const std::pair<const char*, const std::optional<CategoricalColumn>*> named[] = {
      {"order", &log.order},
      {"product", &log.product},
      {"category", &log.category},
      {"channel", &log.channel},
      {"region", &log.region}};
  for (const auto& [role, column] : named) {
    if (column->has_value()) roles[role] = (*column)->name;
  }
  layout["roles"] = roles;
  nlohmann::ordered_json extra = nlohmann::ordered_json::array();
  for (const auto& c : log.extra) extra.push_back(c.name);
  layout["extra"] = extra;
  return layout;
}

/// A transactions batch must hold the same kinds of values as the workspace's first one, so
/// that the workspace reads back as one log.
void check_layout(Database& db, const nlohmann::ordered_json& layout, const std::string& file) {
  std::string first;
  db.scan("SELECT layout FROM batches WHERE kind = 'transactions' ORDER BY batch_id", {},
          [&](const SqlRow& r) {
            if (first.empty()) first = std::string(r.text(0));
          });
  if (first.empty()) return;
  const TransactionLayout have = transaction_layout(nlohmann::json::parse(first));
  const TransactionLayout now = transaction_layout(nlohmann::json::parse(layout.dump()));
  auto describe = [](const TransactionLayout& t) {
    std::string out = "customer, date";
    if (t.amount) out += ", amount";
    if (t.quantity) out += ", quantity";
    if (t.profit) out += ", profit";
    for (const auto& [role, column] : t.roles) out += ", " + role;
    return out;
  };
  std::vector<std::string> roles_have, roles_now;
  for (const auto& r : have.roles) roles_have.push_back(r.first);
  for (const auto& r : now.roles) roles_now.push_back(r.first);
  if (have.amount != now.amount || have.quantity != now.quantity || have.profit != now.profit ||
      roles_have != roles_now) {
    input_error({file, 0, ""}, "columns " + describe(now),
                fmt::format("the columns of the workspace's transactions ({}): map the same "
                            "roles (--amount, --order, --product, ...)",
                            describe(have)));
  }
}

IngestReport ingest_transactions(WorkspaceStore& ws, const Input& in, const IngestOptions& o,
                                 IngestReport report) {
  Database& db = ws.database();
  LoadOptions lo = o.load;
  lo.keep_lines = true;
  lo.keep_rejected = true;
  lo.keep_extra_columns = true;
  LoadReport load;
  TransactionLog log;
  if (!in.path.empty()) {
    log = load_transactions(in.path, lo, load);
  } else {
    CsvOptions csv = lo.csv;
    csv.allow_ragged = true;
    if (in.first_line == 0) {  // a database's rows as CSV
      csv.delimiter = Delimiter::comma;
      csv.has_header = true;
    }
    CsvReader reader = CsvReader::from_range(in.text, csv, in.name, in.first_line);
    log = load_transactions(reader, lo, load);
  }
  if (load.rows_read == 0) {
    input_error({in.name, 0, ""}, "no rows", "at least one transaction row");
  }
  report.rows_read = load.rows_read;
  report.rows_rejected = static_cast<std::int64_t>(load.rejected.size());
  report.customers = static_cast<std::int64_t>(log.customer_count());
  report.first_day = load.first_day;
  report.last_day = load.last_day;
  const nlohmann::ordered_json layout = log_layout(log, lo);
  const std::vector<KeyPart> key = resolve_key(log, o, in.name);
  for (const auto& e : log.extra) {
    for (const auto& v : e.values) {
      if (has_separator(v)) {
        input_error({in.name, 0, e.name}, "a control character U+001F", "text without it");
      }
    }
  }

  Transaction tx(db, Transaction::Kind::write);
  if (const auto already = batch_with_hash(db, InputKind::transactions, in.hash)) {
    report.already = *already;  // ingested meanwhile by another process
    report.load = std::move(load);
    return report;
  }
  check_layout(db, layout, in.name);
  const std::int64_t batch = next_batch_id(db);
  const std::string table = key.empty() ? "transactions" : "ltv_staging";
  if (!key.empty()) {
    db.execute(fmt::format(
        "CREATE TEMPORARY TABLE ltv_staging (batch_id BIGINT, line BIGINT, customer_id TEXT, "
        "day INTEGER, second_of_day INTEGER, amount {0}, quantity {0}, profit {0}, order_id TEXT, "
        "product TEXT, category TEXT, channel TEXT, region TEXT, extra TEXT, natural_key TEXT)",
        db.real_type()));
  }
  {
    const std::string columns[] = {"batch_id",      "line",    "customer_id", "day",
                                   "second_of_day", "amount",  "quantity",    "profit",
                                   "order_id",      "product", "category",    "channel",
                                   "region",        "extra",   "natural_key"};
    auto w = db.bulk_insert(table, columns);
    const std::optional<CategoricalColumn>* categorical[] = {
        &log.order, &log.product, &log.category, &log.channel, &log.region};
    const bool time = !log.second_of_day.empty();
    std::string joined;
    for (std::size_t i = 0; i < log.size(); ++i) {
      w->integer(batch);
      w->integer(log.line[i]);
      w->text(log.customer_ids[log.customer[i]]);
      w->integer(log.day[i]);
      if (time) {
        w->integer(log.second_of_day[i]);
      } else {
        w->null();
      }
      if (log.has_amount()) {
        w->real(log.amount[i]);
      } else {
        w->null();
      }
      if (!log.quantity.empty()) {
        w->real(log.quantity[i]);
      } else {
        w->null();
      }
      if (log.has_profit()) {
        w->real(log.profit[i]);
      } else {
        w->null();
      }
      for (const auto* c : categorical) {
        if (c->has_value()) {
          w->text((*c)->values[(*c)->codes[i]]);
        } else {
          w->null();
        }
      }
      if (log.extra.empty()) {
        w->null();
      } else {
        joined.clear();
        for (std::size_t e = 0; e < log.extra.size(); ++e) {
          if (e) joined += kCellSeparator;
          joined += log.extra[e].values[log.extra[e].codes[i]];
        }
        w->text(joined);
      }
      if (key.empty()) {
        w->null();
      } else {
        joined.clear();
        for (std::size_t k = 0; k < key.size(); ++k) {
          if (k) joined += kCellSeparator;
          switch (key[k].kind) {
            case KeyPart::Kind::customer:
              joined += log.customer_ids[log.customer[i]];
              break;
            case KeyPart::Kind::day:
              joined += std::to_string(log.day[i]);
              if (time) joined += ":" + std::to_string(log.second_of_day[i]);
              break;
            case KeyPart::Kind::categorical:
              joined += key[k].column->values[key[k].column->codes[i]];
              break;
          }
        }
        w->text(joined);
      }
      w->end_row();
    }
    w->finish();
  }
  std::int64_t stored = static_cast<std::int64_t>(log.size());
  if (!key.empty()) {
    // First row of a key wins: within the file (input order) and against earlier batches.
    stored = db.execute(
        "INSERT INTO transactions SELECT * FROM ltv_staging WHERE true ORDER BY line "
        "ON CONFLICT (natural_key) WHERE natural_key IS NOT NULL DO NOTHING");
    db.execute("DROP TABLE ltv_staging");
  }
  report.rows_loaded = stored;
  report.rows_duplicate = static_cast<std::int64_t>(log.size()) - stored;
  insert_rejected(db, batch, in.name, load.rejected);
  insert_batch(db, batch, InputKind::transactions, in, report, layout, o.parameters);
  tx.commit();
  report.batch = batch;
  report.load = std::move(load);
  return report;
}

// --------------------------------------------------------------------------- other inputs

/// A column of a side input: its canonical name, the parameter that names it, whether it must
/// be present.
struct SideColumn {
  const char* name;
  const char* parameter;
  bool required;
};

std::vector<SideColumn> side_columns(InputKind kind) {
  switch (kind) {
    case InputKind::customers:
    case InputKind::suppress:
      return {{"customer_id", "customer", true}};
    case InputKind::products:
      return {{"product_id", "product", true},
              {"name", "product_name", false},
              {"brand", "brand", false},
              {"category", "category", false}};
    case InputKind::spend:
      return {{"channel", "channel", true}, {"period", "period", true}, {"spend", "amount", true}};
    case InputKind::nps:
      return {{"customer_id", "customer", true},
              {"date", "date", true},
              {"score", "score", true},
              {"comment", "comment", false},
              {"channel", "channel", false}};
    case InputKind::contacts:
      return {
          {"customer_id", "customer", true}, {"date", "date", true}, {"channel", "channel", false}};
    case InputKind::campaigns:
      return {{"campaign_id", "campaign", true}};
    case InputKind::transactions:
      break;
  }
  return {};
}

IngestReport ingest_side(WorkspaceStore& ws, const Input& in, const IngestOptions& o,
                         IngestReport report) {
  Database& db = ws.database();
  CsvOptions csv = o.load.csv;
  if (in.first_line == 0) {
    csv.delimiter = Delimiter::comma;
    csv.has_header = true;
  }
  Table t = in.path.empty() ? read_table_text(in.text, csv, in.name) : read_table(in.path, csv);
  if (in.first_line == 0) {
    for (auto& line : t.lines) --line;  // rows by number
  }
  const bool skip = o.load.on_error == ErrorPolicy::skip;
  // Map the kind's columns: the input column named by its parameter becomes the canonical name.
  std::map<std::string, std::size_t> column_of;
  for (const SideColumn& c : side_columns(o.kind)) {
    const auto it = o.columns.find(c.name);
    const std::string wanted = it == o.columns.end() ? c.name : it->second;
    const auto index = t.find(wanted);
    if (!index) {
      if (!c.required && it == o.columns.end()) continue;
      std::string names;
      for (const auto& n : t.names) {
        if (!names.empty()) names += ", ";
        names += n;
      }
      parameter_error(c.parameter, wanted, fmt::format("a column of {}: {}", in.name, names));
    }
    column_of[c.name] = *index;
  }
  std::vector<std::string> header = t.names;
  for (const auto& [name, index] : column_of) {
    const auto clash = std::find(header.begin(), header.end(), name);
    if (clash != header.end() && static_cast<std::size_t>(clash - header.begin()) != index) {
      input_error({in.name, 1, name}, "a second column named " + name,
                  fmt::format("one column {} (rename it or map another with its option)", name));
    }
    header[index] = name;
  }
  for (const auto& n : header) {
    if (has_separator(n)) input_error({in.name, 1, n}, "a control character U+001F", "a name");
  }

  // Validate the rows: a bad one fails the file (--on-error fail) or is rejected (skip).
  std::vector<RejectedRow> rejected;
  std::vector<std::uint8_t> bad(t.rows(), 0);
  const auto problem = [&](std::size_t row, const std::string& column, const std::string& text,
                           const std::string& reason, const std::string& expected) {
    if (!skip) input_error({in.name, t.lines[row], column}, text, expected);
    if (!bad[row]) rejected.push_back(RejectedRow{t.lines[row], column, text, reason, expected});
    bad[row] = 1;
  };
  const auto cell = [&](const char* name, std::size_t row) -> const std::string* {
    const auto it = column_of.find(name);
    return it == column_of.end() ? nullptr : &t.columns[it->second][row];
  };
  for (std::size_t row = 0; row < t.rows(); ++row) {
    for (std::size_t c = 0; c < t.names.size(); ++c) {
      if (has_separator(t.columns[c][row])) {
        problem(row, header[c], "a control character U+001F", "control character",
                "text without it");
      }
    }
    for (const SideColumn& c : side_columns(o.kind)) {
      const std::string* v = cell(c.name, row);
      if (v == nullptr) continue;
      const std::string name = c.name;
      if (c.required && v->empty() && name != "spend") {
        problem(row, name, "", "missing " + name, "a value");
        continue;
      }
      if (name == "date" && !parse_datetime(*v, DateFormat{})) {
        problem(row, name, *v, "invalid date", "a date like YYYY-MM-DD");
      } else if (name == "score") {
        const auto score = parse_number(*v);
        if (!score || *score != std::floor(*score) || *score < 0 || *score > 10) {
          problem(row, name, *v, "invalid score", "an integer score from 0 to 10");
        }
      } else if (name == "spend") {
        const auto amount = parse_number(*v, o.load.decimal_comma);
        if (!amount || !std::isfinite(*amount)) {
          problem(row, name, *v, "invalid spend", "a number like 1234.56");
        }
      } else if (name == "period") {
        try {
          parse_period(*v, PeriodUnit::month);
        } catch (const InputError&) {
          problem(row, name, *v, "invalid period", "a month like 2024-01");
        }
      }
    }
  }
  if (t.rows() == 0) input_error({in.name, 0, ""}, "no rows", "at least one row");

  Transaction tx(db, Transaction::Kind::write);
  if (const auto already = batch_with_hash(db, o.kind, in.hash)) {
    report.already = *already;
    return report;
  }
  const std::int64_t batch = next_batch_id(db);
  std::int64_t stored = 0;
  {
    const std::string columns[] = {"kind", "batch_id", "line", "natural_key", "cells"};
    auto w = db.bulk_insert("side_rows", columns);
    std::string joined;
    for (std::size_t row = 0; row < t.rows(); ++row) {
      if (bad[row]) continue;
      w->text(to_string(o.kind));
      w->integer(batch);
      w->integer(t.lines[row]);
      switch (o.kind) {
        case InputKind::customers:
        case InputKind::suppress:
          w->text(*cell("customer_id", row));
          break;
        case InputKind::products:
          w->text(*cell("product_id", row));
          break;
        case InputKind::campaigns:
          w->text(*cell("campaign_id", row));
          break;
        case InputKind::spend:
          w->text(*cell("channel", row) + kCellSeparator + *cell("period", row));
          break;
        default:
          w->null();
      }
      joined.clear();
      for (std::size_t c = 0; c < t.names.size(); ++c) {
        if (c) joined += kCellSeparator;
        joined += t.columns[c][row];
      }
      w->text(joined);
      w->end_row();
      ++stored;
    }
    w->finish();
  }
  if (o.kind == InputKind::products) {
    const std::string columns[] = {"batch_id", "line", "product_id", "name", "brand", "category"};
    auto w = db.bulk_insert("products", columns);
    for (std::size_t row = 0; row < t.rows(); ++row) {
      if (bad[row]) continue;
      w->integer(batch);
      w->integer(t.lines[row]);
      for (const char* name : {"product_id", "name", "brand", "category"}) {
        const std::string* v = cell(name, row);
        if (v == nullptr) {
          w->null();
        } else {
          w->text(*v);
        }
      }
      w->end_row();
    }
    w->finish();
  }
  report.rows_read = static_cast<std::int64_t>(t.rows());
  report.rows_loaded = stored;
  report.rows_rejected = static_cast<std::int64_t>(rejected.size());
  insert_rejected(db, batch, in.name, rejected);
  nlohmann::ordered_json layout;
  layout["header"] = header;
  insert_batch(db, batch, o.kind, in, report, layout, o.parameters);
  tx.commit();
  report.batch = batch;
  return report;
}

}  // namespace

IngestOptions ingest_options(const Parameters& p) {
  IngestOptions o;
  o.kind = parse_input_kind(p.choice("kind"));
  for (const auto& [key, value] : p.values()) o.parameters[key] = value;
  if (o.kind == InputKind::transactions) {
    o.load = load_options(p);
  } else {
    // Side inputs: only the parsing options and the column names apply.
    o.load.csv.delimiter = parse_delimiter(p.text("delimiter"));
    o.load.csv.has_header = !p.flag("no_header");
    o.load.decimal_comma = p.flag("decimal_comma");
    o.load.on_error = parse_error_policy(p.choice("on_error"));
    for (const SideColumn& c : side_columns(o.kind)) {
      if (p.given(c.parameter)) o.columns[c.name] = p.text(c.parameter);
    }
  }
  const std::string key = p.text("key");
  if (!key.empty()) {
    if (o.kind != InputKind::transactions) {
      parameter_error("key", key,
                      "no --key for " + std::string(to_string(o.kind)) +
                          ": their rows are keyed by their id column already");
    }
    std::size_t start = 0;
    for (std::size_t i = 0; i <= key.size(); ++i) {
      if (i == key.size() || key[i] == ',') {
        std::string part = key.substr(start, i - start);
        part.erase(0, part.find_first_not_of(' '));
        part.erase(part.find_last_not_of(' ') + 1);
        if (part.empty()) parameter_error("key", key, "column names separated by commas");
        o.key.push_back(std::move(part));
        start = i + 1;
      }
    }
  }
  return o;
}

IngestReport ingest(WorkspaceStore& ws, const TransactionSource& source,
                    const IngestOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const Input in = open_input(source);
  IngestReport report;
  report.content_hash = in.hash;
  // The same content of the same kind was ingested before: nothing to do (read before parsing,
  // re-checked inside the write transaction).
  if (const auto already = batch_with_hash(ws.database(), options.kind, in.hash)) {
    report.already = *already;
    return report;
  }
  report = options.kind == InputKind::transactions ? ingest_transactions(ws, in, options, report)
                                                   : ingest_side(ws, in, options, report);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace ltv::store
