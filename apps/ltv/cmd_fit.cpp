// `ltv fit`: maximum-likelihood fit of a BTYD model (BG/NBD, MBG/NBD) or the Gamma-Gamma spend
// model on the calibration period of a transaction file; one row per parameter.
#include <CLI/CLI.hpp>

#include <memory>

#include "command.hpp"
#include "ltv/io/row_writer.hpp"
#include "model_cli.hpp"
#include "transaction_options.hpp"

namespace ltv::cli {
namespace {

void setup_fit(CLI::App& root) {
  auto options = std::make_shared<TransactionCliOptions>();
  auto model = std::make_shared<ModelCliOptions>();
  CLI::App* cmd = root.add_subcommand(
      "fit",
      "Fit a customer-base model by maximum likelihood on the calibration period: BG/NBD "
      "(bgnbd), MBG/NBD (mbgnbd) or the Gamma-Gamma spend model (gg, repeat customers' mean "
      "spend). Prints each parameter with its standard error and 95% interval.");
  add_transaction_options(*cmd, *options);
  add_model_options(*cmd, *model, "bgnbd, mbgnbd or gg");
  cmd->footer(
      "Output columns: model,parameter,estimate,std_error,ci_lower,ci_upper,log_likelihood,"
      "customers,patterns,converged,iterations,message\n\n"
      "Example (CDNOW sample, weeks, calibration to 1997-09-30):\n"
      "  ltv fit CDNOW_sample.txt --no-header --customer 2 --date 3 --amount 5 \\\n"
      "      --calibration-end 1997-09-30 --model bgnbd");
  cmd->callback([options, model]() {
    const FitOptions fit_opts = fit_options(*model);
    const SummaryOptions summary_opts = summary_options(*options);
    const OutputFormat format = output_format(*options);
    const TransactionLog log = load_log(*options);
    const CustomerSummary summary = summarize(log, summary_opts);
    const FitResult fit = fit_model(model->model, summary, fit_opts);
    Output out = open_output(options->output);
    RowWriter w(out.stream(), format,
                {"model", "parameter", "estimate", "std_error", "ci_lower", "ci_upper",
                 "log_likelihood", "customers", "patterns", "converged", "iterations", "message"});
    for (std::size_t i = 0; i < fit.names.size(); ++i) {
      w.text(fit.model).text(fit.names[i]).number(fit.estimates[i]);
      if (fit.std_errors.empty()) {
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
    out.close();
  });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(30, ltv::cli::setup_fit);
