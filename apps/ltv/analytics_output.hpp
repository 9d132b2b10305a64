#pragma once
// Shared pieces of the analytics subcommands (kpis, ltv, cohorts, cac, forecast, compare):
// the --period / --table options, the observation end, side files of (customer id, value)
// pairs, and writing AnalyticsTables as CSV (one table) or JSON (all tables, keyed by name).

#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "ltv/analytics/cac.hpp"
#include "ltv/analytics/groups.hpp"
#include "ltv/analytics/periods.hpp"
#include "ltv/workspace/result_table.hpp"
#include "ltv/workspace/side_tables.hpp"
#include "ltv/workspace/tables.hpp"
#include "ltv/error.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/table.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {

/// Observation end from --observation-end (after --config), or nullopt for the last day.
inline std::optional<std::int32_t> analytics_observation_end(const TransactionCliOptions& o) {
  apply_config(o);
  if (o.observation_end.empty()) return std::nullopt;
  return parse_date(o.observation_end, "--observation-end");
}

/// Writes the tables: CSV writes the one named `table` (empty: the first); JSON writes an
/// object {name: rows} of every table, or only `table` when one was named.
inline void write_analytics(const TransactionCliOptions& o, const std::vector<ResultTable>& tables,
                            const std::string& table) {
  const OutputFormat format = output_format(o);
  const ResultTable* chosen = nullptr;
  if (!table.empty()) {
    std::string names;
    for (const auto& t : tables) {
      if (t.name() == table) chosen = &t;
      names += (names.empty() ? "" : ", ") + t.name();
    }
    if (chosen == nullptr) parameter_error("table", table, "one of " + names);
  }
  Output out = open_output(o.output);
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

/// Prints notes of a core call on stderr as `ltv: note: ...` unless quiet.
inline void print_notes(const std::vector<std::string>& notes, bool quiet) {
  if (quiet) return;
  for (const auto& n : notes) std::cerr << "ltv: note: " << n << '\n';
}

/// Customer groups from a side file (groups_from_table), notes on stderr.
inline CustomerGroups groups_from_file(const TransactionLog& log, const std::string& path,
                                       const std::string& id_column,
                                       const std::string& label_column, bool quiet) {
  std::vector<std::string> notes;
  CustomerGroups g = groups_from_table(log, read_table(path), id_column, label_column, &notes);
  print_notes(notes, quiet);
  return g;
}

/// Per-customer values from a side file (values_from_table).
inline std::vector<double> values_from_file(const TransactionLog& log, const std::string& path,
                                            const std::string& id_column,
                                            const std::string& value_column) {
  return values_from_table(log, read_table(path), id_column, value_column);
}

/// Marketing spend from a file (spend_from_table).
inline SpendTable read_spend_table(const std::string& path, const std::string& channel_column,
                                   const std::string& period_column,
                                   const std::string& amount_column, PeriodUnit unit) {
  return spend_from_table(read_table(path), channel_column, period_column, amount_column, unit);
}

/// Adds `--period UNIT` (default shown) to `cmd`.
inline void add_period_option(CLI::App& cmd, std::string& period, const std::string& what) {
  cmd.add_option("--period", period, what + ": day, week (ISO), month, quarter or year")
      ->capture_default_str();
}

}  // namespace ltv::cli
