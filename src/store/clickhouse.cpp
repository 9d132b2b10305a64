// ClickHouse over HTTP: the client, reading rows as CSV, and the push-down of the summary and
// the pattern compression (see ltv/store/clickhouse.hpp and docs/scale-out.md).
#include "ltv/store/clickhouse.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include <unistd.h>

#include "data/summary_detail.hpp"
#include "database.hpp"
#include "ltv/error.hpp"
#include "ltv/store/store.hpp"

namespace ltv::store {

// ------------------------------------------------------------------------------------ location

namespace {

constexpr std::string_view kScheme = "clickhouse://";

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      int value = 0;
      const auto [ptr, ec] = std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16);
      if (ec == std::errc() && ptr == text.data() + i + 3) {
        out += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

std::string url_encode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

const char* env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

/// `name` quoted as a ClickHouse identifier.
std::string quote_name(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`' || c == '\\') out += '\\';
    out += c;
  }
  return out + "`";
}

/// `db.table` (or `table`) quoted part by part.
std::string quote_table(std::string_view table) {
  const auto dot = table.find('.');
  if (dot == std::string_view::npos) return quote_name(table);
  return quote_name(table.substr(0, dot)) + "." + quote_name(table.substr(dot + 1));
}

/// A query as given, without a trailing semicolon and blanks.
std::string trimmed_query(std::string_view query) {
  std::string sql(query);
  while (!sql.empty() &&
         (sql.back() == ';' || std::isspace(static_cast<unsigned char>(sql.back())))) {
    sql.pop_back();
  }
  return sql;
}

}  // namespace

bool is_clickhouse(std::string_view text) noexcept {
  return text.substr(0, kScheme.size()) == kScheme;
}

ClickHouseLocation parse_clickhouse_url(std::string_view url) {
  ClickHouseLocation loc;
  loc.display = redact_url(url);
  const auto bad = [&](std::string_view what) -> void {
    parameter_error("source", loc.display,
                    fmt::format("a ClickHouse URL clickhouse://[user[:password]@]host[:port]"
                                "[/database[.table]] ({})",
                                what));
  };
  if (!is_clickhouse(url)) bad("no clickhouse:// scheme");
  std::string_view rest = url.substr(kScheme.size());
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path =
      slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    const auto colon = userinfo.find(':');
    loc.user = percent_decode(userinfo.substr(0, colon));
    if (colon != std::string_view::npos) loc.password = percent_decode(userinfo.substr(colon + 1));
  }
  if (loc.user.empty()) loc.user = env_or_empty("LTV_CLICKHOUSE_USER");
  if (loc.password.empty()) loc.password = env_or_empty("LTV_CLICKHOUSE_PASSWORD");
  std::string_view host = authority;
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // an IPv6 address: [::1]:8123
    const auto close = authority.find(']');
    if (close == std::string_view::npos) bad("an IPv6 address without its closing ]");
    host = authority.substr(1, close - 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad("text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) bad("the port is not a number from 1 to 65535");
    }
  } else if (const auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) bad("the port is not a number from 1 to 65535");
  }
  if (!port.empty()) {
    int value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value <= 0 || value > 65535) {
      bad("the port is not a number from 1 to 65535");
    }
    loc.port = value;
  }
  if (host.empty()) bad("no host");
  loc.host = std::string(host);
  if (const auto q = path.find('?'); q != std::string_view::npos)
    bad("URL parameters are not taken");
  if (!path.empty()) {
    const auto dot = path.find('.');
    loc.database = std::string(path.substr(0, dot));
    if (dot != std::string_view::npos) loc.table = std::string(path.substr(dot + 1));
    if (loc.database.empty() || (dot != std::string_view::npos && loc.table.empty())) {
      bad("an empty database or table name");
    }
  }
  return loc;
}

// -------------------------------------------------------------------------------------- client

ClickHouseClient::ClickHouseClient(ClickHouseLocation location) : location_(std::move(location)) {}
ClickHouseClient::~ClickHouseClient() = default;
ClickHouseClient::ClickHouseClient(ClickHouseClient&&) noexcept = default;
ClickHouseClient& ClickHouseClient::operator=(ClickHouseClient&&) noexcept = default;

