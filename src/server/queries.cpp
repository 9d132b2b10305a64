// The server's query layer (see queries.hpp): every data read of a route, each taking a Scope.
#include "queries.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "ltv/dates.hpp"
#include "ltv/workspace/tables.hpp"
#include "store/database.hpp"
#include "store/store_internal.hpp"

namespace ltv::server {

namespace {

using store::SqlRow;
using store::SqlValue;

/// Analyst data is for unlimited scopes only; a partner scope never reaches it (fail closed).
void require_everything(const Scope& scope) {
  if (!scope.everything()) throw NotFound("", "not found");
}

std::int64_t resolve_run(store::WorkspaceStore& ws, std::int64_t id) {
  const auto run = ws.run(id);
  if (!run) {
    throw NotFound("run_id", id == 0 ? "the workspace has no committed run yet (ltv run)"
                                     : fmt::format("no run {}", id));
  }
  return run->id;
}

const TableDefinition* catalogue_entry(std::string_view key) {
  for (const TableDefinition& d : table_catalogue()) {
    if (d.key() == key) return &d;
  }
  return nullptr;
}

/// The rows of stored table `key` of run `run` whose `column` equals `value` (all rows when
/// `column` is empty), typed by the catalogue. nullopt when the run does not hold the table.
std::optional<ResultTable> stored_rows(store::Database& db, std::int64_t run, std::string_view key,
                                       std::string_view column, std::string_view value) {
  const TableDefinition* definition = catalogue_entry(key);
  if (definition == nullptr) return std::nullopt;
  std::string columns_json, sql_table;
  const SqlValue p[] = {run, std::string(key)};
  db.scan("SELECT columns, sql_table FROM run_tables WHERE run_id = $1 AND table_key = $2", p,
          [&](const SqlRow& r) {
            columns_json = std::string(r.text(0));
            sql_table = std::string(r.text(1));
          });
  if (sql_table.empty()) return std::nullopt;
  const TableSpec spec = store::stored_table_spec(definition->spec, columns_json);
  if (!column.empty() && spec.find(column) == spec.columns.size()) return std::nullopt;
  std::vector<SqlValue> params{run};
  std::string where = "run_id = $1";
  if (!column.empty()) {
    where += fmt::format(" AND {} = $2", store::quote_identifier(column));
    params.emplace_back(std::string(value));
  }
  return store::read_stored_rows(db, spec, sql_table, where, params);
}

// ------------------------------------------------------------------------- partner scope

/// A product of the workspace (the latest products row of its id).
struct Product {
  std::string id, name, brand, category;
};

/// Every product of the workspace, by id: the latest products row of each id.
std::map<std::string, Product> latest_products(store::Database& db) {
  std::map<std::string, Product> latest;
  db.scan("SELECT product_id, name, brand, category FROM products ORDER BY batch_id, line", {},
          [&](const SqlRow& r) {
            Product p;
            p.id = std::string(r.text(0));
            if (!r.is_null(1)) p.name = std::string(r.text(1));
            if (!r.is_null(2)) p.brand = std::string(r.text(2));
            if (!r.is_null(3)) p.category = std::string(r.text(3));
            latest[p.id] = std::move(p);
          });
  return latest;
}

/// The scope's products, by id: the latest products row of each id whose brand the scope covers.
std::map<std::string, Product> scope_products(store::Database& db, const Scope& scope) {
  if (scope.everything() || scope.brands().empty()) {
    // Partner data is computed for a set of brands only; an unlimited scope must be narrowed
    // to a brand first (the route does it). Fail closed.
    throw NotFound("brand", "a brand is required");
  }
  std::map<std::string, Product> latest = latest_products(db);
  std::map<std::string, Product> out;
  for (auto& [id, p] : latest) {
    if (scope.covers(p.brand)) out.emplace(id, std::move(p));
  }
  return out;
}

/// One purchase line of the scope. Customers are numbered (never their ids).
struct ScopedRow {
  std::uint32_t customer = 0;
  std::int32_t day = 0;
  double amount = 0;
  std::uint32_t order = 0;  ///< numbered order key (order id, else customer + day)
  std::uint32_t product = 0;
};

struct ScopedData {
  std::vector<ScopedRow> rows;
  std::vector<Product> products;  ///< by ScopedRow::product
  std::size_t customers = 0;
  /// The customers' ids by number: for joins inside this layer only (segments, category
  /// buyers); never returned.
  std::vector<std::string> customer_ids;
};

/// THE scan of partner data: transactions whose product is one of the scope's products. The SQL
/// filter narrows by brand; each row is checked again against the scope's product list (the
/// latest brand of the product), so a product whose brand changed is counted for its current
/// brand only.
ScopedData scan_scope(store::Database& db, const Scope& scope) {
  ScopedData data;
  const std::map<std::string, Product> mine = scope_products(db, scope);
  std::unordered_map<std::string, std::uint32_t> product_index;
  for (const auto& [id, p] : mine) {
    product_index.emplace(id, static_cast<std::uint32_t>(data.products.size()));
    data.products.push_back(p);
  }
  std::vector<SqlValue> params;
  std::string in;
  for (const std::string& b : scope.brands()) {
    params.emplace_back(b);
    in += fmt::format("{}${}", in.empty() ? "" : ", ", params.size());
  }
  std::string sql = fmt::format(
      "SELECT customer_id, day, amount, order_id, product FROM transactions WHERE product IN "
      "(SELECT product_id FROM products WHERE brand IN ({}))",
      in);
  sql += " ORDER BY batch_id, line";
  std::unordered_map<std::string, std::uint32_t> customers, orders;
  std::string key;
  db.scan(sql, params, [&](const SqlRow& r) {
    const auto product = product_index.find(std::string(r.text(4)));
    if (product == product_index.end()) return;  // brand changed: not (or no longer) in scope
    ScopedRow row;
    const std::string_view customer = r.text(0);
    const auto [it, added] = customers.try_emplace(std::string(customer), customers.size());
    if (added) data.customer_ids.push_back(it->first);
    row.customer = it->second;
    row.day = static_cast<std::int32_t>(r.integer(1));
    row.amount = r.is_null(2) ? 0.0 : r.real(2);
    if (!r.is_null(3) && !r.text(3).empty()) {
      key.assign("o:").append(r.text(3));
    } else {
      key = fmt::format("c:{}:{}", row.customer, row.day);
    }
    row.order = orders.try_emplace(key, orders.size()).first->second;
    row.product = product->second;
    data.rows.push_back(row);
  });
  data.customers = customers.size();
  return data;
}

std::string month_of(std::int32_t day) {
  const CivilDate d = civil_from_days(day);
  return fmt::format("{:04}-{:02}", d.year, d.month);
}
int month_number(std::int32_t day) {
  const CivilDate d = civil_from_days(day);
  return d.year * 12 + (d.month - 1);
}

ColumnSpec col(std::string name, ColumnType type, std::string description, int digits = 0) {
  return ColumnSpec{std::move(name), type, digits, std::move(description)};
}

}  // namespace

// ---------------------------------------------------------------------------------- admin

std::vector<User> list_users(store::WorkspaceStore& ws, const Scope& scope) {
  require_everything(scope);
  return users(ws);
}

// ----------------------------------------------------------------------------- analyst data

std::vector<store::RunInfo> list_runs(store::WorkspaceStore& ws, const Scope& scope) {
  require_everything(scope);
  return ws.runs();
}

store::RunInfo find_run(store::WorkspaceStore& ws, const Scope& scope, std::int64_t id) {
  require_everything(scope);
  auto run = ws.run(id);
  if (!run) {
    throw NotFound("run_id", id == 0 ? "the workspace has no committed run yet (ltv run)"
                                     : fmt::format("no run {}", id));
  }
  return *run;
}

nlohmann::ordered_json headline(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run) {
  require_everything(scope);
  const std::int64_t id = resolve_run(ws, run);
  const auto summary = ws.read_run_file("summary.json", id);
  if (!summary) throw NotFound("run_id", fmt::format("run {} has no summary", id));
  const auto s = nlohmann::ordered_json::parse(*summary);
  nlohmann::ordered_json out;
  out["run_id"] = id;
  for (const char* key :
       {"customers", "transactions", "orders", "first_day", "last_day", "revenue", "average_check",
        "repeat_rate", "likely_active_customers", "likely_active_definition", "horizon_months",
        "expected_purchases_in_horizon", "predicted_revenue_in_horizon", "clv_total"}) {
    if (s.contains(key)) out[key] = s[key];
  }
  if (s.contains("model_selection") && s["model_selection"].contains("headline")) {
    out["model"] = s["model_selection"]["headline"];
  }
  return out;
}

ResultTable run_table(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                      std::string_view key) {
  require_everything(scope);
  const std::int64_t id = resolve_run(ws, run);
  auto table = stored_rows(ws.database(), id, key, {}, {});
  if (!table) {
    throw NotFound("table", fmt::format("run {} has no table '{}' (GET /api/v1/runs/{}/tables "
                                        "lists them)",
                                        id, key, id));
  }
  return std::move(*table);
}

std::vector<std::pair<std::string, std::int64_t>> run_table_list(store::WorkspaceStore& ws,
                                                                 const Scope& scope,
                                                                 std::int64_t run) {
  require_everything(scope);
  const std::int64_t id = resolve_run(ws, run);
  std::vector<std::pair<std::string, std::int64_t>> out;
  const SqlValue p[] = {id};
  ws.database().scan(
      "SELECT table_key, row_count FROM run_tables WHERE run_id = $1 ORDER BY table_key", p,
      [&](const SqlRow& r) { out.emplace_back(std::string(r.text(0)), r.integer(1)); });
  return out;
}

nlohmann::ordered_json customer(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                                std::string_view customer_id) {
  require_everything(scope);
  const std::int64_t id = resolve_run(ws, run);
  auto summary = stored_rows(ws.database(), id, "customers", "customer_id", customer_id);
  if (!summary || summary->rows() == 0) {
    throw NotFound("customer_id", fmt::format("run {} has no customer '{}'", id, customer_id));
  }
  nlohmann::ordered_json out;
  out["run_id"] = id;
  out["customer"] = to_json(*summary)[0];
  auto actions = stored_rows(ws.database(), id, "actions", "customer_id", customer_id);
  out["actions"] = actions ? to_json(*actions) : nlohmann::ordered_json::array();
  return out;
}

std::string report_html(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run) {
  require_everything(scope);
  const std::int64_t id = resolve_run(ws, run);
  auto html = ws.read_run_file("report.html", id);
  if (!html) throw NotFound("run_id", fmt::format("run {} has no report", id));
  return std::move(*html);
}

// ------------------------------------------------------------- analyst views (dashboard)

namespace {

/// Columns `columns` (those the run stored) of the rows of run `run`'s stored customers table
/// that pass `condition`: SQL over the table's columns, where `{table}` stands for the stored
/// table, $1 for the run and $2.. for `params`. Only the named columns are read, and the
/// condition lets the database pick the rows (a run may hold a million customers). NotFound when
/// the run has no customers table.
ResultTable customers_of(store::WorkspaceStore& ws, std::int64_t run,
                         std::span<const std::string_view> columns, std::string_view condition,
                         std::vector<SqlValue> params) {
  store::Database& db = ws.database();
  const TableDefinition* definition = catalogue_entry("customers");
  std::string columns_json, sql_table;
  const SqlValue p[] = {run, std::string("customers")};
  db.scan("SELECT columns, sql_table FROM run_tables WHERE run_id = $1 AND table_key = $2", p,
          [&](const SqlRow& r) {
            columns_json = std::string(r.text(0));
            sql_table = std::string(r.text(1));
          });
  if (definition == nullptr || sql_table.empty()) {
    throw NotFound("run", fmt::format("run {} has no customers table", run));
  }
  const TableSpec stored = store::stored_table_spec(definition->spec, columns_json);
  TableSpec spec{stored.name, {}, stored.description};
  for (const std::string_view c : columns) {
    const std::size_t i = stored.find(c);
    if (i != stored.columns.size()) spec.columns.push_back(stored.columns[i]);
  }
  std::string where = "run_id = $1";
  if (!condition.empty()) {
    std::string c(condition);
    const std::string quoted = store::quote_identifier(sql_table);
    for (auto at = c.find("{table}"); at != std::string::npos; at = c.find("{table}", at)) {
      c.replace(at, 7, quoted);
      at += quoted.size();
    }
    where += " AND " + c;
  }
  params.insert(params.begin(), SqlValue{run});
  return store::read_stored_rows(db, spec, sql_table, where, params);
}

std::size_t column_of(const ResultTable& t, std::string_view name) {
  const std::size_t c = t.spec().find(name);
  if (c == t.spec().columns.size()) {
    throw Error(fmt::format("the stored customers table has no column {}", name));
  }
  return c;
}

/// The columns of the dashboard's customer lists (top customers, search).
constexpr std::string_view kListColumns[] = {"customer_id",        "clv",     "p_alive",
                                             "expected_purchases", "revenue", "orders",
                                             "rfm_segment",        "stage"};

/// A customer list of the rows `rows` of `customers` (the kListColumns it holds).
ResultTable customer_list(const ResultTable& customers, std::span<const std::size_t> rows,
                          std::string name, std::string description) {
  TableSpec spec{std::move(name), {}, std::move(description)};
  std::vector<std::size_t> source;
  for (std::string_view c : kListColumns) {
    const std::size_t i = customers.spec().find(c);
    if (i == customers.spec().columns.size()) continue;  // an older run without the column
    source.push_back(i);
    spec.columns.push_back(customers.spec().columns[i]);
  }
  ResultTable out(std::move(spec));
  std::vector<Cell> cells(source.size());
  for (const std::size_t r : rows) {
    for (std::size_t k = 0; k < source.size(); ++k) {
      const std::size_t c = source[k];
      if (customers.is_null(c, r)) {
        cells[k] = std::monostate{};
        continue;
      }
      switch (customers.spec().columns[c].type) {
        case ColumnType::text:
          cells[k] = std::string(customers.text(c, r));
          break;
        case ColumnType::integer:
          cells[k] = customers.integer(c, r);
          break;
        case ColumnType::real:
          cells[k] = customers.real(c, r);
          break;
        case ColumnType::date:
          cells[k] = std::int64_t{customers.date(c, r)};
          break;
        case ColumnType::boolean:
          cells[k] = customers.boolean(c, r);
          break;
      }
    }
    out.append_row(cells);
  }
  return out;
}

}  // namespace

ResultTable clv_histogram(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run, int bins,
                          std::int64_t& without_clv) {
  require_everything(scope);
  constexpr std::string_view kClv[] = {"clv"};
  const ResultTable customers = customers_of(ws, resolve_run(ws, run), kClv, {}, {});
  const std::size_t clv = column_of(customers, "clv");
  std::vector<double> values;
  without_clv = 0;
  for (std::size_t r = 0; r < customers.rows(); ++r) {
    const double v = customers.is_null(clv, r) ? std::numeric_limits<double>::quiet_NaN()
                                               : customers.real(clv, r);
    if (std::isfinite(v)) {
      values.push_back(v);
    } else {
      ++without_clv;
    }
  }
  ResultTable t(TableSpec{
      "ltv/histogram",
      {col("bin", ColumnType::integer, "Bin number, from 1"),
       col("from", ColumnType::real, "Lower bound of the predicted CLV (inclusive)", 12),
       col("to", ColumnType::real,
           "Upper bound (exclusive; the last equal-width bin includes it); null: open bin above "
           "the 99th percentile",
           12),
       col("customers", ColumnType::integer, "Customers in the bin"),
       col("share", ColumnType::real, "Share of the customers with a CLV", 12),
       col("clv_total", ColumnType::real, "Sum of the bin's predicted CLV", 12)},
      "Distribution of the customers' predicted CLV"});
  if (values.empty()) return t;
  std::sort(values.begin(), values.end());
  const double lo = std::min(0.0, values.front());
  // The 99th percentile (nearest rank), so that a few very large values do not squeeze every
  // other customer into the first bin.
  const std::size_t rank =
      static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(values.size())));
  double hi = values[std::min(values.size(), std::max<std::size_t>(rank, 1)) - 1];
  if (hi <= lo) hi = values.back();
  const int n = hi > lo ? bins : 1;
  const double width = hi > lo ? (hi - lo) / n : 1.0;
  std::vector<std::int64_t> count(static_cast<std::size_t>(n) + 1, 0);
  std::vector<double> total(static_cast<std::size_t>(n) + 1, 0.0);
  for (const double v : values) {
    std::size_t b;
    if (v > hi) {
      b = static_cast<std::size_t>(n);
    } else {
      b = std::min(static_cast<std::size_t>((v - lo) / width), static_cast<std::size_t>(n - 1));
    }
    ++count[b];
    total[b] += v;
  }
  const double all = static_cast<double>(values.size());
  for (int b = 0; b <= n; ++b) {
    const auto i = static_cast<std::size_t>(b);
    if (b == n && count[i] == 0) break;
    const Cell to = b == n ? Cell{} : Cell{lo + width * (b + 1)};
    const Cell from = b == n ? Cell{hi} : Cell{lo + width * b};
    t.append_row(
        {std::int64_t{b + 1}, from, to, count[i], static_cast<double>(count[i]) / all, total[i]});
  }
  return t;
}

