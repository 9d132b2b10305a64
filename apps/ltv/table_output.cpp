#include "table_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ltv/error.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"

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

void print_analysis_headline(const Analysis& a) {
  fmt::print("Customers:     {:>12}   ({} transactions, {} .. {})\n", a.customers, a.transactions,
             format_date(a.first_day), format_date(a.last_day));
  if (a.has_amount) {
    fmt::print("Revenue:       {:>12.2f}   average check {:.2f}\n", a.revenue, a.average_check);
  }
  fmt::print("Repeat rate:   {:>11.1f}%   (customers with a second purchase day)\n",
             100.0 * a.repeat_rate);
  fmt::print("Model:         {:>12}   ({}), LL {:.1f}\n", a.model_name,
             a.model_selection["chosen_by"].get<std::string>(), a.model.log_likelihood);
  if (a.identification != "identified" || a.l2_penalty > 0) {
    fmt::print("Model note:    {}\n", a.model_choice_reason);
  }
  if (a.p_alive_measured) {
    fmt::print("Likely active: {:>12.0f}   (P(alive) >= 0.5)\n", a.likely_active);
  } else {
    fmt::print(
        "Likely active:  not measured   (the data do not identify dropout: see Model note)\n");
  }
  fmt::print("Next {:g} months: {:>9.0f} expected purchases", a.options.horizon_months,
             a.expected_purchases);
  if (a.spend_model) {
    fmt::print(", revenue {:.2f}, discounted CLV {:.2f}", a.predicted_revenue.value_or(0),
               a.clv_total.value_or(0));
  }
  fmt::print("\n");
  if (!a.spend_model_note.empty()) fmt::print("Spend model:   {}\n", a.spend_model_note);
  for (const auto& sentence : a.group_comparison) fmt::print("Groups:        {}\n", sentence);
  for (const auto& [label, text] : a.lines) fmt::print("{:<15}{}\n", label + ":", text);
  for (const auto& note : a.notes) fmt::print("Note:          {}\n", note);
  if (!a.transitions_line.empty()) fmt::print("Movement:      {}\n", a.transitions_line);
  fmt::print("Actions:       {}\n", a.actions_line);
}

void print_timings(const Analysis& a) {
  double total = 0;
  std::int64_t peak = 0;
  for (const auto& t : a.timings) {
    fmt::print(stderr, "ltv: timing: {:<52} {:>8.2f} s {:>8.0f} MB peak\n", t.step, t.seconds,
               static_cast<double>(t.peak_rss_bytes) / (1024.0 * 1024.0));
    total += t.seconds;
    peak = std::max(peak, t.peak_rss_bytes);
  }
  fmt::print(stderr, "ltv: timing: {:<52} {:>8.2f} s {:>8.0f} MB peak\n", "total", total,
             static_cast<double>(peak) / (1024.0 * 1024.0));
}

}  // namespace ltv::cli
