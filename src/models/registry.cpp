// The model registry: one entry per model (see ltv/models/registry.hpp).
#include "ltv/models/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/quadrature/gauss.hpp>
#include <cmath>

#include "ltv/error.hpp"
#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_cnbd_k.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/ggompertz_nbd.hpp"
#include "ltv/models/mbg_cnbd_k.hpp"
#include "ltv/models/mbg_nbd.hpp"
#include "ltv/models/nbd.hpp"
#include "ltv/models/pareto_nbd.hpp"

namespace ltv {

namespace {

BgNbdParams bgnbd(Theta t) {
  return {t[0], t[1], t[2], t[3]};
}
MbgNbdParams mbgnbd(Theta t) {
  return {t[0], t[1], t[2], t[3]};
}
ParetoNbdParams pnbd(Theta t) {
  return {t[0], t[1], t[2], t[3]};
}
BgBbParams bgbb(Theta t) {
  return {t[0], t[1], t[2], t[3]};
}
NbdParams nbd(Theta t) {
  return {t[0], t[1]};
}
GgompertzNbdParams ggomnbd(Theta t) {
  return {t[0], t[1], t[2], t[3], t[4]};
}
/// (M)BG/CNBD-k parameters (k, r, alpha, a, b); ModelError for a k that is not a whole number
/// (the models check its range and the other parameters).
CnbdKParams cnbd(Theta t) {
  if (!(t[0] >= 1 && t[0] <= 64 && std::floor(t[0]) == t[0])) {
    throw ModelError(fmt::format("parameter k = {}: expected a whole number in 1..64", t[0]));
  }
  return {static_cast<int>(t[0]), t[1], t[2], t[3], t[4]};
}

/// The regularity data of a CNBD-k fit; ModelError naming the model when the patterns carry no
/// inter-purchase times.
RegularityPatterns regularity(const RfmPatterns& p, std::string_view model) {
  if (std::isnan(p.sum_log_itt)) {
    throw ModelError(fmt::format(
        "{} needs the customers' inter-purchase times: fit it on a transaction file, or on a "
        "summary CSV with a litt column (the sum of ln inter-purchase times, as BTYDplus's "
        "elog2cbs writes)",
        model));
  }
  return RegularityPatterns{p, p.sum_log_itt};
}

/// P(purchase in (T, T+t] | history) for BG/NBD and MBG/NBD: alive at T (probability p_alive)
/// and no dropout before the next purchase, with lambda | history ~ Gamma(r + x, alpha + T)
/// (Fader, Hardie & Lee 2005, eq. 7 and the posterior of lambda).
double nbd_probability_of_purchase(double p_alive, double r, double alpha, double t, double x,
                                   double T) {
  return p_alive * (1.0 - std::pow((alpha + T) / (alpha + T + t), r + x));
}

std::vector<ModelDefinition> make_registry() {
  std::vector<ModelDefinition> r;
  {
    ModelDefinition m;
    m.name = "bgnbd";
    m.title = "BG/NBD";
    m.reference = "Fader, Hardie & Lee (2005), \"Counting your customers\" the easy way";
    m.compared_by_default = true;
    m.parameters = {"r", "alpha", "a", "b"};
    m.fit = [](const RfmPatterns& p, const FitOptions& o) { return bg_nbd::fit(p, o); };
    m.p_alive = [](Theta t, double x, double t_x, double T) {
      return bg_nbd::p_alive(bgnbd(t), x, t_x, T);
    };
    m.conditional_expected_transactions = [](Theta t, double h, double x, double t_x, double T) {
      return bg_nbd::conditional_expected_transactions(bgnbd(t), h, x, t_x, T);
    };
    m.expected_transactions = [](Theta t, double h) {
      return bg_nbd::expected_transactions(bgnbd(t), h);
    };
    m.dert = [](Theta t, double rate, double x, double t_x, double T) {
      return bg_nbd::dert(bgnbd(t), rate, x, t_x, T);
    };
    m.p_n_transactions = [](Theta t, double n, double h) {
      return bg_nbd::p_n_transactions(bgnbd(t), n, h);
    };
    m.probability_of_purchase = [](Theta t, double h, double x, double t_x, double T) {
      return nbd_probability_of_purchase(bg_nbd::p_alive(bgnbd(t), x, t_x, T), t[0], t[1], h, x, T);
    };
    m.conditional_p_n_transactions = [](Theta t, double n, double h, double x, double t_x,
                                        double T) {
      return bg_nbd::conditional_p_n_transactions(bgnbd(t), n, h, x, t_x, T);
    };
    r.push_back(m);
  }
  {
    ModelDefinition m;
    m.name = "mbgnbd";
    m.title = "MBG/NBD";
    m.reference = "Batislam, Denizel & Filiztekin (2007); Hoppe & Wagner (2007)";
    m.compared_by_default = true;
    m.parameters = {"r", "alpha", "a", "b"};
    m.fit = [](const RfmPatterns& p, const FitOptions& o) { return mbg_nbd::fit(p, o); };
    m.p_alive = [](Theta t, double x, double t_x, double T) {
      return mbg_nbd::p_alive(mbgnbd(t), x, t_x, T);
    };
    m.conditional_expected_transactions = [](Theta t, double h, double x, double t_x, double T) {
      return mbg_nbd::conditional_expected_transactions(mbgnbd(t), h, x, t_x, T);
    };
    m.expected_transactions = [](Theta t, double h) {
      return mbg_nbd::expected_transactions(mbgnbd(t), h);
    };
    m.dert = [](Theta t, double rate, double x, double t_x, double T) {
      return mbg_nbd::dert(mbgnbd(t), rate, x, t_x, T);
    };
    m.p_n_transactions = [](Theta t, double n, double h) {
      return mbg_nbd::p_n_transactions(mbgnbd(t), n, h);
    };
    m.probability_of_purchase = [](Theta t, double h, double x, double t_x, double T) {
      return nbd_probability_of_purchase(mbg_nbd::p_alive(mbgnbd(t), x, t_x, T), t[0], t[1], h, x,
                                         T);
    };
    m.conditional_p_n_transactions = [](Theta t, double n, double h, double x, double t_x,
                                        double T) {
      return mbg_nbd::conditional_p_n_transactions(mbgnbd(t), n, h, x, t_x, T);
    };
    r.push_back(m);
  }
  {
    ModelDefinition m;
    m.name = "pnbd";
    m.title = "Pareto/NBD";
    m.reference = "Schmittlein, Morrison & Colombo (1987); Fader, Hardie & Lee (2005)";
    m.compared_by_default = true;
    m.parameters = {"r", "alpha", "s", "beta"};
    m.fit = [](const RfmPatterns& p, const FitOptions& o) { return pareto_nbd::fit(p, o); };
    m.p_alive = [](Theta t, double x, double t_x, double T) {
      return pareto_nbd::p_alive(pnbd(t), x, t_x, T);
    };
    m.conditional_expected_transactions = [](Theta t, double h, double x, double t_x, double T) {
      return pareto_nbd::conditional_expected_transactions(pnbd(t), h, x, t_x, T);
    };
    m.expected_transactions = [](Theta t, double h) {
      return pareto_nbd::expected_transactions(pnbd(t), h);
    };
    m.dert = [](Theta t, double rate, double x, double t_x, double T) {
      return pareto_nbd::dert(pnbd(t), rate, x, t_x, T);
    };
    m.p_n_transactions = [](Theta t, double n, double h) {
      return pareto_nbd::p_n_transactions(pnbd(t), n, h);
    };
    m.probability_of_purchase = [](Theta t, double h, double x, double t_x, double T) {
      // Given alive at T: lambda ~ Gamma(r + x, alpha + T), mu ~ Gamma(s, beta + T);
      // P(purchase in h | lambda, mu) = int_0^h lambda exp(-(lambda + mu) u) du, integrated over
      // both posteriors in closed form inside the u integral.
      const double s = t[2], beta = t[3];
      const double a = t[0] + x, b = t[1] + T, c = beta + T;
      auto f = [&](double u) {
        return a / b * std::pow(b / (b + u), a + 1) * std::pow(c / (c + u), s);
      };
      const double integral = boost::math::quadrature::gauss<double, 30>::integrate(f, 0.0, h);
      return pareto_nbd::p_alive(pnbd(t), x, t_x, T) * std::clamp(integral, 0.0, 1.0);
    };
    m.conditional_p_n_transactions = [](Theta t, double n, double h, double x, double t_x,
                                        double T) {
      return pareto_nbd::conditional_p_n_transactions(pnbd(t), n, h, x, t_x, T);
    };
    m.p_alive_at = [](Theta t, double h, double x, double t_x, double T) {
      return pareto_nbd::p_alive_at(pnbd(t), h, x, t_x, T);
    };
    r.push_back(m);
  }
  {
    ModelDefinition m;
    m.name = "bgbb";
    m.title = "BG/BB";
    m.reference = "Fader, Hardie & Shang (2010), discrete transaction opportunities";
    m.discrete = true;
    m.parameters = {"alpha", "beta", "gamma", "delta"};
    m.fit = [](const RfmPatterns& p, const FitOptions& o) { return bg_bb::fit(p, o); };
    m.p_alive = [](Theta t, double x, double t_x, double n) {
      return bg_bb::p_alive(bgbb(t), x, t_x, n);
    };
    m.conditional_expected_transactions = [](Theta t, double h, double x, double t_x, double n) {
      return bg_bb::conditional_expected_transactions(bgbb(t), h, x, t_x, n);
    };
    m.expected_transactions = [](Theta t, double h) {
      return bg_bb::expected_transactions(bgbb(t), h);
    };
    m.dert = [](Theta t, double rate, double x, double t_x, double T) {
      return bg_bb::dert(bgbb(t), rate, x, t_x, T);
    };
    m.p_n_transactions = [](Theta t, double k, double n) {
      return bg_bb::p_n_transactions(bgbb(t), k, n);
    };
    m.conditional_p_n_transactions = [](Theta t, double k, double h, double x, double t_x,
                                        double n) {
      return bg_bb::conditional_p_n_transactions(bgbb(t), k, h, x, t_x, n);
    };
    m.p_alive_at = [](Theta t, double h, double x, double t_x, double n) {
      return bg_bb::p_alive(bgbb(t), x, t_x, n, h);
    };
    r.push_back(m);
  }
  {
    ModelDefinition m;
    m.name = "nbd";
    m.title = "NBD";
    m.reference = "Ehrenberg (1959), \"The pattern of consumer purchases\"; BTYDplus nbd.*";
    m.parameters = {"r", "alpha"};
    m.fit = [](const RfmPatterns& p, const FitOptions& o) { return nbd::fit(p, o); };
    m.p_alive = [](Theta t, double x, double t_x, double T) {
      return nbd::p_alive(nbd(t), x, t_x, T);
    };
    m.conditional_expected_transactions = [](Theta t, double h, double x, double t_x, double T) {
      return nbd::conditional_expected_transactions(nbd(t), h, x, t_x, T);
    };
    m.expected_transactions = [](Theta t, double h) {
      return nbd::expected_transactions(nbd(t), h);
    };
    m.dert = [](Theta t, double rate, double x, double t_x, double T) {
      return nbd::dert(nbd(t), rate, x, t_x, T);
    };
    m.p_n_transactions = [](Theta t, double n, double h) {
      return nbd::p_n_transactions(nbd(t), n, h);
    };
    m.probability_of_purchase = [](Theta t, double h, double x, double t_x, double T) {
      return 1.0 - nbd::conditional_p_n_transactions(nbd(t), 0.0, h, x, t_x, T);
    };
    r.push_back(m);
  }
  {
    ModelDefinition m;
    m.name = "ggomnbd";
    m.title = "GGompertz/NBD";
    m.reference = "Bemmaor & Glady (2012), \"Modeling purchasing behavior with sudden 'death'\"";
    m.parameters = {"r", "alpha", "b", "s", "beta"};
    m.fit = [](const RfmPatterns& p, const FitOptions& o) { return ggompertz_nbd::fit(p, o); };
    m.p_alive = [](Theta t, double x, double t_x, double T) {
      return ggompertz_nbd::p_alive(ggomnbd(t), x, t_x, T);
    };
    m.conditional_expected_transactions = [](Theta t, double h, double x, double t_x, double T) {
      return ggompertz_nbd::conditional_expected_transactions(ggomnbd(t), h, x, t_x, T);
    };
    m.expected_transactions = [](Theta t, double h) {
      return ggompertz_nbd::expected_transactions(ggomnbd(t), h);
    };
    m.dert = [](Theta t, double rate, double x, double t_x, double T) {
      return ggompertz_nbd::dert(ggomnbd(t), rate, x, t_x, T);
    };
    m.p_n_transactions = [](Theta t, double n, double h) {
      return ggompertz_nbd::p_n_transactions(ggomnbd(t), n, h);
    };
    m.probability_of_purchase = [](Theta t, double h, double x, double t_x, double T) {
      return std::clamp(
          1.0 - ggompertz_nbd::conditional_p_n_transactions(ggomnbd(t), 0.0, h, x, t_x, T), 0.0,
          1.0);
    };
    r.push_back(m);
  }
  {
    ModelDefinition m;
    m.name = "bgcnbdk";
    m.title = "BG/CNBD-k";
    m.reference = "Reutterer, Platzer & Schröder (2021); Platzer & Reutterer (2016); BTYDplus";
    m.needs_regularity = true;
    m.parameters = {"k", "r", "alpha", "a", "b"};
    m.fit = [](const RfmPatterns& p, const FitOptions& o) {
      CnbdKFitOptions options;
      options.fit = o;
      return bg_cnbd_k::fit(regularity(p, "bgcnbdk"), options);
    };
    m.p_alive = [](Theta t, double x, double t_x, double T) {
      return bg_cnbd_k::p_alive(cnbd(t), x, t_x, T);
    };
    m.conditional_expected_transactions = [](Theta t, double h, double x, double t_x, double T) {
      return bg_cnbd_k::conditional_expected_transactions(cnbd(t), h, x, t_x, T);
    };
    m.expected_transactions = [](Theta t, double h) {
      return bg_cnbd_k::expected_transactions(cnbd(t), h);
    };
    m.dert = [](Theta t, double rate, double x, double t_x, double T) {
      return bg_cnbd_k::dert(cnbd(t), rate, x, t_x, T);
    };
    m.p_n_transactions = [](Theta t, double n, double h) {
      return bg_cnbd_k::p_n_transactions(cnbd(t), n, h);
    };
    m.probability_of_purchase = [](Theta t, double h, double x, double t_x, double T) {
      return bg_cnbd_k::probability_of_purchase(cnbd(t), h, x, t_x, T);
    };
    r.push_back(m);
  }
  {
    ModelDefinition m;
    m.name = "mbgcnbdk";
    m.title = "MBG/CNBD-k";
    m.reference = "Reutterer, Platzer & Schröder (2021); Platzer & Reutterer (2016); BTYDplus";
    m.needs_regularity = true;
    m.parameters = {"k", "r", "alpha", "a", "b"};
    m.fit = [](const RfmPatterns& p, const FitOptions& o) {
      CnbdKFitOptions options;
      options.fit = o;
      return mbg_cnbd_k::fit(regularity(p, "mbgcnbdk"), options);
    };
    m.p_alive = [](Theta t, double x, double t_x, double T) {
      return mbg_cnbd_k::p_alive(cnbd(t), x, t_x, T);
    };
    m.conditional_expected_transactions = [](Theta t, double h, double x, double t_x, double T) {
      return mbg_cnbd_k::conditional_expected_transactions(cnbd(t), h, x, t_x, T);
    };
    m.expected_transactions = [](Theta t, double h) {
      return mbg_cnbd_k::expected_transactions(cnbd(t), h);
    };
    m.dert = [](Theta t, double rate, double x, double t_x, double T) {
      return mbg_cnbd_k::dert(cnbd(t), rate, x, t_x, T);
    };
    m.p_n_transactions = [](Theta t, double n, double h) {
      return mbg_cnbd_k::p_n_transactions(cnbd(t), n, h);
    };
    m.probability_of_purchase = [](Theta t, double h, double x, double t_x, double T) {
      return mbg_cnbd_k::probability_of_purchase(cnbd(t), h, x, t_x, T);
    };
    r.push_back(m);
  }
  {
    ModelDefinition m;
    m.name = "gg";
    m.title = "Gamma-Gamma";
    m.reference = "Fader, Hardie & Lee (2005), \"RFM and CLV\"; Colombo & Jiang (1999)";
    m.kind = ModelKind::spend;
    m.parameters = {"p", "q", "gamma"};
    r.push_back(m);
  }
  {
    ModelDefinition m;
    m.name = "sbg";
    m.title = "sBG";
    m.reference = "Fader & Hardie (2007), \"How to Project Customer Retention\"";
    m.kind = ModelKind::retention;
    m.parameters = {"gamma", "delta"};
    r.push_back(m);
  }
  return r;
}

const std::vector<ModelDefinition>& registry() {
  static const std::vector<ModelDefinition> r = make_registry();
  return r;
}

}  // namespace

std::span<const ModelDefinition> model_registry() noexcept {
  return registry();
}

const ModelDefinition* find_model(std::string_view name) noexcept {
  for (const ModelDefinition& m : registry()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

namespace {

/// "a, b or c".
std::string join_names(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace

std::string model_names(std::optional<ModelKind> kind) {
  std::vector<std::string_view> names;
  for (const ModelDefinition& m : registry()) {
    if (!kind || m.kind == *kind) names.push_back(m.name);
  }
  return join_names(names);
}

std::string continuous_model_names() {
  std::vector<std::string_view> names;
  for (const ModelDefinition& m : registry()) {
    if (m.kind == ModelKind::count && !m.discrete) names.push_back(m.name);
  }
  return join_names(names);
}

const ModelDefinition& model_definition(std::string_view name) {
  if (const ModelDefinition* m = find_model(name)) return *m;
  parameter_error("model", std::string(name), "a model name: " + model_names());
}

const ModelDefinition& model_definition(std::string_view name, ModelKind kind) {
  const ModelDefinition* m = find_model(name);
  if (m == nullptr || m->kind != kind) {
    parameter_error("model", std::string(name),
                    std::string(kind == ModelKind::count   ? "a count model: "
                                : kind == ModelKind::spend ? "a spend model: "
                                                           : "a retention model: ") +
                        model_names(kind));
  }
  return *m;
}

std::vector<std::string> default_model_candidates() {
  std::vector<std::string> out;
  for (const ModelDefinition& m : registry()) {
    if (m.compared_by_default) out.emplace_back(m.name);
  }
  return out;
}

FittedCountModel FittedCountModel::fit(std::string_view name, const RfmPatterns& patterns,
                                       const FitOptions& options) {
  return FittedCountModel(model_definition(name, ModelKind::count).fit(patterns, options));
}

FittedCountModel FittedCountModel::with_parameters(std::string_view name,
                                                   std::span<const double> theta) {
  const ModelDefinition& m = model_definition(name, ModelKind::count);
  if (theta.size() != m.parameters.size()) {
    throw ModelError(
        fmt::format("{} takes {} parameters, not {}", m.name, m.parameters.size(), theta.size()));
  }
  FitResult fit;
  fit.model = std::string(m.name);
  for (std::size_t i = 0; i < theta.size(); ++i) {
    if (!std::isfinite(theta[i]) || !(theta[i] > 0)) {
      throw ModelError(fmt::format("{} parameter {} = {}: expected a positive finite value", m.name,
                                   m.parameters[i], theta[i]));
    }
    fit.names.emplace_back(m.parameters[i]);
    fit.estimates.push_back(theta[i]);
  }
  fit.converged = true;
  return FittedCountModel(std::move(fit));
}

FittedCountModel::FittedCountModel(FitResult result) : result_(std::move(result)) {
  const ModelDefinition* m = find_model(result_.model);
  if (m == nullptr || m->kind != ModelKind::count ||
      result_.estimates.size() != m->parameters.size()) {
    throw ModelError(fmt::format("model '{}' is not a count model with its parameters ({})",
                                 result_.model, model_names(ModelKind::count)));
  }
  definition_ = m;
}

double FittedCountModel::p_alive(double x, double t_x, double T) const {
  return definition_->p_alive(result_.estimates, x, t_x, T);
}

double FittedCountModel::conditional_expected_transactions(double t, double x, double t_x,
                                                           double T) const {
  return definition_->conditional_expected_transactions(result_.estimates, t, x, t_x, T);
}

double FittedCountModel::expected_transactions(double t) const {
  return definition_->expected_transactions(result_.estimates, t);
}

double FittedCountModel::p_n_transactions(double n, double t) const {
  return definition_->p_n_transactions(result_.estimates, n, t);
}

double FittedCountModel::probability_of_purchase(double t, double x, double t_x, double T) const {
  if (!(t > 0)) return 0.0;
  if (definition_->probability_of_purchase == nullptr) {
    throw ModelError(fmt::format("P(purchase within t) is not available for {}", name()));
  }
  return definition_->probability_of_purchase(result_.estimates, t, x, t_x, T);
}

double FittedCountModel::conditional_p_n_transactions(double n, double t, double x, double t_x,
                                                      double T) const {
  if (definition_->conditional_p_n_transactions == nullptr) {
    throw ModelError(fmt::format("P(n purchases | history) is not available for {}", name()));
  }
  return definition_->conditional_p_n_transactions(result_.estimates, n, t, x, t_x, T);
}

double FittedCountModel::p_alive_at(double t, double x, double t_x, double T) const {
  if (definition_->p_alive_at == nullptr) {
    throw ModelError(fmt::format(
        "P(alive at T + t) is not available for {}: dropout happens at purchases, so it depends "
        "on the purchases after T",
        name()));
  }
  return definition_->p_alive_at(result_.estimates, t, x, t_x, T);
}

double FittedCountModel::dert(double rate, double x, double t_x, double T) const {
  return definition_->dert(result_.estimates, rate, x, t_x, T);
}

}  // namespace ltv
