// Subsample presearch (src/models/presearch.*, FitOptions::presearch): on more than 20,000
// distinct patterns the starts search a stride subsample and the full data is fitted once from
// the best optimum found there. It must land on the optimum that every start on the full data
// finds, with fewer evaluations of the full likelihood.
#include "models/presearch.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/mbg_nbd.hpp"
#include "ltv/models/pareto_nbd.hpp"

namespace {

/// Ages spread continuously over 20..80 weeks: with continuous purchase times every simulated
/// customer is a pattern of its own.
std::vector<double> continuous_ages(std::size_t n) {
  std::vector<double> T(n);
  for (std::size_t i = 0; i < n; ++i) T[i] = 20 + 60.0 * static_cast<double>(i) / n;
  return T;
}

void expect_same_optimum(const ltv::RfmPatterns& patterns,
                         const std::function<ltv::FitResult(const ltv::FitOptions&)>& fit) {
  ASSERT_GT(patterns.size(), ltv::detail::kPresearchAbove);
  ltv::FitOptions full_options;
  full_options.presearch = false;
  const ltv::FitResult full = fit(full_options);
  const ltv::FitResult quick = fit(ltv::FitOptions{});
  ASSERT_TRUE(full.converged) << full.message;
  ASSERT_TRUE(quick.converged) << quick.message;
  EXPECT_NEAR(quick.log_likelihood, full.log_likelihood, 1e-7 * std::abs(full.log_likelihood));
  for (std::size_t k = 0; k < full.estimates.size(); ++k) {
    EXPECT_NEAR(quick.estimates[k], full.estimates[k], 1e-4 * full.std_errors[k]) << full.names[k];
    EXPECT_NEAR(quick.std_errors[k], full.std_errors[k], 1e-3 * full.std_errors[k])
        << full.names[k];
  }
  // The full data is fitted once, from a point near its optimum, with the subsample's curvature.
  EXPECT_LT(quick.iterations, full.iterations);
}

TEST(Presearch, StrideSampleKeepsEveryKthPatternWithItsWeight) {
  ltv::RfmPatterns p;
  for (int i = 0; i < 25; ++i) {
    p.x.push_back(i);
    p.t_x.push_back(i);
    p.T.push_back(30 + i);
    p.weight.push_back(1 + i % 3);
  }
  const auto s = ltv::detail::stride_sample(p, 10);  // k = ceil(25 / 10) = 3
  ASSERT_EQ(s.size(), 9u);
  for (std::size_t j = 0; j < s.size(); ++j) {
    EXPECT_EQ(s.x[j], p.x[3 * j]);
    EXPECT_EQ(s.t_x[j], p.t_x[3 * j]);
    EXPECT_EQ(s.T[j], p.T[3 * j]);
    EXPECT_EQ(s.weight[j], p.weight[3 * j]);
  }
  EXPECT_EQ(ltv::detail::stride_sample(p, 100).size(), 25u);
}

TEST(Presearch, OnlyAboveTheThreshold) {
  ltv::detail::MaximizeProblem problem;
  ltv::RfmPatterns small;
  small.x.assign(ltv::detail::kPresearchAbove, 0.0);
  small.t_x = small.x;
  small.T.assign(small.x.size(), 10.0);
  small.weight.assign(small.x.size(), 1.0);
  const auto ll = [](const ltv::RfmPatterns&, std::span<const double>, std::span<double>) {
    return 0.0;
  };
  EXPECT_EQ(ltv::detail::presearch_problem(problem, small, ll), nullptr);
  small.x.push_back(0);
  small.t_x.push_back(0);
  small.T.push_back(10);
  small.weight.push_back(2);
  const auto sub = ltv::detail::presearch_problem(problem, small, ll);
  ASSERT_NE(sub, nullptr);
  EXPECT_LE(sub->n_patterns, ltv::detail::kPresearchPatterns);
  EXPECT_EQ(sub->presearch, nullptr);
}

TEST(Presearch, BgNbdReachesTheFullSearchOptimum) {
  const auto patterns = ltv::bg_nbd::simulate({0.25, 4.4, 0.8, 2.4}, continuous_ages(30000), 11);
  expect_same_optimum(patterns,
                      [&](const ltv::FitOptions& o) { return ltv::bg_nbd::fit(patterns, o); });
}

TEST(Presearch, MbgNbdReachesTheFullSearchOptimum) {
  const auto patterns = ltv::mbg_nbd::simulate({0.5, 6.2, 0.9, 1.6}, continuous_ages(30000), 12);
  expect_same_optimum(patterns,
                      [&](const ltv::FitOptions& o) { return ltv::mbg_nbd::fit(patterns, o); });
}

TEST(Presearch, ParetoNbdReachesTheFullSearchOptimumSlow) {
  const auto patterns =
      ltv::pareto_nbd::simulate({0.55, 10.6, 0.61, 11.7}, continuous_ages(30000), 13);
  expect_same_optimum(patterns,
                      [&](const ltv::FitOptions& o) { return ltv::pareto_nbd::fit(patterns, o); });
}

}  // namespace