ResultTable top_customers(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                          std::int64_t limit) {
  require_everything(scope);
  // The database picks the rows (largest CLV first, customers without one last, ties by id);
  // they are put in that order again here (read_stored_rows gives them in row order).
  const ResultTable customers = customers_of(
      ws, resolve_run(ws, run), kListColumns,
      "row_index IN (SELECT row_index FROM {table} WHERE run_id = $1 ORDER BY (clv IS NULL), "
      "clv DESC, customer_id LIMIT $2)",
      {SqlValue{limit}});
  const std::size_t clv = column_of(customers, "clv");
  const std::size_t id = column_of(customers, "customer_id");
  std::vector<std::size_t> rows(customers.rows());
  for (std::size_t r = 0; r < rows.size(); ++r) rows[r] = r;
  const auto value = [&](std::size_t r) {
    const double v = customers.is_null(clv, r) ? -std::numeric_limits<double>::infinity()
                                               : customers.real(clv, r);
    return std::isfinite(v) ? v : -std::numeric_limits<double>::infinity();
  };
  const std::size_t n = std::min(rows.size(), static_cast<std::size_t>(limit));
  std::partial_sort(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(n), rows.end(),
                    [&](std::size_t a, std::size_t b) {
                      const double va = value(a), vb = value(b);
                      if (va != vb) return va > vb;
                      return customers.text(id, a) < customers.text(id, b);
                    });
  rows.resize(n);
  return customer_list(customers, rows, "ltv/top", "The customers of largest predicted CLV");
}

