// Identification and boundary diagnostics of count-model fits, and the model choice that
// prefers identified fits (docs/models.md, "Identification").
#include "ltv/models/diagnostics.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

#include "ltv/error.hpp"
#include "ltv/models/registry.hpp"

namespace ltv {

std::string_view to_string(Identification verdict) noexcept {
  switch (verdict) {
    case Identification::identified:
      return "identified";
    case Identification::weakly_identified:
      return "weakly_identified";
    case Identification::not_identified:
      return "not_identified";
  }
  return "not_identified";
}

std::string_view to_string(FitIssueKind kind) noexcept {
  switch (kind) {
    case FitIssueKind::not_converged:
      return "not_converged";
    case FitIssueKind::parameter_at_bound:
      return "parameter_at_bound";
    case FitIssueKind::parameter_diverging:
      return "parameter_diverging";
    case FitIssueKind::homogeneous_limit:
      return "homogeneous_limit";
    case FitIssueKind::dropout_not_identified:
      return "dropout_not_identified";
    case FitIssueKind::singular_hessian:
      return "singular_hessian";
    case FitIssueKind::ill_conditioned_hessian:
      return "ill_conditioned_hessian";
    case FitIssueKind::wide_interval:
      return "wide_interval";
    case FitIssueKind::degenerate_p_alive:
      return "degenerate_p_alive";
  }
  return "not_converged";
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// How a count model's parameters are read by the diagnostics: the indices of its mixing pairs
/// (shape and scale of the purchase process, then of the dropout process; nbd has only the
/// first) and how its dropout is measured.
enum class DropoutKind { per_purchase, rate, per_opportunity, gompertz, none };
struct ModelShape {
  std::vector<std::size_t> index;  ///< 2 or 4 parameter indices, pair by pair
  DropoutKind dropout = DropoutKind::per_purchase;
};

/// The shape of a model's fit, or nullopt for a model the diagnostics do not know.
std::optional<ModelShape> model_shape(const FitResult& fit) {
  const std::string& m = fit.model;
  const std::size_t n = fit.estimates.size();
  if (n != fit.names.size()) return std::nullopt;
  if ((m == "bgnbd" || m == "mbgnbd") && n == 4)
    return ModelShape{{0, 1, 2, 3}, DropoutKind::per_purchase};
  if (m == "pnbd" && n == 4) return ModelShape{{0, 1, 2, 3}, DropoutKind::rate};
  if (m == "bgbb" && n == 4) return ModelShape{{0, 1, 2, 3}, DropoutKind::per_opportunity};
  // (M)BG/CNBD-k: k is chosen, not estimated; r, alpha | a, b as in BG/NBD.
  if ((m == "bgcnbdk" || m == "mbgcnbdk") && n == 5) {
    return ModelShape{{1, 2, 3, 4}, DropoutKind::per_purchase};
  }
  // GGompertz/NBD: r, alpha | s, beta; b is the Gompertz scale of the lifetime.
  if (m == "ggomnbd" && n == 5) return ModelShape{{0, 1, 3, 4}, DropoutKind::gompertz};
  if (m == "nbd" && n == 2) return ModelShape{{0, 1}, DropoutKind::none};
  return std::nullopt;
}

/// What the two mixing distributions of a model are, for the reasons.
struct PairInfo {
  const char* what;         ///< "purchase rate", "dropout probability", ...
  const char* homogeneous;  ///< what the homogeneous limit means
};

PairInfo pair_info(const std::string& model, std::size_t pair) {
  if (model == "bgbb") {
    return pair == 0 ? PairInfo{"purchase probability",
                                "every customer buys with the same "
                                "probability per opportunity"}
                     : PairInfo{"dropout probability",
                                "every customer drops out with the same "
                                "probability per opportunity"};
  }
  if (pair == 0) return {"purchase rate", "every customer buys at the same rate"};
  if (model == "pnbd" || model == "ggomnbd") {
    return {"dropout rate", "every customer has the same dropout rate"};
  }
  return {"dropout probability",
          "every customer drops out with the same probability per "
          "purchase"};
}

std::string pair_names(const FitResult& fit, const ModelShape& shape, std::size_t pair) {
  return fmt::format("{}, {}", fit.names[shape.index[2 * pair]],
                     fit.names[shape.index[2 * pair + 1]]);
}

/// Weighted means of x and T over the patterns.
struct PatternMeans {
  double customers = 0, x = 0, T = 0;
};

PatternMeans means(const RfmPatterns& p) {
  PatternMeans m;
  for (std::size_t i = 0; i < p.size(); ++i) {
    m.customers += p.weight[i];
    m.x += p.weight[i] * p.x[i];
    m.T += p.weight[i] * p.T[i];
  }
  if (m.customers > 0) {
    m.x /= m.customers;
    m.T /= m.customers;
  }
  return m;
}

}  // namespace

FitDiagnosis diagnose_count_fit(const FitResult& fit, const RfmPatterns& patterns,
                                const DiagnosticOptions& options) {
  const std::optional<ModelShape> shape_found = model_shape(fit);
  if (!shape_found) {
    throw ModelError(
        fmt::format("diagnostics: '{}' is not a fitted count model with its "
                    "parameters ({})",
                    fit.model, model_names(ModelKind::count)));
  }
  const ModelShape& shape = *shape_found;
  const std::size_t np = shape.index.size();  // the parameters the checks look at
  const std::size_t pairs = np / 2;
  if (patterns.size() == 0 || !(patterns.customers() > 0)) {
    input_error(SourceLocation{"", 0, "patterns"}, "no customers",
                "the customers the model was fitted on");
  }
  FitDiagnosis d;
  d.model = fit.model;
  auto add = [&d](FitIssueKind kind, std::string parameters, bool blocking, std::string reason) {
    d.issues.push_back(FitIssue{kind, std::move(parameters), blocking, std::move(reason)});
  };
  // The checked parameters in pair order: th[k], names[k] refer to fit index shape.index[k].
  std::vector<double> th(np), u(np);
  std::vector<std::string> names(np);
  for (std::size_t k = 0; k < np; ++k) {
    th[k] = fit.estimates[shape.index[k]];
    names[k] = fit.names[shape.index[k]];
    u[k] = std::log(th[k]);
  }

  // 1. Convergence.
  if (!fit.converged) {
    add(FitIssueKind::not_converged, "", true,
        fmt::format("the optimizer stopped before reaching an optimum ({})",
                    fit.message.empty() ? fit.optimizer_status : fit.message));
  }

  // 2. Parameters at the search bound or diverging. The parameters come in two pairs, each the
  // shape and scale of one mixing distribution (r, alpha | a, b | s, beta | alpha, beta |
  // gamma, delta). A pair diverging upwards together is the homogeneous limit of that mixing
  // distribution (benign); anything else diverging is an edge of the parameter space.
  std::vector<char> pair_homogeneous(pairs, 0);
  for (std::size_t pair = 0; pair < pairs; ++pair) {
    const std::size_t i = 2 * pair, j = i + 1;
    const bool up_i = u[i] > options.diverging_log, up_j = u[j] > options.diverging_log;
    if (up_i && up_j) {
      pair_homogeneous[pair] = 1;
      const PairInfo info = pair_info(fit.model, pair);
      add(FitIssueKind::homogeneous_limit, pair_names(fit, shape, pair), false,
          fmt::format("{} and {} diverge together ({:.3g}, {:.3g}; ratio {:.4g}): {}, so the "
                      "spread of the {} across customers is not identified",
                      names[i], names[j], th[i], th[j], th[i] / th[j], info.homogeneous,
                      info.what));
    }
  }
  for (std::size_t k = 0; k < np; ++k) {
    if (pair_homogeneous[k / 2]) continue;
    if (std::abs(u[k]) >= options.log_bound - 1e-3) {
      add(FitIssueKind::parameter_at_bound, names[k], true,
          fmt::format("{} = {:.3g} is at the optimizer's bound exp(±{:g}): the best fit lies at "
                      "the edge of the parameter space",
                      names[k], th[k], options.log_bound));
    } else if (std::abs(u[k]) > options.diverging_log) {
      add(FitIssueKind::parameter_diverging, names[k], true,
          fmt::format("{} = {:.3g} diverges (beyond {:.0e} .. {:.0e})", names[k], th[k],
                      std::exp(-options.diverging_log), std::exp(options.diverging_log)));
    }
  }

  // 3. Dropout over the observed history at the population mean dropout.
  const PatternMeans m = means(patterns);
  if (shape.dropout == DropoutKind::none) {
    d.mean_dropout = 0;
    d.dropout_share = 0;
    add(FitIssueKind::dropout_not_identified, "", true,
        fmt::format("the {} model has no dropout: it calls every customer active, so P(alive) "
                    "is not measured",
                    fit.model));
  } else if (shape.dropout == DropoutKind::rate) {
    d.mean_dropout = th[2] / th[3];
    d.dropout_share = -std::expm1(-d.mean_dropout * m.T);
  } else if (shape.dropout == DropoutKind::gompertz) {
    // Lifetime survival S(t) = (beta / (beta + e^(b t) - 1))^s; the hazard at 0 is s b / beta.
    const double b = fit.estimates[2];
    d.mean_dropout = th[2] * b / th[3];
    d.dropout_share = -std::expm1(-th[2] * std::log1p(std::expm1(b * m.T) / th[3]));
  } else {
    d.mean_dropout = th[2] / (th[2] + th[3]);
    const double chances =
        shape.dropout == DropoutKind::per_opportunity ? m.T : m.x + 1;  // opportunities / purchases
    d.dropout_share = -std::expm1(chances * std::log1p(-d.mean_dropout));
  }
  if (shape.dropout != DropoutKind::none && !(d.dropout_share >= options.min_dropout_share)) {
    const std::string per =
        shape.dropout == DropoutKind::gompertz ? fmt::format(
                                                     "s b/beta = {:.3g} per time unit at first, "
                                                     "mean T {:.3g}",
                                                     d.mean_dropout, m.T)
        : shape.dropout == DropoutKind::rate ? fmt::format(
                                                   "s/beta = {:.3g} per time unit, "
                                                   "mean T {:.3g}",
                                                   d.mean_dropout, m.T)
        : shape.dropout == DropoutKind::per_opportunity ? fmt::format(
                                                              "gamma/(gamma+delta) = {:.3g} per "
                                                              "opportunity, mean {:.3g} "
                                                              "opportunities",
                                                              d.mean_dropout, m.T)
                                                        : fmt::format(
                                                              "a/(a+b) = {:.3g} per purchase, "
                                                              "mean {:.3g} purchases",
                                                              d.mean_dropout, m.x + 1);
    add(FitIssueKind::dropout_not_identified, pair_names(fit, shape, 1), true,
        fmt::format("the fit has almost no dropout ({}: {:.2g}% of customers would drop out "
                    "over their observed history); the data cannot tell dropout from slow "
                    "buying, so P(alive) is not measured",
                    per, 100 * d.dropout_share));
  }

  // 4. Hessian.
  const std::size_t n_all = fit.estimates.size();
  if (fit.hessian_singular || fit.log_covariance.size() != n_all * n_all) {
    d.condition_number = kInf;
    add(FitIssueKind::singular_hessian, "", false,
        "the Hessian of the log-likelihood is singular at the estimate: some parameter "
        "combination is not determined by the data and standard errors are not available");
  } else {
    const auto n = static_cast<Eigen::Index>(np);
    Eigen::MatrixXd cov(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < n; ++j) {
        cov(i, j) = fit.log_covariance[n_all * shape.index[static_cast<std::size_t>(i)] +
                                       shape.index[static_cast<std::size_t>(j)]];
      }
    }
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);
    const double lo = eig.eigenvalues().minCoeff(), hi = eig.eigenvalues().maxCoeff();
    d.condition_number = lo > 0 ? hi / lo : kInf;
    if (!(d.condition_number <= options.max_condition)) {
      add(FitIssueKind::ill_conditioned_hessian, "", false,
          fmt::format("the Hessian is ill-conditioned (condition number {:.3g}): a parameter "
                      "combination is barely determined by the data",
                      d.condition_number));
    }
    std::vector<std::string> wide;
    for (std::size_t k = 0; k < np; ++k) {
      const auto e = static_cast<Eigen::Index>(k);
      if (std::sqrt(cov(e, e)) > options.max_log_std_error) wide.push_back(names[k]);
    }
    if (!wide.empty()) {
      std::string detail;
      for (std::size_t k = 0; k < np; ++k) {
        if (std::find(wide.begin(), wide.end(), names[k]) == wide.end()) continue;
        if (!detail.empty()) detail += ", ";
        const std::size_t f = shape.index[k];
        detail +=
            f < fit.ci_lower.size() && f < fit.ci_upper.size()
                ? fmt::format("{} {:.3g} .. {:.3g}", names[k], fit.ci_lower[f], fit.ci_upper[f])
                : names[k];
      }
      add(FitIssueKind::wide_interval, fmt::format("{}", fmt::join(wide, ", ")), false,
          fmt::format("95% intervals span more than a factor of 2,500 ({})", detail));
    }
  }

  // 5. Predictions: P(alive) of every customer.
  const FittedCountModel model(fit);
  double sum = 0, near_one = 0;
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const double p = model.p_alive(patterns.x[i], patterns.t_x[i], patterns.T[i]);
    sum += patterns.weight[i] * p;
    if (p >= options.p_alive_near_one) near_one += patterns.weight[i];
  }
  d.mean_p_alive = sum / m.customers;
  d.share_p_alive_near_one = near_one / m.customers;
  if (d.share_p_alive_near_one >= options.degenerate_share) {
    add(FitIssueKind::degenerate_p_alive, "", true,
        fmt::format("P(alive) is at least {:g} for {:.1f}% of customers (mean {:.3f}): the fit "
                    "calls (nearly) everyone active, however long they have been silent",
                    options.p_alive_near_one, 100 * d.share_p_alive_near_one, d.mean_p_alive));
  }

  std::stable_sort(d.issues.begin(), d.issues.end(), [](const FitIssue& a, const FitIssue& b) {
    return static_cast<int>(a.kind) < static_cast<int>(b.kind);
  });
  bool blocking = false;
  for (const auto& issue : d.issues) blocking = blocking || issue.blocking;
  d.verdict = blocking           ? Identification::not_identified
              : d.issues.empty() ? Identification::identified
                                 : Identification::weakly_identified;
  std::vector<std::string> reasons;
  for (const auto& issue : d.issues) reasons.push_back(issue.reason);
  d.reason = fmt::format("{}", fmt::join(reasons, "; "));
  return d;
}

