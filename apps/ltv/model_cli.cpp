#include "model_cli.hpp"

#include <fmt/format.h>

#include "ltv/error.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/mbg_nbd.hpp"

namespace ltv::cli {

void add_model_options(CLI::App& cmd, ModelCliOptions& o, const std::string& models) {
  const char* group = "Model";
  cmd.add_option("--model", o.model, "Model: " + models)->capture_default_str()->group(group);
  cmd.add_option("--penalty", o.penalty,
                 "L2 penalty on the log-parameters (0 = plain maximum likelihood)")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--starts", o.starts,
                 "Number of optimizer starting points (0 = the model's default)")
      ->capture_default_str()
      ->group(group);
}

FitOptions fit_options(const ModelCliOptions& o) {
  FitOptions f;
  if (!(o.penalty >= 0) || !std::isfinite(o.penalty)) {
    option_error("penalty", fmt::format("{}", o.penalty), "a finite penalty >= 0");
  }
  if (o.starts < 0 || o.starts > 100) {
    option_error("starts", fmt::format("{}", o.starts), "a number of starts in 0..100");
  }
  f.l2_penalty = o.penalty;
  f.starts = o.starts;
  return f;
}

RfmPatterns summary_patterns(const CustomerSummary& s) {
  return compress_patterns(s.frequency, s.recency, s.T);
}

FitResult fit_model(const std::string& model, const CustomerSummary& s, const FitOptions& f) {
  if (model == "bgnbd") return bg_nbd::fit(summary_patterns(s), f);
  if (model == "mbgnbd") return mbg_nbd::fit(summary_patterns(s), f);
  if (model == "gg") {
    if (!s.has_amount) {
      option_error("model", "gg",
                   "a transaction model (bgnbd, mbgnbd): gg needs --amount or --price");
    }
    return gamma_gamma::fit(gamma_gamma::spend_data(s.frequency, s.monetary_value), f);
  }
  option_error("model", model, "one of bgnbd, mbgnbd, gg");
}

}  // namespace ltv::cli