ResultTable customer_history(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                             std::string_view customer_id) {
  require_everything(scope);
  const std::int64_t id = resolve_run(ws, run);
  const std::int64_t watermark = ws.run(id)->watermark;
  constexpr std::string_view kId[] = {"customer_id"};
  if (customers_of(ws, id, kId, "customer_id = $2", {SqlValue{std::string(customer_id)}}).rows() ==
      0) {
    throw NotFound("customer_id", fmt::format("run {} has no customer '{}'", id, customer_id));
  }
  struct Month {
    std::set<std::string> orders;
    std::int64_t lines = 0;
    double revenue = 0;
  };
  std::map<std::string, Month> months;
  const SqlValue p[] = {std::string(customer_id), watermark};
  ws.database().scan(
      "SELECT day, amount, order_id FROM transactions WHERE customer_id = $1 AND batch_id <= $2", p,
      [&](const SqlRow& r) {
        const auto day = static_cast<std::int32_t>(r.integer(0));
        Month& m = months[month_of(day)];
        // An order is its order id, else the customer's purchase day (as the engine counts).
        m.orders.insert(!r.is_null(2) && !r.text(2).empty() ? "o:" + std::string(r.text(2))
                                                            : "d:" + std::to_string(day));
        ++m.lines;
        if (!r.is_null(1)) m.revenue += r.real(1);
      });
  ResultTable t(TableSpec{"customers/history",
                          {col("month", ColumnType::text, "YYYY-MM"),
                           col("orders", ColumnType::integer, "Orders (order ids, else days)"),
                           col("lines", ColumnType::integer, "Transaction lines"),
                           col("revenue", ColumnType::real, "Sum of the line amounts", 12)},
                          "One customer's purchases per month"});
  for (const auto& [month, m] : months) {
    t.append_row({month, static_cast<std::int64_t>(m.orders.size()), m.lines, m.revenue});
  }
  return t;
}

