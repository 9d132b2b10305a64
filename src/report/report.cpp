// The HTML report built from an Analysis (see include/ltv/report/report.hpp). Each section reads
// its own tables; a missing table becomes a note. Charts come from svg.hpp.
#include "ltv/report/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <queue>
#include <set>
#include <sstream>

#include "i18n/trf.hpp"
#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/i18n_texts.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/csv_writer.hpp"
#include "ltv/io/staged_directory.hpp"
#include "ltv/io/table.hpp"
#include "ltv/models/model_file.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/models/selection.hpp"
#include "ltv/report/svg.hpp"
#include "ltv/workspace/analysis.hpp"

namespace ltv::report {
namespace {

namespace fs = std::filesystem;
using i18n::tr;
using i18n::trf;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kMaxCohorts = 36;  ///< rows of the cohort heat maps

double to_number(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double v = kNaN;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) return kNaN;
  return v;
}

std::string fmt_num(double v, NumberStyle style = NumberStyle::plain, int decimals = -1) {
  NumberFormat f;
  f.style = style;
  f.decimals = decimals;
  return format_number(v, f);
}

/// A table of the analysis with lookups by column name; missing columns give NaN / "". Cells
/// are read as their CSV text, so the report shows what the output folder's files say.
struct Csv {
  const ResultTable* table = nullptr;
  bool has(std::string_view name) const { return table->spec().find(name) < table->columns(); }
  std::size_t rows() const { return table->rows(); }
  std::string text(std::string_view name, std::size_t row) const {
    const std::size_t c = table->spec().find(name);
    return c < table->columns() && row < table->rows() ? table->cell_text(c, row) : std::string();
  }
  double number(std::string_view name, std::size_t row) const { return to_number(text(name, row)); }
};

/// What the report is built from: the analysis and, for one read back from a folder, the files
/// that could not be read (name -> why).
struct Inputs {
  const Analysis& analysis;
  const std::map<std::string, std::string>& unreadable;
  /// The note for a file that is not there: unreadable, or absent.
  std::string missing(const std::string& rel) const {
    const auto it = unreadable.find(rel);
    return it != unreadable.end() ? trf("{} could not be read: {}", rel, it->second)
                                  : trf("{} is not in this output directory.", rel);
  }
};

/// Builds one section: collects notes, charts and HTML.
class SectionBuilder {
 public:
  SectionBuilder(const Inputs& inputs, std::string id, std::string title)
      : inputs_(inputs), section_{std::move(id), std::move(title), 0, {}} {}

  /// The analysis table of file `rel` ("validation/tracking.csv"), or adds a note and returns
  /// nothing.
  std::optional<Csv> csv(const std::string& rel, std::initializer_list<std::string_view> needed) {
    const ResultTable* table = inputs_.analysis.table(rel.substr(0, rel.size() - 4));
    if (table == nullptr) {
      note(inputs_.missing(rel));
      return std::nullopt;
    }
    Csv c{table};
    for (auto name : needed) {
      if (!c.has(name)) {
        note(trf("{} has no column '{}'.", rel, name));
        return std::nullopt;
      }
    }
    return c;
  }

  void note(const std::string& text) {
    section_.notes.push_back(text);
    body_ += fmt::format("<p class=\"note\">{}</p>\n", xml_escape(text));
  }
  void html(const std::string& h) { body_ += h; }
  void sub(const std::string& heading) {
    body_ += fmt::format("<h3>{}</h3>\n", xml_escape(heading));
  }
  void reading(const std::string& text) {
    body_ += fmt::format("<p class=\"reading\">{}</p>\n", xml_escape(text));
  }
  /// A chart with its one-line reading.
  void figure(const std::string& svg, const std::string& reading_text) {
    if (svg.find("empty-note") == std::string::npos) ++section_.charts;
    body_ += "<figure>\n" + svg;
    if (!reading_text.empty()) {
      body_ +=
          fmt::format("<figcaption class=\"reading\">{}</figcaption>\n", xml_escape(reading_text));
    }
    body_ += "</figure>\n";
  }
  void table(const HtmlTable& t) { body_ += "<div class=\"table-wrap\">" + render(t) + "</div>"; }

  std::string finish(std::vector<ReportSection>& sections) {
    sections.push_back(section_);
    return fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n", section_.id,
                       xml_escape(section_.title), body_);
  }

 private:
  const Inputs& inputs_;
  ReportSection section_;
  std::string body_;
};

double json_number(const nlohmann::ordered_json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_number()) return j[key].get<double>();
  return kNaN;
}
std::string json_text(const nlohmann::ordered_json& j, const char* key) {
  if (j.is_object() && j.contains(key) && j[key].is_string()) return j[key].get<std::string>();
  return {};
}

/// Per-customer columns of customers.csv, streamed (millions of rows) and aggregated.
struct CustomerData {
  bool loaded = false;
  std::string note;
  std::size_t customers = 0;
  std::vector<float> revenue;  // per customer (Pareto curve, distribution)
  std::vector<float> clv;      // predicted (NaN when absent)
  std::vector<float> T;        // customer age in model time units
  struct Top {
    double value;
    std::string id;
    double revenue, clv, p_alive, frequency;
    std::string segment;
    bool operator>(const Top& o) const { return value > o.value; }
  };
  std::vector<Top> top;  // largest by clv (else revenue), descending
  bool top_by_clv = false;
};

CustomerData read_customers(const Analysis& analysis, std::size_t top_n) {
  CustomerData d;
  const ResultTable* table = analysis.table("customers");
  if (table == nullptr) {
    d.note = "customers.csv is not in this output directory.";
    return d;
  }
  const TableSpec& spec = table->spec();
  const auto col = [&](std::string_view name) -> std::ptrdiff_t {
    const std::size_t c = spec.find(name);
    return c < spec.columns.size() ? static_cast<std::ptrdiff_t>(c) : -1;
  };
  const auto c_id = col("customer_id"), c_rev = col("revenue"), c_clv = col("clv"), c_T = col("T"),
             c_p = col("p_alive"), c_f = col("frequency"), c_seg = col("rfm_segment");
  if (c_rev < 0) {
    d.note = "customers.csv has no column 'revenue'.";
    return d;
  }
  // Numbers are the values of the file (its reals are written in shortest round-trip form).
  const auto number = [&](std::ptrdiff_t c, std::size_t row) {
    return c < 0 ? kNaN : table->real(static_cast<std::size_t>(c), row);
  };
  const auto text = [&](std::ptrdiff_t c, std::size_t row) {
    return c < 0 || table->is_null(static_cast<std::size_t>(c), row)
               ? std::string()
               : std::string(table->text(static_cast<std::size_t>(c), row));
  };
  std::priority_queue<CustomerData::Top, std::vector<CustomerData::Top>, std::greater<>> heap;
  bool any_clv = false;
  const std::size_t n = table->rows();
  d.revenue.reserve(n);
  d.clv.reserve(n);
  d.T.reserve(n);
  for (std::size_t row = 0; row < n; ++row) {
    const double rev = number(c_rev, row);
    const double clv = number(c_clv, row);
    any_clv = any_clv || std::isfinite(clv);
    d.revenue.push_back(static_cast<float>(rev));
    d.clv.push_back(static_cast<float>(clv));
    d.T.push_back(static_cast<float>(number(c_T, row)));
    const double key = std::isfinite(clv) ? clv : rev;
    if (top_n > 0 && std::isfinite(key) && (heap.size() < top_n || key > heap.top().value)) {
      heap.push(
          {key, text(c_id, row), rev, clv, number(c_p, row), number(c_f, row), text(c_seg, row)});
      if (heap.size() > top_n) heap.pop();
    }
  }
  d.customers = d.revenue.size();
  d.top_by_clv = any_clv;
  while (!heap.empty()) d.top.push_back(heap.top()), heap.pop();
  std::reverse(d.top.begin(), d.top.end());
  d.loaded = true;
  return d;
}

double median_of(std::vector<float> v) {
  std::erase_if(v, [](float x) { return !std::isfinite(x); });
  if (v.empty()) return kNaN;
  auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

double quantile_of(std::vector<double> v, double q) {
  std::erase_if(v, [](double x) { return !std::isfinite(x); });
  if (v.empty()) return kNaN;
  auto k = v.begin() + static_cast<std::ptrdiff_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), k, v.end());
  return *k;
}

struct Context {
  const Analysis* analysis = nullptr;
  const Inputs* inputs = nullptr;
  bool has_summary = true;  ///< false for a folder without (a readable) summary.json
  std::string label;        ///< where the analysis came from (its output folder), for the page
  ReportOptions options;
  NumberFormat money;
  nlohmann::ordered_json summary;  // null when absent
  std::string time_unit = "week";
  CustomerData customers;
};

/// "weeks", "days", "months" (translated; Russian plural forms are avoided by the msgids: the
/// unit follows a colon or stands in parentheses).
std::string unit_plural(const std::string& unit) {
  if (unit == "day") return tr("days");
  if (unit == "week") return tr("weeks");
  if (unit == "month") return tr("months");
  return unit.empty() ? tr("periods") : unit + "s";
}

