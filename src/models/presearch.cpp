#include "models/presearch.hpp"

#include <algorithm>
#include <utility>

namespace ltv::detail {

RfmPatterns stride_sample(const RfmPatterns& patterns, std::size_t target) {
  const std::size_t n = patterns.size();
  const std::size_t k = target == 0 ? 1 : std::max<std::size_t>(1, (n + target - 1) / target);
  RfmPatterns out;
  for (std::size_t i = 0; i < n; i += k) {
    out.x.push_back(patterns.x[i]);
    out.t_x.push_back(patterns.t_x[i]);
    out.T.push_back(patterns.T[i]);
    out.weight.push_back(patterns.weight[i]);
  }
  return out;
}

std::shared_ptr<const MaximizeProblem> presearch_problem(const MaximizeProblem& full,
                                                         const RfmPatterns& patterns,
                                                         PatternLogLikelihood ll) {
  if (patterns.size() <= kPresearchAbove) return nullptr;
  auto sample = std::make_shared<const RfmPatterns>(stride_sample(patterns, kPresearchPatterns));
  auto problem = std::make_shared<MaximizeProblem>(full);
  problem->presearch = nullptr;
  problem->n_customers = sample->customers();
  problem->n_patterns = sample->size();
  problem->log_likelihood = [sample, ll = std::move(ll)](std::span<const double> theta,
                                                         std::span<double> gradient) {
    return ll(*sample, theta, gradient);
  };
  return problem;
}

}  // namespace ltv::detail
