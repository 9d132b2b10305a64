#include "ltv/models/selection.hpp"

#include <cmath>
#include <limits>

#include "ltv/error.hpp"
#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/mbg_nbd.hpp"
#include "ltv/models/pareto_nbd.hpp"

namespace ltv {

namespace {
constexpr std::array<std::string_view, 3> kNames = {"bgnbd", "mbgnbd", "pnbd"};

std::string known_names() {
  return "one of bgnbd, mbgnbd, pnbd";
}
}  // namespace

std::span<const std::string_view> count_model_names() noexcept {
  return kNames;
}

RfmPatterns summary_patterns(const CustomerSummary& summary) {
  return compress_patterns(summary.frequency, summary.recency, summary.T);
}

FittedCountModel FittedCountModel::fit(std::string_view name, const RfmPatterns& patterns,
                                       const FitOptions& options) {
  if (name == "bgnbd") return FittedCountModel(bg_nbd::fit(patterns, options));
  if (name == "mbgnbd") return FittedCountModel(mbg_nbd::fit(patterns, options));
  if (name == "pnbd") return FittedCountModel(pareto_nbd::fit(patterns, options));
  if (name == "bgbb") return FittedCountModel(bg_bb::fit(patterns, options));
  option_error("--model", std::string(name), known_names());
}

FittedCountModel::FittedCountModel(FitResult result) : result_(std::move(result)) {
  const auto& m = result_.model;
  if ((m != "bgnbd" && m != "mbgnbd" && m != "pnbd" && m != "bgbb") ||
      result_.estimates.size() != 4) {
    throw ModelError("model '" + m + "' is not a continuous-time count model with 4 parameters (" +
                     known_names() + ")");
  }
  for (std::size_t i = 0; i < 4; ++i) theta_[i] = result_.estimates[i];
}

double FittedCountModel::p_alive(double x, double t_x, double T) const {
  const auto& t = theta_;
  if (name() == "bgnbd") return bg_nbd::p_alive({t[0], t[1], t[2], t[3]}, x, t_x, T);
  if (name() == "mbgnbd") return mbg_nbd::p_alive({t[0], t[1], t[2], t[3]}, x, t_x, T);
  if (name() == "bgbb") return bg_bb::p_alive({t[0], t[1], t[2], t[3]}, x, t_x, T);
  return pareto_nbd::p_alive({t[0], t[1], t[2], t[3]}, x, t_x, T);
}

double FittedCountModel::conditional_expected_transactions(double h, double x, double t_x,
                                                           double T) const {
  const auto& t = theta_;
  if (name() == "bgnbd") {
    return bg_nbd::conditional_expected_transactions({t[0], t[1], t[2], t[3]}, h, x, t_x, T);
  }
  if (name() == "mbgnbd") {
    return mbg_nbd::conditional_expected_transactions({t[0], t[1], t[2], t[3]}, h, x, t_x, T);
  }
  if (name() == "bgbb") {
    return bg_bb::conditional_expected_transactions({t[0], t[1], t[2], t[3]}, h, x, t_x, T);
  }
  return pareto_nbd::conditional_expected_transactions({t[0], t[1], t[2], t[3]}, h, x, t_x, T);
}

double FittedCountModel::expected_transactions(double h) const {
  const auto& t = theta_;
  if (name() == "bgnbd") return bg_nbd::expected_transactions({t[0], t[1], t[2], t[3]}, h);
  if (name() == "mbgnbd") return mbg_nbd::expected_transactions({t[0], t[1], t[2], t[3]}, h);
  if (name() == "bgbb") return bg_bb::expected_transactions({t[0], t[1], t[2], t[3]}, h);
  return pareto_nbd::expected_transactions({t[0], t[1], t[2], t[3]}, h);
}

std::vector<HoldoutScore> compare_on_holdout(const CustomerSummary& summary,
                                             std::span<const std::string> models,
                                             const FitOptions& options) {
  if (!summary.has_holdout) {
    option_error("--calibration-end", "(none)",
                 "a calibration end before the observation end, so there is a holdout");
  }
  const RfmPatterns patterns = summary_patterns(summary);
  const double n = static_cast<double>(summary.size());
  std::vector<HoldoutScore> scores;
  for (const std::string& name : models) {
    HoldoutScore score;
    score.model = name;
    try {
      const FittedCountModel model = FittedCountModel::fit(name, patterns, options);
      score.fit = model.result();
      const double k = static_cast<double>(score.fit.estimates.size());
      score.bic = k * std::log(n) - 2.0 * score.fit.log_likelihood;
      double abs_sum = 0, sq_sum = 0;
      for (std::size_t i = 0; i < summary.size(); ++i) {
        const double expected = model.conditional_expected_transactions(
            summary.duration_holdout, summary.frequency[i], summary.recency[i], summary.T[i]);
        const double actual = summary.frequency_holdout[i];
        abs_sum += std::abs(actual - expected);
        sq_sum += (actual - expected) * (actual - expected);
        score.expected_total += expected;
        score.actual_total += actual;
      }
      score.mae = abs_sum / n;
      score.rmse = std::sqrt(sq_sum / n);
    } catch (const InputError&) {
      throw;  // bad option or data: the user must see it
    } catch (const Error& e) {
      score.error = e.what();
    }
    scores.push_back(std::move(score));
  }
  return scores;
}

std::size_t best_by_holdout(std::span<const HoldoutScore> scores) noexcept {
  std::size_t best = scores.size();
  double best_mae = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const auto& s = scores[i];
    if (!s.error.empty() || !s.fit.converged || !std::isfinite(s.mae)) continue;
    if (s.mae < best_mae) best_mae = s.mae, best = i;
  }
  return best;
}

}  // namespace ltv