// ---- model choice -------------------------------------------------------------------------------

std::vector<std::string> holdout_preference(std::span<const HoldoutScore> scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  auto group = [&](std::size_t i) {
    if (!scores[i].error.empty()) return 2;
    return scores[i].fit.converged ? 0 : 1;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const int ga = group(a), gb = group(b);
    if (ga != gb) return ga < gb;
    if (ga == 2) return false;
    return scores[a].mae < scores[b].mae;
  });
  std::vector<std::string> names;
  for (std::size_t i : order) names.push_back(scores[i].model);
  return names;
}

namespace {

CandidateFit fit_candidate(const std::string& name, const RfmPatterns& patterns,
                           const FitOptions& fit_options, const DiagnosticOptions& diagnostics) {
  CandidateFit c;
  c.model = name;
  c.l2_penalty = fit_options.l2_penalty;
  try {
    c.fit = FittedCountModel::fit(name, patterns, fit_options).result();
    c.diagnosis = diagnose_count_fit(c.fit, patterns, diagnostics);
  } catch (const InputError&) {
    throw;  // an unknown model name or bad patterns: the caller's mistake, not the data's
  } catch (const Error& e) {
    c.error = e.what();
    c.diagnosis.model = name;
    c.diagnosis.verdict = Identification::not_identified;
    c.diagnosis.reason = std::string("the fit failed: ") + e.what();
  }
  return c;
}

std::string list_names(const std::vector<std::string>& names) {
  if (names.size() <= 1) return names.empty() ? "" : names.front();
  std::string out;
  for (std::size_t i = 0; i + 1 < names.size(); ++i) out += (i ? ", " : "") + names[i];
  return out + " and " + names.back();
}

ModelChoice take(const CandidateFit& c, std::vector<CandidateFit> tried) {
  ModelChoice choice;
  choice.model = c.model;
  choice.fit = c.fit;
  choice.diagnosis = c.diagnosis;
  choice.l2_penalty = c.l2_penalty;
  choice.regularised = c.l2_penalty > 0;
  choice.tried = std::move(tried);
  return choice;
}

}  // namespace

