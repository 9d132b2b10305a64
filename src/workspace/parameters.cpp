#include "ltv/workspace/parameters.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <stdexcept>

#include "ltv/io/dates.hpp"
#include "ltv/io/numbers.hpp"
#include "ltv/models/registry.hpp"

namespace ltv {

namespace {

using T = ParameterType;
constexpr double kInf = 1e308;

constexpr std::array<std::string_view, 35> kGroups{
    "source", "periods", "output", "format", "model", "fit", "clv", "analyze", "predict",
    "validate",
    // segment, cross-sell, actions and report commands
    "segment", "cross_sell", "basket", "recommend", "penetration", "actions", "report",
    // the analytics, uplift, NPS and simulator commands (append_analytics_commands)
    "kpis", "ltv", "cohorts", "cac", "forecast", "compare", "uplift", "nps", "simulate",
    // workspace store
    "workspace", "init", "ingest", "run", "export",
    // server (issue 19)
    "serve", "user", "token", "revoke"};

// Defaults a job sets for a parameter of another group (see parameter_defaults()).
constexpr ParameterDefault kJobDefaults[] = {
    // A return or cancellation line is not a purchase: the cross-sell jobs drop them.
    {"cross_sell", "returns", "drop"},
};

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
constexpr const char* kDatabase = "Database source";
constexpr const char* kIngest = "Ingest";
constexpr const char* kRun = "Run";
constexpr const char* kServer = "Server";

/// Text built at start-up (e.g. from the model registry) kept for the program's life: the table
/// holds string_views. Only called while the table is built (once, under a static's guard).
std::string_view keep(std::string text) {
  static std::deque<std::string> store;
  return store.emplace_back(std::move(text));
}

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

ParameterSpec repeated(ParameterSpec s) {
  s.repeated = true;
  return s;
}
void append_analytics_commands(std::vector<ParameterSpec>& t);

/// The language and formats of a job's people-facing output (include/ltv/i18n.hpp).
void append_language(std::vector<ParameterSpec>& t, std::string_view group,
                     std::string_view section) {
  t.push_back(with_expected(
      with_choices(spec("lang", group, T::choice, "",
                        "Language of the report, action reasons and console summary: en or ru "
                        "(default: ru when LC_ALL, LC_MESSAGES or LANG starts with ru, else en)",
                        section),
                   "en|ru"),
      "one of en, ru"));
  t.push_back(with_choices(spec("number_format", group, T::choice, "",
                                "Numbers and money: en = 1,234,567.89 and $1,234; ru = "
                                "1 234 567,89 and 1 234 ₽ (default: that of --lang)",
                                section),
                           "en|ru"));
  t.push_back(with_choices(spec("date_format_out", group, T::choice, "",
                                "Dates shown to people (report, action reasons): yyyy-mm-dd or "
                                "dd.mm.yyyy (default: dd.mm.yyyy for --lang ru, else yyyy-mm-dd)",
                                section),
                           "yyyy-mm-dd|dd.mm.yyyy"));
}

std::vector<ParameterSpec> make_table() {
  std::vector<ParameterSpec> t;
  // ---- source: the transaction file, its columns and how it is parsed
  t.push_back(positional(
      spec("file", "source", T::path, "",
           "Transactions: CSV/TSV/whitespace text, optionally gzip-compressed; '-' = stdin", "")));
  t.push_back(spec("customer", "source", T::text, "", "Customer id column (required)", kColumns));
  t.push_back(
      spec("date", "source", T::text, "", "Purchase date or datetime column (required)", kColumns));
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
  t.push_back(
      spec("channel", "source", T::text, "", "Sales / acquisition channel column", kColumns));
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
  t.back().expected = "net or drop";
  t.push_back(with_choices(
      spec("on_error", "source", T::choice, "fail",
           "Bad rows: fail (stop at the first, naming file:line:column) or skip (count and "
           "report them)",
           kParsing),
      "fail|skip"));
  t.back().expected = "fail or skip";
  t.push_back(with_expected(spec("date_window", "source", T::text, "1900-01-01..2100-12-31",
                                 "Plausible purchase dates FROM..TO: a date outside is a bad row "
                                 "(see --on-error)",
                                 kParsing),
                            "two dates FROM..TO, e.g. 1900-01-01..2100-12-31"));
  // ---- periods
  t.push_back(with_choices(spec("time_unit", "periods", T::choice, "week",
                                "Unit of recency, T and durations: day, week, month", kPeriods),
                           "day|days|week|weeks|month|months"));
  t.back().expected = "one of day, week, month";
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
  t.back().expected = "csv or json";
  t.push_back(with_alias(spec("output", "output", T::path, "-",
                              "Write output to FILE instead of stdout ('-')", kOutput),
                         "o"));
  t.push_back(with_alias(
      spec("quiet", "output", T::flag, "", "Do not print the load report on stderr", kOutput),
      "q"));
  // ---- model: the model of fit and predict
  t.push_back(spec("model", "model", T::text, "bgnbd",
                   keep("Model: " + model_names() +
                        " (predict: also a model JSON file written by `ltv fit -o FILE`)"),
                   kModel));
  // ---- fit: optimizer tuning
  t.push_back(
      with_range(spec("penalty", "fit", T::number, "0",
                      "L2 penalty on the log-parameters (0 = plain maximum likelihood)", kModel),
                 0, kInf, false, false, "a finite penalty >= 0"));
  t.push_back(
      with_range(spec("starts", "fit", T::integer, "0",
                      "Number of optimizer starting points (0 = the model's default)", kModel),
                 0, 100, false, false, "a number of starts in 0..100"));
  t.push_back(with_range(
      spec("calibration_periods", "fit", T::integer, "0",
           "sbg only: fit on the first N renewal periods of each cohort and mark the later ones "
           "holdout in the projection (0 = every observed period)",
           kModel),
      0, 100000, false, false, "a number of periods >= 0 (0 = all)"));
  t.push_back(spec("no_presearch", "fit", T::flag, "",
                   "Run every start on the full data (default: with more than 20,000 distinct "
                   "(frequency, recency, T) patterns the starts search a subsample of 5,000 and "
                   "the full data is fitted once, from the best optimum found there)",
                   kModel));
  // ---- clv: discounting and margin
  t.push_back(with_range(
      spec("discount_rate", "clv", T::number, "0.01", "CLV discount rate per month", kModel), 0,
      kInf, false, false, "a discount rate per month >= 0"));
  t.push_back(with_range(spec("profit_margin", "clv", T::number, "1",
                              "Share of spend that is profit, for CLV", kModel),
                         -kInf, kInf, false, false, "a finite share of spend"));
  // ---- analyze: the main job
  t.push_back(with_expected(
      spec("model", "analyze", T::text, "auto",
           keep("Count model: auto (best holdout MAE of bgnbd, mbgnbd, pnbd) or one of " +
                continuous_model_names()),
           kModel),
      keep("auto or one of " + continuous_model_names())));
  t.push_back(with_range(
      spec("horizon", "analyze", T::number, "12", "Prediction horizon in months", kModel), 0, 1200,
      true, false, "a positive number of months (at most 1200)"));
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
                                 "Minimum rule confidence count(X+Y)/count(X), exact", kCrossSell),
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
      "Contact history FILE (customer_id,date,channel) for the actions' frequency caps", kActions));
  t.push_back(spec("suppress", "analyze", T::path, "",
                   "Do-not-contact FILE (customer_id) excluded from DIR/actions.csv", kActions));
  t.push_back(spec("currency", "analyze", T::text, "$",
                   "Currency symbol of money amounts in report.html (--lang ru: ₽)", kReport));
  append_language(t, "analyze", kReport);
  t.push_back(
      spec("title", "analyze", T::text, "Customer value report", "Title of report.html", kReport));
  t.push_back(spec("no_report", "analyze", T::flag, "",
                   "Do not write report.html (re-render later with `ltv report DIR`)", kReport));
  t.push_back(spec("timings", "analyze", T::flag, "",
                   "Print each step's wall time and the process's peak memory on stderr (they "
                   "are in summary.json and the workspace's run record either way)",
                   kOutput));
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
  t.push_back(with_range(spec("period_value", "predict", T::number, "0",
                              "sbg only: value of one contract period; adds clv = period_value x "
                              "derl (discounted with --discount-rate per period)",
                              kPrediction),
                         0, kInf, false, false, "a value >= 0 per contract period"));
  t.push_back(spec("clv", "predict", T::flag, "",
                   "Fit Gamma-Gamma on INPUT's spend (when no --spend-model) and output "
                   "expected_spend and clv",
                   kPrediction));
  // ---- validate
  t.push_back(spec("model", "validate", T::text, "all",
                   keep("Models to compare: all (bgnbd, mbgnbd, pnbd) or a comma-separated "
                        "list of " +
                        continuous_model_names()),
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

  // ---- segment, cross-sell, actions and report commands (option names, defaults and help
  // texts are those the commands always had). Options without a section are listed first.
  constexpr const char* kCommand = "";
  constexpr const char* kItemLevels = "item|product|category";
  constexpr const char* kItemLevelExpected = "one of item, category";
  // segment
  t.push_back(spec("segment_config", "segment", T::path, "built-in",
                   "TOML segment config (rules, thresholds; see docs/segments.md); default: "
                   "built-in",
                   kCommand));
  t.push_back(spec("attributes", "segment", T::path, "",
                   "CSV of customer attributes (region, birth_date, potential...) usable in rules",
                   kCommand));
  t.push_back(spec("attributes_key", "segment", T::text, "customer_id",
                   "Customer id column of --attributes", kCommand));
  t.push_back(spec("scores", "segment", T::path, "",
                   "CSV of model scores per customer: p_alive, expected_purchases, predicted_clv "
                   "(any subset)",
                   kCommand));
  t.push_back(spec("scores_key", "segment", T::text, "customer_id",
                   "Customer id column of --scores", kCommand));
  t.push_back(spec("as_of", "segment", T::date, "",
                   "Date the segments refer to; later purchases are ignored (default: "
                   "--calibration-end, else the last day in the data)",
                   kCommand));
  t.push_back(with_expected(spec("snapshots", "segment", T::text, "",
                                 "Comma-separated dates (e.g. month ends) for segment history; "
                                 "needs --transitions-out",
                                 kCommand),
                            "comma-separated dates, e.g. 2011-06-30,2011-09-30"));
  t.push_back(spec("segments_out", "segment", T::path, "",
                   "Write the per-segment table (size, revenue, shares, average check, frequency, "
                   "predicted LTV) to FILE",
                   kCommand));
  t.push_back(spec("overlaps_out", "segment", T::path, "",
                   "Write pairwise overlaps of custom segments to FILE", kCommand));
  t.push_back(spec("lookalike_out", "segment", T::path, "",
                   "Write the look-alike top N (customer_id, rank, score) to FILE; needs "
                   "[lookalike] in the config",
                   kCommand));
  t.push_back(spec("transitions_out", "segment", T::path, "",
                   "Write segment transition matrices between --snapshots to FILE", kCommand));
  t.push_back(spec("drops_out", "segment", T::path, "",
                   "Write customers who dropped a level between --snapshots to FILE", kCommand));
  // cross_sell: the item column of basket, recommend and penetration (returns dropped, see
  // kJobDefaults)
  t.push_back(
      spec("item", "cross_sell", T::text, "", "Item column (the same as --product)", kColumns));
  // basket
  t.push_back(spec("basket", "basket", T::text, "", "Basket column: order / invoice id (= --order)",
                   kColumns));
  t.push_back(with_expected(
      spec("min_support", "basket", T::text, "0.01",
           "Minimum support (share of baskets; decimal, % or fraction), exact", kCommand),
      "a share in [0, 1]: a decimal, a percentage or a fraction"));
  t.push_back(
      with_expected(spec("min_confidence", "basket", T::text, "0.5",
                         "Minimum confidence count(X+Y)/count(X), compared exactly", kCommand),
                    "a share in [0, 1]: a decimal, a percentage or a fraction"));
  t.push_back(with_range(
      spec("min_count", "basket", T::integer, "0",
           "Minimum support count (the stricter of this and --min-support applies)", kCommand),
      0, kInf));
  t.push_back(with_range(spec("max_length", "basket", T::integer, "0",
                              "Longest itemset (0 = no limit; arules' default is 10)", kCommand),
                         0, kInf));
  t.push_back(with_range(
      spec("min_antecedent", "basket", T::integer, "1",
           "Fewest items on the left (0 also gives {} => Y rules, like arules minlen=1)", kCommand),
      0, kInf));
  t.push_back(with_expected(
      with_choices(spec("level", "basket", T::choice, "item",
                        "item, or category (needs --category or --hierarchy)", kCommand),
                   kItemLevels),
      kItemLevelExpected));
  t.push_back(spec("hierarchy", "basket", T::path, "",
                   "CSV item,group[,...] mapping items to a higher level before mining", kCommand));
  t.push_back(spec("hierarchy_level", "basket", T::text, "",
                   "Column of --hierarchy to use (default: the second)", kCommand));
  t.push_back(spec("itemsets", "basket", T::path, "", "Also write the frequent itemsets to FILE",
                   kCommand));
  t.push_back(spec("sequence", "basket", T::flag, "",
                   "Follow-on sequences instead of rules: who buys Y within --window days of "
                   "first buying X (needs --customer and --date)",
                   kCommand));
  t.push_back(repeated(spec("after", "basket", T::text, "",
                            "With --sequence: only these antecedent items", kCommand)));
  t.push_back(with_range(
      spec("window", "basket", T::integer, "60", "With --sequence: window in days", kCommand), 0,
      2147483647.0, false, false, "a number of days >= 0"));
  t.push_back(with_range(spec("min_customers", "basket", T::integer, "3",
                              "With --sequence: fewest customers per pair", kCommand),
                         0, 4294967295.0));
  t.push_back(with_range(spec("max_per_item", "basket", T::integer, "50",
                              "With --sequence: strongest followers kept per item", kCommand),
                         0, kInf));
  // recommend
  t.push_back(with_expected(with_choices(spec("level", "recommend", T::choice, "item",
                                              "item, or category (needs --category)", kCommand),
                                         kItemLevels),
                            kItemLevelExpected));
  t.push_back(with_range(spec("window", "recommend", T::integer, "60",
                              "Days after buying X in which buying Y counts", kCommand),
                         0, 2147483647.0, false, false, "a number of days >= 0"));
  t.push_back(with_range(spec("min_customers", "recommend", T::integer, "3",
                              "Fewest customers behind a pair", kCommand),
                         0, 4294967295.0));
  t.push_back(with_range(
      spec("max_per_item", "recommend", T::integer, "50", "Followers kept per item", kCommand), 0,
      kInf));
  t.push_back(with_range(
      spec("top", "recommend", T::integer, "10", "Recommendations per customer", kCommand), 0,
      kInf));
  t.push_back(with_choices(
      spec("exclude_owned", "recommend", T::choice, "auto",
           "Owned items not offered again: all, durable (only --durable items), none; auto = "
           "durable when a durable list is given, else all",
           kCommand),
      "auto|all|durable|none"));
  t.push_back(
      repeated(spec("durable", "recommend", T::text, "",
                    "Durable items (repeatable): only these are never offered again", kCommand)));
  t.push_back(spec("durable_file", "recommend", T::path, "",
                   "File whose first column lists durable items (no header)", kCommand));
  t.push_back(spec("no_fill", "recommend", T::flag, "",
                   "Do not top up short lists with popular items", kCommand));
  t.push_back(spec("as_of", "recommend", T::date, "", "Use purchases up to this date (inclusive)",
                   kCommand));
  t.push_back(repeated(
      spec("for", "recommend", T::text, "", "Only these customer ids (repeatable)", kCommand)));
  t.push_back(spec("evaluate", "recommend", T::date, "",
                   "Evaluate instead: history before DATE, check purchases from DATE on",
                   kCommand));
  t.push_back(
      spec("evaluate_end", "recommend", T::date, "", "Last test day of --evaluate", kCommand));
  t.push_back(repeated(
      with_range(spec("k", "recommend", T::integer, "5\n10", "Cut-offs of --evaluate", kCommand), 1,
                 kInf, false, false, "a cut-off >= 1")));
  // penetration
  t.push_back(with_expected(with_choices(spec("level", "penetration", T::choice, "item",
                                              "Level of --product: item, or category", kCommand),
                                         kItemLevels),
                            kItemLevelExpected));
  t.push_back(repeated(spec("launched", "penetration", T::text, "",
                            "The launched product(s) or category(ies) (at --level), repeatable",
                            kCommand)));
  t.push_back(
      spec("launch", "penetration", T::date, "", "Launch date: week 1 starts on it", kCommand));
  t.push_back(spec("end", "penetration", T::date, "", "Last day counted (default: end of the file)",
                   kCommand));
  t.push_back(repeated(spec("target_buyers_of", "penetration", T::text, "",
                            "Target = customers who bought these (repeatable) before the launch",
                            kCommand)));
  t.push_back(
      with_expected(with_choices(spec("target_level", "penetration", T::choice, "category",
                                      "Level of --target-buyers-of: item or category", kCommand),
                                 kItemLevels),
                    kItemLevelExpected));
  t.push_back(spec("segments", "penetration", T::path, "",
                   "CSV customer_id,segment (with a header)", kCommand));
  t.push_back(repeated(spec("target_segment", "penetration", T::text, "",
                            "Target = customers of these segments (repeatable; with --segments)",
                            kCommand)));
  t.push_back(spec("reach", "penetration", T::flag, "",
                   "Reach of every item within every segment of --segments", kCommand));
  t.push_back(with_range(spec("min_buyers", "penetration", T::integer, "1",
                              "With --reach: leave out smaller rows", kCommand),
                         0, kInf));
  t.push_back(spec("from", "penetration", T::date, "", "With --reach: first purchase date counted",
                   kCommand));
  t.push_back(spec("until", "penetration", T::date, "", "With --reach: last purchase date counted",
                   kCommand));
  // actions
  t.push_back(spec("rules", "actions", T::path, "built-in", "Playbook TOML FILE", kCommand));
  t.push_back(spec("model", "actions", T::text, "bgnbd",
                   "Count model for P(alive) and p_purchase_*: bgnbd, mbgnbd, pnbd", kCommand));
  t.push_back(spec("customers", "actions", T::path, "",
                   "Customer attributes FILE with customer_id (birth_date, region, ...)",
                   kCommand));
  t.push_back(spec("nps", "actions", T::path, "",
                   "NPS answers FILE (customer_id,date,score): latest score", kCommand));
  t.push_back(spec("contacts", "actions", T::path, "",
                   "Contact history FILE (customer_id,date,channel[,type]) for caps and cadence",
                   kCommand));
  t.push_back(spec("suppress", "actions", T::path, "",
                   "Do-not-contact FILE (customer_id column, else the first column)", kCommand));
  t.push_back(with_range(spec("max_actions", "actions", T::integer, "0",
                              "Actions per customer per run (0 = the playbook's "
                              "max_actions_per_customer)",
                              kCommand),
                         0, kInf));
  t.push_back(spec("summary_out", "actions", T::path, "",
                   "Also write per-rule counts (rule,action,channel,priority,customers,treated,"
                   "control) to FILE",
                   kCommand));
  t.push_back(spec("managers", "actions", T::path, "",
                   "Managers FILE (manager_id,role,capacity[,cadences]; role hunter|farmer): "
                   "assign the contact regime's overdue customers (with --due-out)",
                   kCommand));
  t.push_back(spec("due_out", "actions", T::path, "",
                   "Due contacts FILE of the contact regime (needs --contacts): manager_id,role,"
                   "customer_id,cadence,every_days,days_since_contact,days_overdue",
                   kCommand));
  t.push_back(
      with_expected(with_choices(spec("format", "actions", T::choice, "csv",
                                      "Output format: csv, json (an array of objects) or jsonl "
                                      "(one object per line)",
                                      kOutput),
                                 "csv|json|jsonl"),
                    "csv, json or jsonl"));
  // ---- CRM export of the action list (h11-export, issue 27): ltv/cvm/crm_export.hpp
  t.push_back(spec("export_profile", "actions", T::text, "",
                   "Also write the action list in a CRM's import layout: bitrix24, amocrm, "
                   "salesforce or generic (with --profile-config); control rows are left out",
                   kActions));
  t.push_back(spec("profile_config", "actions", T::path, "",
                   "TOML FILE of the generic export profile (columns, date_format, delimiter, "
                   "encoding utf-8|utf-8-bom|windows-1251, line_ending)",
                   kActions));
  t.push_back(spec("export", "actions", T::path, "",
                   "FILE for --export-profile (default: actions_<profile>.csv beside the output)",
                   kActions));
  t.push_back(spec("export_owner", "actions", T::text, "",
                   "Responsible manager (CRM user id or login) of exported tasks without an "
                   "owner from --managers",
                   kActions));
  t.push_back(with_range(spec("export_due_days", "actions", T::integer, "3",
                              "Due date of exported tasks: days after the as-of day", kActions),
                         0, 3650));
  append_language(t, "actions", kActions);
  // report
  t.push_back(positional(
      spec("dir", "report", T::path, "", "Output directory of `ltv analyze -o DIR`", kCommand)));
  t.push_back(with_alias(spec("output", "report", T::path, "",
                              "HTML file to write (default: DIR/report.html)", kCommand),
                         "o"));
  t.push_back(spec("currency", "report", T::text, "$",
                   "Currency symbol of money amounts (--lang ru: ₽, after the amount)",
                   kCommand));
  append_language(t, "report", kCommand);
  t.push_back(spec("title", "report", T::text, "Customer value report", "Page title", kCommand));
  t.push_back(
      with_alias(spec("quiet", "report", T::flag, "", "Print nothing on success", kCommand), "q"));
  append_analytics_commands(t);
  // ---- workspace store (issue 18): databases as sources, workspaces, ingest, runs, export
  t.push_back(spec("source", "source", T::path, "",
                   "Read the transactions from a database instead of FILE: postgresql://user@host/"
                   "db or a SQLite file, with --query or --source-table (a workspace needs "
                   "neither), or clickhouse://host:port/db[.table] (docs/scale-out.md); columns "
                   "are mapped by name as in a file",
                   kDatabase));
  t.push_back(spec("query", "source", T::text, "",
                   "SQL query of the database (--source or FILE) whose rows are the transactions, "
                   "e.g. 'select customer_id, created_at, total from orders'",
                   kDatabase));
  t.push_back(spec("source_table", "source", T::text, "",
                   "Table (or schema.table) of the database (--source or FILE) whose rows are the "
                   "transactions",
                   kDatabase));
  t.push_back(
      positional(spec("workspace", "workspace", T::path, "",
                      "Workspace: a SQLite file (ltv.db) or postgresql://user@host/db", "")));
  t.push_back(positional(spec("workspace", "init", T::path, "ltv.db",
                              "Workspace to create: a SQLite file or postgresql://user@host/db "
                              "(an existing, empty database)",
                              "")));
  t.push_back(with_choices(
      spec("kind", "ingest", T::choice, "transactions",
           "What FILE holds: transactions, customers (attributes), products (with brand and "
           "category), spend (marketing spend), nps (answers), contacts, campaigns, suppress "
           "(do-not-contact list)",
           kIngest),
      "transactions|customers|products|spend|nps|contacts|campaigns|suppress"));
  t.push_back(spec("key", "ingest", T::text, "",
                   "Transactions: natural key columns, comma-separated (e.g. order_id,line): a row "
                   "whose key is already in the workspace, or earlier in FILE, is skipped and "
                   "counted",
                   kIngest));
  t.push_back(spec("brand", "ingest", T::text, "brand", "Products: brand column", kIngest));
  t.push_back(
      spec("product_name", "ingest", T::text, "name", "Products: product name column", kIngest));
  t.push_back(
      spec("period", "ingest", T::text, "period", "Spend: period column (YYYY-MM)", kIngest));
  t.push_back(spec("score", "ingest", T::text, "score", "NPS: score column (0..10)", kIngest));
  t.push_back(spec("comment", "ingest", T::text, "comment", "NPS: comment column", kIngest));
  t.push_back(
      spec("campaign", "ingest", T::text, "campaign_id", "Campaigns: campaign id column", kIngest));
  t.push_back(with_alias(
      spec("quiet", "ingest", T::flag, "", "Do not print the load report on stderr", kOutput),
      "q"));
  t.push_back(spec("incremental", "run", T::flag, "",
                   "Recompute only what depends on customers (customers and segments tables, "
                   "model, headline) from the running aggregates, re-reading only the customers "
                   "the new batches touched; the other tables stay those of the last full run",
                   kRun));
  t.push_back(with_expected(
      spec("refit", "run", T::text, "always",
           "Incremental runs: refit the count and spend models always, 'if-older 7d' (when the "
           "fit in use is older) or 'if-grown 5%' (when customers grew by that share since it)",
           kRun),
      "always, 'if-older 7d' or 'if-grown 5%'"));
  t.push_back(with_expected(
      spec("if_stale", "run", T::text, "",
           "Run only when the newest run is older than this (e.g. 24h, 7d, 90m), for cron; "
           "otherwise say so and exit 0",
           kRun),
      "a duration like 24h, 7d or 90m"));
  t.push_back(with_alias(
      spec("quiet", "run", T::flag, "", "Do not print progress and the load report", kOutput),
      "q"));
  t.push_back(positional(spec("table", "export", T::text, "",
                              "Result table (customers, analytics/kpis, basket/rules, ...), run "
                              "file (summary.json, model.json, spend_model.json, report.html), "
                              "runs, batches, rejected_rows, or all (every table and file of the "
                              "run into the folder -o DIR, as ltv analyze -o)",
                              "")));
  t.push_back(with_range(spec("run", "export", T::integer, "0",
                              "Run to export (0 = the newest run holding TABLE)", kOutput),
                         0, kInf, false, false, "a run id >= 0 (0 = the newest)"));
  // ---- server (issue 19): ltv serve, its users and API tokens
  t.push_back(with_expected(
      spec("listen", "serve", T::text, "127.0.0.1:8080",
           "Address and port to listen on (loopback by default; port 0 = any free port)", kServer),
      "HOST:PORT, e.g. 127.0.0.1:8080"));
  t.push_back(with_range(spec("min_cell", "serve", T::integer, "10",
                              "Partner routes: a cell (group) of fewer distinct customers than "
                              "this is suppressed (null, with suppressed: true)",
                              kServer),
                         1, 1e9));
  t.push_back(with_range(spec("threads", "serve", T::integer, "64",
                              "Request threads (keep-alive connections beyond this wait)", kServer),
                         1, 256));
  t.push_back(spec("secure_cookies", "serve", T::flag, "",
                   "Mark the dashboard's session cookie Secure (HTTPS only): for a server "
                   "reached through a TLS-terminating proxy (ltv serve itself speaks HTTP)",
                   kServer));
  // ---- server recalculation timer (issue 19, h13-recalc)
  t.push_back(with_expected(
      spec("recalc_every", "serve", T::text, "",
           "Recalculate in the background when the newest run is older than this (e.g. 24h, 7d, "
           "90m; checked at start and then every min(interval, 60 s)); default: never",
           kServer),
      "a duration like 24h, 7d or 90m"));
  t.push_back(positional(spec("name", "user", T::text, "", "User name", "")));
  t.push_back(with_choices(spec("role", "user", T::choice, "",
                                "admin (users, tokens, runs), analyst (every customer) or "
                                "partner (aggregates of its brands only; needs --brands)",
                                kServer),
                           "admin|analyst|partner"));
  t.push_back(spec("brands", "user", T::text, "",
                   "Partners: their brands, comma-separated (each must be a brand of the "
                   "products table)",
                   kServer));
  t.push_back(positional(spec("name", "token", T::text, "", "User the token is for", "")));
  t.push_back(
      with_expected(spec("expires", "token", T::text, "90d",
                         "The token expires after this long (e.g. 90d, 12h, 2w) or never", kServer),
                    "a duration like 90d, 12h or 2w, or never"));
  t.push_back(with_range(
      positional(spec("token_id", "revoke", T::integer, "", "Id of the token to revoke", "")), 1,
      kInf, false, false, "a token id (ltv token create prints it)"));
  return t;
}

// ---- The analytics, uplift, NPS and simulator commands: one group per command, named after
// it. Names, defaults and help texts are those the commands have always had.
constexpr std::string_view kPeriodChoices =
    "day|days|week|weeks|month|months|quarter|quarters|year|years";
constexpr std::string_view kPeriodExpected = "one of day, week, month, quarter, year";
constexpr double kMaxInt32 = 2147483647;
constexpr double kMaxUint64 = 18446744073709551615.0;

/// `--period` of an analytics command (parse_period_unit also takes plurals).
ParameterSpec period_spec(std::string_view group, std::string_view default_value,
                          std::string_view help) {
  return with_expected(
      with_choices(spec("period", group, T::choice, default_value, help, ""), kPeriodChoices),
      kPeriodExpected);
}

void append_analytics_commands(std::vector<ParameterSpec>& t) {
  // ---- kpis
  t.push_back(period_spec("kpis", "month", "KPI period: day, week (ISO), month, quarter or year"));
  t.push_back(
      with_range(spec("churn_days", "kpis", T::integer, "365",
                      "Churn definition: no purchase in the last N days before the period end", ""),
                 1, kMaxInt32, false, false, "a number of days >= 1"));
  t.push_back(spec("by", "kpis", T::text, "",
                   "Break down by a column of the transactions (channel, region, category, ...)",
                   ""));
  t.push_back(spec("groups", "kpis", T::path, "",
                   "Break down by customer labels from FILE (with --group-column)", ""));
  t.push_back(
      spec("id_column", "kpis", T::text, "customer_id", "Customer id column of --groups FILE", ""));
  t.push_back(spec("group_column", "kpis", T::text, "",
                   "Label column of --groups FILE (e.g. segment)", ""));
  t.push_back(with_range(spec("top", "kpis", T::integer, "10",
                              "Items in the top lists (by revenue and by buyers)", ""),
                         0, 1e9, false, false, "a number of items >= 0"));
  t.push_back(
      with_choices(spec("table", "kpis", T::choice, "",
                        "Table to write as CSV: kpis (default) or top_items; JSON writes both", ""),
                   "kpis|top_items"));
  // ---- ltv
  t.push_back(spec("by", "ltv", T::text, "",
                   "Per group: the value of this column on each customer's first purchase", ""));
  t.push_back(spec("groups", "ltv", T::path, "",
                   "Per group: customer labels from FILE (with --group-column)", ""));
  t.push_back(
      spec("id_column", "ltv", T::text, "customer_id", "Customer id column of --groups FILE", ""));
  t.push_back(
      spec("group_column", "ltv", T::text, "", "Label column of --groups FILE (e.g. segment)", ""));
  t.push_back(with_choices(spec("lifespan", "ltv", T::choice, "retention",
                                "Relationship length: observed (mean last - first purchase) or "
                                "retention (1 / (1 - r) periods)",
                                ""),
                           "observed|retention"));
  t.push_back(period_spec(
      "ltv", "year",
      "Period over which retention r is measured: day, week (ISO), month, quarter or year"));
  // 0 (or not given) leaves the margin to the data, as the option always did.
  t.push_back(with_range(spec("margin_rate", "ltv", T::number, "",
                              "Margin as a fraction of revenue (default: profit / revenue when "
                              "--margin or --cost is mapped)",
                              ""),
                         0, 1, false, false, "a fraction of revenue in (0, 1]"));
  t.push_back(with_choices(spec("table", "ltv", T::choice, "",
                                "Table to write as CSV: ltv_formula (default), ltv_distribution or "
                                "historical_ltv; JSON writes all",
                                ""),
                           "ltv_formula|ltv_distribution|historical_ltv"));
  // ---- cohorts
  t.push_back(
      period_spec("cohorts", "month", "Cohort period: day, week (ISO), month, quarter or year"));
  t.push_back(with_choices(
      spec("matrix", "cohorts", T::choice, "",
           "Write a matrix of one metric instead: retention, active_customers, revenue, orders, "
           "cumulative_revenue_per_customer, cumulative_profit_per_customer",
           ""),
      "retention|active_customers|revenue|orders|cumulative_revenue_per_customer|"
      "cumulative_profit_per_customer"));
  // ---- cac
  t.push_back(spec("spend", "cac", T::path, "",
                   "Marketing spend FILE with channel, period, spend columns", ""));
  t.push_back(
      spec("spend_channel", "cac", T::text, "channel", "Channel column of the spend file", ""));
  t.push_back(spec("spend_period", "cac", T::text, "period",
                   "Period column of the spend file (YYYY-MM, ...)", ""));
  t.push_back(spec("spend_amount", "cac", T::text, "spend", "Spend column of the spend file", ""));
  t.push_back(period_spec("cac", "month",
                          "Period of the spend file: day, week (ISO), month, quarter or year"));
  t.push_back(
      spec("acquisition_column", "cac", T::text, "channel",
           "Transactions column whose value on the first purchase is the acquisition channel", ""));
  t.push_back(
      spec("customers", "cac", T::path, "",
           "Take each customer's acquisition channel from FILE instead (e.g. customers.csv)", ""));
  t.push_back(spec("id_column", "cac", T::text, "customer_id",
                   "Customer id column of --customers / --predicted files", ""));
  t.push_back(spec("customers_channel", "cac", T::text, "channel",
                   "Channel column of --customers FILE", ""));
  t.push_back(
      spec("predicted", "cac", T::path, "", "Scores FILE with a predicted LTV per customer", ""));
  t.push_back(spec("predicted_column", "cac", T::text, "clv",
                   "Predicted LTV column of --predicted FILE", ""));
  t.push_back(with_range(spec("margin_rate", "cac", T::number, "",
                              "Margin as a fraction of revenue (default: the profit column when "
                              "mapped, else revenue)",
                              ""),
                         0, 1, false, false, "a fraction of revenue in (0, 1]"));
  // ---- forecast
  t.push_back(
      period_spec("forecast", "month", "Forecast period: day, week (ISO), month, quarter or year"));
  t.push_back(with_range(spec("horizon", "forecast", T::integer, "6", "Periods to forecast", ""), 1,
                         kMaxInt32, false, false, "a number of periods >= 1"));
  t.push_back(with_range(spec("holdout", "forecast", T::integer, "0",
                              "Backtest periods held out (0: min(horizon, n/4))", ""),
                         0, kMaxInt32, false, false, "a number of periods >= 0"));
  t.push_back(
      with_range(spec("season", "forecast", T::integer, "0",
                      "Season length in periods (0: 12 months, 52 weeks, 7 days, 4 quarters)", ""),
                 0, kMaxInt32, false, false, "a number of periods >= 0"));
  t.push_back(
      with_range(spec("fourier", "forecast", T::integer, "0",
                      "Regression: K Fourier pairs instead of seasonal dummies (0 = dummies)", ""),
                 0, kMaxInt32, false, false, "a number of pairs >= 0"));
  t.push_back(with_range(
      spec("window", "forecast", T::integer, "0",
           "Periods averaged by historical_average and for the acquisition rate (0: season)", ""),
      0, kMaxInt32, false, false, "a number of periods >= 0"));
  // A list: the command line takes --method repeatedly (or comma-separated).
  t.push_back(with_expected(repeated(spec("method", "forecast", T::text,
                                          "historical_average\ncohort\nregression\nholt_winters",
                                          "Methods to run (repeatable; or comma-separated)", "")),
                            "one of historical_average, cohort, regression, holt_winters"));
  t.push_back(with_choices(spec("table", "forecast", T::choice, "",
                                "Table to write as CSV: forecast (default), forecast_backtest or "
                                "seasonality; JSON writes all",
                                ""),
                           "forecast|forecast_backtest|seasonality"));
  // ---- compare
  t.push_back(spec("by", "compare", T::text, "",
                   "Group by this column's value on each customer's first purchase", ""));
  t.push_back(spec("groups", "compare", T::path, "",
                   "Group by customer labels from FILE (with --group-column)", ""));
  t.push_back(spec("id_column", "compare", T::text, "customer_id",
                   "Customer id column of --groups FILE", ""));
  t.push_back(spec("group_column", "compare", T::text, "",
                   "Label column of --groups FILE (e.g. loyalty_member)", ""));
  t.push_back(spec("a", "compare", T::text, "", "Label of the first group", ""));
  t.push_back(spec("b", "compare", T::text, "", "Label of the second group", ""));
  t.push_back(spec("name_a", "compare", T::text, "",
                   "Name of the first group in sentences (default: its label)", ""));
  t.push_back(spec("name_b", "compare", T::text, "",
                   "Name of the second group in sentences (default: its label)", ""));
  t.push_back(
      with_range(spec("bootstrap", "compare", T::integer, "1000", "Bootstrap resamples", ""), 100,
                 kMaxInt32, false, false, "at least 100 resamples"));
  t.push_back(with_range(
      spec("seed", "compare", T::integer, "42", "Random seed (results are reproducible)", ""), 0,
      kMaxUint64, false, false, "a whole number in 0..18446744073709551615"));
  t.push_back(with_range(spec("confidence", "compare", T::number, "0.95", "Interval level", ""), 0,
                         1, true, true, "a level in (0, 1), e.g. 0.95"));
  t.push_back(period_spec("compare", "month",
                          "Retention period (share active again the next period): day, week "
                          "(ISO), month, quarter or year"));
  t.push_back(with_range(
      spec("min_group", "compare", T::integer, "30", "Warn when a group has fewer customers", ""),
      0, 9e15, false, false, "a number of customers >= 0"));
  // ---- uplift
  t.push_back(positional(spec("campaigns", "uplift", T::path, "", "Campaign log CSV", "")));
  t.push_back(spec("group_column", "uplift", T::text, "group",
                   "Column of CAMPAIGNS with treated/control", ""));
  t.push_back(with_range(spec("window", "uplift", T::integer, "30",
                              "Outcome window in days from the campaign date", ""),
                         1, kMaxInt32, false, false, "a positive number of days"));
  t.push_back(with_range(spec("margin_share", "uplift", T::number, "1",
                              "Share of revenue that is margin (when the transactions have no "
                              "--margin or --cost column)",
                              ""),
                         0, 1, false, false, "a share in [0, 1]"));
  t.push_back(spec("cost_per_treated", "uplift", T::number, "0",
                   "Campaign cost per treated customer, for ROMI", ""));
  t.push_back(spec("costs", "uplift", T::path, "",
                   "FILE campaign,cost: total cost per campaign (overrides --cost-per-treated)",
                   ""));
  t.push_back(with_range(
      spec("confidence", "uplift", T::number, "0.95", "Confidence level of the intervals", ""), 0,
      1, true, true, "a level in (0, 1)"));
  t.push_back(with_range(
      spec("power", "uplift", T::number, "0.8", "Power for the minimum detectable effect", ""), 0,
      1, true, true, "a power in (0, 1)"));
  // ---- nps: the answers file and its columns, groupings, follow-ups, terms, the value link
  t.push_back(positional(
      spec("file", "nps", T::path, "", "Survey answers (CSV; gzip and - for stdin accepted)", "")));
  t.push_back(spec("customer", "nps", T::text, "customer_id", "Customer id column", ""));
  t.push_back(spec("date", "nps", T::text, "date", "Answer date column (yyyy-mm-dd)", ""));
  t.push_back(spec("score", "nps", T::text, "score", "Score column (integer 0-10)", ""));
  t.push_back(
      spec("comment", "nps", T::text, "comment", "Free-text comment column (optional)", ""));
  t.push_back(spec("channel", "nps", T::text, "channel", "Channel column (optional)", ""));
  // A list: the command line takes --by repeatedly (or comma-separated).
  t.push_back(repeated(spec("by", "nps", T::text, "",
                            "Groupings, repeatable: period, channel, segment, class, all, or any "
                            "column of the file (default: period)",
                            "")));
  t.push_back(with_choices(spec("period", "nps", T::choice, "month",
                                "Period of --by period: week, month, quarter, year", ""),
                           "week|month|quarter|year"));
  t.push_back(spec("segments", "nps", T::path, "",
                   "CSV customer_id,segment for --by segment (else a segment column of FILE)", ""));
  t.push_back(spec("customers", "nps", T::path, "",
                   "CSV whose first column lists known customer ids; others are reported", ""));
  t.push_back(spec("follow_ups", "nps", T::path, "",
                   "Write follow-up items (customer, score, comment, owner, due date) to FILE",
                   ""));
  t.push_back(with_range(spec("follow_up_below", "nps", T::integer, "10",
                              "Scores below this open a follow-up item (7 = detractors only)", ""),
                         1, 11, false, false, "an integer from 1 to 11"));
  t.push_back(with_range(
      spec("detractor_due_days", "nps", T::integer, "2", "Days to handle a detractor", ""), 0,
      36600, false, false, "a number of days >= 0"));
  t.push_back(with_range(
      spec("other_due_days", "nps", T::integer, "7", "Days to handle other follow-ups", ""), 0,
      36600, false, false, "a number of days >= 0"));
  t.push_back(
      spec("owner", "nps", T::text, "customer-care", "Default owner of follow-up items", ""));
  // A list of CHANNEL=OWNER pairs (repeatable on the command line).
  t.push_back(repeated(spec("owner_by_channel", "nps", T::text, "",
                            "CHANNEL=OWNER, repeatable: owner of follow-ups per channel", "")));
  t.push_back(spec("terms", "nps", T::path, "",
                   "Write the most frequent words and #tags of detractor comments to FILE", ""));
  t.push_back(
      with_range(spec("top_terms", "nps", T::integer, "20", "Number of terms in --terms", ""), 0,
                 1e9, false, false, "a number of terms >= 0"));
  t.push_back(spec("transactions", "nps", T::path, "",
                   "Transactions (customer_id,date,amount...) for --value", ""));
  t.push_back(
      spec("tx_customer", "nps", T::text, "customer_id", "Customer column of --transactions", ""));
  t.push_back(spec("tx_date", "nps", T::text, "date", "Date column of --transactions", ""));
  t.push_back(spec("tx_amount", "nps", T::text, "amount", "Amount column of --transactions", ""));
  t.push_back(spec("ltv", "nps", T::path, "",
                   "CSV customer_id,ltv (e.g. from ltv predict) for the mean LTV per class", ""));
  t.push_back(spec("value", "nps", T::path, "",
                   "Write retention and value of promoters / passives / detractors to FILE", ""));
  t.push_back(with_range(
      spec("horizon", "nps", T::integer, "180", "Days after the answer counted by --value", ""), 1,
      kMaxInt32, false, false, "a positive number of days"));
  t.push_back(spec("problems", "nps", T::path, "",
                   "Write every problem row (line, problem, detail) to FILE", ""));
  t.push_back(with_choices(
      spec("on_error", "nps", T::choice, "skip",
           "fail: stop at the first bad row; skip: skip bad rows and report them on stderr", ""),
      "fail|skip"));
  // ---- simulate: the simulated retailer (checks that depend on other options, and those of
  // model parameters, are sim::validate's)
  t.push_back(
      with_range(spec("customers", "simulate", T::integer, "1000", "Number of customers", ""), 1,
                 1e9, false, false, "a whole number in 1..1000000000"));
  t.push_back(with_range(spec("seed", "simulate", T::integer, "1", "Random seed", ""), 0,
                         kMaxUint64, false, false, "a whole number in 0..18446744073709551615"));
  // Required on the command line.
  t.push_back(with_alias(
      spec("output", "simulate", T::path, "", "Output directory (created if missing)", ""), "o"));
  t.push_back(with_choices(
      spec("model", "simulate", T::choice, "bgnbd", "Purchase process: bgnbd or pnbd", ""),
      "bgnbd|pnbd"));
  t.push_back(spec("params", "simulate", T::text, "",
                   "Model parameters, weeks (bgnbd: r=0.243,alpha=4.414,a=0.793,b=2.426; pnbd: "
                   "r=0.553,alpha=10.578,s=0.606,beta=11.669); keys not given keep defaults",
                   ""));
  t.push_back(spec("spend_params", "simulate", T::text, "",
                   "Gamma-Gamma spend parameters (default p=6.25,q=3.74,gamma=15.44)", ""));
  t.push_back(spec("start", "simulate", T::date, "2024-01-01", "First day of the period", ""));
  t.push_back(
      spec("end", "simulate", T::date, "2025-12-31", "Last day of the period (inclusive)", ""));
  // 0 = not given, like the default.
  t.push_back(with_range(spec("weeks", "simulate", T::integer, "",
                              "Period length in weeks from --start (overrides --end)", ""),
                         0, 5200, false, false, "a number of weeks in 1..5200"));
  t.push_back(with_choices(spec("acquisition", "simulate", T::choice, "first-quarter",
                                "First purchases uniform over the first quarter of the period "
                                "(first-quarter) or over the whole period (uniform)",
                                ""),
                           "first-quarter|uniform"));
  // 0 = not given; its range depends on the period (checked by simulate_options).
  t.push_back(spec("acquisition_days", "simulate", T::integer, "",
                   "Acquisition window in days from --start (overrides --acquisition)", ""));
  t.push_back(with_range(
      spec("loyalty_share", "simulate", T::number, "0.3", "Share of loyalty members", ""), 0, 1,
      false, false, "a probability in [0, 1]"));
  t.push_back(with_range(spec("loyalty_factor", "simulate", T::number, "1.25",
                              "Members' order values are multiplied by this", ""),
                         0, kInf, true, false, "a factor > 0"));
  t.push_back(with_range(spec("nps_rate", "simulate", T::number, "0.1",
                              "Share of customers answering the NPS survey", ""),
                         0, 1, false, false, "a probability in [0, 1]"));
  t.push_back(with_range(
      spec("contact_rate", "simulate", T::number, "0.25", "Contacts per customer per month", ""), 0,
      1000, false, false, "contacts per customer per month in [0, 1000]"));
  t.push_back(with_range(
      spec("max_lines", "simulate", T::integer, "5", "Most lines (products) per order", ""), 1, 100,
      false, false, "a number of lines in 1..100"));
  t.push_back(spec("campaign_date", "simulate", T::date, "",
                   "Run a campaign on this date (YYYY-MM-DD); default: no campaign", ""));
  t.push_back(with_range(spec("campaign_share", "simulate", T::number, "0.5",
                              "Share of customers acquired before the campaign who enter it", ""),
                         0, 1, false, false, "a probability in [0, 1]"));
  t.push_back(
      with_range(spec("campaign_uplift", "simulate", T::number, "1.3",
                      "Treated customers' purchase rate factor after the campaign date", ""),
                 0, kInf, true, false, "a factor > 0"));
  t.push_back(spec("transactions_only", "simulate", T::flag, "",
                   "Write only transactions.csv and truth.json", ""));
  t.push_back(with_choices(
      spec("order", "simulate", T::choice, "date",
           "Row order of transactions.csv: date (as shops and CRMs export; the orders of a day in "
           "random order), customer (customer by customer) or shuffled (every line at a random "
           "place). Same rows in every order",
           ""),
      "date|customer|shuffled"));
  t.push_back(
      spec("latent", "simulate", T::flag, "",
           "Also write latent.csv (continuous-time x, t_x, T and latent rates per customer)", ""));
  t.push_back(with_range(spec("threads", "simulate", T::integer, "2",
                              "Worker threads (output does not depend on it)", ""),
                         1, 256, false, false, "a number of threads in 1..256"));
  t.push_back(with_choices(
      spec("format", "simulate", T::choice, "csv", "Output format (csv only)", ""), "csv"));
  t.push_back(with_alias(
      spec("quiet", "simulate", T::flag, "", "Do not print the summary line on stderr", ""), "q"));
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

namespace {

void check_value(const ParameterSpec& s, std::string_view value) {
  const auto bad = [&] {
    parameter_error(std::string(s.key), std::string(value), expected_value(s));
  };
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

}  // namespace

void check_parameter(const ParameterSpec& s, std::string_view value) {
  if (!s.repeated) {
    check_value(s, value);
    return;
  }
  for (const std::string& v : split_list(value)) check_value(s, v);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  while (true) {
    const auto end = text.find(kListSeparator);
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

std::string join_list(std::span<const std::string> values) {
  std::string out;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += kListSeparator;
    out += values[i];
  }
  return out;
}

std::span<const ParameterDefault> parameter_defaults() noexcept {
  return kJobDefaults;
}

Parameters::Parameters(std::vector<std::string_view> groups) : groups_(std::move(groups)) {
  for (const ParameterDefault& d : kJobDefaults) {
    if (std::find(groups_.begin(), groups_.end(), d.group) != groups_.end() && accepts(d.key)) {
      defaults_.insert_or_assign(std::string(d.key), std::string(d.value));
    }
  }
}

bool Parameters::accepts(std::string_view key) const noexcept {
  for (const ParameterSpec& s : table()) {
    if (s.key == key && std::find(groups_.begin(), groups_.end(), s.group) != groups_.end()) {
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

void Parameters::set_list(std::string_view key, std::span<const std::string> values) {
  set(key, join_list(values));
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

std::vector<std::string> Parameters::list(std::string_view key) const {
  const ParameterSpec& s = spec(key);
  const std::string value = text(key);
  check_parameter(s, value);
  return split_list(value);
}

void Parameters::validate() const {
  for (const auto& [key, value] : values_) check_parameter(spec(key), value);
}

}  // namespace ltv
