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
#include "ltv/store/store.hpp"
#include "ltv/workspace/model_input.hpp"
#include "ltv/workspace/retention.hpp"

namespace ltv {

namespace {

/// The table's columns of `ltv predict`.
TableSpec prediction_spec(bool holdout, bool with_spend) {
  TableSpec spec;
  spec.name = "predictions";
  spec.description = "Per-customer predictions of `ltv predict`";
  for (const char* name :
       {"customer_id", "frequency", "recency", "T", "p_alive", "expected_purchases"}) {
    spec.columns.push_back(
        {name, name == std::string("customer_id") ? ColumnType::text : ColumnType::real, 0, ""});
  }
  if (holdout) spec.columns.push_back({"frequency_holdout", ColumnType::real, 0, ""});
  if (with_spend) {
    for (const char* name : {"monetary_value", "expected_spend", "clv"}) {
      spec.columns.push_back({name, ColumnType::real, 0, ""});
    }
  }
  return spec;
}

/// The source when the parameters name a ClickHouse one.
std::optional<TransactionSource> clickhouse_source_of(const Parameters& p) {
  const std::string file = p.text("file");
  const std::string url = p.accepts("source") ? p.text("source") : std::string();
  if (!store::is_clickhouse(file) && !store::is_clickhouse(url)) return std::nullopt;
  TransactionSource source = TransactionSource::from_parameters(p);
  if (!is_clickhouse_source(source)) return std::nullopt;
  return source;
}

/// The Gamma-Gamma parameters of a saved spend model file.
GammaGammaParams saved_spend_params(const std::string& spend_model) {
  const SavedModel s = read_model_file(spend_model, "spend_model");
  if (model_definition(s.fit.model).kind != ModelKind::spend) {
    parameter_error("spend_model", spend_model,
                    fmt::format("a Gamma-Gamma (gg) model file, not {}", s.fit.model));
  }
  return gamma_gamma::params(s.fit);
}

}  // namespace

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
  const std::string output = p.accepts("output") ? p.text("output") : std::string();
  if (const auto source = clickhouse_source_of(p)) {
    // Scored inside ClickHouse: patterns out, one score per pattern back, joined there.
    if (discrete || (!as_file && model_definition(model_name).needs_regularity)) {
      parameter_error("model", model_arg,
                      "a model of (x, t_x, T) patterns on a ClickHouse source (bgbb needs "
                      "discrete opportunities, the (M)BG/CNBD-k models inter-purchase times)");
    }
    const bool with_spend = !spend_model.empty() || clv;
    if (with_spend && source->options.columns.amount.empty()) {
      parameter_error(spend_model.empty() ? "clv" : "spend_model",
                      spend_model.empty() ? "set" : spend_model,
                      "spend in INPUT: --amount on the ClickHouse source");
    }
    store::ClickHouseScoringRun run(
        store::clickhouse_source(source->location, source->query, source->table,
                                 source->options.columns),
        summary_options(p), with_spend,
        store::is_clickhouse(output) ? std::string_view(output) : std::string_view(),
        with_spend && spend_model.empty());  // Gamma-Gamma fitted: its (x, m) groups
    const std::string unit(to_string(run.input().time_unit));
    if (!saved_unit.empty() && saved_unit != unit) {
      parameter_error("time_unit", unit,
                      fmt::format("the model's time unit '{}' (from {})", saved_unit, model_arg));
    }
    if (!as_file) {
      fit = fit_model(model_name, run.input(), fit_opts);
      if (!fit.converged) out.warnings.push_back(fmt::format("{} fit: {}", fit.model, fit.message));
    }
    const FittedCountModel model(fit);
    const CustomerSummary& h = run.header();
    double horizon = horizon_given;
    if (horizon == 0) {
      horizon = h.has_holdout ? h.duration_holdout : 365.25 / days_per_unit(h.time_unit);
    }
    GammaGammaParams gg{};
    if (with_spend) {
      gg = spend_model.empty() ? gamma_gamma::params(gamma_gamma::fit(run.input().spend, fit_opts))
                               : saved_spend_params(spend_model);
      gamma_gamma::expected_average_spend(gg);  // ModelError when q <= 1
    }
    ClvOptions clv_opts;
    clv_opts.step = 365.25 / 12 / days_per_unit(h.time_unit);  // one month
    clv_opts.horizon = horizon / clv_opts.step;
    clv_opts.discount_rate = discount_rate;
    clv_opts.margin = 1.0;
    CountScores scores = score_customers(model, run.pattern_x(), run.pattern_t_x(), run.pattern_T(),
                                         horizon, with_spend ? &clv_opts : nullptr);
    store::ClickHouseScoringRun::Scores s;
    s.p_alive = std::move(scores.p_alive);
    s.expected_purchases = std::move(scores.expected_purchases);
    s.margin = margin;
    if (with_spend) {
      s.discounted_purchases = std::move(scores.discounted_purchases);
      // E[spend | x, m] = p (gamma + x m) / (p x + q - 1) (FHL 2005b eq. 5; x = 0: the
      // population mean p gamma / (q - 1), m = 0) = a + b m, per pattern's x.
      for (const double x : run.pattern_x()) {
        const double denominator = gg.p * x + gg.q - 1;
        s.spend_a.push_back(gg.p * gg.gamma / denominator);
        s.spend_b.push_back(gg.p * x / denominator);
      }
    }
    Prediction::PushedDown pd;
    pd.scan = run.input().scan;
    pd.patterns = run.pattern_x().size();
    pd.spend_groups = run.spend_x().size();
    out.table = ResultTable(prediction_spec(h.has_holdout, with_spend));
    if (store::is_clickhouse(output)) {
      pd.written = run.write(output, s);
    } else {
      const std::size_t columns = out.table.spec().columns.size();
      std::vector<std::string> ids;
      std::vector<std::vector<double>> values(columns - 1);
      run.fetch(s, [&](std::string_view id, const std::vector<double>& v) {
        if (v.size() != columns - 1) {
          throw store::DatabaseError("ClickHouse returned a joined row of the wrong width");
        }
        ids.emplace_back(id);
        for (std::size_t k = 0; k < v.size(); ++k) values[k].push_back(v[k]);
      });
      // In id order, as the local path writes them.
      const std::vector<std::uint32_t> order =
          sort_by_id(ids.size(), [&](std::uint32_t i) -> std::string_view { return ids[i]; });
      std::vector<std::string> sorted_ids;
      sorted_ids.reserve(ids.size());
      for (const std::uint32_t i : order) sorted_ids.push_back(std::move(ids[i]));
      out.table.set_texts(0, sorted_ids);
      for (std::size_t k = 0; k < values.size(); ++k) {
        std::vector<double> column;
        column.reserve(order.size());
        for (const std::uint32_t i : order) column.push_back(values[k][i]);
        out.table.set_reals(k + 1, std::move(column));
      }
    }
    pd.rows_received = run.rows_received();
    pd.rows_sent = run.rows_sent();
    pd.steps = run.steps();
    out.pushed_down = std::move(pd);
    return out;
  }
  if (store::is_clickhouse(output)) {
    parameter_error("output", store::redact_url(output),
                    "a file (or -): a ClickHouse output needs a ClickHouse source on the same "
                    "server (the scores are joined to the customers inside ClickHouse)");
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
      gg = saved_spend_params(spend_model);
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

  ResultTable& t = out.table = ResultTable(prediction_spec(d.has_holdout, with_spend));
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