namespace {

std::string target_of(const ClickHouseLocation& loc, const ClickHouseClient::Settings& settings,
                      std::string_view query_in_url = {}) {
  // wait_end_of_query: the server answers once the query has finished, so that an error (a
  // shard lost midway) is an HTTP error, never a 200 whose body ends in an error text.
  std::string target = "/?wait_end_of_query=1&database=";
  target += url_encode(loc.database);
  if (!query_in_url.empty()) {
    target += "&query=";
    target += url_encode(query_in_url);
  }
  for (const auto& [key, value] : settings) {
    target += '&';
    target += url_encode(key);
    target += '=';
    target += url_encode(value);
  }
  return target;
}

/// ClickHouse's error text on one line (its message ends with a newline, a stack trace may
/// follow on later lines).
std::string one_line(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  constexpr std::size_t kMax = 2000;
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

}  // namespace

void ClickHouseClient::post(const std::string& target, std::string_view body,
                            const std::function<void(std::string_view)>& receive) const {
  httplib::Client client(location_.host, location_.port);
  client.set_connection_timeout(10, 0);
  client.set_read_timeout(3600, 0);
  client.set_write_timeout(600, 0);
  client.set_keep_alive(false);
  httplib::Request request;
  request.method = "POST";
  request.path = target;
  request.body = std::string(body);
  request.headers.emplace("Content-Type", "text/plain; charset=UTF-8");
  if (!location_.user.empty()) request.headers.emplace("X-ClickHouse-User", location_.user);
  if (!location_.password.empty()) request.headers.emplace("X-ClickHouse-Key", location_.password);
  int status = 0;
  std::string error_text;  // the body of a failed request
  request.response_handler = [&](const httplib::Response& response) {
    status = response.status;
    return true;
  };
  std::exception_ptr failed;  // thrown by `receive`: stops the read, rethrown here
  request.content_receiver = [&](const char* data, std::size_t size, std::uint64_t, std::uint64_t) {
    if (status == 200) {
      try {
        receive(std::string_view(data, size));
      } catch (...) {
        failed = std::current_exception();
        return false;
      }
    } else if (error_text.size() < 100000) {
      error_text.append(data, size);
    }
    return true;
  };
  httplib::Response response;
  httplib::Error e = httplib::Error::Success;
  const bool sent = client.send(request, response, e);
  if (failed) std::rethrow_exception(failed);
  if (!sent && status == 0) {
    std::string why = httplib::to_string(e);
    if (e == httplib::Error::Connection) why = "connection refused or host unreachable";
    throw DatabaseError(fmt::format("ClickHouse server {}:{} ({}): cannot connect: {}",
                                    location_.host, location_.port, location_.display, why));
  }
  if (status != 200) {
    throw DatabaseError(fmt::format("ClickHouse server {}:{} ({}): query failed (HTTP {}): {}",
                                    location_.host, location_.port, location_.display, status,
                                    one_line(error_text)));
  }
  if (!sent) {
    throw DatabaseError(fmt::format(
        "ClickHouse server {}:{} ({}): the connection broke while the result was read: {}",
        location_.host, location_.port, location_.display, httplib::to_string(e)));
  }
}

std::string ClickHouseClient::query(std::string_view sql, const Settings& settings) const {
  std::string out;
  post(target_of(location_, settings), sql, [&](std::string_view chunk) { out += chunk; });
  return out;
}

void ClickHouseClient::query_lines(std::string_view sql, const Settings& settings,
                                   const std::function<void(std::string_view)>& line) const {
  std::string pending;  // the start of a line not complete yet
  post(target_of(location_, settings), sql, [&](std::string_view chunk) {
    std::size_t start = 0;
    for (std::size_t eol = chunk.find('\n'); eol != std::string_view::npos;
         eol = chunk.find('\n', start)) {
      if (pending.empty()) {
        line(chunk.substr(start, eol - start));
      } else {
        pending.append(chunk.substr(start, eol - start));
        line(pending);
        pending.clear();
      }
      start = eol + 1;
    }
    pending.append(chunk.substr(start));
  });
  if (!pending.empty()) line(pending);
}

void ClickHouseClient::insert(std::string_view sql, std::string_view data,
                              const Settings& settings) const {
  post(target_of(location_, settings, sql), data, [](std::string_view) {});
}

// --------------------------------------------------------------------------------- rows as CSV

namespace {

/// The FROM of a source: `db`.`table` or (query).
std::string from_clause(const ClickHouseLocation& loc, std::string_view query,
                        std::string_view table) {
  if (!query.empty()) return "(" + trimmed_query(query) + ")";
  std::string name(table.empty() ? std::string_view(loc.table) : table);
  if (name.empty()) {
    parameter_error("source", loc.display,
                    "a table: clickhouse://host:port/database.table, --source-table or --query");
  }
  return quote_table(name);
}

std::string source_name(const ClickHouseLocation& loc, std::string_view query,
                        std::string_view table) {
  if (!query.empty()) return loc.display + " (query)";
  if (!table.empty()) return fmt::format("{} (table {})", loc.display, table);
  return loc.display;
}

}  // namespace

std::string read_clickhouse_csv(std::string_view location, std::string_view query,
                                std::string_view table) {
  const ClickHouseLocation loc = parse_clickhouse_url(location);
  const ClickHouseClient client(loc);
  return client.query("SELECT * FROM " + from_clause(loc, query, table) + " FORMAT CSVWithNames");
}

// ----------------------------------------------------------------------------------- push-down

ClickHouseSource clickhouse_source(std::string location, std::string query, std::string table,
                                   const ColumnMapping& columns) {
  const std::pair<const char*, const std::string*> refused[] = {
      {"order", &columns.order},   {"quantity", &columns.quantity}, {"price", &columns.price},
      {"margin", &columns.margin}, {"cost", &columns.cost},
  };
  for (const auto& [option, value] : refused) {
    if (!value->empty()) {
      parameter_error(option, *value,
                      fmt::format("no --{} on a ClickHouse source: the summary and the fit "
                                  "computed in ClickHouse take --customer, --date and --amount "
                                  "only (docs/scale-out.md)",
                                  option));
    }
  }
  if (columns.customer.empty()) {
    parameter_error("customer", "", "the customer id column of the ClickHouse source");
  }
  if (columns.date.empty()) {
    parameter_error("date", "", "the purchase date column of the ClickHouse source");
  }
  ClickHouseSource s;
  s.location = std::move(location);
  s.query = std::move(query);
  s.table = std::move(table);
  s.customer = columns.customer;
  s.date = columns.date;
  s.amount = columns.amount;
  return s;
}

namespace {

/// A column of the source's result, by name (exact, else case-insensitive) or 1-based position
/// ("3", "#3"), as in a file's header. ParameterError (`option`) naming the columns otherwise.
std::string resolve_column(const std::vector<std::string>& names, const std::string& wanted,
                           const char* option, const std::string& source) {
  for (const std::string& n : names) {
    if (n == wanted) return n;
  }
  const auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  for (const std::string& n : names) {
    if (lower(n) == lower(wanted)) return n;
  }
  std::string_view digits = wanted;
  if (!digits.empty() && digits.front() == '#') digits.remove_prefix(1);
  std::size_t position = 0;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), position);
  if (!digits.empty() && ec == std::errc() && ptr == digits.data() + digits.size() &&
      position >= 1 && position <= names.size()) {
    return names[position - 1];
  }
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
  parameter_error(option, wanted, fmt::format("a column of {}: {}", source, list));
}

