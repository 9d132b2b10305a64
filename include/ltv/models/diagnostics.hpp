#pragma once
/// Identification and boundary diagnostics of count-model fits (BG/NBD, MBG/NBD, Pareto/NBD,
/// BG/BB), and the policy that picks a model whose P(alive) can be presented as a measurement.
///
/// A maximum-likelihood fit can be at the edge of the parameter space: on Online Retail every
/// count model's best fit has (almost) no dropout (BG/NBD a = 0.0034, b = 6.7), so P(alive) is
/// ~1 for every customer, including those silent for a year. Such a fit is not a finding about
/// the customers: the data cannot tell dropout from slow buying. diagnose_count_fit says so with
/// a typed verdict and a plain-language reason; choose_identified_model prefers an identified
/// model and otherwise refits with a small, documented L2 penalty and says that it did
/// (docs/models.md, "Identification").

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ltv/models/model.hpp"
#include "ltv/models/selection.hpp"

namespace ltv {

/// Overall verdict on a fit, from best to worst.
enum class Identification {
  identified,         ///< interior optimum, regular Hessian, P(alive) varies across customers
  weakly_identified,  ///< predictions usable, but some parameters are poorly determined
                      ///< (singular or ill-conditioned Hessian, wide intervals, or a pair of
                      ///< parameters diverging together to a homogeneous limit)
  not_identified,     ///< the fit cannot be presented as a measurement: not converged, a
                      ///< parameter at the optimizer's bound or diverging alone, no dropout,
                      ///< or P(alive) ~1 for (nearly) every customer
};
/// "identified", "weakly_identified", "not_identified".
std::string_view to_string(Identification verdict) noexcept;

/// One thing found wrong with a fit.
enum class FitIssueKind {
  not_converged,            ///< the optimizer stopped before an optimum (FitResult::converged)
  parameter_at_bound,       ///< |log θ| reached the optimizer's search box
  parameter_diverging,      ///< |log θ| beyond DiagnosticOptions::diverging_log
  homogeneous_limit,        ///< both parameters of a mixing distribution diverge upwards with a
                            ///< finite ratio: every customer has the same rate (benign)
  dropout_not_identified,   ///< the fitted dropout is negligible over the observed history
  singular_hessian,         ///< FitResult::hessian_singular: no standard errors
  ill_conditioned_hessian,  ///< condition number above DiagnosticOptions::max_condition
  wide_interval,            ///< se(log θ) above DiagnosticOptions::max_log_std_error
  degenerate_p_alive,       ///< P(alive) ~1 for (nearly) every customer
};
/// "not_converged", "parameter_at_bound", ... (the enumerator names).
std::string_view to_string(FitIssueKind kind) noexcept;

/// One finding: what, which parameter(s) (empty when it concerns the fit as a whole), whether it
/// makes the fit not identified (`blocking`) or only weakly identified, and why in plain words.
struct FitIssue {
  FitIssueKind kind = FitIssueKind::not_converged;
  std::string parameters;  ///< e.g. "a", "s, beta"
  bool blocking = false;
  std::string reason;
};

/// Thresholds of diagnose_count_fit (defaults documented in docs/models.md).
struct DiagnosticOptions {
  /// The optimizer's search box |log θ| <= log_bound (detail::MaximizeProblem::log_bound).
  double log_bound = 25.0;
  /// |log θ| beyond this counts as diverging: θ > 1e6 or θ < 1e-6 (count-model parameters in
  /// days, weeks or months are far inside it on real data).
  double diverging_log = 13.815510557964274;  // ln(1e6)
  /// Hessian of -LL in log-parameters: largest / smallest eigenvalue above this is ill-conditioned.
  double max_condition = 1e8;
  /// se(log θ) above this: the 95% interval spans more than a factor exp(2 x 1.96 x 2) ~ 2,500.
  double max_log_std_error = 2.0;
  /// Dropout is negligible when fewer than this share of customers would drop out over their
  /// observed history at the population mean dropout (see docs/models.md).
  double min_dropout_share = 0.01;
  /// P(alive) at or above this counts as "~1".
  double p_alive_near_one = 0.99;
  /// P(alive) is degenerate when at least this share of customers is ~1.
  double degenerate_share = 0.95;
};

/// Diagnosis of one count-model fit.
struct FitDiagnosis {
  std::string model;
  Identification verdict = Identification::identified;
  std::vector<FitIssue> issues;  ///< in the order of FitIssueKind
  /// Largest / smallest eigenvalue of the Hessian in log-parameters; +infinity when singular.
  double condition_number = 0;
  /// Population mean dropout: bgnbd/mbgnbd a / (a + b) per repeat purchase, pnbd s / beta per
  /// time unit, bgbb gamma / (gamma + delta) per opportunity.
  double mean_dropout = 0;
  /// Share of customers expected to drop out over their observed history at that mean dropout
  /// (1 - (1 - a/(a+b))^(x̄+1), 1 - exp(-s/beta T̄), 1 - (1 - gamma/(gamma+delta))^n̄).
  double dropout_share = 0;
  double mean_p_alive = 0;            ///< weighted over customers
  double share_p_alive_near_one = 0;  ///< customers with P(alive) >= p_alive_near_one
  /// Plain-language summary: empty when identified, else the reasons joined by "; ".
  std::string reason;
  bool identified() const noexcept { return verdict == Identification::identified; }
};

/// Diagnoses a fit of "bgnbd", "mbgnbd", "pnbd" or "bgbb" against the patterns it was fitted on
/// (P(alive) is computed for every pattern). Throws ModelError for another model or a fit
/// without its four parameters, InputError for empty patterns.
FitDiagnosis diagnose_count_fit(const FitResult& fit, const RfmPatterns& patterns,
                                const DiagnosticOptions& options = {});

// ---- choosing a model whose P(alive) is a measurement -----------------------------------------

/// Options of choose_identified_model.
struct ModelChoiceOptions {
  FitOptions fit;  ///< for the plain fits (its l2_penalty is replaced on the regularised ones)
  DiagnosticOptions diagnostics;
  /// L2 penalties on the log-parameters, per customer: λ = c x customers in
  /// FitOptions::l2_penalty, i.e. c on the mean log-likelihood (lifetimes' `penalizer_coef`).
  /// With a holdout, every (model, c) is scored on it and the lowest error wins; without one,
  /// they are tried in this order on the first model (see choose_identified_model).
  std::vector<double> penalty_per_customer{0.001, 0.01, 0.1};
};

/// A penalised model scored on the holdout (choose_identified_model with a calibration summary).
struct PenaltyScore {
  std::string model;
  double penalty_per_customer = 0;
  double holdout_mae = 0;  ///< mean |actual - expected| holdout purchases per customer
  Identification calibration_verdict = Identification::not_identified;  ///< of the calibration fit
  std::string error;  ///< the calibration fit failed or did not converge: why
};

/// One fit tried by choose_identified_model.
struct CandidateFit {
  std::string model;
  double l2_penalty = 0;  ///< λ of the fit (0 = plain maximum likelihood)
  FitResult fit;          ///< empty estimates when the fit failed (see `error`)
  FitDiagnosis diagnosis;
  std::string error;  ///< the fit threw: its message
};

/// The model chosen and how.
struct ModelChoice {
  std::string model;
  FitResult fit;           ///< the fit to predict with
  FitDiagnosis diagnosis;  ///< of that fit
  double l2_penalty = 0;   ///< λ of that fit (0 = plain maximum likelihood)
  bool regularised = false;
  std::vector<CandidateFit> tried;           ///< every fit on all data, in the order tried
  std::vector<PenaltyScore> penalty_scores;  ///< penalised fits scored on the holdout, if any
  /// Plain words: which model, why, and what was done, e.g. "pnbd: bgnbd, mbgnbd and pnbd fit
  /// the data with no dropout (...); refitted pnbd with an L2 penalty of 0.001 per customer:
  /// P(alive) now reflects that penalty, not a measured dropout".
  std::string reason;
  /// Short form for a headline, e.g. "pnbd (identified)", "pnbd, penalised: the data alone do
  /// not identify dropout (L2 0.1 per customer, chosen on the holdout)", "bgnbd: not identified,
  /// P(alive) is not a measurement".
  std::string headline;
  /// false when even the regularised fit is not identified: P(alive) and anything built on it
  /// must then be presented as not measured.
  bool p_alive_measured() const noexcept {
    return diagnosis.verdict != Identification::not_identified;
  }
};

/// Fits the models in `preference` order (e.g. by holdout error, holdout_preference()) on
/// `patterns` (all data) and picks, in this order:
/// 1. the first identified one;
/// 2. else the first weakly identified one;
/// 3. else a penalised fit. With `calibration` (a summary with a holdout, as used to rank the
///    models), every model of `preference` is fitted on the calibration period with each penalty
///    of options.penalty_per_customer and scored on the holdout; in order of increasing holdout
///    MAE (among calibration fits that converged and are not `not_identified`), the first whose
///    penalised fit on all data is not `not_identified` is chosen: the penalty is a
///    hyperparameter validated on the holdout. Without `calibration`, the first model that could
///    be fitted is refitted with the penalties in turn and the first fit that is not
///    `not_identified` is chosen.
///    When no penalised fit qualifies, the last one tried is returned, still flagged
///    (p_alive_measured() false).
/// Stops fitting as soon as the choice is made. A model whose fit throws ModelError or
/// ConvergenceError is recorded in `tried` with its error and skipped. Throws InputError for an
/// empty preference list, an unknown model name or a calibration summary without a holdout,
/// ConvergenceError when no model could be fitted at all.
ModelChoice choose_identified_model(std::span<const std::string> preference,
                                    const RfmPatterns& patterns,
                                    const ModelChoiceOptions& options = {},
                                    const CustomerSummary* calibration = nullptr);

/// Model names by preference from a holdout comparison: the models that fitted and converged by
/// increasing holdout MAE (ties keep input order), then those that did not converge, then those
/// whose fit failed.
std::vector<std::string> holdout_preference(std::span<const HoldoutScore> scores);

}  // namespace ltv
