#pragma once
// Subsample presearch for fits on many distinct patterns (internal).
//
// With continuous recency and T every customer is a pattern of its own, and each start of a fit
// costs a pass over all of them per evaluation. The starts exist to find the right basin of a
// hard surface, which a stratified subsample shows as well: patterns are sorted by (x, t_x, T),
// so every k-th one keeps the mix of frequencies and ages. maximize_likelihood runs the starts
// on the subsample and fits the full data once, from the best optimum found there.

#include <functional>
#include <memory>
#include <span>

#include "ltv/models/model.hpp"
#include "math/optimize.hpp"

namespace ltv::detail {

/// Patterns above which a presearch is used, and the subsample's size.
inline constexpr std::size_t kPresearchAbove = 20000;
inline constexpr std::size_t kPresearchPatterns = 5000;

using PatternLogLikelihood = std::function<double(
    const RfmPatterns& patterns, std::span<const double> theta, std::span<double> gradient)>;

/// Every k-th pattern, k = ceil(size / target), with its own weight.
RfmPatterns stride_sample(const RfmPatterns& patterns, std::size_t target);

/// `full` restricted to a stride sample of `patterns` (log-likelihood `ll` on the sample), or
/// nullptr when there are at most kPresearchAbove patterns.
std::shared_ptr<const MaximizeProblem> presearch_problem(const MaximizeProblem& full,
                                                         const RfmPatterns& patterns,
                                                         PatternLogLikelihood ll);

}  // namespace ltv::detail
