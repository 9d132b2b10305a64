#include "model_cli.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "ltv/error.hpp"
#include "ltv/io/csv.hpp"
#include "ltv/io/numbers.hpp"
#include "ltv/io/table.hpp"
#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/mbg_nbd.hpp"
#include "ltv/models/pareto_nbd.hpp"

namespace ltv::cli {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> header_fields(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  auto flush = [&] {
    std::string t;
    for (char c : cur) {
      if (c != '"' && c != '\'' && !std::isspace(static_cast<unsigned char>(c))) t += c;
    }
    out.push_back(lower(t));
    cur.clear();
  };
  for (char c : line) {
    if (c == ',' || c == ';' || c == '\t' || c == '|') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return out;
}

const std::vector<std::string>& expected_params(const std::string& model) {
  static const std::vector<std::string> nbd{"r", "alpha", "a", "b"};
  static const std::vector<std::string> pnbd{"r", "alpha", "s", "beta"};
  static const std::vector<std::string> bgbb{"alpha", "beta", "gamma", "delta"};
  static const std::vector<std::string> gg{"p", "q", "gamma"};
  static const std::vector<std::string> none;
  if (model == "bgnbd" || model == "mbgnbd") return nbd;
  if (model == "pnbd") return pnbd;
  if (model == "bgbb") return bgbb;
  if (model == "gg") return gg;
  return none;
}

}  // namespace

void add_model_options(CLI::App& cmd, ModelCliOptions& o, const std::string& models) {
  const char* group = "Model";
  cmd.add_option("--model", o.model, models)->capture_default_str()->group(group);
  cmd.add_option("--penalty", o.penalty,
                 "L2 penalty on the log-parameters (0 = plain maximum likelihood)")
      ->capture_default_str()
      ->group(group);
  cmd.add_option("--starts", o.starts,
                 "Number of optimizer starting points (0 = the model's default)")
      ->capture_default_str()
      ->group(group);
  add_presearch_flag(cmd, o);
}

void add_presearch_flag(CLI::App& cmd, ModelCliOptions& o) {
  cmd.add_flag("--no-presearch", o.no_presearch,
               "Run every start on the full data (default: with more than 20,000 distinct "
               "(frequency, recency, T) patterns the starts search a subsample of 10,000 and the "
               "full data is fitted once, from the best optimum found there)")
      ->group("Model");
}

FitOptions fit_options(const ModelCliOptions& o) {
  FitOptions f;
  if (!(o.penalty >= 0) || !std::isfinite(o.penalty)) {
    option_error("penalty", fmt::format("{}", o.penalty), "a finite penalty >= 0");
  }
  if (o.starts < 0 || o.starts > 100) {
    option_error("starts", fmt::format("{}", o.starts), "a number of starts in 0..100");
  }
  f.l2_penalty = o.penalty;
  f.starts = o.starts;
  f.presearch = !o.no_presearch;
  return f;
}

bool is_summary_csv(const TransactionCliOptions& options) {
  apply_config(options);
  if (!options.columns.customer.empty() || options.file.empty() || options.file == "-") {
    return false;
  }
  std::ifstream in(options.file, std::ios::binary);
  std::string line;
  if (!in || !std::getline(in, line)) return false;
  if (line.size() >= 3 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  const auto fields = header_fields(line);
  const auto has = [&](const char* name) {
    return std::find(fields.begin(), fields.end(), name) != fields.end();
  };
  return has("frequency") && has("recency");
}

ModelData load_model_data(const TransactionCliOptions& options, bool bgbb, bool with_ids) {
  ModelData d;
  if (is_summary_csv(options)) {
    d.from_summary_csv = true;
    // Streamed: only the needed columns are parsed, straight into numbers (a summary of 10M
    // customers read whole as text would take several GB).
    CsvReader reader(options.file);
    Table t;  // header only, for the column lookup rules and messages
    t.source = reader.path();
    t.names = reader.header();
    const std::size_t c_x = t.require("frequency");
    const std::size_t c_tx = t.require("recency");
    const bool has_periods = t.find("periods").has_value();
    std::size_t c_T = 0;
    if (bgbb && has_periods) {
      c_T = *t.find("periods");
    } else if (t.find("T").has_value()) {
      c_T = *t.find("T");
    } else if (has_periods) {
      c_T = *t.find("periods");
    } else {
      t.require("T");  // throws, listing the columns
    }
    std::optional<std::size_t> c_w = t.find("weights");
    if (!c_w) c_w = t.find("weight");
    if (!c_w) c_w = t.find("count");
    const std::optional<std::size_t> c_m = t.find("monetary_value");
    // An id column: the first column when it is not one of the numeric summary columns.
    static const std::vector<std::string> known{"frequency",      "recency", "t",      "periods",
                                                "monetary_value", "weights", "weight", "count"};
    const std::string first = t.names.empty() ? std::string() : lower(t.names[0]);
    const bool has_id = std::find(known.begin(), known.end(), first) == known.end();
    CsvRecord record;
    auto number = [&](std::size_t c) {
      const std::string_view text = c < record.size() ? record[c] : std::string_view();
      if (auto v = parse_number(text)) return *v;
      input_error(SourceLocation{t.source, record.line, t.names[c]}, std::string(text),
                  "a finite number");
    };
    while (reader.next(record)) {
      d.x.push_back(number(c_x));
      d.t_x.push_back(number(c_tx));
      d.T.push_back(number(c_T));
      if (c_w) d.weight.push_back(number(*c_w));
      if (c_m) {
        // An empty cell is a missing amount (a summary without --amount), not a bad number.
        const bool empty = *c_m >= record.size() || record[*c_m].empty();
        if (empty && d.missing_monetary.line == 0) {
          d.missing_monetary = SourceLocation{t.source, record.line, t.names[*c_m]};
        }
        d.monetary_value.push_back(empty ? std::numeric_limits<double>::quiet_NaN() : number(*c_m));
      }
      if (with_ids) {
        d.ids.push_back(has_id ? std::string(record.size() > 0 ? record[0] : std::string_view())
                               : std::to_string(d.ids.size() + 1));
      }
    }
    const bool all_missing = std::all_of(d.monetary_value.begin(), d.monetary_value.end(),
                                         [](double v) { return std::isnan(v); });
    if (all_missing) d.monetary_value.clear();  // no spend in this summary at all
    if (bgbb) {
      d.time_unit = "period";
    } else {
      d.time_unit = std::string(to_string(parse_time_unit(options.time_unit)));
    }
    return d;
  }
  if (bgbb) {
    option_error("model", "bgbb",
                 "a summary CSV input (frequency,recency,periods) for bgbb: it needs discrete "
                 "transaction opportunities, a transaction file gives continuous times");
  }
  const SummaryOptions summary_opts = summary_options(options);
  const TransactionLog log = load_log(options, nullptr, false);
  const CustomerSummary s = summarize(log, summary_opts);
  d.time_unit = std::string(to_string(s.time_unit));
  d.ids.reserve(s.size());
  d.x = s.frequency;
  d.T = s.T;
  d.t_x.resize(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    d.ids.push_back(log.customer_ids[s.customer[i]]);
    d.t_x[i] = std::min(s.recency[i], s.T[i]);
  }
  if (s.has_amount) d.monetary_value = s.monetary_value;
  d.has_holdout = s.has_holdout;
  if (s.has_holdout) {
    d.frequency_holdout = s.frequency_holdout;
    d.duration_holdout = s.duration_holdout;
  }
  return d;
}

FitResult fit_model(const std::string& model, const ModelData& d, const FitOptions& f) {
  if (model == "gg") {
    if (d.monetary_value.empty()) {
      option_error("model", "gg",
                   "a transaction model: gg needs spend (--amount or --price on a transaction "
                   "file, or a monetary_value column in the summary CSV)");
    }
    if (d.missing_monetary.line > 0) {
      input_error(d.missing_monetary, "an empty cell", "a monetary value for every customer (gg)");
    }
    return gamma_gamma::fit(gamma_gamma::spend_data(d.x, d.monetary_value, d.weight), f);
  }
  if (model != "bgnbd" && model != "mbgnbd" && model != "pnbd" && model != "bgbb") {
    option_error("model", model, std::string("one of ") + kModelNames);
  }
  const RfmPatterns patterns = compress_patterns(d.x, d.t_x, d.T, d.weight);
  if (model == "bgnbd") return bg_nbd::fit(patterns, f);
  if (model == "mbgnbd") return mbg_nbd::fit(patterns, f);
  if (model == "pnbd") return pareto_nbd::fit(patterns, f);
  return bg_bb::fit(patterns, f);
}

nlohmann::ordered_json fit_to_json(const FitResult& fit, const std::string& time_unit) {
  using json = nlohmann::ordered_json;
  json j;
  j["model"] = fit.model;
  json params = json::object();
  for (std::size_t i = 0; i < fit.names.size(); ++i) params[fit.names[i]] = fit.estimates[i];
  j["params"] = params;
  const bool have_se = fit.std_errors.size() == fit.names.size() &&
                       fit.ci_lower.size() == fit.names.size() &&
                       fit.ci_upper.size() == fit.names.size();
  if (have_se) {
    json se = json::object(), ci = json::object();
    for (std::size_t i = 0; i < fit.names.size(); ++i) {
      se[fit.names[i]] = fit.std_errors[i];
      ci[fit.names[i]] = json::array({fit.ci_lower[i], fit.ci_upper[i]});
    }
    j["stderr"] = se;
    j["ci95"] = ci;
  } else {
    j["stderr"] = nullptr;
    j["ci95"] = nullptr;
  }
  j["log_likelihood"] = fit.log_likelihood;
  j["converged"] = fit.converged;
  j["iterations"] = fit.iterations;
  j["n_customers"] = fit.n_customers;
  j["n_patterns"] = fit.n_patterns;
  j["time_unit"] = time_unit;
  j["message"] = fit.message;
  j["optimizer_status"] = fit.optimizer_status;
  return j;
}

SavedModel read_model_file(const std::string& path) {
  const auto bad = [&](const std::string& found, const std::string& expected) {
    input_error(SourceLocation{path, 0, ""}, found, expected);
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    option_error("model", path,
                 std::string("a model JSON file written by `ltv fit -o FILE` (cannot open it) "
                             "or a model name: ") +
                     kModelNames);
  }
  std::stringstream buf;
  buf << in.rdbuf();
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(buf.str());
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    const auto pos = what.find("parse error");
    if (pos != std::string::npos) what = what.substr(pos);
    std::replace(what.begin(), what.end(), '\n', ' ');
    bad(what, "a model JSON written by `ltv fit -o FILE`");
  }
  if (!j.is_object() || !j.contains("model") || !j["model"].is_string()) {
    bad(j.dump().substr(0, 60), "a JSON object with \"model\" and \"params\" (from `ltv fit -o`)");
  }
  SavedModel m;
  m.fit.model = j["model"].get<std::string>();
  const auto& names = expected_params(m.fit.model);
  if (names.empty()) {
    bad("model \"" + m.fit.model + "\"", std::string("a model name: ") + kModelNames);
  }
  if (!j.contains("params") || !j["params"].is_object()) {
    bad("no \"params\" object",
        "\"params\": {...} with " + fmt::format("{}", fmt::join(names, ", ")));
  }
  for (const auto& name : names) {
    const auto& p = j["params"];
    if (!p.contains(name) || !p[name].is_number()) {
      bad(fmt::format("params.{} {}", name, p.contains(name) ? p[name].dump() : "missing"),
          fmt::format("a number for each {} parameter ({})", m.fit.model, fmt::join(names, ", ")));
    }
    const double v = p[name].get<double>();
    if (!std::isfinite(v) || v <= 0) {
      bad(fmt::format("params.{} = {}", name, v), "a positive finite parameter");
    }
    m.fit.names.push_back(name);
    m.fit.estimates.push_back(v);
  }
  if (j.contains("time_unit") && j["time_unit"].is_string()) {
    m.time_unit = j["time_unit"].get<std::string>();
  }
  if (j.contains("converged") && j["converged"].is_boolean()) {
    m.fit.converged = j["converged"].get<bool>();
  }
  if (j.contains("log_likelihood") && j["log_likelihood"].is_number()) {
    m.fit.log_likelihood = j["log_likelihood"].get<double>();
  }
  return m;
}

}  // namespace ltv::cli
