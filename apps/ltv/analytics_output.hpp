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
#include "ltv/analytics/table.hpp"
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
inline void write_analytics(const TransactionCliOptions& o,
                            const std::vector<AnalyticsTable>& tables, const std::string& table) {
  const OutputFormat format = output_format(o);
  const AnalyticsTable* chosen = nullptr;
  if (!table.empty()) {
    std::string names;
    for (const auto& t : tables) {
      if (t.name == table) chosen = &t;
      names += (names.empty() ? "" : ", ") + t.name;
    }
    if (chosen == nullptr) parameter_error("table", table, "one of " + names);
  }
  Output out = open_output(o.output);
  if (format == OutputFormat::csv) {
    out.stream() << to_csv(chosen ? *chosen : tables.front());
  } else if (chosen != nullptr) {
    out.stream() << to_json(*chosen).dump(2) << '\n';
  } else {
    nlohmann::ordered_json all = nlohmann::ordered_json::object();
    for (const auto& t : tables) all[t.name] = to_json(t);
    out.stream() << all.dump(2) << '\n';
  }
  out.close();
}

/// Customer groups from a side file: `id_column` and `label_column` of FILE (e.g. the
/// simulator's customers.csv with loyalty_member). Warns on stderr about ids not in the log.
inline CustomerGroups groups_from_file(const TransactionLog& log, const std::string& path,
                                       const std::string& id_column,
                                       const std::string& label_column, bool quiet) {
  const Table t = read_table(path);
  std::size_t unmatched = 0;
  CustomerGroups g = groups_from_labels(log, label_column, t.column(id_column),
                                        t.column(label_column), &unmatched);
  if (unmatched > 0 && !quiet)
    std::cerr << "ltv: note: " << unmatched << " customer ids of " << path
              << " are not in the transactions\n";
  return g;
}

/// Per-customer values from a side file (e.g. a scores file `customer_id,clv`): NaN for
/// customers of the log without a value.
inline std::vector<double> values_from_file(const TransactionLog& log, const std::string& path,
                                            const std::string& id_column,
                                            const std::string& value_column) {
  const Table t = read_table(path);
  const auto& ids = t.column(id_column);
  const std::vector<double> values = t.numbers(value_column, std::nan(""));
  std::unordered_map<std::string_view, std::size_t> index;
  for (std::size_t c = 0; c < log.customer_ids.size(); ++c) index.emplace(log.customer_ids[c], c);
  std::vector<double> out(log.customer_count(), std::nan(""));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto it = index.find(ids[i]);
    if (it != index.end()) out[it->second] = values[i];
  }
  return out;
}

/// Marketing spend from a CSV file with channel, period (e.g. YYYY-MM) and spend columns.
/// Bad periods or amounts throw InputError naming the file, line and column.
inline SpendTable read_spend_table(const std::string& path, const std::string& channel_column,
                                   const std::string& period_column,
                                   const std::string& amount_column, PeriodUnit unit) {
  const Table t = read_table(path);
  SpendTable spend;
  spend.period = unit;
  spend.channel = t.column(channel_column);
  spend.spend = t.numbers(amount_column);
  const auto& periods = t.column(period_column);
  for (std::size_t i = 0; i < periods.size(); ++i) {
    const std::string where = path + ":" + std::to_string(t.lines[i]);
    spend.period_index.push_back(parse_period(periods[i], unit, where));
  }
  return spend;
}

/// Adds `--period UNIT` (default shown) to `cmd`.
inline void add_period_option(CLI::App& cmd, std::string& period, const std::string& what) {
  cmd.add_option("--period", period, what + ": day, week (ISO), month, quarter or year")
      ->capture_default_str();
}

}  // namespace ltv::cli
