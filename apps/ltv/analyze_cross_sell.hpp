#pragma once
// The cross-sell and NPS step of `ltv analyze`: association rules and next best offers when the
// transactions map a product (or category) column, and NPS tables when `--nps FILE` is given.
// Writes DIR/basket/ and DIR/nps/ with the same columns as `ltv basket`, `ltv recommend` and
// `ltv nps`, joined to the customers' segments, P(alive) and CLV computed by analyze.

#include <CLI/CLI.hpp>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ltv/data/transaction_log.hpp"
#include "ltv/nps/nps.hpp"

namespace ltv::cli {

/// Options of the step (defaults shown in `ltv analyze --help`, documented in docs/cli.md).
struct CrossSellCliOptions {
  std::string min_support = "0.001";   ///< --basket-min-support: share of baskets, exact
  std::string min_confidence = "0.1";  ///< --basket-min-confidence: count(X+Y)/count(X), exact
  std::uint64_t min_count = 10;        ///< --basket-min-count: fewest baskets behind an itemset
  std::uint64_t min_baskets = 100;     ///< --basket-min-baskets: fewer baskets: a note, no rules
  std::size_t recommend_top = 5;       ///< --recommend-top: offers per customer (0 = none)
  std::string nps_file;                ///< --nps FILE: customer_id,date,score[,comment,channel]
  int nps_horizon_days = 180;          ///< --nps-horizon: days after an answer for retention
};

/// Adds the step's options to the analyze command.
void add_cross_sell_options(CLI::App& cmd, CrossSellCliOptions& options);

/// Inputs read before the models are fitted, so that a bad file fails fast.
struct CrossSellInputs {
  std::optional<NpsParseResult> nps;  ///< validated answers of --nps
};

/// Checks the thresholds and reads and validates the `--nps` file against the log's customers.
/// Throws InputError for a malformed answer (file, line, column: a score that is not an integer
/// in 0..10, a bad date, no customer) or a missing column; duplicates and unknown customers are
/// kept as problems (written to nps/problems.csv).
CrossSellInputs read_cross_sell_inputs(const TransactionLog& log,
                                       const CrossSellCliOptions& cross_sell);

/// Analyze's per-customer results, one entry per summarised customer (summary order).
struct AnalyzedCustomers {
  std::span<const std::string> ids;
  std::span<const double> p_alive;
  std::span<const double> expected_purchases;
  std::span<const double> clv;  ///< NaN when there is no spend model
  std::vector<std::string> rfm_segment;
  std::vector<std::string> abcdx;
  std::vector<std::string> stage;
};

/// What the step did: files written, notes (why something was skipped), headline lines for
/// the human summary and a JSON object for summary.json.
struct CrossSellReport {
  std::vector<std::string> outputs;  ///< "basket/", "nps/"
  std::vector<std::string> notes;
  /// Headline lines (label, text), e.g. ("NPS", "+21.3 (95% CI ...)").
  std::vector<std::pair<std::string, std::string>> lines;
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
};

/// Runs the step into `dir`. Too few baskets or no product column is a note, not an error.
CrossSellReport run_analyze_cross_sell(const TransactionLog& log,
                                       const CrossSellCliOptions& cross_sell,
                                       const CrossSellInputs& inputs,
                                       const AnalyzedCustomers& customers,
                                       const std::filesystem::path& dir);

}  // namespace ltv::cli
