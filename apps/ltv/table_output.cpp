#include "table_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "ltv/error.hpp"
#include "ltv/i18n.hpp"
#include "ltv/i18n_texts.hpp"
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

namespace {

/// The translation of a fmt format string, formatted (the core's i18n/trf.hpp, which a face
/// cannot include: it is internal).
template <typename... Args>
std::string trf(std::string_view msgid, const Args&... args) {
  return fmt::vformat(i18n::tr(msgid), fmt::make_format_args(args...));
}

/// A number of the console summary: as fmt writes it in English (no grouping, what scripts
/// have parsed so far), grouped with a decimal comma in Russian (the job's number format).
std::string console_number(double v, int decimals) {
  const i18n::Formats& f = i18n::current_locale().formats;
  if (f.decimal_point == ".") return fmt::format("{:.{}f}", v, decimals);
  return i18n::format_number(v, decimals, f);
}

/// "Label:" padded to the summary's value column (15 characters).
std::string label(std::string_view text) {
  return fmt::format("{:<15}", std::string(text) + ":");
}

}  // namespace

void print_analysis_headline(const Analysis& a) {
  // The job's language and formats (--lang, --number-format, --date-format-out).
  const i18n::LocaleScope locale(a.options.locale);
  using i18n::tr;
  fmt::print(
      "{}{:>12}   {}\n", label(tr("Customers")), console_number(a.customers, 0),
      trf("({} transactions, {} .. {})", console_number(static_cast<double>(a.transactions), 0),
          i18n::format_day(a.first_day), i18n::format_day(a.last_day)));
  if (a.has_amount) {
    fmt::print("{}{:>12}   {}\n", label(tr("Revenue")), console_number(a.revenue, 2),
               trf("average check {}", console_number(a.average_check, 2)));
  }
  fmt::print("{}{:>11}%   {}\n", label(tr("Repeat rate")), console_number(100.0 * a.repeat_rate, 1),
             tr("(customers with a second purchase day)"));
  fmt::print("{}{:>12}   ({}), LL {}\n", label(tr("Model")), a.model_name,
             i18n::shown_model_choice(a.model_selection["chosen_by"].get<std::string>()),
             console_number(a.model.log_likelihood, 1));
  if (a.identification != "identified" || a.l2_penalty > 0) {
    fmt::print("{}{}\n", label(tr("Model note")), a.model_choice_reason);
  }
  if (a.p_alive_measured) {
    fmt::print("{}{:>12}   (P(alive) >= 0.5)\n", label(tr("Likely active")),
               console_number(a.likely_active, 0));
  } else {
    fmt::print("{} {}\n", label(tr("Likely active")),
               tr("not measured   (the data do not identify dropout: see Model note)"));
  }
  fmt::print("{}{:>9} {}", trf("Next {:g} months: ", a.options.horizon_months),
             console_number(a.expected_purchases, 0), tr("expected purchases"));
  if (a.spend_model) {
    fmt::print("{}", trf(", revenue {}, discounted CLV {}",
                         console_number(a.predicted_revenue.value_or(0), 2),
                         console_number(a.clv_total.value_or(0), 2)));
  }
  fmt::print("\n");
  if (!a.spend_model_note.empty())
    fmt::print("{}{}\n", label(tr("Spend model")), a.spend_model_note);
  for (const auto& sentence : a.group_comparison)
    fmt::print("{}{}\n", label(tr("Groups")), sentence);
  for (const auto& [name, text] : a.lines) fmt::print("{:<15}{}\n", name + ":", text);
  for (const auto& note : a.notes) fmt::print("{}{}\n", label(tr("Note")), note);
  if (!a.transitions_line.empty()) fmt::print("{}{}\n", label(tr("Movement")), a.transitions_line);
  fmt::print("{}{}\n", label(tr("Actions")), a.actions_line);
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
