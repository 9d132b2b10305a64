// Reading a query or table of a user's database as CSV text (see ltv/store/source.hpp).
#include "ltv/store/source.hpp"

#include <fmt/format.h>

#include "database.hpp"
#include "ltv/store/clickhouse.hpp"
#include "ltv/store/store.hpp"

namespace ltv::store {

namespace {

/// `schema.table` quoted part by part.
std::string quoted_table(std::string_view table) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= table.size(); ++i) {
    if (i == table.size() || table[i] == '.') {
      if (!out.empty()) out += ".";
      out += quote_identifier(table.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

std::string database_source_name(std::string_view location, std::string_view query,
                                 std::string_view table) {
  const DatabaseLocation loc = parse_location(location);
  if (!query.empty()) return fmt::format("{} (query)", loc.display);
  if (table.empty()) return loc.display;  // a clickhouse:// URL naming its table
  return fmt::format("{} (table {})", loc.display, table);
}

std::string read_database_csv(std::string_view location, std::string_view query,
                              std::string_view table) {
  const DatabaseLocation loc = parse_location(location);
  if (loc.kind == DatabaseLocation::Kind::clickhouse)
    return read_clickhouse_csv(location, query, table);
  std::unique_ptr<Database> db = loc.kind == DatabaseLocation::Kind::postgresql
                                     ? open_postgres(loc.target, loc.display)
                                     : open_sqlite(loc.target, SqliteMode::read_only);
  // A query as given (a trailing semicolon would end the COPY's parenthesis early).
  std::string sql(query);
  while (!sql.empty() && (sql.back() == ';' || sql.back() == ' ' || sql.back() == '\n')) {
    sql.pop_back();
  }
  if (sql.empty()) sql = "SELECT * FROM " + quoted_table(table);
  std::string out;
  db->query_csv(sql, out);
  return out;
}

}  // namespace ltv::store