ResultTable search_customers(store::WorkspaceStore& ws, const Scope& scope, std::int64_t run,
                             std::string_view prefix, std::int64_t limit, bool& more) {
  require_everything(scope);
  // One more than the limit tells whether more matched.
  const ResultTable customers = customers_of(
      ws, resolve_run(ws, run), kListColumns,
      "row_index IN (SELECT row_index FROM {table} WHERE run_id = $1 AND substr(customer_id, 1, "
      "length(CAST($2 AS TEXT))) = CAST($2 AS TEXT) ORDER BY customer_id LIMIT $3)",
      {SqlValue{std::string(prefix)}, SqlValue{limit + 1}});
  const std::size_t id = column_of(customers, "customer_id");
  std::vector<std::size_t> rows;
  for (std::size_t r = 0; r < customers.rows(); ++r) {
    // Checked again here (the database's substr counts characters, this bytes: the same
    // prefix either way).
    if (customers.text(id, r).substr(0, prefix.size()) == prefix) rows.push_back(r);
  }
  std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) {
    return customers.text(id, a) < customers.text(id, b);
  });
  more = rows.size() > static_cast<std::size_t>(limit);
  if (more) rows.resize(static_cast<std::size_t>(limit));
  return customer_list(customers, rows, "customers/search", "Customers whose id starts with q");
}

// ----------------------------------------------------------------------------- partner data

ResultTable partner_products(store::WorkspaceStore& ws, const Scope& scope) {
  const auto mine = scope_products(ws.database(), scope);
  ResultTable t(TableSpec{"partner/products",
                          {col("product_id", ColumnType::text, "Product id"),
                           col("name", ColumnType::text, "Product name"),
                           col("brand", ColumnType::text, "Brand (one of the caller's)"),
                           col("category", ColumnType::text, "Category")},
                          "The caller's brands' products"});
  for (const auto& [id, p] : mine) {
    const Cell cells[] = {p.id, p.name, p.brand, p.category};
    t.append_row(cells);
  }
  return t;
}

namespace {

/// from/to restrict the purchases counted, not the history: a buyer's first month (returning
/// buyers, cohorts) comes from every purchase of the scope.
bool in_window(const PartnerQuery& q, std::int32_t day) {
  return (!q.from_day || day >= *q.from_day) && (!q.to_day || day <= *q.to_day);
}

/// The shown months of a scan (see partner_shown_months): at least min_cell buyers of the scope,
/// and of every brand of the scope that sold that month.
std::set<int> shown_months(const ScopedData& data, std::int64_t min_cell) {
  std::map<int, std::set<std::uint32_t>> all;
  std::map<std::pair<int, std::string_view>, std::set<std::uint32_t>> by_brand;
  for (const ScopedRow& r : data.rows) {
    const int m = month_number(r.day);
    all[m].insert(r.customer);
    by_brand[{m, std::string_view(data.products[r.product].brand)}].insert(r.customer);
  }
  std::set<int> out;
  for (const auto& [m, buyers] : all) {
    bool shown = static_cast<std::int64_t>(buyers.size()) >= min_cell;
    for (auto it = by_brand.lower_bound({m, std::string_view{}});
         shown && it != by_brand.end() && it->first.first == m; ++it) {
      shown = static_cast<std::int64_t>(it->second.size()) >= min_cell;
    }
    if (shown) out.insert(m);
  }
  return out;
}

/// A row of the scan that revenue, order and buyer figures may count: in the window and in a
/// shown month.
bool published(const PartnerQuery& q, const std::set<int>& shown, const ScopedRow& r) {
  return in_window(q, r.day) && shown.count(month_number(r.day)) != 0;
}

}  // namespace

