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

bool is_model_name(const std::string& s) {
  return s == "bgnbd" || s == "mbgnbd" || s == "pnbd" || s == "bgbb" || s == "gg";
}

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
      option_error("horizon", fmt::format("{}", predict->horizon),
                   "a horizon >= 0 in --time-unit (0 = holdout length or one year)");
    }
    if (!std::isfinite(predict->discount_rate) || predict->discount_rate < 0) {
      option_error("discount-rate", fmt::format("{}", predict->discount_rate),
                   "a discount rate per step >= 0");
    }
    double margin = predict->profit_margin;
    if (!std::isfinite(margin)) {
      option_error("profit-margin", fmt::format("{}", margin), "a finite number");
    }
    const bool summary_csv = is_summary_csv(*options);
    if (!options->columns.margin.empty()) {
      if (!summary_csv) {
        // Transaction input: --margin is the profit column, which predictions do not use.
      } else {
        if (cmd->count("--profit-margin") > 0) {
          option_error("margin", options->columns.margin,
                       "either --margin or --profit-margin, not both");
        }
        try {
          std::size_t used = 0;
          margin = std::stod(options->columns.margin, &used);
          if (used != options->columns.margin.size() || !std::isfinite(margin)) throw 0;
        } catch (...) {
          option_error("margin", options->columns.margin,
                       "a number (the share of spend counted in the CLV, as --profit-margin) "
                       "with a summary CSV input");
        }
        options->columns.margin.clear();
      }
    }

    // The transaction model: a saved model file, else a model name fitted on the fly.
    FitResult fit;
    std::string saved_unit;
    const bool as_file = std::filesystem::exists(model->model) || !is_model_name(model->model);
    if (as_file) {
      SavedModel saved = read_model_file(model->model);
      fit = std::move(saved.fit);
      saved_unit = saved.time_unit;
    }
    const std::string model_name = as_file ? fit.model : model->model;
    if (model_name == "gg") {
      option_error("model", model->model,
                   "a transaction model (bgnbd, mbgnbd, pnbd, bgbb); pass the gg model with "
                   "--spend-model");
    }
    const bool bgbb = model_name == "bgbb";
    // Use the model's time unit unless --time-unit was given.
    if (!saved_unit.empty() && saved_unit != "period" && cmd->count("--time-unit") == 0) {
      options->time_unit = saved_unit;
    }
    const ModelData d = load_model_data(*options, bgbb);
    if (!saved_unit.empty() && saved_unit != d.time_unit) {
      option_error("time-unit", d.time_unit,
                   fmt::format("the model's time unit '{}' (from {})", saved_unit, model->model));
    }
    if (!as_file) {
      fit = fit_model(model_name, d, fit_opts);
      if (!fit.converged && !options->quiet) {
        fmt::print(stderr, "ltv: warning: {} fit: {}\n", fit.model, fit.message);
      }
    }
    if (fit.model == "gg") {
      option_error("model", fit.model,
                   "a transaction model (bgnbd, mbgnbd, pnbd, bgbb); pass a gg model with "
                   "--spend-model");
    }
    const FittedCountModel pred(fit);

    double horizon = predict->horizon;
    if (horizon == 0) {
      if (bgbb) {
        option_error("horizon", "0", "a number of future opportunities > 0 for bgbb");
      }
      horizon =
          d.has_holdout ? d.duration_holdout : 365.25 / days_per_unit(parse_time_unit(d.time_unit));
    }

    // Spend model: saved, or fitted on the fly with --clv.
    const bool with_spend = !predict->spend_model.empty() || predict->clv;
    GammaGammaParams gg{};
    if (with_spend) {
      if (d.monetary_value.empty()) {
        option_error(predict->spend_model.empty() ? "clv" : "spend-model",
                     predict->spend_model.empty() ? "set" : predict->spend_model,
                     "spend in INPUT: --amount or --price on a transaction file, or a "
                     "monetary_value column in the summary CSV");
      }
      if (!predict->spend_model.empty()) {
        const SavedModel s = read_model_file(predict->spend_model);
        if (s.fit.model != "gg") {
          option_error("spend-model", predict->spend_model,
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
    struct Cached {
      double alive, cet, discounted;
    };
    if (with_spend) gamma_gamma::expected_average_spend(gg);  // ModelError when q <= 1
    // Everything is computed before the first row is written, so an error leaves no partial
    // output.
    // Customers are grouped into distinct (x, t_x, T) patterns (hash map); the patterns are
    // scored in parallel, each once.
    struct PatternHash {
      std::size_t operator()(const std::tuple<double, double, double>& k) const noexcept {
        const std::hash<double> h;
        std::size_t v = h(std::get<0>(k));
        v = v * 0x9E3779B97F4A7C15ull ^ h(std::get<1>(k));
        return v * 0x9E3779B97F4A7C15ull ^ h(std::get<2>(k));
      }
    };
    std::unordered_map<std::tuple<double, double, double>, std::uint32_t, PatternHash> ids;
    ids.reserve(std::min<std::size_t>(d.size(), std::size_t{1} << 22));
    std::vector<std::uint32_t> pattern_of(d.size());
    std::vector<std::size_t> first_row;  // a customer of each pattern
    for (std::size_t i = 0; i < d.size(); ++i) {
      const auto [it, added] =
          ids.try_emplace({d.x[i], d.t_x[i], d.T[i]}, static_cast<std::uint32_t>(first_row.size()));
      if (added) first_row.push_back(i);
      pattern_of[i] = it->second;
    }
    ids = {};
    // Given that a customer is alive at T, the future does not depend on t_x (in every model
    // here the likelihood of the history of a customer alive at T involves x and T only), so
    // CET(u | x, t_x, T) = P(alive | x, t_x, T) * CET(u | x, T, T) / P(alive | x, T, T).
    // The expensive CET curve (horizon and every CLV step) is computed once per (x, T) and
    // scaled by each pattern's P(alive) (tested in tests/models/validation_test.cpp).
    struct PairHash {
      std::size_t operator()(const std::pair<double, double>& k) const noexcept {
        const std::hash<double> h;
        return h(k.first) * 0x9E3779B97F4A7C15ull ^ h(k.second);
      }
    };
    std::unordered_map<std::pair<double, double>, std::uint32_t, PairHash> pair_ids;
    std::vector<std::uint32_t> pair_of(first_row.size());
    std::vector<std::pair<double, double>> pairs;
    for (std::size_t p = 0; p < first_row.size(); ++p) {
      const std::size_t i = first_row[p];
      const auto [it, added] =
          pair_ids.try_emplace({d.x[i], d.T[i]}, static_cast<std::uint32_t>(pairs.size()));
      if (added) pairs.emplace_back(d.x[i], d.T[i]);
      pair_of[p] = it->second;
    }
    pair_ids = {};
    struct Alive {
      double alive_at_T, cet, discounted;  // P(alive | x, T, T); CET and D of (x, T, T)
    };
    std::vector<Alive> per_pair(pairs.size());
    std::vector<std::string> errors(first_row.size());
    std::vector<std::string> pair_errors(pairs.size());
#pragma omp parallel for schedule(dynamic, 16)
    for (std::size_t k = 0; k < pairs.size(); ++k) {
      const auto [x, T] = pairs[k];
      const double t_x = x > 0 ? T : 0.0;
      try {
        Alive a{pred.p_alive(x, t_x, T), pred.conditional_expected_transactions(horizon, x, t_x, T),
                0.0};
        if (with_spend) {
          a.discounted = discounted_transactions(
              [&](double u) {
                return u <= 0 ? 0.0 : pred.conditional_expected_transactions(u, x, t_x, T);
              },
              clv_opts);
        }
        per_pair[k] = a;
      } catch (const std::exception& e) {
        pair_errors[k] = e.what();
      }
    }
    std::vector<Cached> cache(first_row.size());
#pragma omp parallel for schedule(dynamic, 256)
    for (std::size_t p = 0; p < first_row.size(); ++p) {
      const std::size_t i = first_row[p];
      const double x = d.x[i], t_x = d.t_x[i], T = d.T[i];
      try {
        if (!pair_errors[pair_of[p]].empty()) throw ModelError(pair_errors[pair_of[p]]);
        const Alive& a = per_pair[pair_of[p]];
        const double alive = pred.p_alive(x, t_x, T);
        if (t_x == (x > 0 ? T : 0.0)) {
          cache[p] = {alive, a.cet, a.discounted};
        } else if (a.alive_at_T > 1e-250) {
          const double f = alive / a.alive_at_T;
          cache[p] = {alive, f * a.cet, f * a.discounted};
        } else {  // no usable reference: compute directly
          Cached c{alive, pred.conditional_expected_transactions(horizon, x, t_x, T), 0.0};
          if (with_spend) {
            c.discounted = discounted_transactions(
                [&](double u) {
                  return u <= 0 ? 0.0 : pred.conditional_expected_transactions(u, x, t_x, T);
                },
                clv_opts);
          }
          cache[p] = c;
        }
        if (!std::isfinite(cache[p].cet) || !std::isfinite(cache[p].discounted)) {
          throw ModelError(fmt::format("{}: non-finite prediction for x={}, t_x={}, T={}",
                                       fit.model, x, t_x, T));
        }
      } catch (const std::exception& e) {
        errors[p] = e.what();
      }
    }
    for (std::size_t p = 0; p < first_row.size(); ++p) {
      if (errors[p].empty()) continue;
      // Re-run the first failing pattern outside the parallel region to throw its own error type.
      const std::size_t i = first_row[p];
      (void)pred.p_alive(d.x[i], d.t_x[i], d.T[i]);
      (void)pred.conditional_expected_transactions(horizon, d.x[i], d.t_x[i], d.T[i]);
      (void)discounted_transactions(
          [&](double u) {
            return u <= 0 ? 0.0
                          : pred.conditional_expected_transactions(u, d.x[i], d.t_x[i], d.T[i]);
          },
          clv_opts);
      throw ModelError(errors[p]);
    }
    std::vector<const Cached*> row(d.size());
    std::vector<double> spend(with_spend ? d.size() : 0);
    for (std::size_t i = 0; i < d.size(); ++i) {
      row[i] = &cache[pattern_of[i]];
      if (with_spend) {
        spend[i] = gamma_gamma::conditional_expected_average_spend(gg, d.x[i], d.monetary_value[i]);
      }
    }
    Output out = open_output(options->output);
    RowWriter w(out.stream(), output_format(*options), columns);
    for (std::size_t i = 0; i < d.size(); ++i) {
      w.text(d.ids[i])
          .number(d.x[i])
          .number(d.t_x[i])
          .number(d.T[i])
          .number(row[i]->alive)
          .number(row[i]->cet);
      if (d.has_holdout) w.number(d.frequency_holdout[i]);
      if (with_spend) {
        w.number(d.monetary_value[i])
            .number(spend[i])
            .number(margin * spend[i] * row[i]->discounted);
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