ModelChoice choose_identified_model(std::span<const std::string> preference,
                                    const RfmPatterns& patterns, const ModelChoiceOptions& options,
                                    const CustomerSummary* calibration) {
  if (preference.empty()) {
    parameter_error("model", "no models", "at least one count model to choose from");
  }
  for (double c : options.penalty_per_customer) {
    if (!(c > 0) || !std::isfinite(c)) {
      parameter_error("penalty_per_customer", fmt::format("{}", c), "positive finite penalties");
    }
  }
  if (calibration != nullptr && !calibration->has_holdout) {
    input_error(SourceLocation{"", 0, "calibration"}, "a summary without a holdout",
                "the calibration summary with its holdout period");
  }
  FitOptions plain = options.fit;
  plain.l2_penalty = 0;
  std::vector<CandidateFit> tried;
  for (const auto& name : preference) {
    tried.push_back(fit_candidate(name, patterns, plain, options.diagnostics));
    if (tried.back().error.empty() && tried.back().diagnosis.identified()) {
      ModelChoice choice = take(tried.back(), tried);
      choice.headline = fmt::format("{} (identified)", name);
      std::vector<std::string> before;
      for (std::size_t k = 0; k + 1 < tried.size(); ++k) {
        before.push_back(
            fmt::format("{} {}", tried[k].model,
                        tried[k].error.empty() ? to_string(tried[k].diagnosis.verdict) : "failed"));
      }
      choice.reason = tried.size() == 1
                          ? fmt::format("{}: identified", name)
                          : fmt::format(
                                "{}: the first identified model in order of preference "
                                "({})",
                                name, fmt::join(before, ", "));
      return choice;
    }
  }
  // No identified model: the first weakly identified one.
  std::vector<std::string> plain_names;
  for (const auto& c : tried) plain_names.push_back(c.model);
  for (const auto& c : tried) {
    if (c.error.empty() && c.diagnosis.verdict == Identification::weakly_identified) {
      ModelChoice choice = take(c, tried);
      choice.headline = fmt::format("{} (weakly identified: {})", c.model,
                                    to_string(c.diagnosis.issues.front().kind));
      choice.reason = fmt::format("{}: weakly identified ({}); no model was fully identified",
                                  c.model, c.diagnosis.reason);
      return choice;
    }
  }
  std::size_t base = tried.size();  // the first model that could be fitted
  for (std::size_t k = 0; k < tried.size() && base == tried.size(); ++k) {
    if (tried[k].error.empty()) base = k;
  }
  if (base == tried.size()) {
    std::vector<std::string> errors;
    for (const auto& c : tried) errors.push_back(c.model + ": " + c.error);
    throw ConvergenceError(
        fmt::format("no count model could be fitted ({})", fmt::join(errors, "; ")));
  }
  const std::string why = fmt::format("{} not identified ({}: {})", list_names(plain_names),
                                      tried[base].model, tried[base].diagnosis.reason);
  const double customers = patterns.customers();
  const std::string penalty_note =
      "its dropout is shaped by the penalty (which pulls every log-parameter towards 0), not "
      "measured from the data alone";

  // Penalised candidates (model, penalty per customer) in the order they are tried.
  struct Candidate {
    std::string model;
    double c = 0;
  };
  std::vector<Candidate> order;
  std::vector<PenaltyScore> scores;
  if (calibration != nullptr) {
    const RfmPatterns calibration_patterns = summary_patterns(*calibration);
    std::vector<std::string> fitted;
    for (const auto& c : tried) {
      if (c.error.empty()) fitted.push_back(c.model);
    }
    for (double c : options.penalty_per_customer) {
      FitOptions penalised = options.fit;
      penalised.l2_penalty = c * static_cast<double>(calibration->size());
      for (const HoldoutScore& h : compare_on_holdout(*calibration, fitted, penalised)) {
        PenaltyScore score;
        score.model = h.model;
        score.penalty_per_customer = c;
        score.holdout_mae = h.mae;
        score.error = h.error;
        if (score.error.empty() && !h.fit.converged) score.error = "did not converge";
        if (score.error.empty()) {
          score.calibration_verdict =
              diagnose_count_fit(h.fit, calibration_patterns, options.diagnostics).verdict;
        }
        scores.push_back(score);
      }
    }
    std::vector<std::size_t> rank(scores.size());
    std::iota(rank.begin(), rank.end(), 0);
    std::stable_sort(rank.begin(), rank.end(), [&](std::size_t a, std::size_t b) {
      return scores[a].holdout_mae < scores[b].holdout_mae;
    });
    for (std::size_t k : rank) {
      if (scores[k].error.empty() &&
          scores[k].calibration_verdict != Identification::not_identified) {
        order.push_back({scores[k].model, scores[k].penalty_per_customer});
      }
    }
  } else {
    for (double c : options.penalty_per_customer) order.push_back({tried[base].model, c});
  }

  std::size_t last = base;
  for (const Candidate& candidate : order) {
    FitOptions penalised = options.fit;
    penalised.l2_penalty = candidate.c * customers;
    tried.push_back(fit_candidate(candidate.model, patterns, penalised, options.diagnostics));
    if (!tried.back().error.empty()) continue;
    last = tried.size() - 1;
    if (tried.back().diagnosis.verdict == Identification::not_identified) continue;
    ModelChoice choice = take(tried.back(), tried);
    choice.penalty_scores = scores;
    choice.headline = fmt::format(
        "{}, penalised: the data alone do not identify dropout (L2 {:g} per customer{})",
        candidate.model, candidate.c, calibration != nullptr ? ", chosen on the holdout" : "");
    if (calibration != nullptr) {
      const auto it = std::find_if(scores.begin(), scores.end(), [&](const PenaltyScore& p) {
        return p.model == candidate.model && p.penalty_per_customer == candidate.c;
      });
      choice.reason = fmt::format(
          "{}: refitted with an L2 penalty of {:g} per customer on the log-parameters "
          "(lambda = {:.4g}), the lowest holdout error (MAE {:.4f}) of {} x penalties {} fitted "
          "on the calibration period, because {}; the penalised fit is {}, but {}",
          candidate.model, candidate.c, penalised.l2_penalty, it->holdout_mae,
          list_names(plain_names), fmt::join(options.penalty_per_customer, "/"), why,
          to_string(choice.diagnosis.verdict), penalty_note);
    } else {
      choice.reason = fmt::format(
          "{}: refitted with an L2 penalty of {:g} per customer on the log-parameters "
          "(lambda = {:.4g}) because {}; the penalised fit is {}, but {}",
          candidate.model, candidate.c, penalised.l2_penalty, why,
          to_string(choice.diagnosis.verdict), penalty_note);
    }
    return choice;
  }
  ModelChoice choice = take(tried[last], tried);
  choice.penalty_scores = scores;
  choice.headline =
      fmt::format("{}: not identified, P(alive) is not a measurement", tried[last].model);
  choice.reason = fmt::format(
      "{}: not identified, even with an L2 penalty of up to {:g} per customer ({}); P(alive) is "
      "not a measurement on these data",
      tried[last].model,
      options.penalty_per_customer.empty() ? 0.0 : options.penalty_per_customer.back(), why);
  return choice;
}

}  // namespace ltv