/// "day", "week", "month" (translated).
std::string unit_singular(const std::string& unit) {
  if (unit == "day") return tr("day");
  if (unit == "week") return tr("week");
  if (unit == "month") return tr("month");
  return unit;
}

/// Codes of the data shown to people by shown_name(): the life-cycle stages and the NPS classes
/// (the RFM segments' names come from the built-in segment configuration, also in po/ru.po).
[[maybe_unused]] constexpr std::string_view kShownCodes[] = {
    i18n::N_("vip"),       i18n::N_("active"), i18n::N_("new"),      i18n::N_("at_risk"),
    i18n::N_("lapsing"),   i18n::N_("lost"),   i18n::N_("promoter"), i18n::N_("passive"),
    i18n::N_("detractor"), i18n::N_("Other")};

/// A segment, class or stage name as shown: the built-in ones translated (po/ru.po).
std::string shown_name(const std::string& name) {
  return tr(name);
}

/// An ISO date of the data (YYYY-MM-DD) in the report's date format.
std::string shown_date(const std::string& iso) {
  return i18n::format_iso_date_text(iso, i18n::current_locale().formats);
}

// ---- sections --------------------------------------------------------------------------------

std::string headline(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "headline", tr("Headline"));
  std::optional<nlohmann::ordered_json> j;
  if (ctx.has_summary) {
    j = summary_json(*ctx.analysis);
  } else {
    s.note(ctx.inputs->missing("summary.json"));
  }
  if (j && j->is_object()) {
    ctx.summary = *j;
    if (auto u = json_text(*j, "time_unit"); !u.empty()) ctx.time_unit = u;
    const double customers = json_number(*j, "customers");
    const bool measured = !j->contains("p_alive_measured") || (*j)["p_alive_measured"] != false;
    const double active = measured ? json_number(*j, "likely_active_customers") : kNaN;
    const double horizon = json_number(*j, "horizon_months");
    struct Card {
      std::string label, value;
    };
    std::vector<Card> cards{
        {tr("Customers"), fmt_num(customers, NumberStyle::integer)},
        {tr("Likely active (P(alive) ≥ 0.5)"),
         measured ? fmt_num(active, NumberStyle::integer) : tr("not measured")},
        {tr("Revenue"), format_number(json_number(*j, "revenue"), ctx.money)},
        {tr("Average check"), format_number(json_number(*j, "average_check"), ctx.money)},
        {tr("Repeat rate"), fmt_num(json_number(*j, "repeat_rate"), NumberStyle::percent)},
        {trf("Predicted revenue, next {} months", fmt_num(horizon)),
         format_number(json_number(*j, "predicted_revenue_in_horizon"), ctx.money)},
        {trf("Discounted CLV, next {} months", fmt_num(horizon)),
         format_number(json_number(*j, "clv_total"), ctx.money)},
    };
    std::string h = "<div class=\"cards\">\n";
    for (const auto& c : cards) {
      h += fmt::format(
          "<div class=\"card\"><div class=\"card-value\">{}</div><div "
          "class=\"card-label\">{}</div></div>\n",
          xml_escape(c.value), xml_escape(c.label));
    }
    s.html(h + "</div>\n");
    const std::string first = json_text(*j, "first_day"), last = json_text(*j, "last_day");
    std::string line = trf("Period covered: {} to {}.", first.empty() ? "?" : shown_date(first),
                           last.empty() ? "?" : shown_date(last));
    if (customers > 0 && std::isfinite(active)) {
      line += trf(" {} of {} customers are likely still active.",
                  fmt_num(active / customers, NumberStyle::percent),
                  fmt_num(customers, NumberStyle::integer));
    }
    s.reading(line);
    if (j->contains("model_selection") && (*j)["model_selection"].is_object()) {
      const auto& m = (*j)["model_selection"];
      s.reading(trf("Model: {} ({}).", json_text(m, "chosen"),
                    i18n::shown_model_choice(json_text(m, "chosen_by"))));
      // A fit the data do not identify is said plainly, with what was done about it.
      if (const std::string id = json_text(m, "identification");
          (!id.empty() && id != "identified") || json_number(m, "l2_penalty") > 0) {
        s.note(json_text(m, "reason"));
      }
    }
    if (const std::string spend = json_text(*j, "spend_model_note"); !spend.empty()) {
      s.reading(trf("Spend: {}.", spend));
    }
    if (j->contains("customer_accounting") && (*j)["customer_accounting"].is_object()) {
      const auto& acc = (*j)["customer_accounting"];
      const double loaded = json_number(acc, "loaded"), summarised = json_number(acc, "summarised");
      if (loaded > summarised) {
        s.reading(trf(
            "{} of {} loaded customers are not analysed: {} with only returns or cancellations, "
            "{} with no purchase by the end of the data.",
            fmt_num(loaded - summarised, NumberStyle::integer),
            fmt_num(loaded, NumberStyle::integer),
            fmt_num(json_number(acc["only_returns"], "count"), NumberStyle::integer),
            fmt_num(json_number(acc["no_purchase_by_calibration_end"], "count"),
                    NumberStyle::integer)));
      }
    }
  }
  return s.finish(out);
}

