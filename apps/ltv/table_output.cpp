#include "table_output.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"

namespace ltv::cli {

void write_tables(const Parameters& p, const std::vector<ResultTable>& tables) {
  const OutputFormat format = parse_output_format(p.choice("format"));
  const std::string table = p.accepts("table") ? p.text("table") : std::string();
  const ResultTable* chosen = nullptr;
  if (!table.empty()) {
    std::string names;
    for (const auto& t : tables) {
      if (t.name() == table) chosen = &t;
      names += (names.empty() ? "" : ", ") + t.name();
    }
    if (chosen == nullptr) parameter_error("table", table, "one of " + names);
  }
  Output out(p.text("output"));
  if (format == OutputFormat::csv) {
    write_csv(out.stream(), chosen ? *chosen : tables.front());
  } else if (chosen != nullptr) {
    out.stream() << to_json(*chosen).dump(2) << '\n';
  } else {
    nlohmann::ordered_json all = nlohmann::ordered_json::object();
    for (const auto& t : tables) all[t.name()] = to_json(t);
    out.stream() << all.dump(2) << '\n';
  }
  out.close();
}

void print_notes(const std::vector<std::string>& notes, bool quiet) {
  if (quiet) return;
  for (const auto& n : notes) fmt::print(stderr, "ltv: note: {}\n", n);
}

}  // namespace ltv::cli