std::set<int> partner_shown_months(store::WorkspaceStore& ws, const Scope& scope,
                                   std::int64_t min_cell) {
  return shown_months(scan_scope(ws.database(), scope), min_cell);
}

bool complementary_suppression(const std::vector<std::int64_t>& customers,
                               std::vector<bool>& suppressed, std::int64_t min_cell) {
  bool added = false;
  for (;;) {
    std::size_t count = 0;
    std::int64_t held = 0;
    std::optional<std::size_t> smallest;
    for (std::size_t i = 0; i < customers.size(); ++i) {
      if (suppressed[i]) {
        ++count;
        held += customers[i];
      } else if (!smallest || customers[i] < customers[*smallest]) {
        smallest = i;
      }
    }
    if (count == 0 || (count >= 2 && held >= min_cell) || !smallest) return added;
    suppressed[*smallest] = true;
    added = true;
  }
}

ResultTable partner_kpis(store::WorkspaceStore& ws, const Scope& scope, const PartnerQuery& q) {
  const ScopedData data = scan_scope(ws.database(), scope);
  ResultTable t(TableSpec{
      "partner/kpis",
      {col("month", ColumnType::text,
           "YYYY-MM, or total (the window's shown months; a suppressed month counts in no total)"),
       col("revenue", ColumnType::real, "Sum of the line amounts of the brands' products", 12),
       col("orders", ColumnType::integer, "Distinct orders with a line of the brands"),
       col("buyers", ColumnType::integer, "Distinct customers who bought the brands"),
       col("average_check", ColumnType::real, "revenue / orders", 12),
       col("repeat_buyer_rate", ColumnType::real,
           "Share of the buyers who also bought the brands in an earlier month (total: share "
           "of the buyers who bought them in two or more shown months up to the window's end)",
           12),
       col("suppressed", ColumnType::boolean,
           "true: fewer than min_cell buyers (of the brands, or of one of them that sold that "
           "month); the figures are null")},
      "KPIs of the caller's brands per month"});
  const std::set<int> shown = shown_months(data, q.min_cell);
  // Per month: revenue, orders, buyers; customer's first month.
  std::vector<int> first_month(data.customers, 1 << 30);
  for (const ScopedRow& r : data.rows) {
    first_month[r.customer] = std::min(first_month[r.customer], month_number(r.day));
  }
  struct Month {
    std::string label;
    double revenue = 0;
    std::set<std::uint32_t> orders, buyers;
  };
  std::map<int, Month> months;
  Month total;
  total.label = "total";
  std::map<std::uint32_t, std::set<int>> months_of_customer;
  for (const ScopedRow& r : data.rows) {
    const int number = month_number(r.day);
    const bool is_shown = shown.count(number) != 0;
    // Shown months with purchases up to the window's end, for the total's repeat-buyer rate.
    if (is_shown && (!q.to_day || r.day <= *q.to_day)) {
      months_of_customer[r.customer].insert(number);
    }
    if (!in_window(q, r.day)) continue;
    Month& m = months[number];
    if (m.label.empty()) m.label = month_of(r.day);
    m.revenue += r.amount;
    m.orders.insert(r.order);
    m.buyers.insert(r.customer);
    if (!is_shown) continue;  // a suppressed month counts in no total
    total.revenue += r.amount;
    total.orders.insert(r.order);
    total.buyers.insert(r.customer);
  }
  const auto emit = [&](const Month& m, std::size_t repeaters, bool suppressed) {
    const auto buyers = static_cast<std::int64_t>(m.buyers.size());
    if (suppressed || buyers < q.min_cell) {
      const Cell cells[] = {m.label,
                            std::monostate{},
                            std::monostate{},
                            std::monostate{},
                            std::monostate{},
                            std::monostate{},
                            true};
      t.append_row(cells);
      return;
    }
    const auto orders = static_cast<std::int64_t>(m.orders.size());
    const Cell cells[] = {m.label,
                          m.revenue,
                          orders,
                          buyers,
                          m.revenue / static_cast<double>(orders),
                          static_cast<double>(repeaters) / static_cast<double>(buyers),
                          false};
    t.append_row(cells);
  };
  for (const auto& [number, m] : months) {
    std::size_t returning = 0;
    for (std::uint32_t c : m.buyers) returning += first_month[c] < number ? 1 : 0;
    emit(m, returning, shown.count(number) == 0);
  }
  std::size_t repeaters = 0;
  for (std::uint32_t c : total.buyers) repeaters += months_of_customer[c].size() >= 2 ? 1 : 0;
  emit(total, repeaters, false);
  return t;
}

