// Tests of the shared maximum-likelihood driver (src/math/optimize.cpp).
#include "math/optimize.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "ltv/error.hpp"

namespace {

using ltv::detail::MaximizeProblem;

// Two independent exponential samples summarised by (n, Σt): LL = n log λ − λ Σt.
// MLE λ = n / Σt; observed information in log λ is n, so se(λ) = λ / sqrt(n).
MaximizeProblem exponential_problem(double n1, double s1, double n2, double s2) {
  MaximizeProblem p;
  p.model = "exp2";
  p.names = {"lambda1", "lambda2"};
  p.log_likelihood = [=](std::span<const double> th, std::span<double> g) {
    if (!g.empty()) {
      g[0] = n1 / th[0] - s1;
      g[1] = n2 / th[1] - s2;
    }
    return n1 * std::log(th[0]) - th[0] * s1 + n2 * std::log(th[1]) - th[1] * s2;
  };
  p.starts = {{1.0, 1.0}, {0.01, 50.0}};
  p.n_customers = n1 + n2;
  return p;
}

TEST(Optimize, FindsClosedFormMaximumWithDeltaMethodErrors) {
  const auto p = exponential_problem(400, 100, 900, 3000);
  const ltv::FitResult fit = ltv::detail::maximize_likelihood(p, {});
  ASSERT_TRUE(fit.converged) << fit.message;
  EXPECT_FALSE(fit.hessian_singular);
  EXPECT_NEAR(fit.estimates[0], 4.0, 1e-6);
  EXPECT_NEAR(fit.estimates[1], 0.3, 1e-8);
  ASSERT_EQ(fit.std_errors.size(), 2u);
  EXPECT_NEAR(fit.std_errors[0], 4.0 / 20.0, 1e-4);
  EXPECT_NEAR(fit.std_errors[1], 0.3 / 30.0, 1e-6);
  EXPECT_NEAR(fit.ci_lower[0], 4.0 * std::exp(-1.96 / 20.0), 1e-4);
  EXPECT_NEAR(fit.ci_upper[1], 0.3 * std::exp(1.96 / 30.0), 1e-6);
  ASSERT_EQ(fit.log_covariance.size(), 4u);
  EXPECT_NEAR(fit.log_covariance[0], 1.0 / 400, 1e-6);
  EXPECT_NEAR(fit.log_covariance[1], 0.0, 1e-8);
  EXPECT_NEAR(fit.log_likelihood, 400 * std::log(4.0) - 400 + 900 * std::log(0.3) - 900, 1e-8);
}

TEST(Optimize, PenaltyShrinksLogParametersTowardZero) {
  const auto p = exponential_problem(4, 1, 9, 30);
  ltv::FitOptions opt;
  opt.l2_penalty = 10;
  const ltv::FitResult fit = ltv::detail::maximize_likelihood(p, opt);
  // Penalised optimum solves n/... : n − λ s − 2 c log λ = 0 (in log-space).
  for (int i = 0; i < 2; ++i) {
    const double n = i == 0 ? 4 : 9, s = i == 0 ? 1 : 30, l = fit.estimates[i];
    EXPECT_NEAR(n - l * s - 2 * 10 * std::log(l), 0.0, 1e-4);
  }
  EXPECT_LT(std::abs(std::log(fit.estimates[0])), std::log(4.0));
}

TEST(Optimize, UnidentifiedParametersGiveSingularHessianAndNoErrors) {
  MaximizeProblem p;
  p.model = "product";
  p.names = {"a", "b"};
  // Depends on a·b only: a ridge of maxima.
  p.log_likelihood = [](std::span<const double> th, std::span<double> g) {
    const double m = th[0] * th[1];
    if (!g.empty()) {
      g[0] = (10 / m - 5) * th[1];
      g[1] = (10 / m - 5) * th[0];
    }
    return 10 * std::log(m) - 5 * m;
  };
  p.starts = {{1.0, 1.0}};
  p.n_customers = 10;
  const ltv::FitResult fit = ltv::detail::maximize_likelihood(p, {});
  EXPECT_NEAR(fit.estimates[0] * fit.estimates[1], 2.0, 1e-5);
  EXPECT_TRUE(fit.hessian_singular);
  EXPECT_TRUE(fit.std_errors.empty());
  EXPECT_TRUE(fit.ci_lower.empty());
  EXPECT_NE(fit.message.find("singular"), std::string::npos);
}

TEST(Optimize, FallsBackWhenGradientIsUnusable) {
  // Gradient deliberately wrong (NaN): L-BFGS cannot proceed, BOBYQA must still find λ = 2.
  MaximizeProblem p;
  p.model = "nan_grad";
  p.names = {"lambda"};
  p.log_likelihood = [](std::span<const double> th, std::span<double> g) {
    if (!g.empty()) g[0] = std::nan("");
    return 10 * std::log(th[0]) - 5 * th[0];
  };
  p.starts = {{0.3}};
  p.n_customers = 10;
  const ltv::FitResult fit = ltv::detail::maximize_likelihood(p, {});
  EXPECT_NEAR(fit.estimates[0], 2.0, 1e-4);
}

TEST(Optimize, ThrowsWhenNoStartIsFinite) {
  MaximizeProblem p;
  p.model = "hopeless";
  p.names = {"a"};
  p.log_likelihood = [](std::span<const double>, std::span<double>) {
    return -std::numeric_limits<double>::infinity();
  };
  p.starts = {{1.0}};
  EXPECT_THROW(ltv::detail::maximize_likelihood(p, {}), ltv::ConvergenceError);
}

TEST(Optimize, ReportsNonConvergenceWithReason) {
  const auto p = exponential_problem(400, 100, 900, 3000);
  ltv::FitOptions opt;
  opt.max_iterations = 3;  // NLopt gets at least 10 evaluations: too few from this far away
  opt.starts = 1;
  opt.initial = {1e8, 1e-8};
  const ltv::FitResult fit = ltv::detail::maximize_likelihood(p, opt);
  EXPECT_FALSE(fit.converged);
  EXPECT_NE(fit.message.find("NLOPT_MAXEVAL_REACHED"), std::string::npos) << fit.message;
}

TEST(Optimize, ExtraStartsAndInitialReachTheSameOptimum) {
  const auto p = exponential_problem(400, 100, 900, 3000);
  ltv::FitOptions opt;
  opt.starts = 7;  // more than the problem's two: deterministic jitters are added
  opt.initial = {100.0, 1e-3};
  const ltv::FitResult fit = ltv::detail::maximize_likelihood(p, opt);
  ASSERT_TRUE(fit.converged) << fit.message;
  EXPECT_NEAR(fit.estimates[0], 4.0, 1e-6);
  EXPECT_NEAR(fit.estimates[1], 0.3, 1e-8);
}

TEST(Optimize, HessianByForwardDifferencesFromAKnownGradientMatchesCentral) {
  // f(u) = -LL(e^u): ∂²f/∂u_i² = λ_i s_i (at λ = (2, 0.5): 200 and 1500), no cross terms.
  const auto p = exponential_problem(400, 100, 900, 3000);
  const std::vector<double> theta = {2.0, 0.5};
  // ∂f/∂u_i = -(n_i - λ_i s_i)
  const std::vector<double> grad = {-(400 - 2.0 * 100), -(900 - 0.5 * 3000)};
  const auto central = ltv::detail::log_parameter_hessian(p, theta, 0.0);
  const auto forward = ltv::detail::log_parameter_hessian(p, theta, 0.0, grad);
  const double expected[4] = {200, 0, 0, 1500};
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(central[i], expected[i], 1e-6 * 1500) << i;
    EXPECT_NEAR(forward[i], expected[i], 1e-5 * 1500) << i;
  }
  // A wrong gradient shows: the forward differences really use it.
  const auto off = ltv::detail::log_parameter_hessian(p, theta, 0.0, std::vector<double>{0, 0});
  EXPECT_GT(std::abs(off[0] - 200), 1e3);
}

TEST(Optimize, RejectsInitialOfWrongLength) {
  const auto p = exponential_problem(4, 1, 9, 30);
  ltv::FitOptions opt;
  opt.initial = {1.0};
  EXPECT_THROW(ltv::detail::maximize_likelihood(p, opt), ltv::InputError);
}

}  // namespace
