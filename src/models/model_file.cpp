// The model file format (see ltv/models/model_file.hpp).
#include "ltv/models/model_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>

#include "ltv/error.hpp"
#include "ltv/models/registry.hpp"

namespace ltv {

nlohmann::ordered_json model_to_json(const FitResult& fit, const std::string& time_unit) {
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

SavedModel model_from_json(const nlohmann::json& j, const std::string& source) {
  const auto bad = [&](const std::string& found, const std::string& expected) {
    input_error(SourceLocation{source, 0, ""}, found, expected);
  };
  if (!j.is_object() || !j.contains("model") || !j["model"].is_string()) {
    bad(j.is_object() ? "an object without a \"model\" name"
                      : std::string("a JSON ") + j.type_name(),
        "a JSON object with \"model\" and \"params\" (from `ltv fit -o`)");
  }
  SavedModel m;
  m.fit.model = j["model"].get<std::string>();
  const ModelDefinition* definition = find_model(m.fit.model);
  if (definition == nullptr) {
    bad("model \"" + m.fit.model + "\"", "a model name: " + model_names());
  }
  const auto& names = definition->parameters;
  if (!j.contains("params") || !j["params"].is_object()) {
    bad("no \"params\" object", fmt::format("\"params\": {{...}} with {}", fmt::join(names, ", ")));
  }
  const auto& p = j["params"];
  for (const auto name_view : names) {
    const std::string name(name_view);
    if (!p.contains(name) || !p[name].is_number()) {
      bad(fmt::format("params.{} {}", name,
                      p.contains(name) ? std::string("a JSON ") + p[name].type_name() : "missing"),
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
    if (!std::isfinite(m.fit.log_likelihood)) {
      bad(fmt::format("log_likelihood = {}", m.fit.log_likelihood), "a finite log-likelihood");
    }
  }
  // Standard errors and intervals, when saved for every parameter.
  if (j.contains("stderr") && j["stderr"].is_object() && j.contains("ci95") &&
      j["ci95"].is_object()) {
    const auto& se = j["stderr"];
    const auto& ci = j["ci95"];
    std::vector<double> errors, lower, upper;
    for (const auto& name : m.fit.names) {
      if (!se.contains(name) || !se[name].is_number() || !ci.contains(name) ||
          !ci[name].is_array() || ci[name].size() != 2 || !ci[name][0].is_number() ||
          !ci[name][1].is_number()) {
        break;
      }
      errors.push_back(se[name].get<double>());
      lower.push_back(ci[name][0].get<double>());
      upper.push_back(ci[name][1].get<double>());
      if (!std::isfinite(errors.back()) || errors.back() < 0) {
        bad(fmt::format("stderr.{} = {}", name, errors.back()), "a finite standard error >= 0");
      }
      if (!std::isfinite(lower.back()) || !std::isfinite(upper.back()) ||
          lower.back() > upper.back()) {
        bad(fmt::format("ci95.{} = [{}, {}]", name, lower.back(), upper.back()),
            "a finite interval [lower, upper] with lower <= upper");
      }
    }
    if (errors.size() == m.fit.names.size()) {
      m.fit.std_errors = std::move(errors);
      m.fit.ci_lower = std::move(lower);
      m.fit.ci_upper = std::move(upper);
    }
  }
  if (j.contains("iterations") && j["iterations"].is_number_integer()) {
    const auto iterations = j["iterations"].get<std::int64_t>();
    if (iterations < 0 || iterations > std::numeric_limits<int>::max() ||
        (j["iterations"].is_number_unsigned() &&
         j["iterations"].get<std::uint64_t>() > static_cast<std::uint64_t>(iterations))) {
      bad(fmt::format("iterations = {}", j["iterations"].dump()),
          "a whole number of iterations >= 0");
    }
    m.fit.iterations = static_cast<int>(iterations);
  }
  if (j.contains("n_customers") && j["n_customers"].is_number()) {
    m.fit.n_customers = j["n_customers"].get<double>();
    if (!std::isfinite(m.fit.n_customers) || m.fit.n_customers < 0) {
      bad(fmt::format("n_customers = {}", m.fit.n_customers), "a finite customer count >= 0");
    }
  }
  if (j.contains("n_patterns") && j["n_patterns"].is_number_unsigned()) {
    m.fit.n_patterns = j["n_patterns"].get<std::size_t>();
  }
  if (j.contains("message") && j["message"].is_string()) {
    m.fit.message = j["message"].get<std::string>();
  }
  if (j.contains("optimizer_status") && j["optimizer_status"].is_string()) {
    m.fit.optimizer_status = j["optimizer_status"].get<std::string>();
  }
  return m;
}

SavedModel read_model_file(const std::string& path, const std::string& parameter) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    parameter_error(parameter, path,
                    "a model JSON file written by `ltv fit -o FILE` (cannot open it) or a model "
                    "name: " +
                        model_names());
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return model_from_text(buf.str(), path);
}

SavedModel model_from_text(std::string_view text, const std::string& path) {
  nlohmann::json j;
  try {
    // Model files are shallow; a deeply nested document is refused while it is parsed (the
    // callback sees each value's depth), so nothing recursive ever walks it.
    constexpr int kMaxDepth = 16;
    j = nlohmann::json::parse(text, [&](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
      if (depth > kMaxDepth) {
        input_error(SourceLocation{path, 0, ""},
                    fmt::format("JSON nested deeper than {} levels", kMaxDepth),
                    "a model JSON written by `ltv fit -o FILE`");
      }
      return true;
    });
  } catch (const nlohmann::json::exception& e) {
    // parse_error, and out_of_range for a number too large for a double (1e400).
    std::string what = e.what();
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2: ..."
    const auto pos = what.find("parse error");
    if (pos != std::string::npos) what = what.substr(pos);
    std::replace(what.begin(), what.end(), '\n', ' ');
    input_error(SourceLocation{path, 0, ""}, what, "a model JSON written by `ltv fit -o FILE`");
  }
  return model_from_json(j, path);
}

}  // namespace ltv
