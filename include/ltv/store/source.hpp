#pragma once
/// Reading straight from a user's own database: the rows of a query or a table of an existing
/// PostgreSQL, SQLite or ClickHouse (ltv/store/clickhouse.hpp) database, rendered as CSV text with
/// a header and read by the CSV loader, so that the column mapping (--customer, --date, ...) and
/// the validation are those of a file, and a bad row is named by its row number and column.
/// PostgreSQL streams the rows with COPY (query) TO STDOUT; a SQLite file is opened read-only.

#include <string>
#include <string_view>

namespace ltv::store {

/// The rows of `query`, or of every row of `table` (`schema.table` allowed), of the database at
/// `location` (a postgresql:// or clickhouse:// URL, sqlite:PATH or a SQLite file; for
/// clickhouse:// both may be empty when the URL names its table) as CSV text with a header
/// line. DatabaseError naming the database (never its password) when it cannot be reached or the
/// query fails.
std::string read_database_csv(std::string_view location, std::string_view query,
                              std::string_view table);

/// The name of such a source in messages: the location with its password masked, then
/// " (query)" or " (table NAME)".
std::string database_source_name(std::string_view location, std::string_view query,
                                 std::string_view table);

}  // namespace ltv::store
