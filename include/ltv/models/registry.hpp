#pragma once
/// The one model registry. Every model ltvkit offers has one entry here: its name (the value of
/// `--model`, `"model"` in a model file), what it describes, its parameters and its operations.
/// Commands, the main job, the report and the faces dispatch on a model name only through this
/// registry (as CLVTools' one model interface and LightGBM's factories): adding a model is one
/// entry.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/math/fit.hpp"
#include "ltv/models/model.hpp"

namespace ltv {

/// What a model describes: purchases over time (count), spend per purchase, or how long
/// contracts last (retention: cohorts' survival tables, contractual settings).
enum class ModelKind { count, spend, retention };

/// Parameters in model order, natural scale (as FitResult::estimates).
using Theta = std::span<const double>;

/// One model: identity and operations. Count-model operations take (x, t_x, T) in the model's
/// time unit (discrete models: T = number of opportunities n, t = future opportunities).
struct ModelDefinition {
  std::string_view name;       ///< "bgnbd"
  std::string_view title;      ///< "BG/NBD"
  std::string_view reference;  ///< the paper it follows
  ModelKind kind = ModelKind::count;
  bool discrete = false;             ///< transaction opportunities instead of continuous time
  bool compared_by_default = false;  ///< a candidate of the main job's automatic model choice
  /// The fit needs RfmPatterns::sum_log_itt (inter-purchase times from a transaction log or a
  /// summary CSV's `litt` column): the (M)BG/CNBD-k models.
  bool needs_regularity = false;
  std::vector<std::string_view> parameters;  ///< names in model order

  // ---- count models (null for spend and retention models)
  FitResult (*fit)(const RfmPatterns& patterns, const FitOptions& options) = nullptr;
  double (*p_alive)(Theta theta, double x, double t_x, double T) = nullptr;
  /// Expected purchases in (T, T + t] given the history.
  double (*conditional_expected_transactions)(Theta theta, double t, double x, double t_x,
                                              double T) = nullptr;
  /// Expected repeat purchases of a new customer in (0, t].
  double (*expected_transactions)(Theta theta, double t) = nullptr;
  /// P(X(t) = n) for a new customer.
  double (*p_n_transactions)(Theta theta, double n, double t) = nullptr;
  /// P(at least one purchase in (T, T + t] | history); null where the model has no closed form.
  double (*probability_of_purchase)(Theta theta, double t, double x, double t_x,
                                    double T) = nullptr;
  /// P(n purchases in (T, T + t] | history) (BG/BB: n transactions in the next t opportunities).
  double (*conditional_p_n_transactions)(Theta theta, double n, double t, double x, double t_x,
                                         double T) = nullptr;
  /// P(alive at T + t | history up to T), nothing being known of (T, T + t]; null where dropout
  /// happens only at purchases (BG/NBD, MBG/NBD), so that it depends on the purchases of
  /// (T, T + t]. BG/BB: alive at opportunity n + t (t = 1 is p_alive).
  double (*p_alive_at)(Theta theta, double t, double x, double t_x, double T) = nullptr;
  /// Discounted expected residual transactions: continuous-time models take the continuous
  /// discount rate delta per time unit; discrete models the rate d per opportunity.
  double (*dert)(Theta theta, double rate, double x, double t_x, double T) = nullptr;
};

/// Every model, in the order `ltv --help` lists them.
std::span<const ModelDefinition> model_registry() noexcept;
/// The entry of `name`, or null.
const ModelDefinition* find_model(std::string_view name) noexcept;
/// The entry of `name`; ParameterError for parameter `model` naming the known models otherwise.
const ModelDefinition& model_definition(std::string_view name);
/// The entry of `name`, which must be of `kind`; ParameterError (`model`) otherwise.
const ModelDefinition& model_definition(std::string_view name, ModelKind kind);
/// "bgnbd, mbgnbd, pnbd, bgbb or gg" (all models, or those of one kind), for messages and help.
std::string model_names(std::optional<ModelKind> kind = std::nullopt);
/// The continuous-time count models (those `ltv analyze` and `ltv validate` can compare), e.g.
/// "bgnbd, mbgnbd, pnbd, nbd, ggomnbd, bgcnbdk or mbgcnbdk".
std::string continuous_model_names();
/// The candidates of the main job's automatic model choice (continuous-time count models).
std::vector<std::string> default_model_candidates();

/// A fitted count model with its predictions under one interface.
class FittedCountModel {
 public:
  /// Fits count model `name` on the patterns. ParameterError (`model`) for an unknown name or a
  /// spend model; whatever the model's fit throws.
  static FittedCountModel fit(std::string_view name, const RfmPatterns& patterns,
                              const FitOptions& options = {});
  /// A model of `name` with the given parameters (natural scale, registry order), e.g. published
  /// estimates. ParameterError (`model`) for an unknown name; ModelError for a wrong count or a
  /// parameter that is not positive and finite.
  static FittedCountModel with_parameters(std::string_view name, std::span<const double> theta);
  /// Rebuilds a model from a fit result (e.g. read back from a model file). ModelError when the
  /// result is not of a count model or has the wrong number of parameters.
  explicit FittedCountModel(FitResult result);

  const FitResult& result() const noexcept { return result_; }
  const std::string& name() const noexcept { return result_.model; }
  const ModelDefinition& definition() const noexcept { return *definition_; }
  bool discrete() const noexcept { return definition_->discrete; }
  /// P(alive) at T given (x, t_x, T).
  double p_alive(double x, double t_x, double T) const;
  /// Expected purchases in (T, T + t] given (x, t_x, T), t in the model's time unit.
  double conditional_expected_transactions(double t, double x, double t_x, double T) const;
  /// Unconditional expected repeat purchases of a new customer in (0, t].
  double expected_transactions(double t) const;
  /// P(X(t) = n) for a new customer.
  double p_n_transactions(double n, double t) const;
  /// P(at least one purchase in (T, T + t] | history); 0 for t <= 0. ModelError for a model
  /// without it.
  double probability_of_purchase(double t, double x, double t_x, double T) const;
  /// P(n purchases in (T, T + t] | history). ModelError for a model without it.
  double conditional_p_n_transactions(double n, double t, double x, double t_x, double T) const;
  /// P(alive at T + t | history up to T) (see ModelDefinition::p_alive_at). ModelError for a
  /// model without it.
  double p_alive_at(double t, double x, double t_x, double T) const;
  /// Discounted expected residual transactions (see ModelDefinition::dert).
  double dert(double rate, double x, double t_x, double T) const;

 private:
  FitResult result_;
  const ModelDefinition* definition_ = nullptr;
};

}  // namespace ltv
