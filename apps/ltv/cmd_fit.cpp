// `ltv fit`: maximum-likelihood fit of any model of the registry on a customer summary CSV or a
// transaction file; prints the model file (JSON) or one row per parameter (CSV).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <optional>

#include "command.hpp"
#include "ltv/ltv.hpp"
#include "ltv/workspace/model_input.hpp"
#include "ltv/workspace/retention.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

/// One row per parameter of the fit.
void write_rows(std::ostream& out, const FitResult& fit) {
  RowWriter w(out, OutputFormat::csv,
              {"model", "parameter", "estimate", "std_error", "ci_lower", "ci_upper",
               "log_likelihood", "customers", "patterns", "converged", "iterations", "message"});
  for (std::size_t i = 0; i < fit.names.size(); ++i) {
    w.text(fit.model).text(fit.names[i]).number(fit.estimates[i]);
    if (fit.std_errors.size() != fit.names.size()) {
      w.missing().missing().missing();
    } else {
      w.number(fit.std_errors[i]).number(fit.ci_lower[i]).number(fit.ci_upper[i]);
    }
    w.number(fit.log_likelihood)
        .number(fit.n_customers)
        .integer(static_cast<std::int64_t>(fit.n_patterns))
        .text(fit.converged ? "true" : "false")
        .integer(fit.iterations)
        .text(fit.message);
    w.end_row();
  }
  w.finish();
}

void run_fit(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const FitOptions fit_opts = fit_options(p);
  const ModelDefinition& definition = model_definition(p.text("model"));
  const std::string format = p.choice("format");
  std::optional<LoadReport> report;
  FitResult fit;
  std::string time_unit = "period";
  if (definition.kind == ModelKind::retention) {
    fit = fit_retention(p);  // cohorts' survival tables, not customer summaries
  } else if (auto pushed = pushed_down_model_input(p, definition.name, definition.discrete,
                                                   definition.needs_regularity)) {
    // A ClickHouse source: the patterns are computed there, only they travel.
    if (!p.flag("quiet")) std::fputs(store::load_report(pushed->scan).to_text().c_str(), stderr);
    fit = fit_model(definition.name, *pushed, fit_opts);
    time_unit = std::string(to_string(pushed->time_unit));
  } else {
    const ModelInput data =
        load_model_input(p, definition.discrete, false, &report, definition.needs_regularity);
    if (report && !p.flag("quiet")) std::fputs(report->to_text().c_str(), stderr);
    fit = fit_model(definition.name, data, fit_opts);
    time_unit = data.time_unit;
  }
  Output out(p.text("output"));
  if (format == "csv") {
    write_rows(out.stream(), fit);
  } else {
    out.stream() << model_to_json(fit, time_unit).dump(2) << '\n';
  }
  out.close();
}

void setup_fit(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "fit",
      "Fit a customer-base model by maximum likelihood: BG/NBD (bgnbd), MBG/NBD (mbgnbd), "
      "Pareto/NBD (pnbd), BG/BB (bgbb, discrete opportunities), NBD (nbd), GGompertz/NBD "
      "(ggomnbd), BG/CNBD-k and MBG/CNBD-k (bgcnbdk, mbgcnbdk: regular inter-purchase times, k "
      "chosen by likelihood), the Gamma-Gamma spend model (gg, repeat customers' mean spend) or "
      "the shifted-beta-geometric contract retention model (sbg). INPUT is a customer summary "
      "CSV (header with frequency,recency,T or periods[,monetary_value][,count|weights][,litt]) "
      "or a transaction file read with the shared options; for sbg a survival CSV "
      "([cohort,][period,]alive: customers still under contract after each renewal period). "
      "Prints the model as JSON (params, stderr, ci95, "
      "log_likelihood, converged, ...); -o FILE saves it for `ltv predict --model FILE`.");
  auto parameters =
      add_parameter_options(*cmd, {"source", "periods", "output", "format", "model", "fit"});
  // The model file is fit's default output.
  parameters->values.set_default("format", "json");
  cmd->get_option("--format")
      ->default_str("json")
      ->description("json (the model file) or csv (one row per parameter)");
  cmd->get_option("FILE")->description(
      "INPUT: a customer summary CSV (header with frequency and recency; see docs/cli.md, "
      "ltv fit) or a transaction file (CSV/TSV/whitespace, optionally gzip-compressed; '-' = "
      "stdin), a workspace, or a ClickHouse table clickhouse://host:port/db.table (the patterns "
      "are computed in ClickHouse; docs/scale-out.md)");
  cmd->get_option("--model")->description("Model: " + model_names());
  cmd->footer(
      "Output (json): {\"model\", \"params\", \"stderr\", \"ci95\", \"log_likelihood\", "
      "\"converged\", \"iterations\", \"n_customers\", \"n_patterns\", \"time_unit\", "
      "\"message\", \"optimizer_status\"}\n"
      "Output (--format csv): model,parameter,estimate,std_error,ci_lower,ci_upper,"
      "log_likelihood,customers,patterns,converged,iterations,message\n\n"
      "Examples:\n"
      "  ltv fit cdnow_customers_summary.csv --model bgnbd -o bgnbd.json\n"
      "  ltv fit donations.csv --model bgbb\n"
      "  ltv fit cohorts.csv --model sbg --calibration-periods 7   (cohort,period,alive)\n"
      "  ltv fit CDNOW_sample.txt --no-header --customer 2 --date 3 --amount 5 \\\n"
      "      --calibration-end 1997-09-30 --model gg -o gg.json");
  cmd->callback([parameters]() { run_fit(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(30, ltv::cli::setup_fit);