std::string model_fit(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "model-fit", tr("Model fit"));
  std::string chosen;
  if (ctx.summary.is_object() && ctx.summary.contains("model_selection")) {
    chosen = json_text(ctx.summary["model_selection"], "chosen");
  }
  const std::string unit = ctx.time_unit;

  s.sub(tr("Calibration and holdout tracking"));
  if (auto t = s.csv("validation/tracking.csv",
                     {"model", "period", "actual_cumulative", "expected_cumulative"})) {
    std::map<std::string, std::vector<std::size_t>> by_model;
    std::vector<std::string> order;
    for (std::size_t r = 0; r < t->rows(); ++r) {
      const auto m = t->text("model", r);
      if (!by_model.count(m)) order.push_back(m);
      by_model[m].push_back(r);
    }
    if (chosen.empty() || !by_model.count(chosen)) chosen = order.empty() ? "" : order.front();
    // x: the period number (a whole number: the table is typed).
    std::vector<double> x(t->rows());
    for (std::size_t r = 0; r < t->rows(); ++r) x[r] = t->number("period", r);
    LineChart chart;
    chart.title = tr("Cumulative repeat transactions: actual vs model");
    // The calibration end (summary.json) as a reference line at the first period that starts
    // after it (a period starting on the calibration end day is a calibration period, as in
    // ltv validate).
    std::string calibration_end;
    if (ctx.summary.is_object() && ctx.summary.contains("model_selection")) {
      calibration_end = json_text(ctx.summary["model_selection"], "calibration_end");
    }
    if (!calibration_end.empty() && t->has("period_start") && !chosen.empty()) {
      for (auto r : by_model[chosen]) {
        if (t->text("period_start", r) > calibration_end) {
          chart.x_marker = x[r];
          chart.x_marker_label = trf("holdout from {}", shown_date(t->text("period_start", r)));
          break;
        }
      }
    }
    chart.x.label = trf("Time ({} since the first purchase period)", unit_plural(unit));
    chart.y.label = tr("Cumulative repeat transactions");
    chart.y.format.style = NumberStyle::integer;
    if (!chosen.empty()) {
      Series actual{.name = tr("actual"), .x = {}, .y = {}, .values = {}, .dashed = false};
      for (auto r : by_model[chosen]) {
        actual.x.push_back(x[r]);
        actual.y.push_back(t->number("actual_cumulative", r));
      }
      chart.series.push_back(actual);
    }
    for (const auto& m : order) {
      Series e{.name = trf("{} expected", m), .x = {}, .y = {}, .values = {}, .dashed = true};
      for (auto r : by_model[m]) {
        e.x.push_back(x[r]);
        e.y.push_back(t->number("expected_cumulative", r));
      }
      chart.series.push_back(e);
    }
    std::string read;
    if (!chosen.empty() && !by_model[chosen].empty()) {
      const auto last = by_model[chosen].back();
      const double a = t->number("actual_cumulative", last),
                   e = t->number("expected_cumulative", last);
      read =
          trf("By the end of the holdout, {} expected {} cumulative repeat transactions against {} "
              "actual ({} {}).",
              chosen, fmt_num(e, NumberStyle::integer), fmt_num(a, NumberStyle::integer),
              fmt_num(std::fabs(e - a) / std::max(a, 1.0), NumberStyle::percent),
              e >= a ? tr("over") : tr("under"));
    }
    s.figure(render(chart), read);
  }

  s.sub(tr("Holdout purchases by calibration frequency"));
  if (auto c = s.csv("validation/conditional.csv",
                     {"model", "calibration_frequency", "actual_mean", "expected_mean"})) {
    std::string m = chosen;
    std::set<std::string> models;
    for (std::size_t r = 0; r < c->rows(); ++r) models.insert(c->text("model", r));
    if (!models.count(m) && !models.empty()) m = *models.begin();
    BarChart chart;
    chart.title = trf("Mean holdout purchases per customer by calibration frequency ({})", m);
    chart.category_label = tr("Repeat purchases in the calibration period");
    chart.value.label = tr("Holdout purchases per customer");
    Series actual{.name = tr("actual"), .x = {}, .y = {}, .values = {}, .dashed = false};
    Series expected{.name = tr("expected"), .x = {}, .y = {}, .values = {}, .dashed = false};
    double worst = 0;
    std::string worst_bucket;
    for (std::size_t r = 0; r < c->rows(); ++r) {
      if (c->text("model", r) != m) continue;
      chart.categories.push_back(c->text("calibration_frequency", r));
      const double a = c->number("actual_mean", r), e = c->number("expected_mean", r);
      actual.values.push_back(a);
      expected.values.push_back(e);
      if (std::isfinite(a) && std::isfinite(e) && std::fabs(a - e) >= worst) {
        worst = std::fabs(a - e);
        worst_bucket = chart.categories.back();
      }
    }
    chart.series = {actual, expected};
    chart.value_labels = false;
    s.figure(render(chart),
             worst_bucket.empty()
                 ? ""
                 : trf("The largest gap between expected and actual is {} purchases per "
                       "customer, for customers with {} calibration repeat purchases.",
                       fmt_num(worst), worst_bucket));
  }

  s.sub(tr("Parameters of the chosen model"));
  if (ctx.analysis->model.model.empty()) {
    s.note(ctx.inputs->missing("model.json"));
  } else if (const std::optional<nlohmann::ordered_json> j =
                 model_to_json(ctx.analysis->model, ctx.analysis->time_unit);
             j && j->is_object() && j->contains("params") && (*j)["params"].is_object()) {
    HtmlTable t{{tr("parameter"), tr("estimate"), tr("standard error"), tr("95% interval")},
                {},
                {false, true, true, true}};
    for (const auto& [name, value] : (*j)["params"].items()) {
      std::string se = "–", ci = "–";
      if ((*j).contains("stderr") && (*j)["stderr"].is_object()) {
        se = fmt_num(json_number((*j)["stderr"], name.c_str()));
      }
      if ((*j).contains("ci95") && (*j)["ci95"].is_object() && (*j)["ci95"].contains(name) &&
          (*j)["ci95"][name].is_array() && (*j)["ci95"][name].size() == 2) {
        const auto& interval = (*j)["ci95"][name];
        const auto end = [&](std::size_t i) {  // null (a non-finite bound) or text: "–"
          return interval[i].is_number() ? interval[i].get<double>() : kNaN;
        };
        ci = fmt::format("{} – {}", fmt_num(end(0)), fmt_num(end(1)));
      }
      t.rows.push_back({name, value.is_number() ? fmt_num(value.get<double>()) : "–", se, ci});
    }
    s.reading(trf(
        "Model {}, log-likelihood {}, {}.", json_text(*j, "model"),
        fmt_num(json_number(*j, "log_likelihood")),
        j->contains("converged") && (*j)["converged"].is_boolean() && (*j)["converged"].get<bool>()
            ? tr("converged")
            : tr("NOT converged")));
    s.table(t);
  }

  s.sub(tr("Model comparison on the holdout"));
  if (auto m = s.csv("models.csv", {"model", "holdout_mae"})) {
    HtmlTable t{
        {tr("model"), tr("log-likelihood"), tr("BIC"), tr("holdout MAE"), tr("holdout RMSE"),
         tr("actual holdout purchases"), tr("expected"), tr("converged")},
        {},
        {false, true, true, true, true, true, true, false}};
    BarChart chart;
    chart.title = tr("Holdout error per customer (lower is better)");
    chart.category_label = tr("Model");
    chart.value.label = tr("Mean absolute error (purchases per customer)");
    chart.horizontal = true;
    Series mae{.name = tr("MAE"), .x = {}, .y = {}, .values = {}, .dashed = false};
    std::string best;
    double best_mae = std::numeric_limits<double>::infinity();
    for (std::size_t r = 0; r < m->rows(); ++r) {
      const double v = m->number("holdout_mae", r);
      t.rows.push_back({m->text("model", r), fmt_num(m->number("log_likelihood", r)),
                        fmt_num(m->number("bic", r)), fmt_num(v, NumberStyle::plain, 4),
                        fmt_num(m->number("holdout_rmse", r), NumberStyle::plain, 4),
                        fmt_num(m->number("holdout_actual", r), NumberStyle::integer),
                        fmt_num(m->number("holdout_expected", r), NumberStyle::integer),
                        m->text("converged", r)});
      chart.categories.push_back(m->text("model", r));
      mae.values.push_back(v);
      if (std::isfinite(v) && v < best_mae) best_mae = v, best = m->text("model", r);
    }
    chart.series = {mae};
    chart.value.format.decimals = 3;
    s.figure(render(chart), best.empty() ? ""
                                         : trf("{} has the lowest holdout error ({} purchases per "
                                               "customer).",
                                               best, fmt_num(best_mae, NumberStyle::plain, 3)));
    s.table(t);
  }
  return s.finish(out);
}

std::string alive_matrix(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "p-alive",
                   tr("P(alive) and expected purchases by frequency and recency"));
  if (ctx.analysis->model.model.empty()) {
    s.note(ctx.inputs->missing("model.json"));
    return s.finish(out);
  }
  std::optional<FittedCountModel> model;
  try {
    const ModelDefinition* definition = find_model(ctx.analysis->model.model);
    if (definition == nullptr || definition->kind != ModelKind::count || definition->discrete) {
      std::string continuous;
      for (const ModelDefinition& m : model_registry()) {
        if (m.kind == ModelKind::count && !m.discrete) {
          continuous += (continuous.empty() ? "" : ", ") + std::string(m.name);
        }
      }
      throw Error("model.json holds model '" + ctx.analysis->model.model +
                  "', not a continuous-time count model (" + continuous + ")");
    }
    model.emplace(ctx.analysis->model);
  } catch (const std::exception& e) {
    s.note(std::string("model.json cannot be evaluated: ") + e.what());
    return s.finish(out);
  }
  const std::string unit = ctx.time_unit;
  double T = ctx.customers.loaded ? median_of(ctx.customers.T) : kNaN;
  if (!(T > 0)) T = unit == "day" ? 365 : unit == "month" ? 12 : 52;
  T = std::max(1.0, std::round(T));
  double horizon_months = json_number(ctx.summary, "horizon_months");
  if (!(horizon_months > 0)) horizon_months = 12;
  double unit_days = 7;  // weeks unless summary.json names another unit
  try {
    unit_days = days_per_unit(parse_time_unit(unit));
  } catch (const InputError&) {
    s.note(trf("summary.json: time unit '{}' unknown; weeks assumed.", unit));
  }
  const double horizon = horizon_months * 365.25 / 12 / unit_days;

  const int max_x = 15;
  const int columns = 12;
  HeatMap alive, expected;
  for (auto* h : {&alive, &expected}) {
    h->row_label = tr("Repeat purchases (frequency)");
    h->column_label = trf("Recency: {} of the last purchase ({} since the first)",
                          unit_singular(unit), unit_plural(unit));
    h->size.height = 420;
  }
  alive.title = trf("P(alive) at customer age T = {} {}", fmt_num(T), unit_plural(unit));
  alive.legend_label = tr("P(alive)");
  alive.format.style = NumberStyle::percent;
  alive.format.decimals = 0;
  expected.title = trf("Expected purchases in the next {} months (T = {} {})",
                       fmt_num(horizon_months), fmt_num(T), unit_plural(unit));
  expected.legend_label = tr("Purchases");
  expected.format.decimals = 1;
  std::vector<double> recency;
  for (int c = 0; c <= columns; ++c) recency.push_back(T * c / columns);
  for (double r : recency) {
    alive.columns.push_back(fmt_num(r, NumberStyle::plain, 0));
    expected.columns.push_back(alive.columns.back());
  }
  try {
    for (int x = max_x; x >= 0; --x) {
      alive.rows.push_back(std::to_string(x));
      expected.rows.push_back(std::to_string(x));
      for (double r : recency) {
        // With no repeat purchase, recency is 0 by definition.
        const bool valid = x > 0 ? r > 0 : r == 0;
        alive.values.push_back(valid ? model->p_alive(x, r, T) : kNaN);
        expected.values.push_back(valid ? model->conditional_expected_transactions(horizon, x, r, T)
                                        : kNaN);
      }
    }
  } catch (const std::exception& e) {
    s.note(std::string("model.json cannot be evaluated: ") + e.what());
    return s.finish(out);
  }
  for (double& v : alive.values) {
    if (!std::isfinite(v)) v = kNaN;
  }
  const int x_show = 5;
  const std::size_t row = static_cast<std::size_t>(max_x - x_show) * recency.size();
  s.figure(render(alive),
           trf("A customer with {} repeat purchases, the last one recent, has P(alive) "
               "{}; if the last was at {} {}, {}.",
               x_show, fmt_num(alive.values[row + columns], NumberStyle::percent),
               unit_singular(unit), fmt_num(recency[columns / 4], NumberStyle::plain, 0),
               fmt_num(alive.values[row + columns / 4], NumberStyle::percent)));
  s.figure(
      render(expected),
      trf("The same recent customer is expected to buy {} times in the next {} "
          "months; one with a single recent repeat purchase {} times.",
          fmt_num(expected.values[row + columns]), fmt_num(horizon_months),
          fmt_num(
              expected.values[static_cast<std::size_t>(max_x - 1) * recency.size() + columns])));
  return s.finish(out);
}