/// A push-down source as SQL: where its rows are, the expressions of its customer id (as text),
/// purchase day (day number) and amount, and the per-customer query (rows with an empty
/// customer id and days after the observation end left out).
struct PushdownSql {
  ClickHouseLocation loc;
  std::string source;               // for messages
  std::string from;                 // FROM clause
  std::string c, d, a;              // expressions over the source's columns
  std::string raw_c, raw_d, raw_a;  // the quoted columns themselves
  bool has_amount = false;
  /// The source is a Distributed table whose sharding key is a function of the customer column
  /// only: every customer's rows are on one shard, so each shard computes its customers' rows
  /// completely (distributed_group_by_no_merge=1) and the initiator only adds them up.
  bool sharded_by_customer = false;

  /// The settings of a query over the source.
  ClickHouseClient::Settings settings() const {
    if (!sharded_by_customer) return {};
    return {{"distributed_group_by_no_merge", "1"}};
  }

  /// One row per customer with a purchase on or before `cal`: c, days (purchase days up to
  /// cal), first, last (first and last purchase day up to cal), revenue (amount up to cal),
  /// first_amount (amount of the first day), holdout_days, holdout_amount (after cal, up to
  /// `obs`). Without `amounts` the three amounts are 0 (not computed).
  std::string customers(std::int32_t cal, std::int32_t obs, bool amounts) const {
    if (sharded_by_customer) {
      // One GROUP BY per customer, run to the end on each shard: purchase days counted as
      // distinct days, the first day's amount as the first value of the per-day sums
      // (arraySum(arraySlice(...)): 18.16 sends `arrayElement(tupleElement(...), 2), 1)` to the
      // shards as `(...).2[1]`, which they fail to parse).
      const std::string money = amounts
                                    ? fmt::format(
                                          "sumIf({1}, {0} <= {2}) AS revenue, "
                                          "arraySum(arraySlice(tupleElement(sumMap([{0}], [{1}]), "
                                          "2), 1, 1)) AS first_amount, "
                                          "sumIf({1}, {0} > {2}) AS holdout_amount",
                                          d, a, cal)
                                    : std::string(
                                          "toFloat64(0) AS revenue, toFloat64(0) AS first_amount, "
                                          "toFloat64(0) AS holdout_amount");
      return fmt::format(
          "SELECT {1} AS c, toInt64(uniqExactIf({0}, {0} <= {2})) AS days, min({0}) AS first, "
          "maxIf({0}, {0} <= {2}) AS last, toInt64(uniqExactIf({0}, {0} > {2})) AS holdout_days, "
          "{3} FROM {4} WHERE {0} <= {5} AND {1} != '' GROUP BY c HAVING min({0}) <= {2}",
          d, c, cal, money, from, obs);
    }
    // Any other source: one row per customer-day first, then per customer.
    const std::string lines = fmt::format("SELECT {} AS c, {} AS d, {} AS a FROM {}", c, d,
                                          amounts ? a : std::string("toFloat64(0)"), from);
    const std::string days = fmt::format(
        "SELECT c, d, sum(a) AS a FROM ({}) WHERE c != '' AND d <= {} GROUP BY c, d", lines, obs);
    return fmt::format(
        "SELECT c, toInt64(countIf(d <= {0})) AS days, min(d) AS first, maxIf(d, d <= {0}) AS "
        "last, "
        "toInt64(countIf(d > {0})) AS holdout_days, sumIf(a, d <= {0}) AS revenue, "
        "argMin(a, d) AS first_amount, sumIf(a, d > {0}) AS holdout_amount FROM ({1}) "
        "GROUP BY c HAVING min(d) <= {0}",
        cal, days);
  }
};

/// `text` as a ClickHouse string literal.
std::string quote_string(std::string_view text) {
  std::string out = "'";
  for (char ch : text) {
    if (ch == '\\' || ch == '\'') out += '\\';
    out += ch;
  }
  return out + "'";
}

/// The identifiers of an expression that are not function names (`cityHash64(customer_id)`
/// gives customer_id), backquotes removed.
std::vector<std::string> column_identifiers(std::string_view expr) {
  std::vector<std::string> out;
  std::size_t i = 0;
  const auto is_start = [](char ch) {
    return std::isalpha(static_cast<unsigned char>(ch)) || ch == '_';
  };
  while (i < expr.size()) {
    const char ch = expr[i];
    if (ch == '\'') {  // a string literal
      for (++i; i < expr.size() && expr[i] != '\''; ++i) {
        if (expr[i] == '\\') ++i;
      }
      ++i;
    } else if (ch == '`' || is_start(ch)) {
      std::string name;
      if (ch == '`') {
        for (++i; i < expr.size() && expr[i] != '`'; ++i) name += expr[i];
        ++i;
      } else {
        while (i < expr.size() &&
               (is_start(expr[i]) || std::isdigit(static_cast<unsigned char>(expr[i])))) {
          name += expr[i++];
        }
      }
      std::size_t j = i;
      while (j < expr.size() && std::isspace(static_cast<unsigned char>(expr[j]))) ++j;
      if (j == expr.size() || expr[j] != '(') out.push_back(name);
    } else if (std::isdigit(static_cast<unsigned char>(ch))) {
      while (i < expr.size() &&
             (std::isalnum(static_cast<unsigned char>(expr[i])) || expr[i] == '.')) {
        ++i;
      }
    } else {
      ++i;
    }
  }
  return out;
}

