// `ltv fit`: maximum-likelihood fit of a customer-base model (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB)
// or the Gamma-Gamma spend model on a customer summary CSV or the calibration period of a
// transaction file. Prints the model JSON (the model file read by `ltv predict --model`).
#include <CLI/CLI.hpp>

#include <memory>

#include "command.hpp"
#include "ltv/error.hpp"
#include "ltv/io/row_writer.hpp"
#include "model_cli.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

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

void setup_fit(CLI::App& root) {
  auto options = std::make_shared<TransactionCliOptions>();
  auto model = std::make_shared<ModelCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "fit",
      "Fit a customer-base model by maximum likelihood: BG/NBD (bgnbd), MBG/NBD (mbgnbd), "
      "Pareto/NBD (pnbd), BG/BB (bgbb, discrete opportunities) or the Gamma-Gamma spend model "
      "(gg, repeat customers' mean spend). INPUT is a customer summary CSV (header with "
      "frequency,recency,T or periods[,monetary_value][,count|weights]) or a transaction file "
      "read with the shared options. Prints the model as JSON (params, stderr, ci95, "
      "log_likelihood, converged, ...); -o FILE saves it for `ltv predict --model FILE`.");
  add_transaction_options(*cmd, *options);
  // The shared --format defaults to csv; for fit the model JSON is the default output.
  options->format = "json";
  if (CLI::Option* f = cmd->get_option_no_throw("--format")) {
    f->default_str("json")->description("json (the model file) or csv (one row per parameter)");
  }
  if (CLI::Option* f = cmd->get_option_no_throw("FILE")) {
    f->description(
        "INPUT: a customer summary CSV (header with frequency and recency; see docs/cli/fit.md) "
        "or a transaction file (CSV/TSV/whitespace, optionally gzip-compressed; '-' = stdin)");
  }
  add_model_options(*cmd, *model, "Model: " + model_names());
  cmd->footer(
      "Output (json): {\"model\", \"params\", \"stderr\", \"ci95\", \"log_likelihood\", "
      "\"converged\", \"iterations\", \"n_customers\", \"n_patterns\", \"time_unit\", "
      "\"message\", \"optimizer_status\"}\n"
      "Output (--format csv): model,parameter,estimate,std_error,ci_lower,ci_upper,"
      "log_likelihood,customers,patterns,converged,iterations,message\n\n"
      "Examples:\n"
      "  ltv fit cdnow_customers_summary.csv --model bgnbd -o bgnbd.json\n"
      "  ltv fit donations.csv --model bgbb\n"
      "  ltv fit CDNOW_sample.txt --no-header --customer 2 --date 3 --amount 5 \\\n"
      "      --calibration-end 1997-09-30 --model gg -o gg.json");
  cmd->callback([options, model]() {
    const FitOptions fit_opts = fit_options(*model);
    const ModelDefinition& definition = model_definition(model->model);
    apply_config(*options);
    if (options->format != "json" && options->format != "csv") {
      parameter_error("format", options->format, "json or csv");
    }
    const ModelData data = load_model_data(*options, definition.discrete, false);
    const FitResult fit = fit_model(model->model, data, fit_opts);
    Output out = open_output(options->output);
    if (options->format == "csv") {
      write_rows(out.stream(), fit);
    } else {
      out.stream() << model_to_json(fit, data.time_unit).dump(2) << '\n';
    }
    out.close();
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(30, ltv::cli::setup_fit);