std::string cohorts(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "cohorts", tr("Cohorts"));
  s.sub(tr("Retention by cohort and age"));
  if (auto c = s.csv("analytics/cohort_retention.csv", {"cohort"})) {
    HeatMap h;
    h.title = tr("Share of each cohort buying again, by months since the first purchase");
    h.row_label = tr("Cohort (first purchase month)");
    h.column_label = tr("Age (months since the first purchase)");
    h.legend_label = tr("Retention");
    h.format.style = NumberStyle::percent;
    std::vector<std::size_t> cols;
    for (std::size_t k = 0; k < c->table->columns(); ++k) {
      const auto& n = c->table->spec().columns[k].name;
      if (n.size() > 1 && n[0] == 'p' && std::isdigit(static_cast<unsigned char>(n[1])) &&
          n != "p0") {
        cols.push_back(k);
        h.columns.push_back(n.substr(1));
      }
    }
    double month1 = 0, month1_n = 0;
    // Long histories: the latest kMaxCohorts cohorts keep the heat map legible and small.
    const std::size_t first = c->rows() > kMaxCohorts ? c->rows() - kMaxCohorts : 0;
    if (first > 0) {
      h.title += trf(" (latest {} of {} cohorts)", kMaxCohorts, c->rows());
    }
    for (std::size_t r = first; r < c->rows(); ++r) {
      h.rows.push_back(c->text("cohort", r));
      for (auto k : cols) h.values.push_back(to_number(c->table->cell_text(k, r)));
      if (!cols.empty()) {
        const double v = to_number(c->table->cell_text(cols[0], r));
        if (std::isfinite(v)) month1 += v, month1_n += 1;
      }
    }
    s.figure(render(h), month1_n > 0 ? trf("On average {} of a cohort buys again in its second "
                                           "month; darker cells are lower retention.",
                                           fmt_num(month1 / month1_n, NumberStyle::percent))
                                     : "");
  }
  s.sub(tr("Cumulative revenue per customer (cohort LTV curves)"));
  if (auto c =
          s.csv("analytics/cohorts.csv", {"cohort", "age", "cumulative_revenue_per_customer"})) {
    std::vector<std::string> names;
    std::map<std::string, std::vector<std::pair<double, double>>> curves;
    double max_age = 0;
    for (std::size_t r = 0; r < c->rows(); ++r) {
      const auto name = c->text("cohort", r);
      if (!curves.count(name)) names.push_back(name);
      const double age = c->number("age", r);
      curves[name].push_back({age, c->number("cumulative_revenue_per_customer", r)});
      if (std::isfinite(age)) max_age = std::max(max_age, age);
    }
    HeatMap h;
    h.title = tr("Cumulative revenue per customer by cohort and age");
    h.row_label = tr("Cohort");
    h.column_label = tr("Age (months since the first purchase)");
    h.legend_label = trf("{}/customer", ctx.money.currency);
    h.format = ctx.money;
    h.format.decimals = 0;
    const auto ages = static_cast<std::size_t>(max_age) + 1;
    for (std::size_t a = 0; a < ages; ++a) h.columns.push_back(std::to_string(a));
    const std::size_t first = names.size() > kMaxCohorts ? names.size() - kMaxCohorts : 0;
    if (first > 0) {
      h.title += trf(" (latest {} of {} cohorts)", kMaxCohorts, names.size());
    }
    for (std::size_t k = first; k < names.size(); ++k) {
      const auto& n = names[k];
      h.rows.push_back(n);
      std::vector<double> row(ages, kNaN);
      for (auto [age, v] : curves[n]) {
        if (age >= 0 && age < static_cast<double>(ages)) row[static_cast<std::size_t>(age)] = v;
      }
      h.values.insert(h.values.end(), row.begin(), row.end());
    }
    s.figure(render(h), "");
    LineChart chart;
    chart.title = tr("Cohort LTV curves");
    chart.x.label = tr("Age (months since the first purchase)");
    chart.y.label = trf("Cumulative revenue per customer ({})", ctx.money.currency);
    chart.y.format = ctx.money;
    // At most 7 curves (the palette's size), spread over the cohorts.
    const std::size_t shown = std::min<std::size_t>(7, names.size());
    std::string read;
    for (std::size_t i = 0; i < shown; ++i) {
      const std::size_t k = shown == 1 ? 0 : i * (names.size() - 1) / (shown - 1);
      Series sr{.name = names[k], .x = {}, .y = {}, .values = {}, .dashed = false};
      for (auto [age, v] : curves[names[k]]) sr.x.push_back(age), sr.y.push_back(v);
      chart.series.push_back(sr);
    }
    if (!names.empty() && !curves[names.front()].empty()) {
      const auto [age, v] = curves[names.front()].back();
      read = trf("The {} cohort has brought {} per customer after {} months.", names.front(),
                 format_number(v, ctx.money), fmt_num(age));
    }
    s.figure(render(chart), read);
  }
  return s.finish(out);
}

/// RFM segment transition matrix from DIR/segment_transitions.csv (`ltv analyze`, or
/// `ltv segment --snapshots ... --transitions-out`): share of each earlier segment by later one.
void transitions(Context& ctx, SectionBuilder& s) {
  s.sub(tr("RFM segment transitions"));
  if (ctx.analysis->table("segment_transitions") == nullptr) {
    s.note(
        tr("No segment snapshots: segment_transitions.csv is not in this output directory "
           "(analyze writes it unless --transitions-days 0)."));
    return;
  }
  auto c = s.csv("segment_transitions.csv",
                 {"scheme", "from_date", "to_date", "from_segment", "to_segment", "customers"});
  if (!c) return;
  // The latest pair of snapshots of the rfm scheme.
  std::string from_date, to_date;
  for (std::size_t r = 0; r < c->rows(); ++r) {
    if (c->text("scheme", r) == "rfm" && c->text("to_date", r) >= to_date) {
      to_date = c->text("to_date", r);
      from_date = c->text("from_date", r);
    }
  }
  std::vector<std::string> labels;
  std::map<std::pair<std::string, std::string>, double> count;
  std::map<std::string, double> row_total;
  const auto add_label = [&](const std::string& l) {
    if (std::find(labels.begin(), labels.end(), l) == labels.end()) labels.push_back(l);
  };
  for (std::size_t r = 0; r < c->rows(); ++r) {
    if (c->text("scheme", r) != "rfm" || c->text("to_date", r) != to_date) continue;
    const auto a = c->text("from_segment", r), b = c->text("to_segment", r);
    const double n = c->number("customers", r);
    if (!std::isfinite(n)) continue;
    add_label(a);
    add_label(b);
    count[{a, b}] += n;
    row_total[a] += n;
  }
  from_date = shown_date(from_date);
  to_date = shown_date(to_date);
  HeatMap h;
  h.title = trf("Where the customers of {} are on {}", from_date, to_date);
  h.row_label = trf("Segment on {}", from_date);
  h.column_label = trf("Segment on {}", to_date);
  h.legend_label = tr("Share of the row's customers");
  h.format.style = NumberStyle::percent;
  h.format.decimals = 0;
  std::vector<std::string> rows;
  for (const auto& l : labels)
    if (row_total[l] > 0) rows.push_back(l);
  for (const auto& a : rows) {
    h.rows.push_back(a == "(none)" ? tr("(not yet a customer)") : shown_name(a));
    for (const auto& b : labels) {
      const auto it = count.find({a, b});
      h.values.push_back(it == count.end() ? 0.0 : it->second / row_total[a]);
    }
  }
  for (const auto& l : labels) h.columns.push_back(shown_name(l));
  std::string largest;        // named in the reading
  for (const auto& a : rows)  // the first (most valuable) earlier segment
    if (a != "(none)" && largest.empty()) largest = a;
  std::string reading;
  if (!largest.empty()) {
    const auto it = count.find({largest, largest});
    const double stay = it == count.end() ? 0.0 : it->second / row_total[largest];
    reading = trf("Of the {} customers in {} on {}, {} are still there on {}.",
                  fmt_num(row_total[largest], NumberStyle::integer), shown_name(largest), from_date,
                  fmt_num(stay, NumberStyle::percent), to_date);
  }
  s.figure(render(h), reading);
}