/// Whether the table is a Distributed table sharded by a function of `customer` only, from
/// its definition in system.tables (`Distributed(cluster, db, table, key)`).
bool distributed_by_customer(const ClickHouseClient& client, const ClickHouseLocation& loc,
                             std::string_view table, std::string_view customer) {
  std::string name(table.empty() ? std::string_view(loc.table) : table);
  std::string database = loc.database;
  if (const auto dot = name.find('.'); dot != std::string::npos) {
    database = name.substr(0, dot);
    name = name.substr(dot + 1);
  }
  const std::string body = client.query(
      fmt::format("SELECT engine_full FROM system.tables WHERE database = {} AND name = {} AND "
                  "engine = 'Distributed' FORMAT JSONCompact",
                  quote_string(database), quote_string(name)));
  const auto data = nlohmann::json::parse(body).at("data");
  if (data.empty()) return false;
  const std::string engine = data.at(0).at(0).get<std::string>();
  // The fourth argument of Distributed(...), at the parenthesis depth 1.
  const auto open = engine.find('(');
  if (open == std::string::npos) return false;
  int depth = 0, argument = 0;
  std::size_t key_begin = std::string::npos, key_end = std::string::npos;
  for (std::size_t i = open; i < engine.size(); ++i) {
    const char ch = engine[i];
    if (ch == '\'') {
      for (++i; i < engine.size() && engine[i] != '\''; ++i) {
        if (engine[i] == '\\') ++i;
      }
      continue;
    }
    if (ch == '(') {
      ++depth;
    } else if (ch == ')') {
      if (--depth == 0) {
        if (argument == 3) key_end = i;
        break;
      }
    } else if (ch == ',' && depth == 1) {
      if (argument == 3) {
        key_end = i;
        break;
      }
      if (++argument == 3) key_begin = i + 1;
    }
  }
  if (key_begin == std::string::npos || key_end == std::string::npos) return false;
  const auto ids =
      column_identifiers(std::string_view(engine).substr(key_begin, key_end - key_begin));
  return !ids.empty() &&
         std::all_of(ids.begin(), ids.end(), [&](const std::string& id) { return id == customer; });
}

PushdownSql pushdown_sql(const ClickHouseSource& source) {
  PushdownSql q;
  q.loc = parse_clickhouse_url(source.location);
  q.source = source_name(q.loc, source.query, source.table);
  q.from = from_clause(q.loc, source.query, source.table);
  const ClickHouseClient client(q.loc);
  // The source's columns (no rows read).
  const auto meta = nlohmann::json::parse(
      client.query("SELECT * FROM " + q.from + " LIMIT 0 FORMAT JSONCompact"));
  std::vector<std::string> names;
  for (const auto& column : meta.at("meta")) names.push_back(column.at("name").get<std::string>());
  const std::string customer = resolve_column(names, source.customer, "customer", q.source);
  q.raw_c = quote_name(customer);
  q.raw_d = quote_name(resolve_column(names, source.date, "date", q.source));
  q.c = "toString(" + q.raw_c + ")";
  q.d = "toInt32(toDate(" + q.raw_d + "))";
  q.has_amount = !source.amount.empty();
  if (q.has_amount) {
    q.raw_a = quote_name(resolve_column(names, source.amount, "amount", q.source));
    q.a = "toFloat64(" + q.raw_a + ")";
  } else {
    q.a = "toFloat64(0)";
  }
  if (source.query.empty()) {
    q.sharded_by_customer = distributed_by_customer(client, q.loc, source.table, customer);
  }
  return q;
}

/// A TabSeparated line split into its fields.
void split_tabs(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  for (;;) {
    const auto tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) break;
    line.remove_prefix(tab + 1);
  }
}

/// Tab-separated lines of a response, split into fields.
template <class F>
void for_each_row(std::string_view body, F&& f) {
  std::vector<std::string_view> fields;
  while (!body.empty()) {
    const auto eol = body.find('\n');
    split_tabs(body.substr(0, eol), fields);
    body = eol == std::string_view::npos ? std::string_view() : body.substr(eol + 1);
    f(fields);
  }
}

std::int64_t to_integer(std::string_view text) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    throw DatabaseError(fmt::format("ClickHouse returned '{}' where a whole number was expected",
                                    std::string(text.substr(0, 40))));
  }
  return v;
}

double to_number(std::string_view text) {
  const std::string s(text);
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) {
    throw DatabaseError(
        fmt::format("ClickHouse returned '{}' where a number was expected", s.substr(0, 40)));
  }
  return v;
}

