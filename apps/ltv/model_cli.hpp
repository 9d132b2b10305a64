#pragma once
// Helpers shared by `ltv fit` and `ltv predict`: the model input (a customer summary CSV or a
// transaction file), fitting a model on it, and the model JSON file written by `fit -o` and read
// by `predict --model`.

#include <CLI/CLI.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/models/model.hpp"
#include "ltv/models/model_file.hpp"
#include "ltv/models/registry.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {

/// Model options of fit/predict.
struct ModelCliOptions {
  std::string model = "bgnbd";  ///< --model: a model name (fit) or a model JSON file (predict)
  double penalty = 0.0;         ///< --penalty (L2 on log-parameters)
  int starts = 0;               ///< --starts (0 = model default)
  bool no_presearch = false;    ///< --no-presearch
};

/// Adds --model, --penalty, --starts, --no-presearch to `cmd`; `models` is the --model help text.
void add_model_options(CLI::App& cmd, ModelCliOptions& options, const std::string& models);
/// Adds the fit tuning options --penalty, --starts, --no-presearch to `cmd` (part of
/// add_model_options; `ltv validate` has its own --model).
void add_fit_tuning_options(CLI::App& cmd, ModelCliOptions& options);

/// FitOptions from the CLI values (validated; InputError naming the option).
FitOptions fit_options(const ModelCliOptions& options);

/// Per-customer model input, from a summary CSV or from summarizing a transaction file.
struct ModelData {
  std::vector<std::string> ids;        ///< customer id (summary CSV: first column or row number)
  std::vector<double> x, t_x, T;       ///< frequency, recency, T (BG/BB: T = periods n)
  std::vector<double> weight;          ///< customers per row (count/weights column; else 1)
  std::vector<double> monetary_value;  ///< mean repeat spend (empty when absent)
  /// Summary CSV with a monetary_value column that is empty on some rows (as `ltv summary`
  /// writes without --amount): where the first empty cell is. Count models ignore the column;
  /// Gamma-Gamma reports this place.
  SourceLocation missing_monetary;
  std::vector<double> frequency_holdout;  ///< transactions only, with --observation-end
  bool has_holdout = false;
  double duration_holdout = 0;  ///< in time units
  bool from_summary_csv = false;
  std::string time_unit = "week";  ///< day, week, month; "period" for BG/BB summaries
  std::size_t size() const noexcept { return x.size(); }
};

/// True when FILE's header has `frequency` and `recency` columns and no --customer was given.
bool is_summary_csv(const TransactionCliOptions& options);

/// Reads the input: a summary CSV (columns frequency, recency, T or periods, optional
/// monetary_value, count/weights; an id column first) or a transaction file summarized with the
/// shared options. `bgbb` picks the `periods` column when present. `with_ids = false` leaves
/// ModelData::ids empty for a summary CSV (fit needs none). InputError for bad input.
ModelData load_model_data(const TransactionCliOptions& options, bool bgbb, bool with_ids = true);

/// Fits "bgnbd", "mbgnbd", "pnbd", "bgbb" or "gg" on the data. InputError for an unknown model,
/// gg without monetary values, or bgbb on a transaction file.
FitResult fit_model(const std::string& model, const ModelData& data, const FitOptions& options);

}  // namespace ltv::cli
