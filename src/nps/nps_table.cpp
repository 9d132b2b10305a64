// NPS answers from a table already in memory (see ltv/nps/nps.hpp).
#include "ltv/error.hpp"
#include "ltv/io/table.hpp"
#include "ltv/nps/nps.hpp"

namespace ltv {

std::vector<NpsRow> nps_rows_from_table(const Table& table) {
  // Columns as in an answers file: the name exactly, else case-insensitively (Table::find).
  auto require = [&](const std::string& name) {
    const auto index = table.find(name);
    if (!index) {
      std::string names;
      for (const auto& h : table.names) names += (names.empty() ? "" : ", ") + h;
      input_error({table.source, 0, name}, "no such column in the NPS answers",
                  "columns customer_id,date,score[,comment,channel]; found: " + names);
    }
    return *index;
  };
  const std::size_t customer = require("customer_id"), date = require("date"),
                    score = require("score");
  const auto comment = table.find("comment");
  const auto channel = table.find("channel");
  std::vector<NpsRow> rows(table.rows());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    rows[r] = NpsRow{table.lines[r],
                     table.columns[customer][r],
                     table.columns[date][r],
                     table.columns[score][r],
                     comment ? table.columns[*comment][r] : std::string(),
                     channel ? table.columns[*channel][r] : std::string()};
  }
  return rows;
}

}  // namespace ltv
