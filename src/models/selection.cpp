#include "ltv/models/selection.hpp"

#include <cmath>
#include <limits>

#include "ltv/error.hpp"
#include "ltv/models/bg_bb.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/cnbd_k.hpp"
#include "ltv/models/mbg_nbd.hpp"
#include "ltv/models/pareto_nbd.hpp"

namespace ltv {

std::span<const std::string_view> count_model_names() noexcept {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const ModelDefinition& m : model_registry()) {
      if (m.compared_by_default) out.push_back(m.name);
    }
    return out;
  }();
  return names;
}

RfmPatterns summary_patterns(const CustomerSummary& summary) {
  if (summary.litt.size() == summary.size() && summary.size() > 0) {
    RegularityPatterns r =
        compress_regularity_patterns(summary.frequency, summary.recency, summary.T, summary.litt);
    r.patterns.sum_log_itt = r.sum_log_itt;
    return std::move(r.patterns);
  }
  return compress_patterns(summary.frequency, summary.recency, summary.T);
}

bool needs_regularity(std::span<const std::string> models) {
  for (const std::string& name : models) {
    const ModelDefinition* m = find_model(name);
    if (m != nullptr && m->needs_regularity) return true;
  }
  return false;
}

std::vector<HoldoutScore> compare_on_holdout(const CustomerSummary& summary,
                                             std::span<const std::string> models,
                                             const FitOptions& options) {
  if (!summary.has_holdout) {
    parameter_error("calibration_end", "(none)",
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