/// Counts the rows and finds the periods; checks for what the push-down does not take.
ClickHouseScan scan_source(const PushdownSql& q, const ClickHouseClient& client,
                           const SummaryOptions& options, CustomerSummary& header) {
  const std::string nulls =
      q.has_amount
          ? fmt::format("isNull({}) OR isNull({}) OR isNull({})", q.raw_c, q.raw_d, q.raw_a)
          : fmt::format("isNull({}) OR isNull({})", q.raw_c, q.raw_d);
  // Rows with an empty customer id are left out, as the file loader drops them.
  const std::string loaded = fmt::format("NOT ({}) AND toString({}) != ''", nulls, q.raw_c);
  const std::string body = client.query(fmt::format(
      "SELECT count(), countIf({0}), countIf(toString({1}) = ''), countIf({2} < 0), "
      "minIf(toInt32(toDate({3})), {4}), maxIf(toInt32(toDate({3})), {4}), sumIf({2}, {4}) "
      "FROM {5} FORMAT TabSeparated",
      nulls, q.raw_c, q.a, q.raw_d, loaded, q.from));
  ClickHouseScan scan;
  scan.source = q.source;
  scan.sharded_by_customer = q.sharded_by_customer;
  scan.has_amount = q.has_amount;
  std::int64_t null_rows = 0, empty_customers = 0, negative = 0;
  bool seen = false;
  for_each_row(body, [&](const std::vector<std::string_view>& f) {
    if (f.size() != 7) throw DatabaseError("ClickHouse returned an unexpected row count result");
    seen = true;
    scan.rows = to_integer(f[0]);
    null_rows = to_integer(f[1]);
    empty_customers = to_integer(f[2]);
    scan.rows_without_customer = empty_customers;
    negative = to_integer(f[3]);
    scan.first_day = static_cast<std::int32_t>(to_integer(f[4]));
    scan.last_day = static_cast<std::int32_t>(to_integer(f[5]));
    scan.total_amount = to_number(f[6]);
  });
  if (!seen) throw DatabaseError(q.source + ": ClickHouse returned no row count");
  const SourceLocation where{q.source, 0, ""};
  if (null_rows > 0) {
    input_error(where, fmt::format("{} rows with a NULL customer, date or amount", null_rows),
                "a value in every row's customer, date and amount column");
  }
  if (negative > 0) {
    input_error(SourceLocation{q.source, 0, q.raw_a},
                fmt::format("{} rows with a negative amount (returns)", negative),
                "purchases only: returns are not pushed down to ClickHouse; net them in the "
                "query (--query) or read the rows another way");
  }
  if (scan.rows - empty_customers <= 0) {
    input_error(where, "no transactions", "at least one row with a customer id and a date");
  }
  header = detail::summary_header(scan.first_day, scan.last_day, q.has_amount, false, options);
  scan.calibration_end = header.calibration_end;
  scan.observation_end = header.observation_end;
  return scan;
}

}  // namespace

PushedDownPatterns clickhouse_patterns(const ClickHouseSource& source,
                                       const SummaryOptions& options, bool spend) {
  const PushdownSql q = pushdown_sql(source);
  const ClickHouseClient client(q.loc);
  CustomerSummary header;
  PushedDownPatterns out;
  out.time_unit = options.time_unit;
  out.scan = scan_source(q, client, options, header);
  const std::int32_t cal = header.calibration_end;
  const std::string customers = q.customers(cal, header.observation_end, q.has_amount && spend);
  // The patterns: integer days grouped in ClickHouse, converted to the time unit here.
  const std::string patterns = client.query(
      fmt::format("SELECT days - 1 AS x, last - first AS t_x_days, {} - first AS T_days, count() "
                  "FROM ({}) GROUP BY x, t_x_days, T_days ORDER BY x, t_x_days, T_days "
                  "FORMAT TabSeparated",
                  cal, customers),
      q.settings());
  const double unit = days_per_unit(options.time_unit);
  std::vector<double> x, t_x, T, weight;
  for_each_row(patterns, [&](const std::vector<std::string_view>& f) {
    if (f.size() != 4) throw DatabaseError(q.source + ": ClickHouse returned a malformed pattern");
    x.push_back(static_cast<double>(to_integer(f[0])));
    t_x.push_back(static_cast<double>(to_integer(f[1])) / unit);
    T.push_back(static_cast<double>(to_integer(f[2])) / unit);
    weight.push_back(static_cast<double>(to_integer(f[3])));
  });
  out.patterns = compress_patterns(x, t_x, T, weight);
  out.scan.customers = static_cast<std::int64_t>(out.patterns.customers());
  if (q.has_amount && spend) {
    // The Gamma-Gamma input: repeat customers by (x, mean repeat spend), with counts.
    const std::string rows = client.query(
        fmt::format("SELECT days - 1 AS x, (revenue - first_amount) / x AS m, count() FROM ({}) "
                    "WHERE x > 0 GROUP BY x, m ORDER BY x, m FORMAT TabSeparated",
                    customers),
        q.settings());
    std::vector<double> sx, sm, sw;
    for_each_row(rows, [&](const std::vector<std::string_view>& f) {
      if (f.size() != 3) throw DatabaseError(q.source + ": ClickHouse returned a malformed row");
      sx.push_back(static_cast<double>(to_integer(f[0])));
      sm.push_back(to_number(f[1]));
      sw.push_back(static_cast<double>(to_integer(f[2])));
    });
    out.spend = gamma_gamma::spend_data(sx, sm, sw);
  }
  return out;
}

namespace {

/// Summary rows fetched from ClickHouse (one per customer), handed out a range at a time.
class ClickHouseSummary : public SummaryRanges {
 public:
  std::size_t customers() const noexcept override { return order_.size(); }
  const CustomerSummary& header() const noexcept override { return header_; }
  std::string_view customer_id(std::uint32_t customer) const override { return ids_[customer]; }

