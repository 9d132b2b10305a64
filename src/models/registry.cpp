// The model registry: one entry per model (see ltv/models/registry.hpp).
#include "ltv/models/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/quadrature/gauss.hpp>
#include <cmath>

#include "ltv/error.hpp"
#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/gamma_gamma.hpp"
#include "ltv/models/mbg_nbd.hpp"
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
      return nbd_probability_of_purchase(bg_nbd::p_alive(bgnbd(t), x, t_x, T), t[0], t[1], h, x,
                                         T);
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
      return nbd_probability_of_purchase(mbg_nbd::p_alive(mbgnbd(t), x, t_x, T), t[0], t[1], h,
                                         x, T);
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

std::string model_names(std::optional<ModelKind> kind) {
  std::vector<std::string_view> names;
  for (const ModelDefinition& m : registry()) {
    if (!kind || m.kind == *kind) names.push_back(m.name);
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

const ModelDefinition& model_definition(std::string_view name) {
  if (const ModelDefinition* m = find_model(name)) return *m;
  parameter_error("model", std::string(name), "a model name: " + model_names());
}

const ModelDefinition& model_definition(std::string_view name, ModelKind kind) {
  const ModelDefinition* m = find_model(name);
  if (m == nullptr || m->kind != kind) {
    parameter_error("model", std::string(name),
                    std::string(kind == ModelKind::count ? "a count model: " : "a spend model: ") +
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
    throw ModelError(fmt::format("{} takes {} parameters, not {}", m.name, m.parameters.size(),
                                 theta.size()));
  }
  FitResult fit;
  fit.model = std::string(m.name);
  for (std::size_t i = 0; i < theta.size(); ++i) {
    if (!std::isfinite(theta[i]) || !(theta[i] > 0)) {
      throw ModelError(fmt::format("{} parameter {} = {}: expected a positive finite value",
                                   m.name, m.parameters[i], theta[i]));
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

double FittedCountModel::dert(double rate, double x, double t_x, double T) const {
  return definition_->dert(result_.estimates, rate, x, t_x, T);
}

}  // namespace ltv
