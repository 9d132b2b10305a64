// `ltv predict`: per-customer predictions from a model saved by `ltv fit -o FILE` or a model
// fitted on the input first (the core's predict job); writes the table.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <memory>

#include "command.hpp"
#include "ltv/ltv.hpp"
#include "ltv/workspace/model_input.hpp"
#include "ltv/workspace/predict.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

void run_predict(CommandParameters& command) {
  Parameters p = command.resolved();
  // With a summary CSV input --margin NUMBER is the share of spend counted in the CLV (as
  // --profit-margin); with a transaction file it is the profit column, which predictions do not
  // use.
  if (const std::string margin = p.text("margin"); !margin.empty()) {
    if (p.text("customer").empty() && is_summary_csv(p.text("file"))) {
      if (p.given("profit_margin")) {
        parameter_error("margin", margin, "either --margin or --profit-margin, not both");
      }
      try {
        std::size_t used = 0;
        const double share = std::stod(margin, &used);
        if (used != margin.size() || !std::isfinite(share)) throw 0;
      } catch (...) {
        parameter_error("margin", margin,
                        "a number (the share of spend counted in the CLV, as --profit-margin) "
                        "with a summary CSV input");
      }
      p.set("profit_margin", margin);
      p.unset("margin");
    }
  }
  const OutputFormat format = parse_output_format(p.choice("format"));
  const Prediction prediction = predict(p);
  if (!p.flag("quiet") && prediction.load) {
    std::fputs(prediction.load->to_text().c_str(), stderr);
  }
  if (!p.flag("quiet") && prediction.pushed_down) {
    const auto& pd = *prediction.pushed_down;
    std::fputs(store::load_report(pd.scan).to_text().c_str(), stderr);
    fmt::print(stderr,
               "ltv: scored {} patterns in ltvkit{} ({} rows received, {} sent); customers "
               "joined to the scores in ClickHouse\n",
               pd.patterns,
               pd.spend_groups > 0
                   ? fmt::format(", fitted Gamma-Gamma on {} (x, m) groups", pd.spend_groups)
                   : "",
               pd.rows_received, pd.rows_sent);
  }
  if (!p.flag("quiet")) {
    for (const auto& w : prediction.warnings) fmt::print(stderr, "ltv: warning: {}\n", w);
  }
  if (prediction.pushed_down && prediction.pushed_down->written) {
    const auto& w = *prediction.pushed_down->written;
    if (!p.flag("quiet")) {
      std::string steps;
      for (const auto& [name, seconds] : prediction.pushed_down->steps) {
        steps += fmt::format("{}{} {:.2f} s", steps.empty() ? "" : ", ", name, seconds);
      }
      fmt::print(stderr, "ltv: steps: {}\n", steps);
      fmt::print(stderr, "ltv: wrote {} customers to {} (run {}{})\n", w.customers, w.target, w.run,
                 w.replaced ? ", the previous table replaced" : "");
    }
    return;
  }
  Output out(p.text("output"));
  write_table(out.stream(), prediction.table, format);
  out.close();
}

void setup_predict(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "predict",
      "Per-customer predictions from a count model saved by `ltv fit -o FILE` (any of `ltv "
      "fit`'s count models): P(alive) at the end of the data and the expected number of "
      "purchases in the next --horizon time units (BG/BB: opportunities). With --spend-model "
      "(a Gamma-Gamma model JSON) or --clv (fit Gamma-Gamma on the fly) also the expected spend "
      "per transaction and the discounted customer lifetime value over the horizon. INPUT is a "
      "customer summary CSV or a transaction file, as for `ltv fit`. --model may also be a model "
      "name to fit on INPUT first. With the contract retention model (sbg: a model file or the "
      "name) INPUT is a survival CSV and the output is its projection per cohort and period. "
      "On a ClickHouse source (clickhouse://host:port/db.table) the patterns are scored once "
      "each and joined back to the customers inside ClickHouse; -o clickhouse://host:port/"
      "db.table writes the result there (a run table switched in whole; docs/scale-out.md).");
  auto parameters = add_parameter_options(
      *cmd, {"source", "periods", "output", "format", "model", "fit", "clv", "predict"});
  cmd->get_option("FILE")->description(
      "INPUT: a customer summary CSV (header with frequency and recency; see docs/cli.md, "
      "ltv fit) or a transaction file (CSV/TSV/whitespace, optionally gzip-compressed; '-' = "
      "stdin)");
  cmd->get_option("--model")->description(
      "Model JSON file written by `ltv fit -o FILE`, or a model name (" +
      model_names(ModelKind::count) + ", or sbg on a survival CSV) to fit on INPUT first");
  cmd->get_option("--discount-rate")
      ->description("CLV discount rate per month (discrete monthly steps; BG/BB: per opportunity)")
      ->group("Prediction");
  cmd->get_option("--profit-margin")
      ->description(
          "Share of spend counted as value in the CLV. (--margin COL is the shared "
          "profit-column option; with a summary CSV input, --margin NUMBER is accepted "
          "as this share)")
      ->group("Prediction");
  cmd->footer(
      "Output columns: customer_id,frequency,recency,T,p_alive,expected_purchases"
      "[,frequency_holdout][,monetary_value,expected_spend,clv] (BG/BB: T = opportunities)\n"
      "Output columns (sbg): cohort,period,holdout,alive,expected_alive,survival,retention,"
      "p_churn[,derl[,clv]] (derl with --discount-rate per period, clv with --period-value)\n\n"
      "Examples:\n"
      "  ltv fit cdnow_customers_summary.csv --model bgnbd -o bgnbd.json\n"
      "  ltv predict --model bgnbd.json cdnow_customers_summary.csv --horizon 39\n"
      "  ltv predict --model bgnbd.json --spend-model gg.json CDNOW_sample.txt --no-header \\\n"
      "      --customer 2 --date 3 --amount 5 --calibration-end 1997-09-30 --horizon 52\n"
      "  ltv predict clickhouse://ch1:8123/retail.receipts --customer customer_id --date date \\\n"
      "      --amount amount --model bgnbd --clv -o clickhouse://ch1:8123/retail.scores\n"
      "  ltv predict --model sbg cohorts.csv --calibration-periods 7 --horizon 12 \\\n"
      "      --discount-rate 0.1 --period-value 120");
  cmd->callback([parameters]() { run_predict(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(40, ltv::cli::setup_predict);