  void build(std::size_t begin, std::size_t end, CustomerSummary& out) const override {
    out = CustomerSummary{};
    detail::copy_header(header_, out);
    const double unit = days_per_unit(header_.time_unit);
    for (std::size_t k = begin; k < end; ++k) {
      const std::uint32_t i = order_[k];
      const double frequency = static_cast<double>(days_[i] - 1);
      out.customer.push_back(i);
      out.frequency.push_back(frequency);
      out.recency.push_back((last_[i] - first_[i]) / unit);
      out.T.push_back((header_.calibration_end - first_[i]) / unit);
      out.monetary_value.push_back(days_[i] > 1 ? (revenue_[i] - first_amount_[i]) / frequency
                                                : 0.0);
      out.first_purchase.push_back(first_[i]);
      out.last_purchase.push_back(last_[i]);
      out.orders.push_back(days_[i]);
      out.revenue.push_back(revenue_[i]);
      if (header_.has_holdout) {
        out.frequency_holdout.push_back(static_cast<double>(holdout_days_[i]));
        out.monetary_value_holdout.push_back(
            holdout_days_[i] > 0 ? holdout_amount_[i] / static_cast<double>(holdout_days_[i])
                                 : 0.0);
      }
    }
  }

  CustomerSummary header_;
  std::vector<std::string> ids_;
  std::vector<std::int32_t> first_, last_;
  std::vector<std::int64_t> days_, holdout_days_;
  std::vector<double> revenue_, first_amount_, holdout_amount_;
  std::vector<std::uint32_t> order_;
};

}  // namespace

std::unique_ptr<SummaryRanges> clickhouse_summary(const ClickHouseSource& source,
                                                  const SummaryOptions& options,
                                                  ClickHouseScan& scan) {
  const PushdownSql q = pushdown_sql(source);
  const ClickHouseClient client(q.loc);
  auto out = std::make_unique<ClickHouseSummary>();
  scan = scan_source(q, client, options, out->header_);
  const std::int32_t cal = out->header_.calibration_end;
  ClickHouseSummary& s = *out;
  // Parsed as the rows arrive (the response is never held whole).
  std::vector<std::string_view> f;
  client.query_lines(
      fmt::format("SELECT c, first, last, days, revenue, first_amount, holdout_days, "
                  "holdout_amount FROM ({}) FORMAT TabSeparated",
                  q.customers(cal, out->header_.observation_end, q.has_amount)),
      q.settings(), [&](std::string_view line) {
        split_tabs(line, f);
        if (f.size() != 8) throw DatabaseError(q.source + ": ClickHouse returned a malformed row");
        decode_backslash_escapes(f[0], s.ids_.emplace_back());
        s.first_.push_back(static_cast<std::int32_t>(to_integer(f[1])));
        s.last_.push_back(static_cast<std::int32_t>(to_integer(f[2])));
        s.days_.push_back(to_integer(f[3]));
        s.revenue_.push_back(to_number(f[4]));
        s.first_amount_.push_back(to_number(f[5]));
        s.holdout_days_.push_back(to_integer(f[6]));
        s.holdout_amount_.push_back(to_number(f[7]));
      });
  s.order_ =
      sort_by_id(s.ids_.size(), [&](std::uint32_t i) -> std::string_view { return s.ids_[i]; });
  scan.customers = static_cast<std::int64_t>(s.ids_.size());
  return out;
}

// ---------------------------------------------------------------------------------- write-back

namespace {

/// Little-endian fixed-width values of a RowBinary body (ClickHouse and this machine: LE).
class RowBinaryReader {
 public:
  explicit RowBinaryReader(std::string_view body) : body_(body) {}
  bool done() const noexcept { return pos_ == body_.size(); }
  template <class T>
  T next() {
    if (body_.size() - pos_ < sizeof(T)) {
      throw DatabaseError("ClickHouse returned a truncated RowBinary result");
    }
    T v;
    std::memcpy(&v, body_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }

 private:
  std::string_view body_;
  std::size_t pos_ = 0;
};

template <class T>
void put(std::string& out, T v) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  out.append(bytes, sizeof(T));
}

/// A number as SQL text that reads back as the same double.
std::string sql_number(double v) {
  return fmt::format("{:.17g}", v);
}

/// A run id: UTC time and process id (table names: letters, digits and _ only).
std::string new_run_id() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
  static int counter = 0;
  return fmt::format("{}_{}_{}", stamp, ::getpid(), counter++);
}

constexpr std::size_t kInsertBatch = 65536;  // rows per INSERT of scores

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

ClickHouseScoringRun::ClickHouseScoringRun(const ClickHouseSource& source,
                                           const SummaryOptions& options, bool spend,
                                           std::string_view staging, bool spend_groups) {
  const PushdownSql q = pushdown_sql(source);
  ClickHouseLocation where = q.loc;
  run_id_ = new_run_id();
  database_ = q.loc.database;
  prefix_ = "ltv_tmp_" + run_id_;
  if (!staging.empty()) {
    where = parse_clickhouse_url(staging);
    if (where.host != q.loc.host || where.port != q.loc.port) {
      parameter_error("output", where.display,
                      fmt::format("a table on the source's ClickHouse server {}:{} (the scores "
                                  "are joined to the customers inside ClickHouse)",
                                  q.loc.host, q.loc.port));
    }
    database_ = where.database;
    if (!where.table.empty()) prefix_ = where.table + "__run_" + run_id_;
  }
  client_ = std::make_unique<ClickHouseClient>(where);
  step_start_ = seconds_now();
  try {
    start(&q, options, spend, spend_groups);
  } catch (...) {
    drop_tables();  // a CREATE ... AS SELECT that failed midway may have left its table
    throw;
  }
}

