// `ltv predict`: per-customer predictions from a BG/NBD or MBG/NBD fit on the calibration period:
// P(alive), expected transactions over a horizon, and optionally Gamma-Gamma spend and CLV.
#include <CLI/CLI.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <tuple>

#include <fmt/format.h>

#include "command.hpp"
#include "ltv/error.hpp"
#include "ltv/io/row_writer.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/clv.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/mbg_nbd.hpp"
#include "model_cli.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

struct PredictCliOptions {
  double horizon = 0;           ///< --horizon in --time-unit; 0 = holdout length, else one year
  bool clv = false;             ///< --clv
  double discount_rate = 0.01;  ///< --discount-rate per month
  double profit_margin = 1.0;   ///< --profit-margin
};

void setup_predict(CLI::App& root) {
  auto options = std::make_shared<TransactionCliOptions>();
  auto model = std::make_shared<ModelCliOptions>();
  auto predict = std::make_shared<PredictCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "predict",
      "Fit BG/NBD (bgnbd) or MBG/NBD (mbgnbd) on the calibration period and predict, per "
      "customer, P(alive) at the calibration end and the expected number of purchases in the "
      "next --horizon time units; with --clv also fit Gamma-Gamma on the repeat customers' mean "
      "spend and compute the discounted customer lifetime value over the same horizon.");
  add_transaction_options(*cmd, *options);
  add_model_options(*cmd, *model, "bgnbd or mbgnbd");
  const char* group = "Prediction";
  cmd->add_option("--horizon", predict->horizon,
                  "Prediction horizon in --time-unit; 0 = the holdout length when there is one, "
                  "else one year")
      ->capture_default_str()
      ->group(group);
  cmd->add_flag("--clv", predict->clv,
                "Also fit Gamma-Gamma (needs --amount or --price) and output expected_spend and "
                "clv")
      ->group(group);
  cmd->add_option("--discount-rate", predict->discount_rate,
                  "CLV discount rate per month (discrete, lifetimes-style monthly steps)")
      ->capture_default_str()
      ->group(group);
  cmd->add_option("--profit-margin", predict->profit_margin,
                  "Share of spend counted as value in the CLV")
      ->capture_default_str()
      ->group(group);
  cmd->footer(
      "Output columns: customer_id,frequency,recency,T,p_alive,expected_transactions"
      "[,frequency_holdout][,monetary_value,expected_spend,clv]\n\n"
      "Example (CDNOW sample: calibration to 1997-09-30, 39-week holdout):\n"
      "  ltv predict CDNOW_sample.txt --no-header --customer 2 --date 3 --amount 5 \\\n"
      "      --calibration-end 1997-09-30 --observation-end 1998-06-30 --clv -o predictions.csv");
  cmd->callback([options, model, predict]() {
    const FitOptions fit_opts = fit_options(*model);
    if (model->model != "bgnbd" && model->model != "mbgnbd") {
      option_error("model", model->model, "bgnbd or mbgnbd");
    }
    if (!std::isfinite(predict->horizon) || predict->horizon < 0) {
      option_error("horizon", fmt::format("{}", predict->horizon),
                   "a horizon >= 0 in --time-unit (0 = holdout length or one year)");
    }
    if (!std::isfinite(predict->discount_rate) || predict->discount_rate < 0) {
      option_error("discount-rate", fmt::format("{}", predict->discount_rate),
                   "a discount rate per month >= 0");
    }
    if (!std::isfinite(predict->profit_margin)) {
      option_error("profit-margin", fmt::format("{}", predict->profit_margin), "a finite number");
    }
    const SummaryOptions summary_opts = summary_options(*options);
    const OutputFormat format = output_format(*options);
    const TransactionLog log = load_log(*options);
    const CustomerSummary s = summarize(log, summary_opts);
    if (predict->clv && !s.has_amount) {
      option_error("clv", "set", "--amount or --price to fit the spend model");
    }
    const double unit_days = days_per_unit(s.time_unit);
    double horizon = predict->horizon;
    if (horizon == 0) horizon = s.has_holdout ? s.duration_holdout : 365.25 / unit_days;

    const RfmPatterns patterns = summary_patterns(s);
    const FitResult fit = fit_model(model->model, s, fit_opts);
    if (!fit.converged && !options->quiet) {
      fmt::print(stderr, "ltv: warning: {} fit: {}\n", fit.model, fit.message);
    }
    std::vector<double> cet, alive(patterns.size());
    ClvOptions clv_opts;
    clv_opts.step = 365.25 / 12 / unit_days;  // one month in model time units
    clv_opts.horizon = horizon / clv_opts.step;
    clv_opts.discount_rate = predict->discount_rate;
    clv_opts.margin = predict->profit_margin;
    std::vector<double> spend_per_customer, clv;
    GammaGammaParams gg{};
    if (predict->clv) {
      const FitResult gg_fit =
          gamma_gamma::fit(gamma_gamma::spend_data(s.frequency, s.monetary_value), fit_opts);
      gg = gamma_gamma::params(gg_fit);
      spend_per_customer.resize(s.size());
      for (std::size_t i = 0; i < s.size(); ++i) {
        spend_per_customer[i] = gamma_gamma::conditional_expected_average_spend(
            gg, s.frequency[i], s.monetary_value[i]);
      }
    }
    if (model->model == "bgnbd") {
      const BgNbdParams p = bg_nbd::params(fit);
      cet = bg_nbd::conditional_expected_transactions(p, horizon, patterns);
      for (std::size_t i = 0; i < patterns.size(); ++i) {
        alive[i] = bg_nbd::p_alive(p, patterns.x[i], patterns.t_x[i], patterns.T[i]);
      }
      if (predict->clv) {
        clv =
            customer_lifetime_value(p, {s.frequency, s.recency, s.T, spend_per_customer}, clv_opts);
      }
    } else {
      const MbgNbdParams p = mbg_nbd::params(fit);
      cet = mbg_nbd::conditional_expected_transactions(p, horizon, patterns);
      for (std::size_t i = 0; i < patterns.size(); ++i) {
        alive[i] = mbg_nbd::p_alive(p, patterns.x[i], patterns.t_x[i], patterns.T[i]);
      }
      if (predict->clv) {
        clv =
            customer_lifetime_value(p, {s.frequency, s.recency, s.T, spend_per_customer}, clv_opts);
      }
    }
    // Customer -> pattern index (patterns are sorted by (x, t_x, T)).
    std::map<std::tuple<double, double, double>, std::size_t> index;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      index.emplace(std::make_tuple(patterns.x[i], patterns.t_x[i], patterns.T[i]), i);
    }
    std::vector<std::string> columns{"customer_id", "frequency", "recency",
                                     "T",           "p_alive",   "expected_transactions"};
    if (s.has_holdout) columns.emplace_back("frequency_holdout");
    if (predict->clv) {
      columns.emplace_back("monetary_value");
      columns.emplace_back("expected_spend");
      columns.emplace_back("clv");
    }
    Output out = open_output(options->output);
    RowWriter w(out.stream(), format, columns);
    for (std::size_t i = 0; i < s.size(); ++i) {
      const double t_x = std::min(s.recency[i], s.T[i]);
      const std::size_t k = index.at(std::make_tuple(s.frequency[i], t_x, s.T[i]));
      w.text(log.customer_ids[s.customer[i]])
          .number(s.frequency[i])
          .number(s.recency[i])
          .number(s.T[i])
          .number(alive[k])
          .number(cet[k]);
      if (s.has_holdout) w.number(s.frequency_holdout[i]);
      if (predict->clv) {
        w.number(s.monetary_value[i]).number(spend_per_customer[i]).number(clv[i]);
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