ResultTable partner_cohorts(store::WorkspaceStore& ws, const Scope& scope, const PartnerQuery& q) {
  const ScopedData data = scan_scope(ws.database(), scope);
  ResultTable t(TableSpec{
      "partner/cohorts",
      {col("cohort", ColumnType::text, "YYYY-MM of the buyers' first purchase of the brands"),
       col("period", ColumnType::integer, "Months since the cohort month (0 = the cohort month)"),
       col("customers", ColumnType::integer, "Cohort buyers who bought the brands that month"),
       col("retention", ColumnType::real, "customers / the cohort's size", 12),
       col("suppressed", ColumnType::boolean,
           "true: fewer than min_cell customers (in the cell or the cohort), or suppressed with "
           "it so that a published total minus the shown cells cannot give it back; figures "
           "are null")},
      "Cohort retention of the caller's brands' buyers"});
  if (data.rows.empty()) return t;
  std::vector<int> first_month(data.customers, 1 << 30);
  for (const ScopedRow& r : data.rows) {
    first_month[r.customer] = std::min(first_month[r.customer], month_number(r.day));
  }
  int last = 0;
  std::map<std::pair<int, int>, std::set<std::uint32_t>> members;
  for (const ScopedRow& r : data.rows) {
    const int m = month_number(r.day);
    last = std::max(last, m);
    members[{first_month[r.customer], m - first_month[r.customer]}].insert(r.customer);
  }
  std::map<int, std::size_t> cohort_size;
  for (int f : first_month) ++cohort_size[f];
  // The whole grid first (every cohort, whatever the window): suppression does not depend on
  // the window, so two windows cannot be told apart by it.
  struct GridCell {
    int cohort, period;
    std::int64_t customers;
    bool suppressed;
  };
  std::vector<GridCell> grid;
  std::map<std::pair<int, int>, std::size_t> at;
  for (const auto& [cohort, size] : cohort_size) {
    for (int period = 0; cohort + period <= last; ++period) {
      const auto it = members.find({cohort, period});
      const auto n = static_cast<std::int64_t>(it == members.end() ? 0 : it->second.size());
      at[{cohort, period}] = grid.size();
      grid.push_back(
          {cohort, period, n, static_cast<std::int64_t>(size) < q.min_cell || n < q.min_cell});
    }
  }
  // Complementary suppression, to a fixed point, over every line whose total the partner can
  // see: the cells of a calendar month (a diagonal) add up to the month's buyers in the KPIs
  // when that month is shown there; the cohort sizes (period 0) add up to the brands' buyers;
  // a cohort whose size is suppressed is suppressed whole (customers / retention gives it).
  const std::set<int> shown = shown_months(data, q.min_cell);
  const auto apply = [&](const std::vector<std::size_t>& line) {
    std::vector<std::int64_t> n;
    std::vector<bool> s;
    for (std::size_t i : line) {
      n.push_back(grid[i].customers);
      s.push_back(grid[i].suppressed);
    }
    if (!complementary_suppression(n, s, q.min_cell)) return false;
    for (std::size_t k = 0; k < line.size(); ++k) grid[line[k]].suppressed = s[k];
    return true;
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& [cohort, size] : cohort_size) {
      if (!grid[at.at({cohort, 0})].suppressed) continue;
      for (int period = 0; cohort + period <= last; ++period) {
        GridCell& g = grid[at.at({cohort, period})];
        changed = changed || !g.suppressed;
        g.suppressed = true;
      }
    }
    for (const int month : shown) {
      std::vector<std::size_t> diagonal;
      for (const auto& [cohort, size] : cohort_size) {
        if (cohort <= month) diagonal.push_back(at.at({cohort, month - cohort}));
      }
      changed = apply(diagonal) || changed;
    }
    std::vector<std::size_t> sizes;
    for (const auto& [cohort, size] : cohort_size) sizes.push_back(at.at({cohort, 0}));
    changed = apply(sizes) || changed;
  }
  const int from_month = q.from_day ? month_number(*q.from_day) : 0;
  const int to_month = q.to_day ? month_number(*q.to_day) : 1 << 30;
  for (const GridCell& g : grid) {
    if (g.cohort < from_month || g.cohort > to_month) continue;  // cohorts of the window
    const std::string label = fmt::format("{:04}-{:02}", g.cohort / 12, g.cohort % 12 + 1);
    if (g.suppressed) {
      const Cell c[] = {label, std::int64_t{g.period}, std::monostate{}, std::monostate{}, true};
      t.append_row(c);
      continue;
    }
    const Cell c[] = {
        label, std::int64_t{g.period}, g.customers,
        static_cast<double>(g.customers) / static_cast<double>(cohort_size.at(g.cohort)), false};
    t.append_row(c);
  }
  return t;
}

ResultTable partner_ltv(store::WorkspaceStore& ws, const Scope& scope, const PartnerQuery& q) {
  const ScopedData data = scan_scope(ws.database(), scope);
  ResultTable t(TableSpec{
      "partner/ltv",
      {col("brand", ColumnType::text, "One of the caller's brands, or total (all of them)"),
       col("buyers", ColumnType::integer, "Distinct customers who bought the brand"),
       col("orders", ColumnType::integer, "Distinct orders with a line of the brand"),
       col("revenue", ColumnType::real, "Sum of the line amounts of the brand's products", 12),
       col("historical_ltv", ColumnType::real, "revenue / buyers: revenue per buyer", 12),
       col("orders_per_buyer", ColumnType::real, "orders / buyers", 12),
       col("repeat_rate", ColumnType::real, "Share of the buyers with two or more orders", 12),
       col("suppressed", ColumnType::boolean, "true: fewer than min_cell buyers; figures null")},
      "Historical LTV and repeat rate on the caller's brands (the window's shown months)"});
  const std::set<int> shown = shown_months(data, q.min_cell);
  struct Totals {
    double revenue = 0;
    std::set<std::uint32_t> orders;
    std::map<std::uint32_t, std::set<std::uint32_t>> orders_of;
  };
  std::map<std::string, Totals> by_brand;
  Totals all;
  for (const ScopedRow& r : data.rows) {
    if (!published(q, shown, r)) continue;
    for (Totals* x : {&by_brand[data.products[r.product].brand], &all}) {
      x->revenue += r.amount;
      x->orders.insert(r.order);
      x->orders_of[r.customer].insert(r.order);
    }
  }
  std::vector<std::pair<std::string, const Totals*>> rows;
  for (const auto& [brand, x] : by_brand) rows.emplace_back(brand, &x);
  std::vector<bool> suppressed;
  std::vector<std::int64_t> buyers;
  for (const auto& [brand, x] : rows) {
    buyers.push_back(static_cast<std::int64_t>(x->orders_of.size()));
    suppressed.push_back(buyers.back() < q.min_cell);
  }
  const bool with_total = scope.brands().size() > 1;
  const bool total_suppressed = static_cast<std::int64_t>(all.orders_of.size()) < q.min_cell;
  // The total is the sum of the brands' revenue and orders: no brand may be the only one left
  // out of it.
  if (with_total && !total_suppressed) complementary_suppression(buyers, suppressed, q.min_cell);
  const auto emit = [&](const std::string& label, const Totals& x, bool hide) {
    const auto n = static_cast<std::int64_t>(x.orders_of.size());
    if (hide || n < q.min_cell) {
      const Cell c[] = {label,
                        std::monostate{},
                        std::monostate{},
                        std::monostate{},
                        std::monostate{},
                        std::monostate{},
                        std::monostate{},
                        true};
      t.append_row(c);
      return;
    }
    std::int64_t repeaters = 0;
    for (const auto& [customer, orders] : x.orders_of) repeaters += orders.size() >= 2 ? 1 : 0;
    const auto orders = static_cast<std::int64_t>(x.orders.size());
    const double buyers_d = static_cast<double>(n);
    const Cell c[] = {label,
                      n,
                      orders,
                      x.revenue,
                      x.revenue / buyers_d,
                      static_cast<double>(orders) / buyers_d,
                      static_cast<double>(repeaters) / buyers_d,
                      false};
    t.append_row(c);
  };
  for (std::size_t i = 0; i < rows.size(); ++i) emit(rows[i].first, *rows[i].second, suppressed[i]);
  if (with_total || rows.empty()) emit("total", all, total_suppressed);
  return t;
}

