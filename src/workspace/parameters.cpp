#include "ltv/workspace/parameters.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "ltv/io/dates.hpp"
#include "ltv/io/numbers.hpp"

namespace ltv {

namespace {

using T = ParameterType;
constexpr double kInf = 1e308;

constexpr std::array<std::string_view, 10> kGroups{
    "source", "periods", "output", "format", "model", "fit", "clv", "analyze", "predict",
    "validate"};

// The table. Help texts are what every face shows; defaults are text as a user would type them.
// Sections group the options in help screens.
constexpr const char* kColumns = "Columns (header name or 1-based number)";
constexpr const char* kParsing = "Parsing";
constexpr const char* kPeriods = "Periods";
constexpr const char* kOutput = "Output";
constexpr const char* kModel = "Model";
constexpr const char* kAnalyze = "Main job";
constexpr const char* kInputs = "Side inputs";
constexpr const char* kCrossSell = "Cross-sell and NPS";
constexpr const char* kActions = "Actions";
constexpr const char* kReport = "Report";
constexpr const char* kPrediction = "Prediction";

ParameterSpec spec(std::string_view key, std::string_view group, ParameterType type,
                   std::string_view default_value, std::string_view help,
                   std::string_view section) {
  ParameterSpec s;
  s.key = key;
  s.group = group;
  s.type = type;
  s.default_value = default_value;
  s.help = help;
  s.section = section;
  return s;
}

ParameterSpec with_range(ParameterSpec s, double min, double max, bool min_exclusive = false,
                         bool max_exclusive = false, std::string_view expected = {}) {
  s.min = min;
  s.max = max;
  s.min_exclusive = min_exclusive;
  s.max_exclusive = max_exclusive;
  s.expected = expected;
  return s;
}

ParameterSpec with_choices(ParameterSpec s, std::string_view choices) {
  s.choices = choices;
  return s;
}

ParameterSpec with_expected(ParameterSpec s, std::string_view expected) {
  s.expected = expected;
  return s;
}

ParameterSpec with_alias(ParameterSpec s, std::string_view alias) {
  s.alias = alias;
  return s;
}

ParameterSpec positional(ParameterSpec s) {
  s.positional = true;
  return s;
}

std::vector<ParameterSpec> make_table() {
  std::vector<ParameterSpec> t;
  // ---- source: the transaction file, its columns and how it is parsed
  t.push_back(positional(spec(
      "file", "source", T::path, "",
      "Transactions: CSV/TSV/whitespace text, optionally gzip-compressed; '-' = stdin", "")));
  t.push_back(spec("customer", "source", T::text, "", "Customer id column (required)", kColumns));
  t.push_back(spec("date", "source", T::text, "", "Purchase date or datetime column (required)",
                   kColumns));
  t.push_back(spec("amount", "source", T::text, "",
                   "Line value column; absent = count-only data (unless --price)", kColumns));
  t.push_back(spec("order", "source", T::text, "",
                   "Order / invoice id column (ids like C536379 are cancellations)", kColumns));
  t.push_back(spec("quantity", "source", T::text, "", "Quantity column", kColumns));
  t.push_back(spec("price", "source", T::text, "",
                   "Unit price column: amount = quantity x price when --amount is not given",
                   kColumns));
  t.push_back(spec("product", "source", T::text, "", "Product / SKU column", kColumns));
  t.push_back(spec("category", "source", T::text, "", "Product category column", kColumns));
  t.push_back(spec("margin", "source", T::text, "", "Profit-per-line column", kColumns));
  t.push_back(spec("cost", "source", T::text, "", "Cost-per-line column: profit = amount - cost",
                   kColumns));
  t.push_back(spec("channel", "source", T::text, "", "Sales / acquisition channel column",
                   kColumns));
  t.push_back(spec("region", "source", T::text, "", "Store / region column", kColumns));
  t.push_back(spec("no_header", "source", T::flag, "",
                   "The file has no header line: columns are given by number", kParsing));
  t.push_back(with_expected(spec("delimiter", "source", T::text, "auto",
                                 "auto, ',', ';', tab, pipe or whitespace", kParsing),
                            "auto, ',', ';', tab, pipe or whitespace"));
  t.push_back(spec("date_format", "source", T::text, "auto",
                   "auto (detected from the first date), iso, yyyymmdd, dd.mm.yyyy, or a pattern "
                   "like '%d/%m/%Y %H:%M' (%Y %y %m %b %d %H %M %S %z)",
                   kParsing));
  t.push_back(spec("decimal_comma", "source", T::flag, "",
                   "Numbers use a decimal comma and space/NBSP thousands separators: 1 234,56",
                   kParsing));
  t.push_back(spec("time_zone", "source", T::text, "+00:00",
                   "Fixed UTC offset datetimes carrying an offset are converted to; datetimes "
                   "without an offset are taken as written",
                   kParsing));
  t.push_back(with_choices(
      spec("returns", "source", T::choice, "net",
           "Return/cancellation lines (negative amount or quantity, C-invoices): net (keep, "
           "revenue nets out) or drop",
           kParsing),
      "net|drop"));
  t.push_back(with_choices(
      spec("on_error", "source", T::choice, "fail",
           "Bad rows: fail (stop at the first, naming file:line:column) or skip (count and "
           "report them)",
           kParsing),
      "fail|skip"));
  // ---- periods
  t.push_back(with_choices(spec("time_unit", "periods", T::choice, "week",
                                "Unit of recency, T and durations: day, week, month", kPeriods),
                           "day|days|week|weeks|month|months"));
  t.push_back(spec("calibration_end", "periods", T::date, "",
                   "Last day (inclusive) of the calibration period, YYYY-MM-DD (default: last "
                   "day in the data)",
                   kPeriods));
  t.push_back(spec("observation_end", "periods", T::date, "",
                   "Last day (inclusive) of observation; after --calibration-end this is the "
                   "holdout (default: last day in the data)",
                   kPeriods));
  // ---- output
  t.push_back(with_choices(spec("format", "format", T::choice, "csv",
                                "Output format: csv or json (an array of objects)", kOutput),
                           "csv|json"));
  t.push_back(with_alias(spec("output", "output", T::path, "-",
                              "Write output to FILE instead of stdout ('-')", kOutput),
                         "o"));
  t.push_back(with_alias(
      spec("quiet", "output", T::flag, "", "Do not print the load report on stderr", kOutput),
      "q"));
  // ---- model: the model of fit and predict
  t.push_back(spec("model", "model", T::text, "bgnbd",
                   "Model: bgnbd, mbgnbd, pnbd, bgbb or gg (predict: also a model JSON file "
                   "written by `ltv fit -o FILE`)",
                   kModel));
  // ---- fit: optimizer tuning
  t.push_back(with_range(spec("penalty", "fit", T::number, "0",
                              "L2 penalty on the log-parameters (0 = plain maximum likelihood)",
                              kModel),
                         0, kInf, false, false, "a finite penalty >= 0"));
  t.push_back(with_range(spec("starts", "fit", T::integer, "0",
                              "Number of optimizer starting points (0 = the model's default)",
                              kModel),
                         0, 100, false, false, "a number of starts in 0..100"));
  t.push_back(spec("no_presearch", "fit", T::flag, "",
                   "Run every start on the full data (default: with more than 20,000 distinct "
                   "(frequency, recency, T) patterns the starts search a subsample of 5,000 and "
                   "the full data is fitted once, from the best optimum found there)",
                   kModel));
  // ---- clv: discounting and margin
  t.push_back(with_range(spec("discount_rate", "clv", T::number, "0.01",
                              "CLV discount rate per month", kModel),
                         0, kInf, false, false, "a discount rate per month >= 0"));
  t.push_back(with_range(
      spec("profit_margin", "clv", T::number, "1", "Share of spend that is profit, for CLV",
           kModel),
      -kInf, kInf, false, false, "a finite share of spend"));
  // ---- analyze: the main job
  t.push_back(with_expected(
      spec("model", "analyze", T::text, "auto",
           "Count model: auto (best holdout MAE of bgnbd, mbgnbd, pnbd) or one of them", kModel),
      "auto, bgnbd, mbgnbd or pnbd"));
  t.push_back(with_range(spec("horizon", "analyze", T::number, "12",
                              "Prediction horizon in months", kModel),
                         0, 1200, true, false, "a positive number of months (at most 1200)"));
  t.push_back(with_range(spec("holdout_share", "analyze", T::number, "0.25",
                              "Share of the observed days held out for model selection when "
                              "--calibration-end is not given",
                              kModel),
                         0, 1, true, true, "a share in (0, 1)"));
  t.push_back(spec("spend", "analyze", T::path, "",
                   "Marketing spend FILE (channel,period,spend; period YYYY-MM): adds "
                   "analytics/cac.csv with CAC, LTV:CAC (historical and predicted), payback, ROMI",
                   kInputs));
  t.push_back(spec("customers", "analyze", T::path, "",
                   "Customer attributes FILE with customer_id and the acquisition channel column "
                   "(for --spend; default: the transactions' --channel on the first purchase)",
                   kInputs));
  t.push_back(spec("products", "analyze", T::path, "",
                   "Products FILE (product or product_id, then any of category, product_category, "
                   "department, brand, launch_date): coarser levels for association rules when "
                   "items are too sparse",
                   kInputs));
  t.push_back(spec("customers_channel", "analyze", T::text, "acquisition_channel",
                   "Acquisition channel column of --customers", kInputs));
  t.push_back(spec("compare", "analyze", T::text, "",
                   "Column of --customers whose groups --compare-a and --compare-b are compared "
                   "(spend, frequency, check, retention, LTV with bootstrap 95% intervals) into "
                   "analytics/compare.csv, e.g. loyalty_member",
                   kInputs));
  t.push_back(spec("compare_a", "analyze", T::text, "1", "First group of --compare", kInputs));
  t.push_back(spec("compare_b", "analyze", T::text, "0", "Second group of --compare", kInputs));
  t.push_back(with_expected(
      spec("basket_min_support", "analyze", T::text, "0.001",
           "Association rules (with --product or --category): minimum support, share of "
           "baskets (decimal, % or fraction), exact. Without any --basket-min-* option the "
           "support is raised from this floor to keep at most 1,000 rules (itemsets of at most "
           "3 items; coarser levels when items are too sparse)",
           kCrossSell),
      "a share in [0, 1]: a decimal, a percentage or a fraction"));
  t.push_back(with_expected(spec("basket_min_confidence", "analyze", T::text, "0.1",
                                 "Minimum rule confidence count(X+Y)/count(X), exact",
                                 kCrossSell),
                            "a share in [0, 1]: a decimal, a percentage or a fraction"));
  t.push_back(with_range(
      spec("basket_min_count", "analyze", T::integer, "10",
           "Fewest baskets behind an itemset (the stricter of this and the support applies)",
           kCrossSell),
      0, kInf));
  t.push_back(with_range(
      spec("basket_min_baskets", "analyze", T::integer, "100",
           "With fewer baskets no rules are mined (a note in summary.json instead)", kCrossSell),
      0, kInf));
  t.push_back(with_range(
      spec("recommend_top", "analyze", T::integer, "5",
           "Next best offers per customer in basket/recommendations.csv (0 = none)", kCrossSell),
      0, 1000, false, false, "a number of offers in 0..1000"));
  t.push_back(spec("nps", "analyze", T::path, "",
                   "NPS answers FILE (customer_id,date,score[,comment,channel]): adds nps/ with "
                   "NPS by month, channel and segment, follow-ups, detractor terms, value link",
                   kCrossSell));
  t.push_back(with_range(
      spec("nps_horizon", "analyze", T::integer, "180",
           "Days after an NPS answer in which a purchase counts as retained (nps/value.csv)",
           kCrossSell),
      1, 36600, false, false, "a positive number of days"));
  t.push_back(with_range(spec("transitions_days", "analyze", T::integer, "91",
                              "Segment movement over the last N days into "
                              "DIR/segment_transitions.csv (0 = none)",
                              kAnalyze),
                         0, 36600, false, false, "a number of days >= 0"));
  t.push_back(spec("rules", "analyze", T::path, "",
                   "CVM playbook TOML FILE for DIR/actions.csv (docs/cvm.md; default: built-in)",
                   kActions));
  t.push_back(spec(
      "contacts", "analyze", T::path, "",
      "Contact history FILE (customer_id,date,channel) for the actions' frequency caps",
      kActions));
  t.push_back(spec("suppress", "analyze", T::path, "",
                   "Do-not-contact FILE (customer_id) excluded from DIR/actions.csv", kActions));
  t.push_back(spec("currency", "analyze", T::text, "$",
                   "Currency symbol of money amounts in report.html", kReport));
  t.push_back(
      spec("title", "analyze", T::text, "Customer value report", "Title of report.html", kReport));
  t.push_back(spec("no_report", "analyze", T::flag, "",
                   "Do not write report.html (re-render later with `ltv report DIR`)", kReport));
  // ---- predict
  t.push_back(spec("spend_model", "predict", T::path, "",
                   "Gamma-Gamma model JSON (`ltv fit --model gg -o FILE`); needs spend in INPUT "
                   "(monetary_value column or --amount/--price)",
                   kPrediction));
  t.push_back(with_range(spec("horizon", "predict", T::number, "0",
                              "Prediction horizon in --time-unit (BG/BB: opportunities); 0 = the "
                              "holdout length when there is one, else one year (BG/BB: required)",
                              kPrediction),
                         0, kInf, false, false,
                         "a horizon >= 0 in --time-unit (0 = holdout length or one year)"));
  t.push_back(spec("clv", "predict", T::flag, "",
                   "Fit Gamma-Gamma on INPUT's spend (when no --spend-model) and output "
                   "expected_spend and clv",
                   kPrediction));
  // ---- validate
  t.push_back(spec("model", "validate", T::text, "all",
                   "Models to compare: all or a comma-separated list of bgnbd, mbgnbd, pnbd",
                   kModel));
  t.push_back(with_choices(spec("table", "validate", T::choice, "models",
                                "Table written by --format csv to stdout or a file: models, "
                                "tracking or conditional",
                                kOutput),
                           "models|tracking|conditional"));
  t.push_back(with_range(spec("max_frequency", "validate", T::integer, "7",
                              "Last calibration-frequency bucket of the conditional table (this "
                              "and above)",
                              kOutput),
                         1, 1000, false, false, "a whole number from 1 to 1000"));
  t.push_back(with_choices(spec("format", "validate", T::choice, "text",
                                "text (a report), csv (the --table; with -o DIR every table) or "
                                "json (everything)",
                                kOutput),
                           "text|csv|json"));
  return t;
}

const std::vector<ParameterSpec>& table() {
  static const std::vector<ParameterSpec> t = make_table();
  return t;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<bool> parse_flag(std::string_view text) {
  const std::string_view t = trim(text);
  if (t.empty() || t == "true" || t == "1" || t == "yes" || t == "on") return true;
  if (t == "false" || t == "0" || t == "no" || t == "off") return false;
  return std::nullopt;
}

std::string format_bound(double v) {
  return fmt::format("{}", v);
}

}  // namespace

std::span<const std::string_view> parameter_groups() noexcept {
  return kGroups;
}

std::span<const ParameterSpec> parameter_table() noexcept {
  return table();
}

std::vector<const ParameterSpec*> parameters_of(std::span<const std::string_view> groups) {
  std::vector<const ParameterSpec*> out;
  for (const ParameterSpec& s : table()) {
    if (std::find(groups.begin(), groups.end(), s.group) != groups.end()) out.push_back(&s);
  }
  return out;
}

const ParameterSpec& parameter_spec(std::string_view group, std::string_view key) {
  for (const ParameterSpec& s : table()) {
    if (s.group == group && s.key == key) return s;
  }
  throw std::logic_error(fmt::format("no parameter {} in group {}", key, group));
}

std::string expected_value(const ParameterSpec& s) {
  if (!s.expected.empty()) return std::string(s.expected);
  switch (s.type) {
    case T::text:
      return "text";
    case T::path:
      return "a file name";
    case T::flag:
      return "true or false";
    case T::date:
      return "a date like YYYY-MM-DD (or YYYYMMDD, DD.MM.YYYY)";
    case T::choice: {
      std::string out = "one of ";
      std::string_view rest = s.choices;
      bool first = true;
      while (!rest.empty()) {
        const auto bar = rest.find('|');
        out += (first ? "" : ", ") + std::string(rest.substr(0, bar));
        first = false;
        rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
      }
      return out;
    }
    case T::number:
    case T::integer: {
      std::string out = s.type == T::integer ? "a whole number" : "a finite number";
      const bool low = s.min > -kInf, high = s.max < kInf;
      if (low && high) {
        out += fmt::format(" in {}{}, {}{}", s.min_exclusive ? "(" : "[", format_bound(s.min),
                           format_bound(s.max), s.max_exclusive ? ")" : "]");
      } else if (low) {
        out += fmt::format(" {} {}", s.min_exclusive ? ">" : ">=", format_bound(s.min));
      } else if (high) {
        out += fmt::format(" {} {}", s.max_exclusive ? "<" : "<=", format_bound(s.max));
      }
      return out;
    }
  }
  return "a value";
}

void check_parameter(const ParameterSpec& s, std::string_view value) {
  const auto bad = [&] { parameter_error(std::string(s.key), std::string(value), expected_value(s)); };
  switch (s.type) {
    case T::text:
    case T::path:
      return;
    case T::flag:
      if (!parse_flag(value)) bad();
      return;
    case T::date:
      if (trim(value).empty()) return;
      if (!parse_datetime(trim(value), DateFormat{})) bad();
      return;
    case T::choice: {
      std::string_view rest = s.choices;
      while (!rest.empty()) {
        const auto bar = rest.find('|');
        if (rest.substr(0, bar) == trim(value)) return;
        rest = bar == std::string_view::npos ? std::string_view() : rest.substr(bar + 1);
      }
      bad();
      return;
    }
    case T::number:
    case T::integer: {
      const auto v = parse_number(trim(value));
      if (!v || !std::isfinite(*v)) bad();
      if (s.type == T::integer && *v != std::floor(*v)) bad();
      if (*v < s.min || (s.min_exclusive && *v == s.min)) bad();
      if (*v > s.max || (s.max_exclusive && *v == s.max)) bad();
      return;
    }
  }
}

Parameters::Parameters(std::vector<std::string_view> groups) : groups_(std::move(groups)) {}

bool Parameters::accepts(std::string_view key) const noexcept {
  for (const ParameterSpec& s : table()) {
    if (s.key == key &&
        std::find(groups_.begin(), groups_.end(), s.group) != groups_.end()) {
      return true;
    }
  }
  return false;
}

const ParameterSpec& Parameters::spec(std::string_view key) const {
  for (const ParameterSpec& s : table()) {
    if (s.key == key && std::find(groups_.begin(), groups_.end(), s.group) != groups_.end()) {
      return s;
    }
  }
  std::string known;
  for (const ParameterSpec* s : parameters_of(groups_)) {
    known += (known.empty() ? "" : ", ") + std::string(s->key);
  }
  parameter_error(std::string(key), "an unknown parameter", "one of " + known);
}

void Parameters::set(std::string_view key, std::string value) {
  spec(key);  // throws for an unknown key
  values_.insert_or_assign(std::string(key), std::move(value));
}

void Parameters::unset(std::string_view key) {
  const auto it = values_.find(key);
  if (it != values_.end()) values_.erase(it);
}

void Parameters::set_default(std::string_view key, std::string value) {
  check_parameter(spec(key), value);
  defaults_.insert_or_assign(std::string(key), std::move(value));
}

bool Parameters::given(std::string_view key) const {
  return values_.find(key) != values_.end();
}

std::string Parameters::text(std::string_view key) const {
  const ParameterSpec& s = spec(key);
  if (const auto it = values_.find(key); it != values_.end()) return it->second;
  if (const auto it = defaults_.find(key); it != defaults_.end()) return it->second;
  return std::string(s.default_value);
}

double Parameters::number(std::string_view key) const {
  const ParameterSpec& s = spec(key);
  const std::string value = text(key);
  check_parameter(s, value);
  return *parse_number(trim(value));
}

std::int64_t Parameters::integer(std::string_view key) const {
  return static_cast<std::int64_t>(number(key));
}

bool Parameters::flag(std::string_view key) const {
  const ParameterSpec& s = spec(key);
  const auto it = values_.find(key);
  if (it == values_.end()) return text(key) == "true";
  check_parameter(s, it->second);
  return *parse_flag(it->second);
}

std::optional<std::int32_t> Parameters::date(std::string_view key) const {
  const ParameterSpec& s = spec(key);
  const std::string value = text(key);
  if (trim(value).empty()) return std::nullopt;
  check_parameter(s, value);
  return parse_datetime(trim(value), DateFormat{})->day;
}

std::string Parameters::choice(std::string_view key) const {
  const ParameterSpec& s = spec(key);
  const std::string value = text(key);
  check_parameter(s, value);
  return std::string(trim(value));
}

void Parameters::validate() const {
  for (const auto& [key, value] : values_) check_parameter(spec(key), value);
}

}  // namespace ltv
