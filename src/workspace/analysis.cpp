// The Analysis: summary.json, the output folder and reading it back (see
// ltv/workspace/analysis.hpp).
#include "ltv/workspace/analysis.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "ltv/dates.hpp"
#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/dates.hpp"
#include "ltv/io/files.hpp"
#include "ltv/io/json.hpp"
#include "ltv/models/model_file.hpp"
#include "ltv/workspace/tables.hpp"

namespace ltv {

namespace fs = std::filesystem;

const ResultTable* Analysis::table(std::string_view name) const {
  const auto it = tables.find(std::string(name));
  return it == tables.end() ? nullptr : &it->second;
}

nlohmann::ordered_json summary_json(const Analysis& a) {
  nlohmann::ordered_json j;
  j["source"] = a.source;
  j["customers"] = a.customers;
  j["transactions"] = a.transactions;
  j["orders"] = a.orders;
  j["first_day"] = format_date(a.first_day);
  j["last_day"] = format_date(a.last_day);
  j["time_unit"] = a.time_unit;
  j["repeat_rate"] = a.repeat_rate;
  if (a.has_amount) {
    j["revenue"] = a.revenue;
    j["average_check"] = a.average_check;
  }
  j["likely_active_customers"] = a.likely_active;
  j["likely_active_definition"] = "P(alive) >= 0.5 under the chosen model";
  j["p_alive_measured"] = a.p_alive_measured;
  j["horizon_months"] = a.options.horizon_months;
  j["expected_purchases_in_horizon"] = a.expected_purchases;
  if (a.spend_model) {
    j["predicted_revenue_in_horizon"] = a.predicted_revenue.value_or(0.0);
    j["clv_total"] = a.clv_total.value_or(0.0);
    j["discount_rate_per_month"] = a.options.discount_rate;
    j["profit_margin"] = a.options.profit_margin;
  }
  if (!a.customer_accounting.empty()) j["customer_accounting"] = a.customer_accounting;
  j["model_selection"] = a.model_selection;
  j["model"] = model_to_json(a.model, a.time_unit);
  if (a.spend_model) j["spend_model"] = model_to_json(*a.spend_model, a.time_unit);
  if (!a.spend_model_note.empty()) j["spend_model_note"] = a.spend_model_note;
  if (!a.spend_customers.empty()) j["spend_model_customers"] = a.spend_customers;
  j["analytics_notes"] = a.analytics_notes;
  if (!a.group_comparison.empty()) j["group_comparison"] = a.group_comparison;
  for (const auto& [key, value] : a.extras.items()) j[key] = value;
  j["load"] = {{"rows_read", a.load.rows_read},
               {"rows_loaded", a.load.rows_loaded},
               {"rows_without_customer", a.load.rows_without_customer},
               {"return_rows", a.load.return_rows},
               {"rows_skipped", a.load.rows_skipped()}};
  // Where the time went: each step's wall time and the process's peak memory at its end (they
  // vary from run to run; every other field is reproducible).
  if (!a.timings.empty()) {
    nlohmann::ordered_json timings = nlohmann::ordered_json::array();
    for (const auto& t : a.timings) {
      timings.push_back(
          {{"step", t.step}, {"seconds", t.seconds}, {"peak_rss_bytes", t.peak_rss_bytes}});
    }
    j["timings"] = std::move(timings);
  }
  return j;
}

namespace {

void write_json(const fs::path& path, const nlohmann::ordered_json& j) {
  Output out(path.string());
  out.stream() << j.dump(2) << '\n';
  out.close();
}

nlohmann::ordered_json read_json_file(const fs::path& path) {
  // A regular file of bounded size and nesting (ltv/io/json.hpp): a FIFO, a device or a JSON
  // nested 100,000 levels deep is one clear error, never a hang or a crash.
  return parse_ordered_json(read_text_file(path.string(), kDefaultJsonBytes), path.string());
}

double number_or(const nlohmann::ordered_json& j, const char* key, double fallback) {
  return j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
}

std::string text_or(const nlohmann::ordered_json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::vector<std::string> texts(const nlohmann::ordered_json& j, const char* key) {
  std::vector<std::string> out;
  if (j.contains(key) && j[key].is_array()) {
    for (const auto& v : j[key]) {
      if (v.is_string()) out.push_back(v.get<std::string>());
    }
  }
  return out;
}

std::int32_t day_or_zero(const nlohmann::ordered_json& j, const char* key) {
  const std::string t = text_or(j, key);
  if (t.empty()) return 0;
  const auto d = parse_datetime(t, DateFormat{DateFormat::Kind::iso, {}});
  return d ? d->day : 0;
}

}  // namespace

void write_analysis(const Analysis& a, const fs::path& dir) {
  fs::create_directories(dir);
  for (const auto& [key, table] : a.tables) {
    const fs::path path = dir / (key + ".csv");
    fs::create_directories(path.parent_path());
    Output out(path.string());
    write_csv(out.stream(), table);
    out.close();
  }
  write_json(dir / "summary.json", summary_json(a));
  write_json(dir / "model.json", model_to_json(a.model, a.time_unit));
  if (a.spend_model)
    write_json(dir / "spend_model.json", model_to_json(*a.spend_model, a.time_unit));
}

Analysis read_analysis(const fs::path& dir, std::map<std::string, std::string>* unreadable) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    input_error(SourceLocation{dir.string(), 0, ""}, "not a directory",
                "an output directory of `ltv analyze`");
  }
  Analysis a;
  for (const TableDefinition& d : table_catalogue()) {
    const fs::path path = dir / (d.key() + ".csv");
    if (!fs::is_regular_file(path, ec)) continue;
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    TableSpec spec = d.spec;
    try {
      // The columns of the table that the header holds, typed by the catalogue (a folder of an
      // older version, or a hand-made one, may hold fewer); a matrix's value columns are
      // whatever the header lists after the fixed ones.
      const std::string& content = text.str();
      const CsvReader header = CsvReader::from_string(content.substr(0, content.find('\n') + 1),
                                                      CsvOptions{}, path.string());
      const std::vector<std::string>& names = header.header();
      std::vector<ColumnSpec> present;
      for (const ColumnSpec& c : spec.columns) {
        if (std::find(names.begin(), names.end(), c.name) != names.end()) present.push_back(c);
      }
      spec.columns = std::move(present);
      if (!d.wide_prefix.empty()) {
        for (const std::string& name : names) {
          if (name.rfind(d.wide_prefix, 0) == 0 && spec.find(name) == spec.columns.size()) {
            spec.columns.push_back({name, ColumnType::real, 12, {}});
          }
        }
      }
      a.tables.emplace(d.key(), read_csv(content, std::move(spec), path.string()));
    } catch (const Error& e) {
      if (unreadable == nullptr) throw;
      unreadable->emplace(d.key() + ".csv", e.what());
    }
  }
  // A JSON file, or nullopt when it is absent (or unreadable and recorded).
  const auto json_file = [&](const char* name) -> std::optional<nlohmann::ordered_json> {
    if (!fs::is_regular_file(dir / name, ec)) return std::nullopt;
    try {
      return read_json_file(dir / name);
    } catch (const Error& e) {
      if (unreadable == nullptr) throw;
      unreadable->emplace(name, e.what());
      return std::nullopt;
    }
  };
  if (const auto summary = json_file("summary.json")) try {
      const auto& j = *summary;
      a.source = text_or(j, "source");
      a.customers = static_cast<std::size_t>(number_or(j, "customers", 0));
      a.transactions = static_cast<std::size_t>(number_or(j, "transactions", 0));
      a.orders = number_or(j, "orders", 0);
      a.first_day = day_or_zero(j, "first_day");
      a.last_day = day_or_zero(j, "last_day");
      a.time_unit = text_or(j, "time_unit");
      a.repeat_rate = number_or(j, "repeat_rate", 0);
      a.has_amount = j.contains("revenue");
      a.revenue = number_or(j, "revenue", 0);
      a.average_check = number_or(j, "average_check", 0);
      a.likely_active = number_or(j, "likely_active_customers", 0);
      if (j.contains("p_alive_measured") && j["p_alive_measured"].is_boolean()) {
        a.p_alive_measured = j["p_alive_measured"].get<bool>();
      }
      if (j.contains("customer_accounting")) a.customer_accounting = j["customer_accounting"];
      if (j.contains("spend_model_customers")) a.spend_customers = j["spend_model_customers"];
      a.options.horizon_months = number_or(j, "horizon_months", a.options.horizon_months);
      a.expected_purchases = number_or(j, "expected_purchases_in_horizon", 0);
      if (j.contains("predicted_revenue_in_horizon")) {
        a.predicted_revenue = number_or(j, "predicted_revenue_in_horizon", 0);
      }
      if (j.contains("clv_total")) a.clv_total = number_or(j, "clv_total", 0);
      a.options.discount_rate = number_or(j, "discount_rate_per_month", a.options.discount_rate);
      a.options.profit_margin = number_or(j, "profit_margin", a.options.profit_margin);
      if (j.contains("model_selection")) a.model_selection = j["model_selection"];
      a.model_name = text_or(a.model_selection, "chosen");
      a.model_choice_headline = text_or(a.model_selection, "headline");
      a.model_choice_reason = text_or(a.model_selection, "reason");
      a.identification = text_or(a.model_selection, "identification");
      a.l2_penalty = number_or(a.model_selection, "l2_penalty", 0);
      if (j.contains("model") && j["model"].is_object()) {
        a.model = model_from_json(j["model"], (dir / "summary.json").string()).fit;
      }
      if (j.contains("spend_model") && j["spend_model"].is_object()) {
        a.spend_model = model_from_json(j["spend_model"], (dir / "summary.json").string()).fit;
      }
      a.spend_model_note = text_or(j, "spend_model_note");
      a.analytics_notes = texts(j, "analytics_notes");
      a.group_comparison = texts(j, "group_comparison");
      for (const char* key : {"basket", "nps"}) {
        if (j.contains(key)) a.extras[key] = j[key];
      }
      if (j.contains("timings") && j["timings"].is_array()) {
        for (const auto& t : j["timings"]) {
          if (!t.is_object()) continue;
          a.timings.push_back({text_or(t, "step"), number_or(t, "seconds", 0),
                               static_cast<std::int64_t>(number_or(t, "peak_rss_bytes", 0))});
        }
      }
      if (j.contains("load") && j["load"].is_object()) {
        const auto& l = j["load"];
        a.load.rows_read = static_cast<std::int64_t>(number_or(l, "rows_read", 0));
        a.load.rows_loaded = static_cast<std::int64_t>(number_or(l, "rows_loaded", 0));
        a.load.rows_without_customer =
            static_cast<std::int64_t>(number_or(l, "rows_without_customer", 0));
        a.load.return_rows = static_cast<std::int64_t>(number_or(l, "return_rows", 0));
        if (const auto skipped = static_cast<std::int64_t>(number_or(l, "rows_skipped", 0))) {
          a.load.skipped.push_back(SkippedRows{"skipped (as saved in summary.json)", skipped, {}});
        }
      }
    } catch (const Error& e) {
      if (unreadable == nullptr) throw;
      unreadable->emplace("summary.json", e.what());
    }
  // model.json is the fit as saved (all its fields); it wins over summary.json's copy.
  if (const auto model = json_file("model.json")) {
    try {
      a.model = model_from_json(*model, (dir / "model.json").string()).fit;
    } catch (const Error& e) {
      if (unreadable == nullptr) throw;
      unreadable->emplace("model.json", e.what());
      a.model = FitResult{};
    }
    if (a.model_name.empty()) a.model_name = a.model.model;
  } else {
    a.model = FitResult{};  // the report evaluates model.json only
  }
  return a;
}

}  // namespace ltv