ResultTable partner_segments(store::WorkspaceStore& ws, const Scope& scope, const PartnerQuery& q) {
  const ScopedData data = scan_scope(ws.database(), scope);
  const auto run = ws.run(0);
  if (!run) throw NotFound("run", "the workspace has no committed run yet");
  ResultTable t(TableSpec{
      "partner/segments",
      {col("scheme", ColumnType::text, "rfm (RFM segment) or lifecycle (life-cycle stage)"),
       col("segment", ColumnType::text,
           "Segment name of the newest run; total: every buyer; not in the run: buyers the run "
           "does not hold"),
       col("buyers", ColumnType::integer, "The caller's buyers in the segment"),
       col("share", ColumnType::real, "buyers / the caller's buyers", 12),
       col("suppressed", ColumnType::boolean,
           "true: fewer than min_cell buyers, or suppressed with it so that the total minus the "
           "shown segments cannot give it back; figures null")},
      "Segment shares of the caller's buyers (the window's shown months)"});
  const std::set<int> shown = shown_months(data, q.min_cell);
  std::unordered_map<std::string_view, bool> buyer_seen;  // buyer id -> found in the run
  for (const ScopedRow& r : data.rows) {
    if (published(q, shown, r)) buyer_seen.emplace(data.customer_ids[r.customer], false);
  }
  struct Scheme {
    const char* name;
    const char* column;
  };
  constexpr Scheme kSchemes[] = {{"rfm", "rfm_segment"}, {"lifecycle", "stage"}};
  constexpr std::string_view kColumns[] = {"customer_id", "rfm_segment", "stage"};
  const ResultTable customers = customers_of(ws, run->id, kColumns, {}, {});
  const std::size_t id = column_of(customers, "customer_id");
  std::map<std::string, std::map<std::string, std::int64_t>> counts;
  for (std::size_t r = 0; r < customers.rows(); ++r) {
    const auto it = buyer_seen.find(customers.text(id, r));
    if (it == buyer_seen.end()) continue;
    it->second = true;
    for (const Scheme& s : kSchemes) {
      const std::size_t c = customers.spec().find(s.column);
      if (c == customers.spec().columns.size()) continue;  // an older run without it
      ++counts[s.name]
              [customers.is_null(c, r) ? std::string("(none)") : std::string(customers.text(c, r))];
    }
  }
  std::int64_t not_in_run = 0;
  for (const auto& [buyer, seen] : buyer_seen) not_in_run += seen ? 0 : 1;
  const auto total = static_cast<std::int64_t>(buyer_seen.size());
  for (const Scheme& s : kSchemes) {
    if (customers.spec().find(s.column) == customers.spec().columns.size()) continue;
    std::vector<std::pair<std::string, std::int64_t>> cells(counts[s.name].begin(),
                                                            counts[s.name].end());
    if (not_in_run > 0) cells.emplace_back("not in the run", not_in_run);
    std::vector<std::int64_t> n;
    std::vector<bool> hide;
    for (const auto& [segment, count] : cells) {
      n.push_back(count);
      hide.push_back(count < q.min_cell || total < q.min_cell);
    }
    complementary_suppression(n, hide, q.min_cell);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      if (hide[i]) {
        const Cell c[] = {std::string(s.name), cells[i].first, std::monostate{}, std::monostate{},
                          true};
        t.append_row(c);
      } else {
        const Cell c[] = {std::string(s.name), cells[i].first, n[i],
                          static_cast<double>(n[i]) / static_cast<double>(total), false};
        t.append_row(c);
      }
    }
    if (total < q.min_cell) {
      const Cell c[] = {std::string(s.name), std::string("total"), std::monostate{},
                        std::monostate{}, true};
      t.append_row(c);
    } else {
      const Cell c[] = {std::string(s.name), std::string("total"), total, 1.0, false};
      t.append_row(c);
    }
  }
  return t;
}