std::string segments(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "segments", tr("Segments"));
  auto c =
      s.csv("segments.csv", {"scheme", "segment", "customers", "customer_share", "revenue_share"});
  if (!c) return s.finish(out);
  const auto bars = [&](const std::string& scheme, const std::string& title) {
    BarChart chart;
    chart.title = title;
    chart.horizontal = true;
    chart.category_label = tr("Segment");
    chart.value.label = tr("Share of customers and of revenue");
    chart.value.format.style = NumberStyle::percent;
    Series cust{.name = tr("customers"), .x = {}, .y = {}, .values = {}, .dashed = false};
    Series rev{.name = tr("revenue"), .x = {}, .y = {}, .values = {}, .dashed = false};
    std::string best;
    double best_ratio = -1, best_c = 0, best_r = 0;
    for (std::size_t r = 0; r < c->rows(); ++r) {
      if (c->text("scheme", r) != scheme) continue;
      const double cs = c->number("customer_share", r), rs = c->number("revenue_share", r);
      chart.categories.push_back(shown_name(c->text("segment", r)));
      cust.values.push_back(cs);
      rev.values.push_back(rs);
      if (cs > 0 && rs / cs > best_ratio)
        best_ratio = rs / cs, best = shown_name(c->text("segment", r)), best_c = cs, best_r = rs;
    }
    chart.series = {cust, rev};
    s.sub(title);
    s.figure(render(chart), best.empty() ? ""
                                         : trf("{}: {} of customers bring {} of revenue.", best,
                                               fmt_num(best_c, NumberStyle::percent),
                                               fmt_num(best_r, NumberStyle::percent)));
  };
  bars("rfm", tr("RFM segments: size and value"));
  // What each RFM segment is for (the built-in segments' purposes are in the catalogue).
  if (c->has("purpose")) {
    HtmlTable t{{tr("segment"), tr("purpose"), tr("customers"), tr("share of revenue")},
                {},
                {false, false, true, true}};
    for (std::size_t r = 0; r < c->rows(); ++r) {
      if (c->text("scheme", r) != "rfm") continue;
      t.rows.push_back({shown_name(c->text("segment", r)), shown_name(c->text("purpose", r)),
                        fmt_num(c->number("customers", r), NumberStyle::integer),
                        fmt_num(c->number("revenue_share", r), NumberStyle::percent)});
    }
    if (!t.rows.empty()) s.table(t);
  }
  bars("abcdx", tr("ABCDX classes: size and value"));
  Funnel f;
  f.title = tr("Life-cycle stages (customers)");
  f.format.style = NumberStyle::integer;
  for (std::size_t r = 0; r < c->rows(); ++r) {
    if (c->text("scheme", r) != "stage") continue;
    f.stages.push_back(c->text("segment", r));  // codes: "lost" is looked for below
    f.values.push_back(c->number("customers", r));
  }
  s.sub(tr("Life-cycle stage funnel"));
  std::string read;
  double total = 0;
  for (double v : f.values) total += std::isfinite(v) ? v : 0;
  for (std::size_t i = 0; i < f.stages.size(); ++i) {
    if (f.stages[i] == "lost" && total > 0) {
      read = trf("{} of customers are in the lost stage.",
                 fmt_num(f.values[i] / total, NumberStyle::percent));
    }
  }
  for (auto& stage : f.stages) stage = shown_name(stage);
  s.figure(render(f), read);
  transitions(ctx, s);
  return s.finish(out);
}

std::string ltv_section(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "ltv",
                   tr("LTV distribution, top customers and value concentration"));
  s.sub(tr("Distribution"));
  if (auto d = s.csv("analytics/ltv_distribution.csv", {"measure", "mean", "median"})) {
    HtmlTable t{{tr("group"), tr("measure"), tr("customers"), tr("mean"), tr("median"), tr("p10"),
                 tr("p90"), tr("p99"), tr("max"), tr("top 20% share")},
                {},
                {false, false, true, true, true, true, true, true, true, true}};
    for (std::size_t r = 0; r < d->rows(); ++r) {
      std::vector<std::string> row{d->text("group", r), d->text("measure", r),
                                   fmt_num(d->number("customers", r), NumberStyle::integer)};
      for (const char* k : {"mean", "median", "p10", "p90", "p99", "max"}) {
        row.push_back(format_number(d->number(k, r), ctx.money));
      }
      row.push_back(fmt_num(d->number("top20_share", r), NumberStyle::percent));
      t.rows.push_back(row);
    }
    s.table(t);
  }
  const auto& cd = ctx.customers;
  if (!cd.loaded) {
    s.note(cd.note);
    return s.finish(out);
  }
  // Histogram of historical revenue and predicted CLV per customer, up to the 99th percentile.
  std::vector<double> rev(cd.revenue.begin(), cd.revenue.end());
  std::vector<double> clv(cd.clv.begin(), cd.clv.end());
  const bool has_clv =
      std::any_of(clv.begin(), clv.end(), [](double v) { return std::isfinite(v); });
  double hi = quantile_of(rev, 0.99);
  if (has_clv) hi = std::max(hi, quantile_of(clv, 0.99));
  if (std::isfinite(hi) && hi > 0) {
    const auto ticks = nice_ticks(0, hi, 12);
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : hi;
    const std::size_t bins = std::max<std::size_t>(1, ticks.size() - 1);
    BarChart chart;
    chart.title = tr("Customers by value (last bar: everything above)");
    chart.category_label = trf("Value per customer ({})", ctx.money.currency);
    chart.value.label = tr("Customers");
    chart.value.format.style = NumberStyle::integer;
    chart.value_labels = false;
    NumberFormat edge = ctx.money;
    edge.compact = true;
    edge.decimals = 0;
    for (std::size_t b = 0; b < bins; ++b) {
      chart.categories.push_back(b + 1 < bins ? format_number(ticks[b], edge) + "–"
                                              : "≥ " + format_number(ticks[b], edge));
    }
    const auto histogram = [&](const std::vector<double>& v, const std::string& name) {
      Series sr{.name = name,
                .x = {},
                .y = {},
                .values = std::vector<double>(bins, 0.0),
                .dashed = false};
      for (double x : v) {
        if (!std::isfinite(x)) continue;
        const auto b =
            std::min<std::size_t>(bins - 1, static_cast<std::size_t>(std::max(0.0, x / step)));
        sr.values[b] += 1;
      }
      chart.series.push_back(sr);
    };
    histogram(rev, tr("historical revenue"));
    if (has_clv) histogram(clv, tr("predicted CLV"));
    s.figure(render(chart), trf("Median historical revenue per customer is {}{}.",
                                format_number(quantile_of(rev, 0.5), ctx.money),
                                has_clv ? trf(", median predicted CLV {}",
                                              format_number(quantile_of(clv, 0.5), ctx.money))
                                        : ""));
  }
  s.sub(tr("Value concentration (Pareto curve)"));
  {
    LineChart chart;
    chart.title = tr("Cumulative share of revenue by share of customers (largest first)");
    chart.x.label = tr("Share of customers");
    chart.y.label = tr("Share of revenue");
    chart.x.format.style = chart.y.format.style = NumberStyle::percent;
    chart.x.min = chart.y.min = 0;
    chart.x.max = chart.y.max = 1;
    Series curve = pareto_curve(rev);
    curve.name = tr("revenue");
    Series even{.name = tr("even split"), .x = {0, 1}, .y = {0, 1}, .values = {}, .dashed = true};
    chart.series = {curve};
    if (has_clv) {
      Series c = pareto_curve(clv);
      c.name = tr("predicted CLV");
      chart.series.push_back(c);
    }
    chart.series.push_back(even);
    const double share = top_share_of_total(rev, 0.2);
    s.figure(render(chart), std::isfinite(share) ? trf("20% of customers bring {} of revenue.",
                                                       fmt_num(share, NumberStyle::percent))
                                                 : "");
  }
  s.sub(cd.top_by_clv ? tr("Top customers by predicted CLV") : tr("Top customers by revenue"));
  if (!cd.top.empty()) {
    HtmlTable t{{tr("customer"), tr("predicted CLV"), tr("revenue"), tr("P(alive)"),
                 tr("repeat purchases"), tr("RFM segment")},
                {},
                {false, true, true, true, true, false}};
    for (const auto& c : cd.top) {
      t.rows.push_back({c.id, format_number(c.clv, ctx.money), format_number(c.revenue, ctx.money),
                        fmt_num(c.p_alive, NumberStyle::percent),
                        fmt_num(c.frequency, NumberStyle::integer), shown_name(c.segment)});
    }
    s.table(t);
  }
  return s.finish(out);
}

