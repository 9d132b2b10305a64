// WorkspaceStore: opening and creating workspaces, and reading their inputs and results back
// (see ltv/store/store.hpp). Ingest (ingest.cpp) and runs (run.cpp) write.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <unordered_map>

#include "database.hpp"
#include "ltv/dates.hpp"
#include "ltv/store/store.hpp"
#include "ltv/workspace/tables.hpp"
#include "ltv/workspace/workspace.hpp"
#include "schema.hpp"
#include "store_internal.hpp"

namespace ltv::store {

// ---------------------------------------------------------------------------------- locations

std::string redact_url(std::string_view url) {
  std::string out(url);
  // user:password@host
  const auto scheme = out.find("://");
  if (scheme != std::string::npos) {
    const auto start = scheme + 3;
    const auto at = out.find('@', start);
    const auto slash = out.find('/', start);
    if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
      const auto colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... in the query string or a key=value connection string
  for (std::size_t at = out.find("password="); at != std::string::npos;
       at = out.find("password=", at + 1)) {
    const std::size_t value = at + 9;
    std::size_t end = out.find_first_of("& ", value);
    if (end == std::string::npos) end = out.size();
    out.replace(value, end - value, "***");
  }
  return out;
}

DatabaseLocation parse_location(std::string_view text) {
  DatabaseLocation loc;
  const auto starts = [&](std::string_view p) { return text.substr(0, p.size()) == p; };
  if (starts("postgresql://") || starts("postgres://")) {
    loc.kind = DatabaseLocation::Kind::postgresql;
    loc.target = std::string(text);
    loc.display = redact_url(text);
    return loc;
  }
  if (starts("clickhouse://")) {
    loc.kind = DatabaseLocation::Kind::clickhouse;
    loc.target = std::string(text);
    loc.display = redact_url(text);
    return loc;
  }
  std::string_view path = text;
  if (starts("sqlite://")) {
    path.remove_prefix(9);
  } else if (starts("sqlite:")) {
    path.remove_prefix(7);
  }
  if (path.empty()) parameter_error("workspace", std::string(text), "a SQLite file name or URL");
  loc.kind = DatabaseLocation::Kind::sqlite;
  loc.target = std::string(path);
  loc.display = std::string(path);
  return loc;
}

bool is_database(std::string_view text) {
  const auto starts = [&](std::string_view p) { return text.substr(0, p.size()) == p; };
  if (starts("postgresql://") || starts("postgres://") || starts("sqlite:") ||
      starts("clickhouse://")) {
    return true;
  }
  if (text.empty() || text == "-") return false;
  std::ifstream in{std::string(text), std::ios::binary};
  char header[16] = {};
  if (!in.read(header, sizeof header)) return false;
  return std::string_view(header, sizeof header) == std::string_view("SQLite format 3\0", 16);
}

std::string_view to_string(InputKind kind) noexcept {
  switch (kind) {
    case InputKind::transactions:
      return "transactions";
    case InputKind::customers:
      return "customers";
    case InputKind::products:
      return "products";
    case InputKind::spend:
      return "spend";
    case InputKind::nps:
      return "nps";
    case InputKind::contacts:
      return "contacts";
    case InputKind::campaigns:
      return "campaigns";
    case InputKind::suppress:
      return "suppress";
  }
  return "transactions";
}

InputKind parse_input_kind(std::string_view text) {
  for (int k = 0; k <= static_cast<int>(InputKind::suppress); ++k) {
    if (to_string(static_cast<InputKind>(k)) == text) return static_cast<InputKind>(k);
  }
  parameter_error("kind", std::string(text),
                  "one of transactions, customers, products, spend, nps, contacts, campaigns, "
                  "suppress");
}

std::string result_table_name(std::string_view key) {
  std::string out = "r_";
  for (char c : key) {
    if (c == '/') {
      out += "__";
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::int64_t query_integer(Database& db, std::string_view sql, std::span<const SqlValue> params,
                           std::int64_t fallback) {
  std::int64_t out = fallback;
  bool first = true;
  db.scan(sql, params, [&](const SqlRow& r) {
    if (first && r.size() > 0 && !r.is_null(0)) out = r.integer(0);
    first = false;
  });
  return out;
}

std::string query_text(Database& db, std::string_view sql, std::span<const SqlValue> params,
                       std::string fallback) {
  std::string out = std::move(fallback);
  bool first = true;
  db.scan(sql, params, [&](const SqlRow& r) {
    if (first && r.size() > 0 && !r.is_null(0)) out = std::string(r.text(0));
    first = false;
  });
  return out;
}

// --------------------------------------------------------------------------- opening / creating

namespace {

std::unique_ptr<Database> connect(const DatabaseLocation& loc, bool create) {
  if (loc.kind == DatabaseLocation::Kind::postgresql) return open_postgres(loc.target, loc.display);
  if (loc.kind == DatabaseLocation::Kind::clickhouse) {
    throw DatabaseError(
        fmt::format("{}: a ClickHouse database is a transaction source (a table or --query), not a "
                    "workspace; keep the workspace in SQLite or PostgreSQL (docs/scale-out.md)",
                    loc.display));
  }
  return open_sqlite(loc.target, create ? SqliteMode::create : SqliteMode::existing);
}

/// Checks the version of an opened workspace and upgrades an older one.
void check_and_migrate(Database& db) {
  const int version = stored_schema_version(db);
  if (version == 0) {
    throw DatabaseError(fmt::format(
        "{}: not an ltv workspace (it has no ltv_meta table); create one with `ltv init {}`",
        db.name(), db.name()));
  }
  if (version > kSchemaVersion) {
    throw DatabaseError(fmt::format(
        "{}: workspace schema version {} is newer than this ltv understands (version {}); "
        "use a newer ltv",
        db.name(), version, kSchemaVersion));
  }
  if (version == kSchemaVersion) return;
  Transaction tx(db, Transaction::Kind::write);
  const int now = stored_schema_version(db);  // another process may have upgraded it meanwhile
  if (now < kSchemaVersion) migrate_schema(db, now);
  tx.commit();
}

}  // namespace

WorkspaceStore::WorkspaceStore(DatabaseLocation location, std::unique_ptr<Database> db)
    : location_(std::move(location)), db_(std::move(db)) {}
WorkspaceStore::WorkspaceStore(WorkspaceStore&&) noexcept = default;
WorkspaceStore& WorkspaceStore::operator=(WorkspaceStore&&) noexcept = default;
WorkspaceStore::~WorkspaceStore() = default;

WorkspaceStore WorkspaceStore::open(std::string_view location) {
  DatabaseLocation loc = parse_location(location);
  auto db = connect(loc, false);
  check_and_migrate(*db);
  return WorkspaceStore(std::move(loc), std::move(db));
}

WorkspaceStore WorkspaceStore::create(std::string_view location, bool* created) {
  DatabaseLocation loc = parse_location(location);
  auto db = connect(loc, true);
  if (created) *created = false;
  if (stored_schema_version(*db) == 0) {
    Transaction tx(*db, Transaction::Kind::write);
    if (stored_schema_version(*db) == 0) {
      for (std::string_view table : schema_tables()) {
        if (db->has_table(table)) {
          throw DatabaseError(fmt::format(
              "{}: holds a table '{}' but is not an ltv workspace; use an empty database",
              db->name(), table));
        }
      }
      create_schema(*db, kSchemaVersion);
      if (created) *created = true;
    }
    tx.commit();
  }
  check_and_migrate(*db);
  return WorkspaceStore(std::move(loc), std::move(db));
}

int WorkspaceStore::schema_version() {
  return stored_schema_version(*db_);
}

// ------------------------------------------------------------------------------------ batches

std::vector<BatchInfo> WorkspaceStore::batches() {
  std::vector<BatchInfo> out;
  db_->scan(
      "SELECT batch_id, kind, file, content_hash, ingested_at, rows_read, rows_loaded, "
      "rows_rejected, rows_duplicate, first_day, last_day FROM batches ORDER BY batch_id",
      {}, [&](const SqlRow& r) {
        BatchInfo b;
        b.id = r.integer(0);
        b.kind = parse_input_kind(r.text(1));
        b.file = std::string(r.text(2));
        b.content_hash = std::string(r.text(3));
        b.ingested_at = std::string(r.text(4));
        b.rows_read = r.integer(5);
        b.rows_loaded = r.integer(6);
        b.rows_rejected = r.integer(7);
        b.rows_duplicate = r.integer(8);
        if (!r.is_null(9)) b.first_day = static_cast<std::int32_t>(r.integer(9));
        if (!r.is_null(10)) b.last_day = static_cast<std::int32_t>(r.integer(10));
        out.push_back(std::move(b));
      });
  return out;
}

std::int64_t WorkspaceStore::last_batch() {
  return query_integer(*db_, "SELECT max(batch_id) FROM batches", {}, 0);
}

// ------------------------------------------------------------------------- reading inputs back

namespace {

struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// Interns texts in order of first appearance (the loader's order).
class TextCodes {
 public:
  std::uint32_t code(std::string_view text, std::vector<std::string>& values) {
    if (!values.empty() && last_ < values.size() && values[last_] == text) return last_;
    auto it = index_.find(text);
    if (it == index_.end()) {
      values.emplace_back(text);
      it = index_.emplace(values.back(), static_cast<std::uint32_t>(values.size() - 1)).first;
    }
    last_ = it->second;
    return last_;
  }

 private:
  std::unordered_map<std::string, std::uint32_t, TextHash, std::equal_to<>> index_;
  std::uint32_t last_ = 0;
};

/// Renumbers codes by first appearance in row order (after rows were reordered).
void renumber(std::vector<std::uint32_t>& codes, std::vector<std::string>& values) {
  std::vector<std::uint32_t> map(values.size(), UINT32_MAX);
  std::vector<std::string> ordered;
  ordered.reserve(values.size());
  for (std::uint32_t& c : codes) {
    if (map[c] == UINT32_MAX) {
      map[c] = static_cast<std::uint32_t>(ordered.size());
      ordered.push_back(std::move(values[c]));
    }
    c = map[c];
  }
  values = std::move(ordered);
}

template <class T>
void permute(std::vector<T>& v, const std::vector<std::uint32_t>& order) {
  if (v.empty()) return;
  std::vector<T> out;
  out.reserve(v.size());
  for (std::uint32_t i : order) out.push_back(std::move(v[i]));
  v = std::move(out);
}

}  // namespace

TransactionLayout transaction_layout(const nlohmann::json& layout) {
  TransactionLayout t;
  const auto flag = [&](const char* key) {
    return layout.contains("has") && layout["has"].value(key, false);
  };
  t.amount = flag("amount");
  t.quantity = flag("quantity");
  t.profit = flag("profit");
  t.time = flag("time");
  if (layout.contains("roles")) {
    for (const char* role : {"order", "product", "category", "channel", "region"}) {
      if (layout["roles"].contains(role)) {
        t.roles.emplace_back(role, layout["roles"][role].get<std::string>());
      }
    }
  }
  if (layout.contains("extra")) t.extra = layout["extra"].get<std::vector<std::string>>();
  return t;
}

TransactionLog WorkspaceStore::read_transactions(std::int64_t up_to, LoadReport& report) {
  if (up_to <= 0) up_to = last_batch();
  Transaction tx(*db_, Transaction::Kind::read);
  TransactionLog log = read_log(*db_, name(), up_to, {}, report, nullptr);
  tx.commit();
  if (log.size() == 0) {
    input_error({name(), 0, ""}, "no transactions", "at least one stored transaction");
  }
  return log;
}

TransactionLog read_log(Database& database, const std::string& name, std::int64_t up_to,
                        std::string_view where, LoadReport& report,
                        std::vector<std::int64_t>* batches) {
  Database* const db_ = &database;
  // The layout of each transactions batch: roles present and extra column names.
  std::map<std::int64_t, TransactionLayout> layouts;
  {
    const SqlValue p[] = {up_to};
    db_->scan(
        "SELECT batch_id, layout FROM batches WHERE kind = 'transactions' AND batch_id <= $1 "
        "ORDER BY batch_id",
        p, [&](const SqlRow& r) {
          layouts.emplace(r.integer(0), transaction_layout(nlohmann::json::parse(r.text(1))));
        });
  }
  if (layouts.empty()) {
    input_error({name, 0, ""}, "no transactions",
                fmt::format("a workspace with transactions: ltv ingest {} FILE --kind "
                            "transactions ...",
                            name));
  }
  const TransactionLayout& first = layouts.begin()->second;
  TransactionLog log;
  std::array<std::optional<CategoricalColumn>*, 5> slots{&log.order, &log.product, &log.category,
                                                         &log.channel, &log.region};
  const char* role_names[] = {"order", "product", "category", "channel", "region"};
  std::array<bool, 5> has_role{};
  for (const auto& [role, column] : first.roles) {
    for (std::size_t k = 0; k < 5; ++k) {
      if (role == role_names[k]) {
        has_role[k] = true;
        slots[k]->emplace();
        (*slots[k])->name = column;
      }
    }
  }
  // Extra columns: the union of the batches' names, in order of first appearance; each batch's
  // values go to their column's position.
  std::map<std::int64_t, std::vector<std::size_t>> extra_position;
  for (const auto& [batch, layout] : layouts) {
    auto& positions = extra_position[batch];
    for (const std::string& name : layout.extra) {
      auto it = std::find_if(log.extra.begin(), log.extra.end(),
                             [&](const CategoricalColumn& c) { return c.name == name; });
      if (it == log.extra.end()) {
        log.extra.push_back(CategoricalColumn{name, {}, {}});
        it = log.extra.end() - 1;
      }
      positions.push_back(static_cast<std::size_t>(it - log.extra.begin()));
    }
  }
  const bool any_time =
      std::any_of(layouts.begin(), layouts.end(), [](const auto& l) { return l.second.time; });
  std::vector<std::uint32_t> extra_rows_before(log.extra.size(), 0);

  TextCodes customers;
  std::array<TextCodes, 5> categorical;
  std::vector<TextCodes> extra_codes(log.extra.size());
  std::vector<std::int64_t> batch_of, line_of;
  bool ordered = true;
  std::int64_t last_batch_seen = -1, last_line = -1;
  std::int64_t current_batch = -1;
  const std::vector<std::size_t>* positions = nullptr;
  std::vector<std::string_view> parts;
  const std::string sql = fmt::format(
      "SELECT batch_id, line, customer_id, day, second_of_day, amount, quantity, profit, "
      "order_id, product, category, channel, region, extra FROM transactions WHERE batch_id <= {}"
      "{}{}",
      up_to, where.empty() ? "" : " AND ", where);
  db_->scan(sql, {}, [&](const SqlRow& r) {
    const std::int64_t batch = r.integer(0), line = r.integer(1);
    if (batch < last_batch_seen || (batch == last_batch_seen && line < last_line)) ordered = false;
    last_batch_seen = batch;
    last_line = line;
    batch_of.push_back(batch);
    line_of.push_back(line);
    log.customer.push_back(customers.code(r.text(2), log.customer_ids));
    log.day.push_back(static_cast<std::int32_t>(r.integer(3)));
    if (any_time) {
      log.second_of_day.push_back(r.is_null(4) ? 0 : static_cast<std::int32_t>(r.integer(4)));
    }
    if (first.amount) log.amount.push_back(r.real(5));
    if (first.quantity) log.quantity.push_back(r.real(6));
    if (first.profit) log.profit.push_back(r.real(7));
    for (std::size_t k = 0; k < 5; ++k) {
      if (has_role[k]) {
        CategoricalColumn& c = **slots[k];
        c.codes.push_back(categorical[k].code(r.text(8 + k), c.values));
      }
    }
    if (!log.extra.empty()) {
      if (batch != current_batch) {
        current_batch = batch;
        positions = &extra_position[batch];
      }
      parts.clear();
      if (!r.is_null(13)) split_cells(r.text(13), parts);
      // Every extra column gets a value for every row ("" when this batch lacks the column).
      for (std::size_t e = 0; e < log.extra.size(); ++e) {
        std::string_view value;
        for (std::size_t i = 0; i < positions->size() && i < parts.size(); ++i) {
          if ((*positions)[i] == e) value = parts[i];
        }
        log.extra[e].codes.push_back(extra_codes[e].code(value, log.extra[e].values));
      }
    }
  });
  if (!ordered) {
    // Rows came back in another order than ingested: put them back (batch, then line) and
    // number customers and values by first appearance again.
    std::vector<std::uint32_t> order(batch_of.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
      return batch_of[a] != batch_of[b] ? batch_of[a] < batch_of[b] : line_of[a] < line_of[b];
    });
    permute(log.customer, order);
    permute(log.day, order);
    permute(log.second_of_day, order);
    permute(log.amount, order);
    permute(log.quantity, order);
    permute(log.profit, order);
    permute(line_of, order);
    permute(batch_of, order);
    renumber(log.customer, log.customer_ids);
    for (auto* slot : slots) {
      if (slot->has_value()) {
        permute((*slot)->codes, order);
        renumber((*slot)->codes, (*slot)->values);
      }
    }
    for (auto& e : log.extra) {
      permute(e.codes, order);
      renumber(e.codes, e.values);
    }
  }
  log.line = std::move(line_of);
  if (batches != nullptr) {
    *batches = std::move(batch_of);
  }
  report = LoadReport{};
  report.source = name;
  if (log.size() == 0) return log;
  report.rows_read = static_cast<std::int64_t>(log.size());
  report.rows_loaded = report.rows_read;
  report.customers = log.customer_count();
  report.has_amount = first.amount;
  report.returns = ReturnsPolicy::net;
  const auto [lo, hi] = std::minmax_element(log.day.begin(), log.day.end());
  report.first_day = *lo;
  report.last_day = *hi;
  for (std::size_t i = 0; i < log.size(); ++i) {
    bool cancellation = false;
    if (log.order) {
      const std::string& id = log.order->values[log.order->codes[i]];
      cancellation = id.size() >= 2 && id[0] == 'C' && id[1] >= '0' && id[1] <= '9';
    }
    const bool is_return = cancellation || (first.amount && log.amount[i] < 0) ||
                           (first.quantity && log.quantity[i] < 0);
    report.return_rows += is_return;
    report.cancellation_rows += cancellation;
    if (first.amount) report.total_amount += log.amount[i];
  }
  return log;
}

std::optional<Table> WorkspaceStore::read_side_table(InputKind kind, std::int64_t up_to) {
  if (up_to <= 0) up_to = last_batch();
  Table table;
  table.source = fmt::format("{} ({})", name(), to_string(kind));
  std::map<std::int64_t, std::vector<std::size_t>> position;  // batch -> column of each cell
  {
    const SqlValue p[] = {std::string(to_string(kind)), up_to};
    db_->scan(
        "SELECT batch_id, layout FROM batches WHERE kind = $1 AND batch_id <= $2 ORDER BY "
        "batch_id",
        p, [&](const SqlRow& r) {
          const auto layout = nlohmann::json::parse(r.text(1));
          auto& pos = position[r.integer(0)];
          for (const auto& h : layout["header"]) {
            const std::string name = h.get<std::string>();
            auto it = std::find(table.names.begin(), table.names.end(), name);
            if (it == table.names.end()) {
              table.names.push_back(name);
              it = table.names.end() - 1;
            }
            pos.push_back(static_cast<std::size_t>(it - table.names.begin()));
          }
        });
  }
  if (position.empty()) return std::nullopt;
  table.columns.resize(table.names.size());
  const bool keyed = kind == InputKind::customers || kind == InputKind::products ||
                     kind == InputKind::spend || kind == InputKind::campaigns ||
                     kind == InputKind::suppress;
  std::unordered_map<std::string, std::size_t, TextHash, std::equal_to<>> row_of_key;
  std::vector<std::string_view> parts;
  const SqlValue p[] = {std::string(to_string(kind)), up_to};
  db_->scan(
      "SELECT batch_id, line, natural_key, cells FROM side_rows WHERE kind = $1 AND batch_id <= "
      "$2 ORDER BY batch_id, line",
      p, [&](const SqlRow& r) {
        const auto& pos = position[r.integer(0)];
        parts.clear();
        split_cells(r.text(3), parts);
        std::size_t row = table.rows();
        bool replace = false;
        if (keyed && !r.is_null(2)) {
          auto [it, inserted] = row_of_key.emplace(std::string(r.text(2)), row);
          if (!inserted) {
            row = it->second;  // a later row with the same key replaces the earlier one in place
            replace = true;
          }
        }
        if (!replace) {
          table.lines.push_back(r.integer(1));
          for (auto& c : table.columns) c.emplace_back();
        } else {
          table.lines[row] = r.integer(1);
          for (auto& c : table.columns) c[row].clear();
        }
        for (std::size_t i = 0; i < parts.size() && i < pos.size(); ++i) {
          table.columns[pos[i]][row] = std::string(parts[i]);
        }
      });
  return table;
}

SideInputs WorkspaceStore::read_side_inputs(std::int64_t up_to) {
  SideInputs side;
  side.customers = read_side_table(InputKind::customers, up_to);
  side.spend = read_side_table(InputKind::spend, up_to);
  side.contacts = read_side_table(InputKind::contacts, up_to);
  side.suppress = read_side_table(InputKind::suppress, up_to);
  if (auto nps = read_side_table(InputKind::nps, up_to)) {
    side.nps_source = nps->source;
    std::vector<NpsRow> rows(nps->rows());
    const auto column = [&](const char* name) -> const std::vector<std::string>* {
      const auto c = nps->find(name);
      return c ? &nps->columns[*c] : nullptr;
    };
    const auto* customer = column("customer_id");
    const auto* date = column("date");
    const auto* score = column("score");
    const auto* comment = column("comment");
    const auto* channel = column("channel");
    for (std::size_t i = 0; i < rows.size(); ++i) {
      rows[i].line = nps->lines[i];
      if (customer) rows[i].customer = (*customer)[i];
      if (date) rows[i].date = (*date)[i];
      if (score) rows[i].score = (*score)[i];
      if (comment) rows[i].comment = (*comment)[i];
      if (channel) rows[i].channel = (*channel)[i];
    }
    side.nps = std::move(rows);
  }
  return side;
}

// --------------------------------------------------------------------------------------- runs

namespace {

RunInfo run_from_row(const SqlRow& r) {
  RunInfo run;
  run.id = r.integer(0);
  run.kind = std::string(r.text(1));
  run.started_at = std::string(r.text(2));
  run.finished_at = std::string(r.text(3));
  run.seconds = r.real(4);
  run.watermark = r.integer(5);
  run.customers = r.integer(6);
  run.transactions = r.integer(7);
  run.model = std::string(r.text(8));
  run.refit = std::string(r.text(9));
  run.refit_decision = std::string(r.text(10));
  run.options = nlohmann::ordered_json::parse(r.text(11));
  return run;
}

constexpr const char* kRunColumns =
    "run_id, kind, started_at, finished_at, seconds, watermark, customers, transactions, model, "
    "refit, refit_decision, options";

}  // namespace

std::vector<RunInfo> WorkspaceStore::runs() {
  std::vector<RunInfo> out;
  db_->scan(
      fmt::format("SELECT {} FROM runs WHERE status = 'committed' ORDER BY run_id", kRunColumns),
      {}, [&](const SqlRow& r) { out.push_back(run_from_row(r)); });
  std::map<std::int64_t, std::vector<std::string>> tables;
  db_->scan("SELECT run_id, table_key FROM run_tables ORDER BY run_id, table_key", {},
            [&](const SqlRow& r) { tables[r.integer(0)].emplace_back(r.text(1)); });
  for (RunInfo& run : out) run.tables = std::move(tables[run.id]);
  return out;
}

std::optional<RunInfo> WorkspaceStore::run(std::int64_t id) {
  std::optional<RunInfo> out;
  const SqlValue p[] = {id};
  db_->scan(fmt::format("SELECT {} FROM runs WHERE status = 'committed' AND (run_id = $1 OR ($1 "
                        "= 0 AND run_id = (SELECT max(run_id) FROM runs WHERE status = "
                        "'committed')))",
                        kRunColumns),
            p, [&](const SqlRow& r) { out = run_from_row(r); });
  if (out) {
    const SqlValue q[] = {out->id};
    db_->scan("SELECT table_key FROM run_tables WHERE run_id = $1 ORDER BY table_key", q,
              [&](const SqlRow& r) { out->tables.emplace_back(r.text(0)); });
  }
  return out;
}

ResultTable WorkspaceStore::read_result(std::string_view key, std::int64_t run,
                                        std::int64_t* run_out) {
  const TableDefinition* definition = nullptr;
  for (const TableDefinition& d : table_catalogue()) {
    if (d.key() == key) definition = &d;
  }
  if (definition == nullptr) {
    std::string known;
    for (const TableDefinition& d : table_catalogue()) {
      if (!known.empty()) known += ", ";
      known += d.key();
    }
    throw DatabaseError(
        fmt::format("{}: no result table '{}'; the tables are {}", name(), key, known));
  }
  Transaction tx(*db_, Transaction::Kind::read);
  const SqlValue p[] = {std::string(key), run};
  std::int64_t found = 0;
  std::string columns_json, sql_table;
  db_->scan(
      "SELECT t.run_id, t.columns, t.sql_table FROM run_tables t JOIN runs r ON r.run_id = "
      "t.run_id WHERE r.status = 'committed' AND t.table_key = $1 AND ($2 = 0 OR t.run_id = $2) "
      "ORDER BY t.run_id DESC",
      p, [&](const SqlRow& r) {
        if (found != 0) return;
        found = r.integer(0);
        columns_json = std::string(r.text(1));
        sql_table = std::string(r.text(2));
      });
  if (found == 0) {
    if (run != 0 && !this->run(run)) {
      throw DatabaseError(fmt::format("{}: no run {} (see `ltv runs {}`)", name(), run, name()));
    }
    throw DatabaseError(run != 0 ? fmt::format("{}: run {} has no table '{}'", name(), run, key)
                                 : fmt::format("{}: no run holds table '{}' (see `ltv runs {}`)",
                                               name(), key, name()));
  }
  if (run_out) *run_out = found;
  // The columns the run stored, typed by the catalogue (a matrix's value columns are reals).
  const TableSpec spec = stored_table_spec(definition->spec, columns_json);
  // A literal run id, no parameters: PostgreSQL streams such a query through COPY.
  ResultTable table =
      read_stored_rows(*db_, spec, sql_table, fmt::format("run_id = {}", found), {});
  tx.commit();
  return table;
}

TableSpec stored_table_spec(const TableSpec& definition, std::string_view columns_json) {
  TableSpec spec = definition;
  spec.columns.clear();
  for (const auto& c : nlohmann::json::parse(columns_json)) {
    const std::string column = c.get<std::string>();
    const std::size_t at = definition.find(column);
    if (at < definition.columns.size()) {
      spec.columns.push_back(definition.columns[at]);
    } else {
      spec.columns.push_back({column, ColumnType::real, 12, {}});
    }
  }
  return spec;
}

ResultTable read_stored_rows(Database& db, const TableSpec& spec, std::string_view sql_table,
                             std::string_view where, std::span<const SqlValue> params) {
  std::string select;
  for (const ColumnSpec& c : spec.columns) {
    if (!select.empty()) select += ", ";
    select += quote_identifier(c.name);
  }
  ResultTable table(spec);
  std::vector<Cell> cells(spec.columns.size());
  db.scan(fmt::format("SELECT {} FROM {} WHERE {} ORDER BY row_index",
                      select.empty() ? "1" : select, quote_identifier(sql_table), where),
          params, [&](const SqlRow& r) {
            for (std::size_t c = 0; c < spec.columns.size(); ++c) {
              if (r.is_null(c)) {
                cells[c] = std::monostate{};
                continue;
              }
              switch (spec.columns[c].type) {
                case ColumnType::text:
                  cells[c] = std::string(r.text(c));
                  break;
                case ColumnType::integer:
                  cells[c] = r.integer(c);
                  break;
                case ColumnType::real:
                  cells[c] = r.real(c);
                  break;
                case ColumnType::date:
                  cells[c] = std::int64_t{parse_iso_day(r.text(c))};
                  break;
                case ColumnType::boolean:
                  cells[c] = r.integer(c) != 0;
                  break;
              }
            }
            table.append_row(cells);
          });
  return table;
}

std::optional<std::string> WorkspaceStore::read_run_file(std::string_view file, std::int64_t run) {
  std::optional<std::string> out;
  const SqlValue p[] = {run, std::string(file)};
  db_->scan(
      "SELECT f.content FROM run_files f JOIN runs r ON r.run_id = f.run_id WHERE r.status = "
      "'committed' AND f.name = $2 AND f.run_id = (CASE WHEN $1 = 0 THEN (SELECT max(run_id) "
      "FROM run_files WHERE name = $2) ELSE $1 END)",
      p, [&](const SqlRow& r) { out = std::string(r.text(0)); });
  return out;
}

// ----------------------------------------------------------------------- the workspace tables

bool WorkspaceStore::has_input(InputKind kind) {
  const SqlValue p[] = {std::string(to_string(kind))};
  return query_integer(*db_, "SELECT count(*) FROM batches WHERE kind = $1", p, 0) > 0;
}

namespace {

constexpr std::string_view kWorkspaceTables[] = {"runs", "batches", "rejected_rows"};

ColumnSpec column(const char* name, ColumnType type, const char* description) {
  return ColumnSpec{name, type, 0, description};
}

// The specs of the workspace's own tables, defined once here (ltv runs, ltv export).
TableSpec runs_spec() {
  using C = ColumnType;
  return TableSpec{
      "runs",
      {column("run_id", C::integer, "run number"), column("kind", C::text, "full or incremental"),
       column("started_at", C::text, "UTC"),
       column("finished_at", C::text, "UTC, when its results were committed"),
       column("seconds", C::real, "wall time"),
       column("watermark", C::integer, "last batch included"),
       column("customers", C::integer, "customers scored"),
       column("transactions", C::integer, "transaction rows read"),
       column("model", C::text, "count model"), column("refit", C::text, "refit policy"),
       column("refit_decision", C::text, "what the policy decided"),
       column("tables", C::text, "result tables held, space-separated")},
      "Committed runs of the workspace"};
}

TableSpec batches_spec() {
  using C = ColumnType;
  return TableSpec{
      "batches",
      {column("batch_id", C::integer, "batch number"), column("kind", C::text, "input kind"),
       column("file", C::text, "as given to ltv ingest"),
       column("content_hash", C::text, "SHA-256 of the content"),
       column("ingested_at", C::text, "UTC"),
       column("rows_read", C::integer, "data rows of the input"),
       column("rows_loaded", C::integer, "rows stored"),
       column("rows_rejected", C::integer, "rows in rejected_rows"),
       column("rows_duplicate", C::integer, "rows skipped for a known natural key"),
       column("first_day", C::date, "transactions: first day"),
       column("last_day", C::date, "transactions: last day")},
      "Ingested files"};
}

TableSpec rejected_spec() {
  using C = ColumnType;
  return TableSpec{
      "rejected_rows",
      {column("batch_id", C::integer, "batch"), column("file", C::text, "input"),
       column("line", C::integer, "line (a database's rows: row number)"),
       column("column", C::text, "column at fault"), column("text", C::text, "text found"),
       column("reason", C::text, "why the row did not load"),
       column("expected", C::text, "what was expected")},
      "Rows that did not load"};
}

}  // namespace

std::span<const std::string_view> WorkspaceStore::workspace_tables() noexcept {
  return kWorkspaceTables;
}

ResultTable WorkspaceStore::workspace_table(std::string_view table_name) {
  if (table_name == "runs") {
    ResultTable t(runs_spec());
    for (const RunInfo& r : runs()) {
      std::string tables;
      for (const auto& k : r.tables) {
        if (!tables.empty()) tables += ' ';
        tables += k;
      }
      t.append_row({r.id, r.kind, r.started_at, r.finished_at, r.seconds, r.watermark, r.customers,
                    r.transactions, r.model, r.refit, r.refit_decision, tables});
    }
    return t;
  }
  if (table_name == "batches") {
    ResultTable t(batches_spec());
    for (const BatchInfo& b : batches()) {
      const auto day = [](const std::optional<std::int32_t>& d) {
        return d ? Cell{std::int64_t{*d}} : Cell{};
      };
      t.append_row({b.id, std::string(to_string(b.kind)), b.file, b.content_hash, b.ingested_at,
                    b.rows_read, b.rows_loaded, b.rows_rejected, b.rows_duplicate, day(b.first_day),
                    day(b.last_day)});
    }
    return t;
  }
  if (table_name == "rejected_rows") {
    ResultTable t(rejected_spec());
    db_->scan(
        "SELECT batch_id, file, line, column_name, found, reason, expected FROM rejected_rows "
        "ORDER BY batch_id, line",
        {}, [&](const SqlRow& r) {
          const auto text = [&](std::size_t c) {
            return r.is_null(c) ? Cell{} : Cell{std::string(r.text(c))};
          };
          t.append_row({r.integer(0), text(1), r.integer(2), text(3), text(4), text(5), text(6)});
        });
    return t;
  }
  throw DatabaseError(fmt::format("{}: no workspace table '{}' (runs, batches, rejected_rows)",
                                  name(), table_name));
}

// ------------------------------------------------------------------------------ cell encoding

void split_cells(std::string_view text, std::vector<std::string_view>& out) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == kCellSeparator) {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
}

std::int32_t parse_iso_day(std::string_view text) {
  // YYYY-MM-DD (SQLite's text dates, PostgreSQL's ISO dates).
  auto number = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n && i < text.size(); ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  if (text.size() < 10) return 0;
  return days_from_civil(number(0, 4), number(5, 2), number(8, 2));
}

}  // namespace ltv::store
