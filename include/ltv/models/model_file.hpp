#pragma once
/// The one model file format: a fitted model as JSON, written by `ltv fit -o`, the main job's
/// model.json / spend_model.json, read back by `ltv predict --model`, the report and every face.
///
///   {"model": "bgnbd", "params": {"r": ..., ...}, "stderr": {...} | null,
///    "ci95": {"r": [lo, hi], ...} | null, "log_likelihood": ..., "converged": true,
///    "iterations": 17, "n_customers": 2357.0, "n_patterns": 1016, "time_unit": "week",
///    "message": "", "optimizer_status": "NLOPT_SUCCESS"}

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ltv/math/fit.hpp"

namespace ltv {

/// A model read back from its file: the fit (model name, parameter names and estimates, and the
/// other fields as saved when present) and its time unit ("" when absent).
struct SavedModel {
  FitResult fit;
  std::string time_unit;
};

/// The fit as the model JSON (fields in the order shown above).
nlohmann::ordered_json model_to_json(const FitResult& fit, const std::string& time_unit);

/// Reads a model from parsed JSON. InputError naming `source` when it is not an object with a
/// known model (ltv/models/registry.hpp) and a positive finite number for each of its parameters.
SavedModel model_from_json(const nlohmann::json& json, const std::string& source);

/// Reads a model from the text of a model file (what read_model_file does once the file is
/// read). InputError naming `source` for text that is not a model JSON (bad syntax, a number
/// out of range, nesting deeper than 16 levels) and as model_from_json.
SavedModel model_from_text(std::string_view text, const std::string& source);

/// Reads a model file. ParameterError for parameter `parameter` (e.g. "model", "spend_model")
/// when the file cannot be opened; InputError naming the file when it is not a model JSON.
SavedModel read_model_file(const std::string& path, const std::string& parameter = "model");

}  // namespace ltv