std::string cac_section(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "cac", tr("Acquisition cost vs LTV by channel"));
  auto c = s.csv("analytics/cac.csv", {"channel", "spend", "new_customers"});
  if (!c) return s.finish(out);
  struct Acc {
    double spend = 0, new_customers = 0, hist = 0, pred = 0, hist_w = 0, pred_w = 0;
    std::vector<double> payback;
  };
  std::map<std::string, Acc> by;
  std::vector<std::string> order;
  for (std::size_t r = 0; r < c->rows(); ++r) {
    const auto ch = c->text("channel", r);
    if (ch == "all" || ch.empty()) continue;
    if (!by.count(ch)) order.push_back(ch);
    auto& a = by[ch];
    const double sp = c->number("spend", r), n = c->number("new_customers", r);
    if (std::isfinite(sp)) a.spend += sp;
    if (!std::isfinite(n)) continue;
    a.new_customers += n;
    const double h = c->number("historical_ltv", r), p = c->number("predicted_ltv", r);
    if (std::isfinite(h)) a.hist += h * n, a.hist_w += n;
    if (std::isfinite(p)) a.pred += p * n, a.pred_w += n;
    const double pb = c->number("payback_periods", r);
    if (std::isfinite(pb)) a.payback.push_back(pb);
  }
  BarChart chart;
  chart.title = tr("Acquisition cost and value per new customer");
  chart.horizontal = true;
  chart.category_label = tr("Channel");
  chart.value.label = trf("Per new customer ({})", ctx.money.currency);
  chart.value.format = ctx.money;
  Series cac{.name = tr("CAC"), .x = {}, .y = {}, .values = {}, .dashed = false};
  Series hist{.name = tr("historical LTV"), .x = {}, .y = {}, .values = {}, .dashed = false};
  Series pred{
      .name = tr("historical + predicted LTV"), .x = {}, .y = {}, .values = {}, .dashed = false};
  HtmlTable t{{tr("channel"), tr("spend"), tr("new customers"), tr("CAC"), tr("historical LTV"),
               tr("LTV:CAC"), tr("median payback (months)")},
              {},
              {false, true, true, true, true, true, true}};
  std::string best;
  double best_ratio = -1;
  for (const auto& ch : order) {
    const auto& a = by[ch];
    const double cac_v = a.new_customers > 0 && a.spend > 0 ? a.spend / a.new_customers : kNaN;
    const double h = a.hist_w > 0 ? a.hist / a.hist_w : kNaN;
    const double p = a.pred_w > 0 ? a.pred / a.pred_w : kNaN;
    chart.categories.push_back(ch);
    cac.values.push_back(cac_v);
    hist.values.push_back(h);
    pred.values.push_back(std::isfinite(p) && std::isfinite(h) ? h + p : kNaN);
    const double ratio = h / cac_v;
    if (std::isfinite(ratio) && ratio > best_ratio) best_ratio = ratio, best = ch;
    t.rows.push_back({ch, format_number(a.spend, ctx.money),
                      fmt_num(a.new_customers, NumberStyle::integer),
                      format_number(cac_v, ctx.money), format_number(h, ctx.money),
                      fmt_num(ratio, NumberStyle::plain, 1),
                      fmt_num(quantile_of(a.payback, 0.5), NumberStyle::plain, 0)});
  }
  chart.series = {cac, hist};
  if (std::any_of(pred.values.begin(), pred.values.end(),
                  [](double v) { return std::isfinite(v); })) {
    chart.series.push_back(pred);
  }
  chart.value_labels = false;
  s.figure(render(chart), best.empty() ? ""
                                       : trf("{} has the best historical LTV:CAC ({}:1).", best,
                                             fmt_num(best_ratio, NumberStyle::plain, 1)));
  s.table(t);
  return s.finish(out);
}

std::string forecast_section(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "forecast", tr("Forecast and backtest error"));
  std::map<std::string, double> mape;  // method|series -> MAPE %
  if (auto f = s.csv("analytics/forecast.csv", {"method", "series", "period", "kind", "value"})) {
    for (const std::string series : {"revenue", "active_customers"}) {
      std::vector<std::string> periods;
      std::map<std::string, std::size_t> index;
      std::map<std::string, std::map<std::string, double>> by_method;
      std::vector<std::string> methods;
      for (std::size_t r = 0; r < f->rows(); ++r) {
        if (f->text("series", r) != series) continue;
        const auto p = f->text("period", r);
        if (!index.count(p)) index[p] = 0, periods.push_back(p);
        const auto m = f->text("method", r);
        if (!by_method.count(m)) methods.push_back(m);
        by_method[m][p] = f->number("value", r);
      }
      std::sort(periods.begin(), periods.end());
      for (std::size_t i = 0; i < periods.size(); ++i) index[periods[i]] = i;
      LineChart chart;
      chart.title = series == "revenue" ? tr("Revenue per month: history and forecasts")
                                        : tr("Active customers per month: history and forecasts");
      chart.x.label = tr("Month");
      chart.x.categories = periods;
      chart.y.label =
          series == "revenue" ? trf("Revenue ({})", ctx.money.currency) : tr("Active customers");
      chart.y.format = series == "revenue" ? ctx.money : NumberFormat{NumberStyle::integer};
      for (const auto& m : methods) {
        Series sr{.name = m == "actual" ? tr("actual") : m,
                  .x = {},
                  .y = {},
                  .values = {},
                  .dashed = m != "actual"};
        for (const auto& [p, v] : by_method[m]) {
          sr.x.push_back(static_cast<double>(index[p]));
          sr.y.push_back(v);
        }
        chart.series.push_back(sr);
      }
      s.figure(render(chart), "");
    }
  }
  if (auto b = s.csv("analytics/forecast_backtest.csv", {"method", "series", "mape"})) {
    HtmlTable t{
        {tr("method"), tr("series"), tr("holdout months"), tr("MAPE"), tr("MAE"), tr("note")},
        {},
        {false, false, true, true, true, false}};
    BarChart chart;
    chart.title = tr("Backtest error on the last months (lower is better)");
    chart.horizontal = true;
    chart.category_label = tr("Method");
    chart.value.label = tr("Mean absolute percentage error");
    chart.value.format.style = NumberStyle::percent;
    std::vector<std::string> methods;
    std::map<std::string, std::map<std::string, double>> v;
    for (std::size_t r = 0; r < b->rows(); ++r) {
      const auto m = b->text("method", r), sr = b->text("series", r);
      if (!v.count(m)) methods.push_back(m);
      v[m][sr] = b->number("mape", r) / 100;
      t.rows.push_back({m, sr, b->text("holdout_periods", r),
                        fmt_num(b->number("mape", r) / 100, NumberStyle::percent),
                        fmt_num(b->number("mae", r)), b->text("note", r)});
    }
    chart.categories = methods;
    std::string best;
    double best_v = std::numeric_limits<double>::infinity();
    for (const std::string sr : {"revenue", "active_customers"}) {
      Series x{.name = sr == "revenue" ? tr("revenue") : tr("active customers"),
               .x = {},
               .y = {},
               .values = {},
               .dashed = false};
      for (const auto& m : methods) {
        const double val = v[m].count(sr) ? v[m][sr] : kNaN;
        x.values.push_back(val);
        if (sr == "revenue" && std::isfinite(val) && val < best_v) best_v = val, best = m;
      }
      chart.series.push_back(x);
    }
    s.figure(render(chart), best.empty()
                                ? ""
                                : trf("{} forecast revenue best in the backtest (MAPE {}).", best,
                                      fmt_num(best_v, NumberStyle::percent)));
    s.table(t);
  }
  return s.finish(out);
}

std::string compare_section(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "compare", tr("Group comparison"));
  auto c = s.csv("analytics/compare.csv", {"metric", "relative_difference"});
  if (!c) return s.finish(out);
  if (c->rows() == 0) {
    s.note(tr("analytics/compare.csv has no rows."));
    return s.finish(out);
  }
  BarChart chart;
  chart.horizontal = true;
  chart.title = trf("Group {} relative to group {}", c->text("group_a", 0), c->text("group_b", 0));
  chart.category_label = tr("Metric");
  chart.value.label = tr("Relative difference (95% interval in the table)");
  chart.value.format.style = NumberStyle::percent;
  Series d{.name = tr("relative difference"), .x = {}, .y = {}, .values = {}, .dashed = false};
  HtmlTable t{{tr("metric"), tr("group a"), tr("group b"), tr("difference"), tr("95% interval"),
               tr("reading")},
              {},
              {false, true, true, true, true, false}};
  for (std::size_t r = 0; r < c->rows(); ++r) {
    chart.categories.push_back(c->text("metric", r));
    d.values.push_back(c->number("relative_difference", r));
    t.rows.push_back({c->text("metric", r), fmt_num(c->number("value_a", r)),
                      fmt_num(c->number("value_b", r)),
                      fmt_num(c->number("relative_difference", r), NumberStyle::percent),
                      trf("{} to {}", fmt_num(c->number("relative_low", r), NumberStyle::percent),
                          fmt_num(c->number("relative_high", r), NumberStyle::percent)),
                      c->text("sentence", r)});
  }
  chart.series = {d};
  s.figure(render(chart), c->rows() > 0 ? c->text("sentence", 0) : "");
  s.table(t);
  return s.finish(out);
}

