#pragma once
/// The main job's result: an Analysis holds every result of `Workspace::analyze` in memory —
/// the headline, the model choice and fits, the notes, and every output table as a ResultTable —
/// so that each face renders it its own way: the CLI writes the output folder
/// (write_analysis), the report is built from it (ltv/report/report.hpp), the server serves it
/// as JSON/CSV, Python turns its tables into DataFrames, and the store keeps it.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ltv/i18n.hpp"
#include "ltv/io/load.hpp"
#include "ltv/math/fit.hpp"
#include "ltv/workspace/result_table.hpp"

namespace ltv {

/// The typed options of the main job (from the parameter groups "periods", "clv", "analyze";
/// see analyze_options()).
struct AnalyzeOptions {
  std::string model = "auto";   ///< "auto" or a count model name
  double horizon_months = 12;   ///< prediction horizon
  double discount_rate = 0.01;  ///< CLV discount rate per month
  double profit_margin = 1.0;   ///< share of spend that is profit
  double holdout_share = 0.25;  ///< share of the days held out for model choice
  std::string time_unit = "week";
  std::optional<std::int32_t> calibration_end;  ///< model choice split (else holdout_share)
  std::optional<std::int32_t> observation_end;
  /// The basket thresholds were given: mine with exactly them (else the bounded search of
  /// search_association_rules, from the same floors).
  bool basket_thresholds_given = false;
  std::string customers_channel = "acquisition_channel";
  std::string compare_column;  ///< group comparison column of the customers table
  std::string compare_a = "1", compare_b = "0";
  std::string basket_min_support = "0.001", basket_min_confidence = "0.1";
  std::uint64_t basket_min_count = 10, basket_min_baskets = 100;
  std::size_t recommend_top = 5;
  int nps_horizon_days = 180;
  std::int32_t transitions_days = 91;
  std::string currency = "$";  ///< report (default for lang ru: ₽)
  /// Language and formats of the report, the action reasons and the console summary.
  i18n::Locale locale;
  std::string title = "Customer value report";
  bool report = true;
};

/// The typed options of the main job from parameters, every value checked (ParameterError
/// naming the key) before any work starts.
AnalyzeOptions analyze_options(const class Parameters& parameters);

/// Progress of a long job: step (1-based), number of steps, what is being done.
using Progress = std::function<void(int step, int steps, std::string_view what)>;

/// Wall time and peak memory of one step of a job.
struct StepTiming {
  std::string step;
  double seconds = 0;
  std::int64_t peak_rss_bytes = 0;  ///< of the process at the end of the step (0 if unknown)
};

/// What the main job computed: every figure of the headline, the model choice, and the tables.
struct Analysis {
  // ---- inputs and headline
  std::string source;  ///< the transaction source's name (file name)
  LoadReport load;
  AnalyzeOptions options;
  std::size_t customers = 0;
  std::size_t transactions = 0;
  double orders = 0;
  std::int32_t first_day = 0, last_day = 0;
  std::string time_unit;
  bool has_amount = false;
  double repeat_rate = 0;
  double revenue = 0, average_check = 0;
  double likely_active = 0;
  /// False when the chosen model's P(alive) is not identified by the data: likely_active and
  /// P(alive) are then not measurements (see model_choice_reason).
  bool p_alive_measured = true;
  double expected_purchases = 0;
  std::optional<double> predicted_revenue;  ///< with a spend model
  std::optional<double> clv_total;          ///< with a spend model

  // ---- models
  nlohmann::ordered_json model_selection;  ///< candidates, split, chosen, chosen_by
  std::string model_name;                  ///< the chosen count model
  FitResult model;                         ///< its fit on all data
  std::string model_choice_headline;       ///< e.g. "pnbd (identified)"
  std::string model_choice_reason;         ///< which model, why, what was done, in plain words
  std::string identification;              ///< verdict of the chosen fit: identified, ...
  double l2_penalty = 0;                   ///< of the chosen fit (0 = plain maximum likelihood)
  std::optional<FitResult> spend_model;    ///< Gamma-Gamma, when fitted
  /// What the spend model did, in plain words (customers used and left out and what they get),
  /// or why there is no expected spend.
  std::string spend_model_note;
  /// Customers of the spend model: repeat, used, zero_spend, negative_spend, no_repeat, each
  /// {count, first ids}.
  nlohmann::ordered_json spend_customers = nlohmann::ordered_json::object();
  /// Where the loaded customers went: loaded, summarised, and each reason a customer is not in
  /// the summary with a count and the first ids.
  nlohmann::ordered_json customer_accounting = nlohmann::ordered_json::object();

  // ---- sentences and notes
  std::vector<std::string> analytics_notes;
  std::vector<std::string> group_comparison;  ///< one sentence per compared metric
  std::vector<std::string> notes;             ///< cross-sell and NPS notes
  /// Headline lines of the cross-sell and NPS steps (label, text), e.g. ("NPS", "+21.3 ...").
  std::vector<std::pair<std::string, std::string>> lines;
  /// summary.json objects of the cross-sell and NPS steps ("basket", "nps").
  nlohmann::ordered_json extras = nlohmann::ordered_json::object();
  std::string transitions_line;  ///< segment movement, or why there is none
  std::string actions_line;      ///< the action list in one line
  std::vector<StepTiming> timings;

  // ---- tables, by name (see ltv/workspace/tables.hpp for every name and its columns)
  std::map<std::string, ResultTable> tables;

  /// The table `name`, or null when this analysis has none (e.g. no basket without products).
  const ResultTable* table(std::string_view name) const;
};

/// The JSON of summary.json: headline figures, model selection and fits, notes, cross-sell and
/// NPS summaries, the load counts.
nlohmann::ordered_json summary_json(const Analysis& analysis);

/// Writes the output folder: every table as DIR/<name>.csv, summary.json, model.json,
/// spend_model.json. (The report is written by the face, from the same Analysis.) Throws Error
/// when a file cannot be written.
void write_analysis(const Analysis& analysis, const std::filesystem::path& dir);

/// Reads an output folder written by write_analysis back into an Analysis: every known table
/// present (typed by its spec; columns the file lacks are left out of the table), the headline
/// figures and fits from summary.json and model.json.
/// Tables and files that are absent stay absent. InputError when `dir` is not a folder or a file
/// is malformed — unless `unreadable` is given: then a malformed file is left out and recorded
/// there (its name relative to `dir` -> why), so that a reader such as the report can say so in
/// place of what it would have shown.
Analysis read_analysis(const std::filesystem::path& dir,
                       std::map<std::string, std::string>* unreadable = nullptr);

}  // namespace ltv
