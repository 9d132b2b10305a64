#pragma once
/// The input of fitting and predicting: per-customer (x, t_x, T) with optional weights and mean
/// spend, from a customer summary CSV (`ltv summary`'s output, lifetimes' or BTYD's summaries) or
/// from summarising a transaction file; and fitting any model of the registry on it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/data/summary.hpp"
#include "ltv/error.hpp"
#include "ltv/math/fit.hpp"
#include "ltv/store/clickhouse.hpp"
#include "ltv/workspace/parameters.hpp"
#include "ltv/workspace/workspace.hpp"

namespace ltv {

class CsvReader;

/// Per-customer model input, from a summary CSV or from summarizing a transaction file.
struct ModelInput {
  std::vector<std::string> ids;        ///< customer id (summary CSV: first column or row number)
  std::vector<double> x, t_x, T;       ///< frequency, recency, T (BG/BB: T = periods n)
  std::vector<double> weight;          ///< customers per row (count/weights column; else 1)
  std::vector<double> monetary_value;  ///< mean repeat spend (empty when absent)
  /// Sum of ln inter-purchase times per customer (the (M)BG/CNBD-k models): from a transaction
  /// file when asked for, or a summary CSV's `litt` column; empty when unknown.
  std::vector<double> litt;
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

/// True when the file's header has `frequency` and `recency` columns (a summary CSV).
bool is_summary_csv(const std::string& path);

/// Reads a summary CSV: columns frequency, recency, T (or periods for a discrete model),
/// optional monetary_value and count/weights; an id column first. `discrete` picks the `periods`
/// column when present. `with_ids = false` leaves ids empty. InputError naming file, line and
/// column for a bad number.
ModelInput read_summary_csv(const std::string& path, bool discrete, bool with_ids,
                            TimeUnit time_unit);
/// The same from an open reader (e.g. CsvReader::from_string): what the path overload does for a
/// file read sequentially.
ModelInput read_summary_csv(CsvReader& reader, bool discrete, bool with_ids, TimeUnit time_unit);

/// The summaries of a workspace's transactions as model input; `regularity` adds litt (one more
/// pass over the log).
ModelInput model_input(Workspace& workspace, const SummaryOptions& options,
                       bool regularity = false);

/// The input named by parameters (groups source and periods): the file is a summary CSV when its
/// header has frequency and recency and no customer column was given, else a transaction file.
/// ParameterError (`model`) for a discrete model on a transaction file. `report`, when given,
/// receives the load report of a transaction file (it is left unchanged for a summary CSV).
ModelInput load_model_input(const Parameters& parameters, bool discrete, bool with_ids = true,
                            std::optional<LoadReport>* report = nullptr, bool regularity = false);

/// For parameters naming a ClickHouse source (FILE or --source clickhouse://..., with
/// --customer, --date and optionally --amount): the patterns and the Gamma-Gamma input computed
/// inside ClickHouse (store::clickhouse_patterns), so that only they travel; nullopt for any
/// other source. ParameterError (`model`) for a model the pushed-down input cannot fit:
/// `discrete` (BG/BB) or `regularity` (the (M)BG/CNBD-k models need inter-purchase times).
std::optional<store::PushedDownPatterns> pushed_down_model_input(const Parameters& parameters,
                                                                 std::string_view model,
                                                                 bool discrete, bool regularity);

/// Fits model `model` on input computed in ClickHouse: a count model on the patterns, gg on
/// the repeat customers' (x, mean spend). ParameterError (`model`) for gg without an amount.
FitResult fit_model(std::string_view model, const store::PushedDownPatterns& input,
                    const FitOptions& options);

/// The input compressed to patterns, with the regularity sum when the input has litt.
RfmPatterns model_patterns(const ModelInput& input);

/// FitOptions from parameters of the group "fit" (penalty, starts, no_presearch).
FitOptions fit_options(const Parameters& parameters);

/// Fits model `model` (any of the registry) on the input. ParameterError (`model`) for an
/// unknown model or a spend model without spend; InputError for an empty monetary cell.
FitResult fit_model(std::string_view model, const ModelInput& input, const FitOptions& options);

}  // namespace ltv