void ClickHouseScoringRun::start(const void* sql, const SummaryOptions& options, bool spend,
                                 bool spend_groups) {
  const PushdownSql& q = *static_cast<const PushdownSql*>(sql);
  input_.time_unit = options.time_unit;
  input_.scan = scan_source(q, *client_, options, header_);
  step("scan");
  const std::int32_t cal = header_.calibration_end;
  with_spend_ = q.has_amount && spend;
  // The per-customer summary, computed once into a staging table on this server.
  customers_table_ = quote_name(database_) + "." + quote_name(prefix_ + "_customers");
  to_drop_.push_back(customers_table_);
  client_->query(
      fmt::format("CREATE TABLE {} ENGINE = Log AS SELECT c, toInt64(days - 1) AS x, "
                  "toInt64(last - first) AS t_x_days, toInt64({} - first) AS T_days, "
                  "if(days > 1, (revenue - first_amount) / (days - 1), toFloat64(0)) AS m, "
                  "toInt64(holdout_days) AS holdout_days FROM ({})",
                  customers_table_, cal, q.customers(cal, header_.observation_end, with_spend_)),
      q.settings());
  step("per-customer summary into the staging table");
  // The patterns (integer days; the time unit here).
  const double unit = days_per_unit(options.time_unit);
  const std::string patterns = client_->query(fmt::format(
      "SELECT x, t_x_days, T_days, toUInt64(count()) FROM {} GROUP BY x, t_x_days, T_days "
      "ORDER BY x, t_x_days, T_days FORMAT RowBinary",
      customers_table_));
  std::vector<double> weight;
  for (RowBinaryReader r(patterns); !r.done();) {
    kx_.push_back(r.next<std::int64_t>());
    ktx_.push_back(r.next<std::int64_t>());
    kT_.push_back(r.next<std::int64_t>());
    weight.push_back(static_cast<double>(r.next<std::uint64_t>()));
    px_.push_back(static_cast<double>(kx_.back()));
    ptx_.push_back(static_cast<double>(ktx_.back()) / unit);
    pT_.push_back(static_cast<double>(kT_.back()) / unit);
    customers_ += static_cast<std::int64_t>(weight.back());
  }
  received_ += px_.size();
  input_.patterns = compress_patterns(px_, ptx_, pT_, weight);
  input_.scan.customers = customers_;
  step("patterns fetched");
  if (with_spend_ && spend_groups) {
    // Every customer's (x, m_x): the same Float64 values the join matches on.
    const std::string rows = client_->query(
        fmt::format("SELECT x, m, toUInt64(count()) FROM {} GROUP BY x, m ORDER BY x, m "
                    "FORMAT RowBinary",
                    customers_table_));
    std::vector<double> sw;
    for (RowBinaryReader r(rows); !r.done();) {
      sx_.push_back(static_cast<double>(r.next<std::int64_t>()));
      sm_.push_back(r.next<double>());
      sw.push_back(static_cast<double>(r.next<std::uint64_t>()));
    }
    received_ += sx_.size();
    input_.spend = gamma_gamma::spend_data(sx_, sm_, sw);  // repeat customers only
    step("spend groups fetched");
  }
}

void ClickHouseScoringRun::step(std::string name) {
  const double now = seconds_now();
  steps_.emplace_back(std::move(name), now - step_start_);
  step_start_ = now;
}

ClickHouseScoringRun::~ClickHouseScoringRun() {
  drop_tables();
}

void ClickHouseScoringRun::drop_tables() noexcept {
  for (const std::string& table : to_drop_) {
    try {
      client_->query("DROP TABLE IF EXISTS " + table);
    } catch (...) {  // the server is gone: nothing else to do
    }
  }
}

std::string ClickHouseScoringRun::send_scores(const Scores& s) {
  step("fit and scores in ltvkit");
  const std::size_t n = px_.size();
  const bool spend = !s.spend_a.empty();
  if (s.p_alive.size() != n || s.expected_purchases.size() != n ||
      (spend &&
       (s.discounted_purchases.size() != n || s.spend_a.size() != n || s.spend_b.size() != n))) {
    throw std::invalid_argument("ClickHouseScoringRun: one score per pattern");
  }
  if (spend && !with_spend_) {
    throw std::invalid_argument("ClickHouseScoringRun: spend scores without an amount");
  }
  const std::string patterns = quote_name(database_) + "." + quote_name(prefix_ + "_patterns");
  to_drop_.push_back(patterns);
  client_->query("DROP TABLE IF EXISTS " + patterns);
  client_->query("CREATE TABLE " + patterns +
                 " (x Int64, t_x_days Int64, T_days Int64, frequency Float64, recency Float64, "
                 "T Float64, p_alive Float64, expected_purchases Float64, discounted Float64, "
                 "spend_a Float64, spend_b Float64, matched UInt8) ENGINE = Log");
  std::string batch;
  for (std::size_t begin = 0; begin < n; begin += kInsertBatch) {
    const std::size_t end = std::min(n, begin + kInsertBatch);
    batch.clear();
    for (std::size_t i = begin; i < end; ++i) {
      put(batch, kx_[i]);
      put(batch, ktx_[i]);
      put(batch, kT_[i]);
      put(batch, px_[i]);
      put(batch, ptx_[i]);
      put(batch, pT_[i]);
      put(batch, s.p_alive[i]);
      put(batch, s.expected_purchases[i]);
      put(batch, spend ? s.discounted_purchases[i] : 0.0);
      put(batch, spend ? s.spend_a[i] : 0.0);
      put(batch, spend ? s.spend_b[i] : 0.0);
      put(batch, std::uint8_t{1});
    }
    client_->insert("INSERT INTO " + patterns + " FORMAT RowBinary", batch);
    sent_ += end - begin;
  }
  step("scores sent");
  return patterns;
}

