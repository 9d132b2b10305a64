#pragma once
// Helpers shared by `ltv fit` and `ltv predict`: choosing a model, fitting it on a customer
// summary, and the model option group.

#include <CLI/CLI.hpp>

#include <string>

#include "ltv/data/summary.hpp"
#include "ltv/models/model.hpp"

namespace ltv::cli {

/// Model options of fit/predict.
struct ModelCliOptions {
  std::string model = "bgnbd";  ///< --model bgnbd|mbgnbd (transactions); gg for fit only
  double penalty = 0.0;         ///< --penalty (L2 on log-parameters)
  int starts = 0;               ///< --starts (0 = model default)
};

/// Adds --model, --penalty, --starts to `cmd`; `models` lists the accepted names for --help.
void add_model_options(CLI::App& cmd, ModelCliOptions& options, const std::string& models);

/// FitOptions from the CLI values (validated; InputError naming the option).
FitOptions fit_options(const ModelCliOptions& options);

/// Patterns (frequency, recency, T) of the calibration summary.
RfmPatterns summary_patterns(const CustomerSummary& summary);

/// Fits "bgnbd", "mbgnbd" or "gg" on the summary. InputError for an unknown model or for gg
/// without amounts.
FitResult fit_model(const std::string& model, const CustomerSummary& summary,
                    const FitOptions& options);

}  // namespace ltv::cli
