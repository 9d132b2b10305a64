// `ltv predict`: per-customer predictions from a saved model (the JSON of `ltv fit -o`) or a model
// fitted on the fly: P(alive), expected purchases over a horizon and, with a Gamma-Gamma spend
// model, the expected spend per transaction and the discounted customer lifetime value.
#include <CLI/CLI.hpp>

#include <cmath>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

#include "command.hpp"
#include "ltv/error.hpp"
#include "ltv/io/row_writer.hpp"
#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/clv.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/mbg_nbd.hpp"
#include "ltv/models/pareto_nbd.hpp"
#include "ltv/models/selection.hpp"
#include "model_cli.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

struct PredictCliOptions {
  std::string spend_model;      ///< --spend-model gg.json
  double horizon = 0;           ///< --horizon in --time-unit; 0 = holdout length, else one year
  bool clv = false;             ///< --clv (fit Gamma-Gamma on the fly)
  double discount_rate = 0.01;  ///< --discount-rate per month (BG/BB: per period)
  double profit_margin = 1.0;   ///< --profit-margin
};


void setup_predict(CLI::App& root) {
  auto options = std::make_shared<TransactionCliOptions>();
  auto model = std::make_shared<ModelCliOptions>();
  auto predict = std::make_shared<PredictCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "predict",
      "Per-customer predictions from a model saved by `ltv fit -o FILE` (BG/NBD, MBG/NBD, "
      "Pareto/NBD or BG/BB): P(alive) at the end of the data and the expected number of "
      "purchases in the next --horizon time units (BG/BB: opportunities). With --spend-model "
      "(a Gamma-Gamma model JSON) or --clv (fit Gamma-Gamma on the fly) also the expected spend "
      "per transaction and the discounted customer lifetime value over the horizon. INPUT is a "
      "customer summary CSV or a transaction file, as for `ltv fit`. --model may also be a model "
      "name (bgnbd, mbgnbd, pnbd, bgbb) to fit on INPUT first.");
  add_transaction_options(*cmd, *options);
  if (CLI::Option* f = cmd->get_option_no_throw("FILE")) {
    f->description(
        "INPUT: a customer summary CSV (header with frequency and recency; see docs/cli/fit.md) "
        "or a transaction file (CSV/TSV/whitespace, optionally gzip-compressed; '-' = stdin)");
  }
  add_model_options(*cmd, *model,
                    "Model JSON file written by `ltv fit -o FILE`, or a model name (bgnbd, "
                    "mbgnbd, pnbd, bgbb) to fit on INPUT first");
  const char* group = "Prediction";
  cmd->add_option("--spend-model", predict->spend_model,
                  "Gamma-Gamma model JSON (`ltv fit --model gg -o FILE`); needs spend in INPUT "
                  "(monetary_value column or --amount/--price)")
      ->group(group);
  cmd->add_option("--horizon", predict->horizon,
                  "Prediction horizon in --time-unit (BG/BB: opportunities); 0 = the holdout "
                  "length when there is one, else one year (BG/BB: required)")
      ->capture_default_str()
      ->group(group);
  cmd->add_flag("--clv", predict->clv,
                "Fit Gamma-Gamma on INPUT's spend (when no --spend-model) and output "
                "expected_spend and clv")
      ->group(group);
  cmd->add_option("--discount-rate", predict->discount_rate,
                  "CLV discount rate per month (discrete monthly steps; BG/BB: per opportunity)")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--profit-margin", predict->profit_margin,
                  "Share of spend counted as value in the CLV. (--margin COL is the shared "
                  "profit-column option; with a summary CSV input, --margin NUMBER is accepted "
                  "as this share)")
      ->capture_default_str()
      ->group(group);
  cmd->footer(
      "Output columns: customer_id,frequency,recency,T,p_alive,expected_purchases"
      "[,frequency_holdout][,monetary_value,expected_spend,clv] (BG/BB: T = opportunities)\n\n"
      "Examples:\n"
      "  ltv fit cdnow_customers_summary.csv --model bgnbd -o bgnbd.json\n"
      "  ltv predict --model bgnbd.json cdnow_customers_summary.csv --horizon 39\n"
      "  ltv predict --model bgnbd.json --spend-model gg.json CDNOW_sample.txt --no-header \\\n"
      "      --customer 2 --date 3 --amount 5 --calibration-end 1997-09-30 --horizon 52");
  cmd->callback([cmd, options, model, predict]() {
    const FitOptions fit_opts = fit_options(*model);
    apply_config(*options);
    if (!std::isfinite(predict->horizon) || predict->horizon < 0) {
      parameter_error("horizon", fmt::format("{}", predict->horizon),
                   "a horizon >= 0 in --time-unit (0 = holdout length or one year)");
    }
    if (!std::isfinite(predict->discount_rate) || predict->discount_rate < 0) {
      parameter_error("discount_rate", fmt::format("{}", predict->discount_rate),
                   "a discount rate per step >= 0");
    }
    double margin = predict->profit_margin;
    if (!std::isfinite(margin)) {
      parameter_error("profit_margin", fmt::format("{}", margin), "a finite number");
    }
    const bool summary_csv = is_summary_csv(*options);
    if (!options->columns.margin.empty()) {
      if (!summary_csv) {
        // Transaction input: --margin is the profit column, which predictions do not use.
      } else {
        if (cmd->count("--profit-margin") > 0) {
          parameter_error("margin", options->columns.margin,
                       "either --margin or --profit-margin, not both");
        }
        try {
          std::size_t used = 0;
          margin = std::stod(options->columns.margin, &used);
          if (used != options->columns.margin.size() || !std::isfinite(margin)) throw 0;
        } catch (...) {
          parameter_error("margin", options->columns.margin,
                       "a number (the share of spend counted in the CLV, as --profit-margin) "
                       "with a summary CSV input");
        }
        options->columns.margin.clear();
      }
    }

    // The transaction model: a saved model file, else a model name fitted on the fly.
    FitResult fit;
    std::string saved_unit;
    const bool as_file = std::filesystem::exists(model->model) || find_model(model->model) == nullptr;
    if (as_file) {
      SavedModel saved = read_model_file(model->model);
      fit = std::move(saved.fit);
      saved_unit = saved.time_unit;
    }
    const std::string model_name = as_file ? fit.model : model->model;
    if (model_name == "gg") {
      parameter_error("model", model->model,
                   "a transaction model (bgnbd, mbgnbd, pnbd, bgbb); pass the gg model with "
                   "--spend-model");
    }
    const bool bgbb = model_definition(model_name).discrete;
    // Use the model's time unit unless --time-unit was given.
    if (!saved_unit.empty() && saved_unit != "period" && cmd->count("--time-unit") == 0) {
      options->time_unit = saved_unit;
    }
    const ModelData d = load_model_data(*options, bgbb);
    if (!saved_unit.empty() && saved_unit != d.time_unit) {
      parameter_error("time_unit", d.time_unit,
                   fmt::format("the model's time unit '{}' (from {})", saved_unit, model->model));
    }
    if (!as_file) {
      fit = fit_model(model_name, d, fit_opts);
      if (!fit.converged && !options->quiet) {
        fmt::print(stderr, "ltv: warning: {} fit: {}\n", fit.model, fit.message);
      }
    }
    if (fit.model == "gg") {
      parameter_error("model", fit.model,
                   "a transaction model (bgnbd, mbgnbd, pnbd, bgbb); pass a gg model with "
                   "--spend-model");
    }
    const FittedCountModel pred(fit);

    double horizon = predict->horizon;
    if (horizon == 0) {
      if (bgbb) {
        parameter_error("horizon", "0", "a number of future opportunities > 0 for bgbb");
      }
      horizon =
          d.has_holdout ? d.duration_holdout : 365.25 / days_per_unit(parse_time_unit(d.time_unit));
    }

    // Spend model: saved, or fitted on the fly with --clv.
    const bool with_spend = !predict->spend_model.empty() || predict->clv;
    GammaGammaParams gg{};
    if (with_spend) {
      if (d.monetary_value.empty()) {
        parameter_error(predict->spend_model.empty() ? "clv" : "spend-model",
                     predict->spend_model.empty() ? "set" : predict->spend_model,
                     "spend in INPUT: --amount or --price on a transaction file, or a "
                     "monetary_value column in the summary CSV");
      }
      if (!predict->spend_model.empty()) {
        const SavedModel s = read_model_file(predict->spend_model, "spend_model");
        if (s.fit.model != "gg") {
          parameter_error("spend_model", predict->spend_model,
                       fmt::format("a Gamma-Gamma (gg) model file, not {}", s.fit.model));
        }
        gg = gamma_gamma::params(s.fit);
      } else {
        gg = gamma_gamma::params(
            gamma_gamma::fit(gamma_gamma::spend_data(d.x, d.monetary_value, d.weight), fit_opts));
      }
    }
    ClvOptions clv_opts;
    if (bgbb) {
      clv_opts.step = 1;
      clv_opts.horizon = std::floor(horizon);
    } else {
      clv_opts.step = 365.25 / 12 / days_per_unit(parse_time_unit(d.time_unit));  // one month
      clv_opts.horizon = horizon / clv_opts.step;
    }
    clv_opts.discount_rate = predict->discount_rate;
    clv_opts.margin = 1.0;

    std::vector<std::string> columns{"customer_id", "frequency", "recency",
                                     "T",           "p_alive",   "expected_purchases"};
    if (d.has_holdout) columns.emplace_back("frequency_holdout");
    if (with_spend) {
      columns.emplace_back("monetary_value");
      columns.emplace_back("expected_spend");
      columns.emplace_back("clv");
    }
    if (with_spend) gamma_gamma::expected_average_spend(gg);  // ModelError when q <= 1
    // Everything is computed before the first row is written, so an error leaves no partial
    // output.
    const CountScores scores =
        score_customers(pred, d.x, d.t_x, d.T, horizon, with_spend ? &clv_opts : nullptr);
    std::vector<double> spend(with_spend ? d.size() : 0);
    for (std::size_t i = 0; i < spend.size(); ++i) {
      spend[i] = gamma_gamma::conditional_expected_average_spend(gg, d.x[i], d.monetary_value[i]);
    }
    Output out = open_output(options->output);
    RowWriter w(out.stream(), output_format(*options), columns);
    for (std::size_t i = 0; i < d.size(); ++i) {
      w.text(d.ids[i])
          .number(d.x[i])
          .number(d.t_x[i])
          .number(d.T[i])
          .number(scores.p_alive[i])
          .number(scores.expected_purchases[i]);
      if (d.has_holdout) w.number(d.frequency_holdout[i]);
      if (with_spend) {
        w.number(d.monetary_value[i])
            .number(spend[i])
            .number(margin * spend[i] * scores.discounted_purchases[i]);
      }
      w.end_row();
    }
    w.finish();
    out.close();
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(40, ltv::cli::setup_predict);