std::string nps_section(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "nps", tr("Net Promoter Score"));
  if (!ctx.analysis->extras.contains("nps") && ctx.analysis->table("nps/nps") == nullptr) {
    s.note(tr("nps/ is not in this output directory (run analyze with --nps FILE)."));
    return s.finish(out);
  }
  // nps/nps.csv (as `ltv nps`): by,group,answers,promoters,passives,detractors,nps,...,ci_low,
  // ci_high; the `all` row is the headline, `period` a line over time, every other `by` a bar.
  if (auto c = s.csv("nps/nps.csv", {"by", "group", "answers", "nps"})) {
    std::map<std::string, std::vector<std::size_t>> by;
    std::vector<std::string> order;
    for (std::size_t r = 0; r < c->rows(); ++r) {
      const auto b = c->text("by", r);
      if (b == "all") {
        s.reading(
            trf("NPS {} points (95% CI {} to {}) from {} answers: {} promoters, {} passives, {} "
                "detractors.",
                fmt_num(c->number("nps", r), NumberStyle::plain, 1),
                fmt_num(c->number("ci_low", r), NumberStyle::plain, 1),
                fmt_num(c->number("ci_high", r), NumberStyle::plain, 1),
                fmt_num(c->number("answers", r), NumberStyle::integer),
                fmt_num(c->number("promoters", r), NumberStyle::integer),
                fmt_num(c->number("passives", r), NumberStyle::integer),
                fmt_num(c->number("detractors", r), NumberStyle::integer)));
        continue;
      }
      if (!by.count(b)) order.push_back(b);
      by[b].push_back(r);
    }
    for (const auto& b : order) {
      const auto& rows = by[b];
      double lo = std::numeric_limits<double>::infinity();
      std::string worst;
      for (auto r : rows) {
        const double v = c->number("nps", r);
        if (std::isfinite(v) && v < lo) lo = v, worst = c->text("group", r);
      }
      const std::string reading = worst.empty() ? ""
                                                : trf("Lowest NPS by {}: {} ({} points).", b, worst,
                                                      fmt_num(lo, NumberStyle::plain, 0));
      if (b == "period") {
        LineChart chart;
        chart.title = tr("NPS by month with its 95% interval");
        chart.x.label = tr("Month of the answer");
        chart.y.label = tr("NPS (points, -100 to 100)");
        chart.y.format.decimals = 0;
        chart.markers = true;
        Series v{.name = tr("NPS"), .x = {}, .y = {}, .values = {}, .dashed = false};
        Series low{.name = tr("95% low"), .x = {}, .y = {}, .values = {}, .dashed = true};
        Series high{.name = tr("95% high"), .x = {}, .y = {}, .values = {}, .dashed = true};
        for (std::size_t i = 0; i < rows.size(); ++i) {
          chart.x.categories.push_back(c->text("group", rows[i]));
          for (auto* sr : {&v, &low, &high}) sr->x.push_back(static_cast<double>(i));
          v.y.push_back(c->number("nps", rows[i]));
          low.y.push_back(c->number("ci_low", rows[i]));
          high.y.push_back(c->number("ci_high", rows[i]));
        }
        chart.series = {v};
        if (c->has("ci_low") && c->has("ci_high")) {
          chart.series.push_back(low);
          chart.series.push_back(high);
        }
        s.figure(render(chart), reading);
        continue;
      }
      BarChart chart;
      chart.title = trf("NPS by {}", b);
      chart.category_label = b;
      chart.value.label = tr("NPS (points, -100 to 100)");
      chart.value.format.decimals = 0;
      chart.horizontal = true;
      Series sr{.name = tr("NPS"), .x = {}, .y = {}, .values = {}, .dashed = false};
      for (auto r : rows) {
        chart.categories.push_back(trf("{} ({} answers)", c->text("group", r),
                                       fmt_num(c->number("answers", r), NumberStyle::integer)));
        sr.values.push_back(c->number("nps", r));
      }
      chart.series = {sr};
      s.figure(render(chart), reading);
    }
  }
  // nps/value.csv: retention after the answer and mean CLV by class.
  if (auto c = s.csv("nps/value.csv", {"class", "retention"})) {
    BarChart chart;
    chart.title = tr("Retention after the answer by NPS class");
    chart.category_label = tr("NPS class");
    chart.value.label = tr("Share who bought again within the horizon");
    chart.value.format.style = NumberStyle::percent;
    Series sr{.name = tr("retention"), .x = {}, .y = {}, .values = {}, .dashed = false};
    std::map<std::string, std::size_t> row_of;
    for (std::size_t r = 0; r < c->rows(); ++r) {
      chart.categories.push_back(shown_name(c->text("class", r)));
      sr.values.push_back(c->number("retention", r));
      row_of[c->text("class", r)] = r;
    }
    chart.series = {sr};
    std::string reading;
    if (row_of.count("promoter") && row_of.count("detractor")) {
      const auto p = row_of["promoter"], d = row_of["detractor"];
      reading = trf("{} of promoters bought again after answering, {} of detractors",
                    fmt_num(c->number("retention", p), NumberStyle::percent),
                    fmt_num(c->number("retention", d), NumberStyle::percent));
      if (c->has("mean_clv") && std::isfinite(c->number("mean_clv", p)) &&
          std::isfinite(c->number("mean_clv", d))) {
        reading +=
            trf("; mean predicted CLV {} vs {}", format_number(c->number("mean_clv", p), ctx.money),
                format_number(c->number("mean_clv", d), ctx.money));
      }
      reading += ".";
    }
    s.figure(render(chart), reading);
  }
  // nps/detractor_terms.csv: what detractors write about.
  if (ctx.analysis->table("nps/detractor_terms") != nullptr) {
    if (auto c = s.csv("nps/detractor_terms.csv", {"term", "share_of_detractors"})) {
      BarChart chart;
      chart.title = tr("Most frequent words in detractors' comments");
      chart.category_label = tr("word or #tag");
      chart.value.label = tr("Share of detractors' comments");
      chart.value.format.style = NumberStyle::percent;
      chart.horizontal = true;
      Series sr{.name = tr("share"), .x = {}, .y = {}, .values = {}, .dashed = false};
      for (std::size_t r = 0; r < std::min<std::size_t>(c->rows(), 10); ++r) {
        chart.categories.push_back(c->text("term", r));
        sr.values.push_back(c->number("share_of_detractors", r));
      }
      chart.series = {sr};
      s.figure(render(chart),
               c->rows() > 0
                   ? trf("\"{}\" is in {} of detractors' comments.", c->text("term", 0),
                         fmt_num(c->number("share_of_detractors", 0), NumberStyle::percent))
                   : "");
    }
  }
  // Follow-ups and input problems: counts, the lists themselves stay in the CSV files.
  if (ctx.analysis->table("nps/follow_ups") != nullptr) {
    if (auto c = s.csv("nps/follow_ups.csv", {"class"})) {
      std::size_t detractors = 0;
      for (std::size_t r = 0; r < c->rows(); ++r) detractors += c->text("class", r) == "detractor";
      s.reading(
          trf("{} follow-up items in nps/follow_ups.csv ({} for detractors, due within 2 days).",
              fmt_num(static_cast<double>(c->rows()), NumberStyle::integer),
              fmt_num(static_cast<double>(detractors), NumberStyle::integer)));
    }
  }
  if (ctx.analysis->table("nps/problems") != nullptr) {
    if (auto c = s.csv("nps/problems.csv", {}); c && c->rows() > 0) {
      s.note(
          trf("{} answers with problems (duplicates, unknown customers): see "
              "nps/problems.csv.",
              fmt_num(static_cast<double>(c->rows()), NumberStyle::integer)));
    }
  }
  return s.finish(out);
}

std::string basket_section(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "basket", tr("Top association rules"));
  auto c = s.csv("basket/rules.csv", {"antecedent", "consequent", "support", "confidence", "lift"});
  if (!c) return s.finish(out);
  std::vector<std::size_t> rows(c->rows());
  std::iota(rows.begin(), rows.end(), 0);
  std::stable_sort(rows.begin(), rows.end(), [&](auto a, auto b) {
    const double la = c->number("lift", a), lb = c->number("lift", b);
    return (std::isfinite(la) ? la : -1) > (std::isfinite(lb) ? lb : -1);
  });
  if (rows.size() > ctx.options.top_rules) rows.resize(ctx.options.top_rules);
  BarChart chart;
  chart.title = tr("Rules with the highest lift");
  chart.horizontal = true;
  chart.category_label = tr("Rule (bought → also bought)");
  chart.value.label = tr("Lift (1 = no association)");
  chart.value.format.decimals = 2;
  Series lift{.name = tr("lift"), .x = {}, .y = {}, .values = {}, .dashed = false};
  HtmlTable t{{tr("if bought"), tr("also bought"), tr("support"), tr("confidence"), tr("lift"),
               tr("baskets")},
              {},
              {false, false, true, true, true, true}};
  for (auto r : rows) {
    chart.categories.push_back(c->text("antecedent", r) + " → " + c->text("consequent", r));
    lift.values.push_back(c->number("lift", r));
    t.rows.push_back({c->text("antecedent", r), c->text("consequent", r),
                      fmt_num(c->number("support", r), NumberStyle::percent, 2),
                      fmt_num(c->number("confidence", r), NumberStyle::percent),
                      fmt_num(c->number("lift", r), NumberStyle::plain, 2),
                      fmt_num(c->number("count", r), NumberStyle::integer)});
  }
  chart.series = {lift};
  s.figure(render(chart),
           rows.empty() ? ""
                        : trf("Buyers of {} buy {} {} times as often as average ({} "
                              "confidence).",
                              c->text("antecedent", rows[0]), c->text("consequent", rows[0]),
                              fmt_num(c->number("lift", rows[0]), NumberStyle::plain, 1),
                              fmt_num(c->number("confidence", rows[0]), NumberStyle::percent)));
  s.table(t);
  return s.finish(out);
}