ResultTable partner_penetration(store::WorkspaceStore& ws, const Scope& scope,
                                const PartnerQuery& q) {
  const ScopedData data = scan_scope(ws.database(), scope);
  ResultTable t(TableSpec{
      "partner/penetration",
      {col("product_id", ColumnType::text, "A product of the brands launched during the data"),
       col("name", ColumnType::text, "Product name"), col("brand", ColumnType::text, "Its brand"),
       col("launch_date", ColumnType::date, "Its first sale"),
       col("week", ColumnType::integer, "Week since launch (1 = the launch week)"),
       col("week_start", ColumnType::date, "First day of the week"),
       col("buyers", ColumnType::integer, "Distinct buyers of the product since launch"),
       col("brand_buyers", ColumnType::integer,
           "Distinct buyers of the brands since the product's launch"),
       col("penetration", ColumnType::real, "buyers / brand_buyers", 12),
       col("suppressed", ColumnType::boolean,
           "true: fewer than min_cell buyers (of the product or the brands); figures are null"),
       col("category", ColumnType::text, "The product's category"),
       col("category_buyers", ColumnType::integer,
           "Distinct buyers of any product of the category (every brand) since the launch"),
       col("category_penetration", ColumnType::real, "buyers / category_buyers", 12),
       col("category_suppressed", ColumnType::boolean,
           "true: the row is suppressed, or fewer than min_cell category buyers, or fewer than "
           "min_cell of them are not buyers of the caller's brands; category figures null")},
      "New-product penetration among the caller's brands' and category's buyers, week by week"});
  if (q.product) {
    bool found = false;
    for (const Product& p : data.products) found = found || p.id == *q.product;
    if (!found) throw NotFound("product", fmt::format("no product '{}'", *q.product));
  }
  if (data.rows.empty()) return t;
  std::int32_t first_day = data.rows.front().day, last_day = first_day;
  std::vector<std::int32_t> launch(data.products.size(), std::numeric_limits<std::int32_t>::max());
  for (const ScopedRow& r : data.rows) {
    first_day = std::min(first_day, r.day);
    last_day = std::max(last_day, r.day);
    launch[r.product] = std::min(launch[r.product], r.day);
  }
  std::unordered_map<std::string_view, std::uint32_t> number_of;
  for (std::uint32_t c = 0; c < data.customer_ids.size(); ++c) {
    number_of.emplace(data.customer_ids[c], c);
  }
  std::optional<std::map<std::string, Product>> every_product;
  constexpr std::int32_t kNewAfterDays = 28;
  constexpr auto kNever = std::numeric_limits<std::int32_t>::max();
  for (std::size_t p = 0; p < data.products.size(); ++p) {
    const Product& product = data.products[p];
    if (q.product && product.id != *q.product) continue;
    if (launch[p] == kNever) continue;                    // never sold
    if (launch[p] < first_day + kNewAfterDays) continue;  // not new
    // Each customer's first purchase of the product, and of the brands, since launch.
    std::vector<std::int32_t> first_product(data.customers, kNever);
    std::vector<std::int32_t> first_brand(data.customers, kNever);
    for (const ScopedRow& r : data.rows) {
      if (r.day < launch[p]) continue;
      first_brand[r.customer] = std::min(first_brand[r.customer], r.day);
      if (r.product == p) first_product[r.customer] = std::min(first_product[r.customer], r.day);
    }
    const std::int32_t weeks = (last_day - launch[p]) / 7 + 1;
    std::vector<std::int64_t> new_product(weeks, 0), new_brand(weeks, 0);
    for (std::size_t c = 0; c < data.customers; ++c) {
      if (first_product[c] != kNever) ++new_product[(first_product[c] - launch[p]) / 7];
      if (first_brand[c] != kNever) ++new_brand[(first_brand[c] - launch[p]) / 7];
    }
    // The category's buyers since launch, every brand: a count read here as a denominator only.
    // new_category[w]: customers whose first purchase in the category falls in week w;
    // others[w] change: customers counted in the category by week w who are not (yet) buyers
    // of the caller's brands.
    std::vector<std::int64_t> new_category(weeks, 0), other_change(weeks + 1, 0);
    if (!product.category.empty()) {
      if (!every_product) every_product = latest_products(ws.database());
      std::unordered_set<std::string> in_category;
      for (const auto& [id, x] : *every_product) {
        if (x.category == product.category) in_category.insert(id);
      }
      std::unordered_map<std::string, std::int32_t> first_category;
      const SqlValue params[] = {product.category, std::int64_t{launch[p]}};
      ws.database().scan(
          "SELECT customer_id, day, product FROM transactions WHERE day >= $2 AND product IN "
          "(SELECT product_id FROM products WHERE category = $1)",
          params, [&](const SqlRow& r) {
            // The latest products row decides the category, as for the scope.
            if (in_category.count(std::string(r.text(2))) == 0) return;
            const auto day = static_cast<std::int32_t>(r.integer(1));
            auto [it, added] = first_category.try_emplace(std::string(r.text(0)), day);
            if (!added) it->second = std::min(it->second, day);
          });
      for (const auto& [customer, day] : first_category) {
        const std::int32_t w = (day - launch[p]) / 7;
        if (w >= weeks) continue;  // after the caller's last day: no row shows it
        ++new_category[w];
        std::int32_t until = weeks;  // the week it becomes a buyer of the brands
        if (const auto c = number_of.find(customer); c != number_of.end()) {
          if (first_brand[c->second] != kNever) {
            until = std::min(weeks, (first_brand[c->second] - launch[p]) / 7);
          }
        }
        if (until > w) {
          ++other_change[w];
          --other_change[until];
        }
      }
    }
    std::int64_t buyers = 0, brand_buyers = 0, category_buyers = 0, others = 0;
    for (std::int32_t w = 0; w < weeks; ++w) {
      buyers += new_product[w];
      brand_buyers += new_brand[w];
      category_buyers += new_category[w];
      others += other_change[w];
      const std::int32_t week_start = launch[p] + 7 * w;
      if (q.from_day && week_start + 6 < *q.from_day) continue;
      if (q.to_day && week_start > *q.to_day) continue;
      const bool suppressed = buyers < q.min_cell || brand_buyers < q.min_cell;
      const bool category_suppressed = suppressed || product.category.empty() ||
                                       category_buyers < q.min_cell || others < q.min_cell;
      std::vector<Cell> c = {product.id,          product.name,
                             product.brand,       std::int64_t{launch[p]},
                             std::int64_t{w + 1}, std::int64_t{week_start}};
      if (suppressed) {
        c.insert(c.end(), {std::monostate{}, std::monostate{}, std::monostate{}, true});
      } else {
        c.insert(c.end(), {buyers, brand_buyers,
                           static_cast<double>(buyers) / static_cast<double>(brand_buyers), false});
      }
      c.emplace_back(product.category);
      if (category_suppressed) {
        c.insert(c.end(), {std::monostate{}, std::monostate{}, true});
      } else {
        c.insert(c.end(),
                 {category_buyers,
                  static_cast<double>(buyers) / static_cast<double>(category_buyers), false});
      }
      t.append_row(c);
    }
  }
  return t;
}

}  // namespace ltv::server