std::string ClickHouseScoringRun::join_sql(const Scores& s) const {
  const bool spend = !s.spend_a.empty();
  const std::string patterns = quote_name(database_) + "." + quote_name(prefix_ + "_patterns");
  const std::string sql = fmt::format(
      "SELECT c, x, m, holdout_days, frequency, recency, T, p_alive, expected_purchases, "
      "discounted, spend_a, spend_b, matched FROM (SELECT c, x, t_x_days, T_days, m, "
      "holdout_days FROM {}) ANY LEFT JOIN {} USING (x, t_x_days, T_days)",
      customers_table_, patterns);
  std::string columns = "c AS customer_id, frequency, recency, T, p_alive, expected_purchases";
  if (header_.has_holdout) columns += ", toFloat64(holdout_days) AS frequency_holdout";
  if (spend) {
    // The expected spend a + b * m of the customer's pattern, the CLV from it.
    columns += fmt::format(
        ", m AS monetary_value, spend_a + spend_b * m AS expected_spend, {} * (spend_a + "
        "spend_b * m) * discounted AS clv",
        sql_number(s.margin));
  }
  // Every customer matches a pattern: throwIf fails the query otherwise (no silent zeros).
  return fmt::format("SELECT {} FROM ({}) WHERE throwIf(matched = 0) = 0", columns, sql);
}

ClickHouseScoringRun::Written ClickHouseScoringRun::write(std::string_view target,
                                                          const Scores& s) {
  const ClickHouseLocation loc = parse_clickhouse_url(target);
  if (loc.table.empty()) {
    parameter_error("output", loc.display, "a table: clickhouse://host:port/database.table");
  }
  if (loc.database != database_ || prefix_.rfind(loc.table + "__run_", 0) != 0) {
    throw std::invalid_argument("ClickHouseScoringRun::write: the staging URL is the target");
  }
  send_scores(s);
  const bool spend = !s.spend_a.empty();
  const std::string run = quote_name(database_) + "." + quote_name(prefix_);
  const std::string final_table = quote_name(database_) + "." + quote_name(loc.table);
  const std::string old = quote_name(database_) + "." + quote_name(loc.table + "__old_" + run_id_);
  to_drop_.push_back(run);
  std::string columns =
      "customer_id String, frequency Float64, recency Float64, T Float64, p_alive Float64, "
      "expected_purchases Float64";
  if (header_.has_holdout) columns += ", frequency_holdout Float64";
  if (spend) columns += ", monetary_value Float64, expected_spend Float64, clv Float64";
  client_->query(
      fmt::format("CREATE TABLE {} ({}) ENGINE = MergeTree ORDER BY customer_id", run, columns));
  client_->query(fmt::format("INSERT INTO {} {}", run, join_sql(s)));
  step("join into the run table");
  const std::string count =
      client_->query(fmt::format("SELECT count() FROM {} FORMAT TabSeparated", run));
  Written w;
  w.target = loc.display;
  w.run = run_id_;
  w.customers = to_integer(std::string_view(count).substr(0, count.find('\n')));
  if (w.customers != customers_) {
    throw DatabaseError(fmt::format(
        "{}: the run table {} holds {} rows for {} customers; the previous table is unchanged",
        loc.display, prefix_, w.customers, customers_));
  }
  // The switch: one RENAME (the previous table away, the run's in), then the previous dropped.
  const std::string exists = client_->query(fmt::format(
      "SELECT count() FROM system.tables WHERE database = {} AND name = {} FORMAT TabSeparated",
      quote_string(database_), quote_string(loc.table)));
  w.replaced = exists.substr(0, 1) != "0";
  if (w.replaced) {
    client_->query(
        fmt::format("RENAME TABLE {} TO {}, {} TO {}", final_table, old, run, final_table));
    to_drop_.erase(std::remove(to_drop_.begin(), to_drop_.end(), run), to_drop_.end());
    to_drop_.push_back(old);
  } else {
    client_->query(fmt::format("RENAME TABLE {} TO {}", run, final_table));
    to_drop_.erase(std::remove(to_drop_.begin(), to_drop_.end(), run), to_drop_.end());
  }
  step("count check and switch");
  return w;
}

void ClickHouseScoringRun::fetch(
    const Scores& s, const std::function<void(std::string_view, const std::vector<double>&)>& row) {
  send_scores(s);
  std::vector<std::string_view> f;
  std::vector<double> values;
  std::string id;
  client_->query_lines(join_sql(s) + " FORMAT TabSeparated", {}, [&](std::string_view line) {
    split_tabs(line, f);
    if (f.size() < 6) throw DatabaseError("ClickHouse returned a malformed joined row");
    decode_backslash_escapes(f[0], id);
    values.clear();
    for (std::size_t k = 1; k < f.size(); ++k) values.push_back(to_number(f[k]));
    row(id, values);
  });
  step("join streamed back");
}

LoadReport load_report(const ClickHouseScan& scan) {
  LoadReport r;
  r.source = scan.source;
  r.rows_read = scan.rows;
  r.rows_loaded = scan.rows - scan.rows_without_customer;
  r.rows_without_customer = scan.rows_without_customer;
  r.customers = static_cast<std::size_t>(scan.customers);
  r.first_day = scan.first_day;
  r.last_day = scan.last_day;
  r.has_amount = scan.has_amount;
  r.delimiter = "none";  // no text was parsed: ClickHouse read its own columns
  r.date_format = "toDate() in ClickHouse";
  r.total_amount = scan.total_amount;
  return r;
}

}  // namespace ltv::store
