// `ltv validate`: fits the count models on the calibration period of a transaction file and
// reports how well they predict the holdout: per-period tracking of repeat transactions, the
// conditional expectations by calibration frequency, per-customer errors and the models side
// by side (log-likelihood, AIC, BIC, holdout MAE).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "command.hpp"
#include "ltv/ltv.hpp"
#include "ltv/models/validation.hpp"
#include "ltv/workspace/model_input.hpp"
#include "parameter_options.hpp"

namespace ltv::cli {
namespace {

std::vector<std::string> parse_models(const std::string& text) {
  std::vector<std::string> out;
  if (text == "all") {
    for (auto name : count_model_names()) out.emplace_back(name);
    return out;
  }
  std::stringstream in(text);
  std::string name;
  while (std::getline(in, name, ',')) {
    const ModelDefinition* m = find_model(name);
    if (m == nullptr || m->kind != ModelKind::count || m->discrete) {
      parameter_error("model", name,
                      "all or a comma-separated list of " + continuous_model_names());
    }
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  if (out.empty()) {
    parameter_error("model", text, "all or a comma-separated list of " + continuous_model_names());
  }
  return out;
}

std::string number(double v, int digits) {
  return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : std::string("-");
}

void write_text(std::ostream& out, const ValidationReport& r) {
  const std::string unit(to_string(r.time_unit));
  const auto& p = r.periods;
  out << fmt::format("Calibration {} .. {} ({} {}s), holdout {} .. {} ({:.4g} {}s)\n",
                     format_date(p.start_day), format_date(r.calibration_end),
                     p.calibration_periods, unit, format_date(r.calibration_end + 1),
                     format_date(r.observation_end), r.duration_holdout, unit);
  out << fmt::format("Customers {} ({} distinct (frequency, recency, T) patterns)\n\n", r.customers,
                     r.patterns);
  out << "Models fitted on the calibration period, scored on the holdout:\n";
  out << fmt::format("{:<8} {:>6} {:>12} {:>11} {:>11} {:>8} {:>8} {:>9} {:>9} {:>8}  {}\n",
                     "model", "params", "log_lik", "AIC", "BIC", "MAE", "RMSE", "actual",
                     "expected", "error%", "note");
  for (std::size_t i = 0; i < r.models.size(); ++i) {
    const auto& m = r.models[i];
    const auto& s = m.score;
    if (!s.error.empty()) {
      out << fmt::format("{:<8} {}\n", s.model, "failed: " + s.error);
      continue;
    }
    std::string note = i == r.best ? "best holdout MAE" : "";
    if (!s.fit.converged) note += (note.empty() ? "" : "; ") + std::string("not converged");
    std::string line = fmt::format(
        "{:<8} {:>6} {:>12} {:>11} {:>11} {:>8} {:>8} {:>9} {:>9} {:>8}  {}", s.model, m.parameters,
        number(s.fit.log_likelihood, 2), number(m.aic, 1), number(s.bic, 1), number(s.mae, 4),
        number(s.rmse, 4), number(s.actual_total, 0), number(s.expected_total, 1),
        number(m.aggregate_error_pct, 2), note);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
  std::vector<std::string> fitted;
  for (const auto& m : r.models) {
    if (m.score.error.empty()) fitted.push_back(m.score.model);
  }
  if (fitted.empty()) return;
  const std::size_t periods = p.size();

  out << fmt::format(
      "\nConditional expectations: mean holdout purchases ({:.4g} {}s) by "
      "calibration frequency\n",
      r.duration_holdout, unit);
  out << fmt::format("{:>9} {:>9} {:>9}", "frequency", "customers", "actual");
  for (const auto& name : fitted) out << fmt::format(" {:>9}", name);
  out << '\n';
  const std::size_t buckets = r.conditional.size() / fitted.size();
  for (std::size_t b = 0; b < buckets; ++b) {
    const auto& row = r.conditional[b];
    out << fmt::format("{:>9} {:>9} {:>9}", row.label, row.customers,
                       row.customers ? number(row.actual_mean, 3) : "-");
    for (std::size_t m = 0; m < fitted.size(); ++m) {
      const auto& c = r.conditional[m * buckets + b];
      out << fmt::format(" {:>9}", c.customers ? number(c.expected_mean, 3) : "-");
    }
    out << '\n';
  }

  out << fmt::format(
      "\nTracking: repeat transactions per {} (cumulative), actual vs expected; "
      "* = holdout\n",
      unit);
  out << fmt::format("{:>7} {:>10} {:>8}", unit, "start", "actual");
  for (const auto& name : fitted) out << fmt::format(" {:>8}", name);
  out << fmt::format(" {:>10}", "cum_actual");
  for (const auto& name : fitted) out << fmt::format(" {:>10}", "cum_" + name);
  out << '\n';
  for (std::size_t k = 0; k < periods; ++k) {
    const auto& row = r.tracking[k];
    out << fmt::format("{:>6}{} {:>10} {:>8}", row.period, row.holdout ? '*' : ' ',
                       format_date(row.period_start), number(row.actual, 0));
    for (std::size_t m = 0; m < fitted.size(); ++m) {
      out << fmt::format(" {:>8}", number(r.tracking[m * periods + k].expected, 2));
    }
    out << fmt::format(" {:>10}", number(row.actual_cumulative, 0));
    for (std::size_t m = 0; m < fitted.size(); ++m) {
      out << fmt::format(" {:>10}", number(r.tracking[m * periods + k].expected_cumulative, 1));
    }
    out << '\n';
  }
}

nlohmann::ordered_json to_json(const ValidationReport& r) {
  auto rows = [&](const ResultTable& table) {
    std::ostringstream s;
    write_table(s, table, OutputFormat::json);
    return nlohmann::ordered_json::parse(s.str());
  };
  nlohmann::ordered_json j;
  j["time_unit"] = std::string(to_string(r.time_unit));
  j["first_purchase"] = format_date(r.periods.start_day);
  j["calibration_end"] = format_date(r.calibration_end);
  j["observation_end"] = format_date(r.observation_end);
  j["calibration_periods"] = r.periods.calibration_periods;
  j["holdout_duration"] = r.duration_holdout;
  j["customers"] = r.customers;
  j["patterns"] = r.patterns;
  j["best_by_holdout_mae"] =
      r.best < r.models.size() ? nlohmann::ordered_json(r.models[r.best].score.model) : nullptr;
  j["models"] = rows(validation_models_table(r));
  j["conditional"] = rows(conditional_table(r));
  j["tracking"] = rows(tracking_table(r, true));
  return j;
}

bool is_directory_target(const std::string& output) {
  if (output.empty() || output == "-") return false;
  return output.back() == '/' || std::filesystem::is_directory(output);
}

void run_validate(CommandParameters& command) {
  const Parameters& p = command.resolved();
  const std::string format = p.choice("format");
  const std::string table = p.choice("table");
  ValidationOptions vo;
  vo.models = parse_models(p.text("model"));
  vo.max_frequency_bucket = static_cast<int>(p.integer("max_frequency"));
  vo.fit = fit_options(p);
  const SummaryOptions summary_opts = summary_options(p);
  if (!summary_opts.calibration_end) {
    parameter_error("calibration_end", "(none)",
                    "the last day of the calibration period (YYYY-MM-DD); the rest is the holdout");
  }
  TransactionSource source = TransactionSource::from_parameters(p);  // a file or a database
  source.options.keep_extra_columns = false;
  Workspace workspace(std::move(source));
  const TransactionLog& log = workspace.transactions();
  if (!p.flag("quiet")) std::fputs(workspace.load_report().to_text().c_str(), stderr);
  const CustomerSummary summary = summarize(log, summary_opts);
  if (!summary.has_holdout) {
    parameter_error("calibration_end", format_date(*summary_opts.calibration_end),
                    "a date before the observation end " + format_date(summary.observation_end) +
                        ", so there is a holdout");
  }
  const ValidationReport report = validate(log, summary, vo);

  const std::string output = p.text("output");
  if (is_directory_target(output)) {
    namespace fs = std::filesystem;
    const fs::path dir = output;
    fs::create_directories(dir);
    const OutputFormat f = format == "json" ? OutputFormat::json : OutputFormat::csv;
    const std::string ext = format == "json" ? ".json" : ".csv";
    auto save = [&](const std::string& name, const ResultTable& t) {
      Output out((dir / (name + ext)).string());
      write_table(out.stream(), t, f);
      out.close();
    };
    save("models", validation_models_table(report));
    save("tracking", tracking_table(report, true));
    save("conditional", conditional_table(report));
    Output text((dir / "report.txt").string());
    write_text(text.stream(), report);
    text.close();
    return;
  }
  Output out(output);
  if (format == "text") {
    write_text(out.stream(), report);
  } else if (format == "json") {
    out.stream() << to_json(report).dump(2) << '\n';
  } else if (table == "models") {
    write_table(out.stream(), validation_models_table(report), OutputFormat::csv);
  } else if (table == "tracking") {
    write_table(out.stream(), tracking_table(report, true), OutputFormat::csv);
  } else {
    write_table(out.stream(), conditional_table(report), OutputFormat::csv);
  }
  out.close();
}

void setup_validate(CLI::App& root) {
  CLI::App* cmd = root.add_subcommand(
      "validate",
      "Validate the count models on a holdout: fit BG/NBD, MBG/NBD and Pareto/NBD on the "
      "transactions up to --calibration-end, predict the rest, and report per-period tracking "
      "of repeat transactions (actual vs expected, cumulative), mean holdout purchases by "
      "calibration frequency (actual vs conditional expectation), per-customer MAE/RMSE, the "
      "aggregate error, and the models side by side (log-likelihood, AIC, BIC).");
  auto parameters = add_parameter_options(*cmd, {"source", "periods", "output", "fit", "validate"});
  cmd->get_option("--output")
      ->description(
          "Output FILE ('-' = stdout), or a DIR (existing, or ending in '/') that receives "
          "models, tracking and conditional (.csv or .json) and report.txt");
  cmd->footer(
      "Tables: models (model,parameters,log_likelihood,aic,bic,holdout_mae,holdout_rmse,\n"
      "holdout_actual,holdout_expected,aggregate_error_pct,converged,error); tracking (model,\n"
      "period,period_start,actual,expected,actual_cumulative,expected_cumulative,holdout);\n"
      "conditional (model,calibration_frequency,customers,actual_mean,expected_mean).\n\n"
      "Examples:\n"
      "  ltv validate CDNOW_sample.txt --no-header --customer 2 --date 3 --amount 5 \\\n"
      "      --calibration-end 1997-09-30\n"
      "  ltv validate sim/transactions.csv --customer customer_id --date date \\\n"
      "      --calibration-end 2025-06-30 --model bgnbd,pnbd --format csv -o validation/");
  cmd->callback([parameters]() { run_validate(*parameters); });
}

}  // namespace
}  // namespace ltv::cli

LTV_REGISTER_COMMAND(33, ltv::cli::setup_validate);
