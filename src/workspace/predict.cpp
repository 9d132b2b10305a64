// The prediction job (see ltv/workspace/predict.hpp).
#include "ltv/workspace/predict.hpp"

#include <fmt/format.h>

#include <cmath>
#include <filesystem>

#include "ltv/error.hpp"
#include "ltv/models/clv.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/model_file.hpp"
#include "ltv/models/registry.hpp"
#include "ltv/workspace/model_input.hpp"
#include "ltv/workspace/retention.hpp"

namespace ltv {

Prediction predict(const Parameters& given) {
  Parameters p = given;
  p.validate();
  const FitOptions fit_opts = fit_options(p);
  const double discount_rate = p.number("discount_rate");
  const double margin = p.number("profit_margin");
  const double horizon_given = p.number("horizon");
  const std::string model_arg = p.text("model");
  const std::string spend_model = p.text("spend_model");
  const bool clv = p.flag("clv");

  // The count model: a saved model file, else a model name fitted on the fly.
  Prediction out;
  FitResult& fit = out.model;
  std::string saved_unit;
  const bool as_file = std::filesystem::exists(model_arg) || find_model(model_arg) == nullptr;
  if (as_file) {
    SavedModel saved = read_model_file(model_arg);
    fit = std::move(saved.fit);
    saved_unit = saved.time_unit;
  }
  const std::string model_name = as_file ? fit.model : model_arg;
  if (model_definition(model_name).kind == ModelKind::retention) {
    RetentionPrediction r =
        predict_retention(p, as_file ? std::optional<FitResult>(fit) : std::nullopt);
    out.model = std::move(r.model);
    out.warnings = std::move(r.warnings);
    out.table = std::move(r.table);
    return out;
  }
  if (p.given("period_value")) {
    parameter_error("period_value", p.text("period_value"),
                    "--model sbg (a contract period's value); transaction models take "
                    "--spend-model or --clv");
  }
  const std::string count_models = model_names(ModelKind::count);
  if (model_definition(model_name).kind != ModelKind::count) {
    parameter_error("model", model_arg,
                    "a transaction model (" + count_models + "); pass the " + model_name +
                        " model with --spend-model");
  }
  const bool discrete = model_definition(model_name).discrete;
  // The model's time unit unless one was given.
  if (!saved_unit.empty() && saved_unit != "period" && !p.given("time_unit")) {
    p.set("time_unit", saved_unit);
  }
  const ModelInput d = load_model_input(p, discrete, true, &out.load,
                                        !as_file && model_definition(model_name).needs_regularity);
  if (!saved_unit.empty() && saved_unit != d.time_unit) {
    parameter_error("time_unit", d.time_unit,
                    fmt::format("the model's time unit '{}' (from {})", saved_unit, model_arg));
  }
  if (!as_file) {
    fit = fit_model(model_name, d, fit_opts);
    if (!fit.converged) out.warnings.push_back(fmt::format("{} fit: {}", fit.model, fit.message));
  }
  const FittedCountModel model(fit);

  double horizon = horizon_given;
  if (horizon == 0) {
    if (discrete) {
      parameter_error("horizon", "0",
                      "a number of future opportunities > 0 for " + std::string(model_name));
    }
    horizon =
        d.has_holdout ? d.duration_holdout : 365.25 / days_per_unit(parse_time_unit(d.time_unit));
  }

  // Spend model: saved, or fitted on the fly with clv.
  const bool with_spend = !spend_model.empty() || clv;
  GammaGammaParams gg{};
  if (with_spend) {
    if (d.monetary_value.empty()) {
      parameter_error(spend_model.empty() ? "clv" : "spend_model",
                      spend_model.empty() ? "set" : spend_model,
                      "spend in INPUT: --amount or --price on a transaction file, or a "
                      "monetary_value column in the summary CSV");
    }
    if (!spend_model.empty()) {
      const SavedModel s = read_model_file(spend_model, "spend_model");
      if (model_definition(s.fit.model).kind != ModelKind::spend) {
        parameter_error("spend_model", spend_model,
                        fmt::format("a Gamma-Gamma (gg) model file, not {}", s.fit.model));
      }
      gg = gamma_gamma::params(s.fit);
    } else {
      gg = gamma_gamma::params(
          gamma_gamma::fit(gamma_gamma::spend_data(d.x, d.monetary_value, d.weight), fit_opts));
    }
    gamma_gamma::expected_average_spend(gg);  // ModelError when q <= 1
  }
  ClvOptions clv_opts;
  if (discrete) {
    clv_opts.step = 1;
    clv_opts.horizon = std::floor(horizon);
  } else {
    clv_opts.step = 365.25 / 12 / days_per_unit(parse_time_unit(d.time_unit));  // one month
    clv_opts.horizon = horizon / clv_opts.step;
  }
  clv_opts.discount_rate = discount_rate;
  clv_opts.margin = 1.0;
  const CountScores scores =
      score_customers(model, d.x, d.t_x, d.T, horizon, with_spend ? &clv_opts : nullptr);

  TableSpec spec;
  spec.name = "predictions";
  spec.description = "Per-customer predictions of `ltv predict`";
  for (const char* name :
       {"customer_id", "frequency", "recency", "T", "p_alive", "expected_purchases"}) {
    spec.columns.push_back(
        {name, name == std::string("customer_id") ? ColumnType::text : ColumnType::real, 0, ""});
  }
  if (d.has_holdout) spec.columns.push_back({"frequency_holdout", ColumnType::real, 0, ""});
  if (with_spend) {
    for (const char* name : {"monetary_value", "expected_spend", "clv"}) {
      spec.columns.push_back({name, ColumnType::real, 0, ""});
    }
  }
  ResultTable& t = out.table = ResultTable(std::move(spec));
  t.set_texts(0, d.ids);
  t.set_reals(1, d.x);
  t.set_reals(2, d.t_x);
  t.set_reals(3, d.T);
  t.set_reals(4, scores.p_alive);
  t.set_reals(5, scores.expected_purchases);
  std::size_t next = 6;
  if (d.has_holdout) t.set_reals(next++, d.frequency_holdout);
  if (with_spend) {
    std::vector<double> spend(d.size()), value(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
      spend[i] = gamma_gamma::conditional_expected_average_spend(gg, d.x[i], d.monetary_value[i]);
      value[i] = margin * spend[i] * scores.discounted_purchases[i];
    }
    t.set_reals(next++, d.monetary_value);
    t.set_reals(next++, std::move(spend));
    t.set_reals(next++, std::move(value));
  }
  return out;
}

}  // namespace ltv