std::string actions_section(Context& ctx, std::vector<ReportSection>& out) {
  SectionBuilder s(*ctx.inputs, "actions", tr("Today's action list"));
  auto c = s.csv("actions_summary.csv", {"rule", "action", "customers"});
  if (!c) return s.finish(out);
  BarChart chart;
  chart.title = tr("Customers per rule: treated and control");
  chart.horizontal = true;
  chart.category_label = tr("Rule");
  chart.value.label = tr("Customers");
  chart.value.format.style = NumberStyle::integer;
  Series treated{.name = tr("treated"), .x = {}, .y = {}, .values = {}, .dashed = false};
  Series control{.name = tr("control"), .x = {}, .y = {}, .values = {}, .dashed = false};
  HtmlTable t{{tr("rule"), tr("action"), tr("channel"), tr("priority"), tr("customers"),
               tr("treated"), tr("control")},
              {},
              {false, false, false, true, true, true, true}};
  double total = 0, biggest = -1;
  std::string big;
  for (std::size_t r = 0; r < c->rows(); ++r) {
    chart.categories.push_back(c->text("rule", r));
    const double n = c->number("customers", r);
    const double treated_n = c->has("treated") ? c->number("treated", r) : n;
    treated.values.push_back(treated_n);
    control.values.push_back(c->number("control", r));
    if (std::isfinite(n)) total += n;
    if (std::isfinite(n) && n > biggest) biggest = n, big = c->text("rule", r);
    t.rows.push_back({c->text("rule", r), c->text("action", r), c->text("channel", r),
                      c->text("priority", r), fmt_num(n, NumberStyle::integer),
                      fmt_num(treated_n, NumberStyle::integer),
                      fmt_num(c->number("control", r), NumberStyle::integer)});
  }
  chart.series = {treated, control};
  s.figure(render(chart), big.empty() ? ""
                                      : trf("{} actions today; the largest rule is {} ({} "
                                            "customers).",
                                            fmt_num(total, NumberStyle::integer), big,
                                            fmt_num(biggest, NumberStyle::integer)));
  s.table(t);
  return s.finish(out);
}

constexpr const char* kCss = R"css(
:root { --ink: #1d2330; --muted: #5a6275; --line: #d9dde5; --bg: #ffffff; --accent: #0072B2; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: #f4f6f9; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; background: var(--bg); }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
nav { margin: 12px 0 8px; font-size: 13px; }
nav a { color: var(--accent); margin-right: 12px; text-decoration: none; }
section { border-top: 2px solid var(--line); margin-top: 24px; padding-top: 8px; }
h2 { font-size: 20px; margin: 8px 0; }
h3 { font-size: 15px; margin: 16px 0 4px; color: var(--muted); }
figure { margin: 8px 0 16px; }
svg.chart { width: 100%; height: auto; max-width: 100%; display: block; }
svg.chart text { font-family: inherit; fill: var(--ink); }
svg.chart .chart-title { font-size: 14px; font-weight: 600; }
svg.chart .tick, svg.chart .value-label, svg.chart .category { font-size: 11px; fill: #333; }
svg.chart .axis-label, svg.chart .legend-label { font-size: 12px; fill: var(--muted); }
svg.chart .cell-label { font-size: 10px; }
svg.chart .cell-label.light { fill: #fff; }
svg.chart .cell-label.dark { fill: #111; }
svg.chart .grid { stroke: #e6e8ee; stroke-width: 1; }
svg.chart .axis { stroke: #888; stroke-width: 1; }
svg.chart .marker-label { font-size: 11px; fill: #555; }
svg.chart .empty-note { font-size: 14px; fill: #9a3412; font-style: italic; }
.reading { margin: 4px 0 0; font-weight: 500; }
figcaption.reading::before { color: var(--muted); font-weight: 400; }
.note { color: #9a3412; background: #fff7ed; border-left: 3px solid #f97316; padding: 6px 10px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
.card-value { font-size: 22px; font-weight: 700; }
.card-label { color: var(--muted); font-size: 12px; }
.table-wrap { overflow-x: auto; }
table.data { border-collapse: collapse; margin: 8px 0 16px; font-size: 12.5px; width: 100%; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; }
table.data th { background: #f0f2f6; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm; }
@media print {
  body { background: #fff; font-size: 11px; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  section { break-before: auto; }
  figure, table.data, .cards { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
}
)css";

}  // namespace

const std::vector<std::string>& report_section_ids() {
  static const std::vector<std::string> ids{"headline", "model-fit", "p-alive", "cohorts",
                                            "segments", "ltv",       "cac",     "forecast",
                                            "compare",  "nps",       "basket",  "actions"};
  return ids;
}

namespace {

Report build(const Analysis& analysis, const ReportOptions& options, const std::string& label,
             const std::map<std::string, std::string>& unreadable, bool has_summary) {
  // The page's language and number / date formats (tr, format_number and the charts follow it).
  const i18n::LocaleScope locale(options.locale);
  const Inputs inputs{analysis, unreadable};
  Context ctx;
  ctx.analysis = &analysis;
  ctx.inputs = &inputs;
  ctx.has_summary = has_summary;
  ctx.label = label;
  ctx.options = options;
  ctx.money.style = NumberStyle::currency;
  ctx.money.currency = options.currency;
  ctx.customers = read_customers(analysis, options.top_customers);
  Report report;
  std::string body;
  body += headline(ctx, report.sections);
  body += model_fit(ctx, report.sections);
  body += alive_matrix(ctx, report.sections);
  body += cohorts(ctx, report.sections);
  body += segments(ctx, report.sections);
  body += ltv_section(ctx, report.sections);
  body += cac_section(ctx, report.sections);
  body += forecast_section(ctx, report.sections);
  body += compare_section(ctx, report.sections);
  body += nps_section(ctx, report.sections);
  body += basket_section(ctx, report.sections);
  body += actions_section(ctx, report.sections);
  std::string nav = "<nav>";
  for (const auto& s : report.sections) {
    nav += fmt::format("<a href=\"#{}\">{}</a>", s.id, xml_escape(s.title));
  }
  nav += "</nav>\n";
  std::string subtitle = trf("From {}", label);
  if (ctx.summary.is_object()) {
    subtitle = trf("{} customers, {} to {}",
                   fmt_num(json_number(ctx.summary, "customers"), NumberStyle::integer),
                   shown_date(json_text(ctx.summary, "first_day")),
                   shown_date(json_text(ctx.summary, "last_day")));
  }
  report.html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{}</title>\n<style>{}figcaption.reading::before {{ content: \"{} \"; }}\n</style>\n"
      "</head>\n<body>\n<main>\n<header>\n<h1>{}</h1>\n"
      "<p>{}</p>\n</header>\n{}{}<footer>{}</footer>\n</main>\n</body>\n"
      "</html>\n",
      i18n::language_code(options.locale.language), xml_escape(options.title), kCss, tr("Reading:"),
      xml_escape(options.title), xml_escape(subtitle), nav, body,
      xml_escape(trf("Generated by ltvkit from the files of {}. Charts use the Okabe-Ito "
                     "colour-blind-safe palette and a viridis scale.",
                     label)));
  return report;
}

/// The report of an output folder: what could not be read becomes a note.
/// A folder that carries a manifest (every `ltv analyze` since the manifest exists) must match it:
/// a folder whose files are not those of one complete run (a listed file missing or of another
/// size) is refused, never rendered as a mix. Files added later (validation/, nps/ written by
/// other commands) are read as they are.
/// `out` (the page being written, when it is inside `dir`) and report.html are not checked: they
/// are this command's own outputs. A folder without a manifest (an older version's, or one put
/// together by hand) is read as it is, a missing file becoming a note.
Report build_from_folder(const fs::path& dir, const ReportOptions& options,
                         const fs::path& out = {}) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    input_error(SourceLocation{dir.string(), 0, ""}, "not a directory",
                "the output directory of `ltv analyze -o DIR`");
  }
  if (fs::exists(dir / kManifestName, ec)) {
    std::vector<std::string> own{"report.html"};
    if (!out.empty()) {
      const fs::path rel =
          fs::weakly_canonical(out, ec).lexically_relative(fs::weakly_canonical(dir, ec));
      if (!rel.empty() && *rel.begin() != "..") own.push_back(rel.generic_string());
    }
    verify_manifest(dir, own, /*allow_added=*/true);
  }
  std::map<std::string, std::string> unreadable;
  const Analysis analysis = read_analysis(dir, &unreadable);
  const bool has_summary =
      fs::is_regular_file(dir / "summary.json", ec) && !unreadable.count("summary.json");
  return build(analysis, options, dir.string(), unreadable, has_summary);
}

}  // namespace

Report build_report(const Analysis& analysis, const ReportOptions& options,
                    const std::string& label) {
  return build(analysis, options, label, {}, true);
}

Report build_report(const fs::path& dir, const ReportOptions& options) {
  return build_from_folder(dir, options);
}

Report write_report(const Analysis& analysis, const fs::path& out, const ReportOptions& options,
                    const std::string& label) {
  Report report = build_report(analysis, options, label);
  Output file(out.string());
  file.stream() << report.html;
  file.close();
  return report;
}

Report write_report(const fs::path& dir, fs::path out, const ReportOptions& options) {
  if (out.empty()) out = dir / "report.html";
  Report report = build_from_folder(dir, options, out);
  Output file(out.string());
  file.stream() << report.html;
  file.close();
  return report;
}

}  // namespace ltv::report
