// Gamma-Gamma: Fader, Hardie & Lee (2005), "RFM and CLV: using iso-value curves for customer base
// analysis", JMR 42(4). Published CDNOW fit on the 946 repeat customers: p = 6.25, q = 3.74,
// gamma = 15.44, LL = -4055.92; conditional expected average profit of the first ten customers as
// asserted by lifetimes (../shared/data/README.md).
#include "ltv/models/gamma_gamma.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "csv_table.hpp"
#include "ltv/error.hpp"
#include "numeric_hessian.hpp"
#include "test_data.hpp"

namespace {

struct Cdnow {
  std::vector<double> x, m;
};

Cdnow cdnow() {
  const auto t = ltv::test::read_csv(
      ltv::test::shared_data("cdnow/cdnow_customers_summary_with_transactions.csv"));
  return {t.numbers("x"), t.numbers("zbar")};
}

TEST(GammaGamma, MatchesPublishedCdnowFit) {
  const Cdnow c = cdnow();
  const ltv::SpendData data = ltv::gamma_gamma::spend_data(c.x, c.m);
  EXPECT_EQ(data.size(), 946u);
  const ltv::FitResult fit = ltv::gamma_gamma::fit(data);
  ASSERT_TRUE(fit.converged) << fit.message;
  EXPECT_EQ(fit.model, "gg");
  EXPECT_NEAR(fit.estimates[0], 6.25, 0.005);
  EXPECT_NEAR(fit.estimates[1], 3.74, 0.005);
  // gamma: we find 15.448 with LL -4055.9232, higher than LL(6.25, 3.74, 15.44) = -4055.9247
  // (mpmath); the published values are a spreadsheet optimum on a flat ridge. Agreement to 0.01.
  EXPECT_NEAR(fit.estimates[2], 15.44, 0.01);
  EXPECT_NEAR(fit.log_likelihood, -4055.92, 0.005);
  EXPECT_GE(fit.log_likelihood, ltv::gamma_gamma::log_likelihood({6.25, 3.74, 15.44}, data));
  EXPECT_FALSE(fit.hessian_singular);
  EXPECT_EQ(fit.std_errors.size(), 3u);
}

TEST(GammaGamma, ConditionalExpectedSpendOfFirstTenCustomers) {
  const Cdnow c = cdnow();
  const auto p =
      ltv::gamma_gamma::params(ltv::gamma_gamma::fit(ltv::gamma_gamma::spend_data(c.x, c.m)));
  const double want[10] = {24.65, 18.91, 35.17, 35.17, 35.17, 71.46, 18.91, 35.17, 27.28, 35.17};
  // Published to 2 decimals (Hardie's note 025 sheet); at our ML estimates the largest difference
  // is 0.0086 (customer 1), hence 0.01.
  for (int i = 0; i < 10; ++i) {
    EXPECT_NEAR(ltv::gamma_gamma::conditional_expected_average_spend(p, c.x[i], c.m[i]), want[i],
                0.01)
        << i;
  }
  EXPECT_NEAR(ltv::gamma_gamma::expected_average_spend(p), p.p * p.gamma / (p.q - 1), 1e-12);
}

TEST(GammaGamma, StandardErrorsMatchNumericalHessian) {
  const Cdnow c = cdnow();
  const ltv::SpendData data = ltv::gamma_gamma::spend_data(c.x, c.m);
  const ltv::FitResult fit = ltv::gamma_gamma::fit(data);
  ASSERT_EQ(fit.std_errors.size(), 3u);
  const auto se = ltv::test::numeric_std_errors(
      [&](const std::vector<double>& t) {
        return ltv::gamma_gamma::log_likelihood({t[0], t[1], t[2]}, data);
      },
      fit.estimates);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(fit.std_errors[i], se[i], 0.01 * se[i]) << i;
}

TEST(GammaGamma, RefusesQAtMostOne) {
  const ltv::GammaGammaParams p{2, 0.9, 10};
  try {
    ltv::gamma_gamma::conditional_expected_average_spend(p, 2, 10);
    FAIL() << "expected ModelError";
  } catch (const ltv::ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("q = 0.9 <= 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ltv::gamma_gamma::expected_average_spend({2, 1.0, 10}), ltv::ModelError);
}

TEST(GammaGamma, RejectsInvalidInput) {
  const std::vector<double> x{1, 2}, m{10, -5}, m0{10, 0}, one{1};
  EXPECT_THROW(ltv::gamma_gamma::spend_data(x, m), ltv::InputError);
  EXPECT_THROW(ltv::gamma_gamma::spend_data(x, m0), ltv::InputError);
  EXPECT_THROW(ltv::gamma_gamma::spend_data(x, one), ltv::InputError);
  EXPECT_THROW(ltv::gamma_gamma::fit(ltv::SpendData{}), ltv::InputError);
  // x = 0 customers are left out, so only-zero data is empty and refused by fit.
  const std::vector<double> zeros{0, 0}, any{0, 0};
  EXPECT_EQ(ltv::gamma_gamma::spend_data(zeros, any).size(), 0u);
  EXPECT_THROW(ltv::gamma_gamma::fit(ltv::gamma_gamma::spend_data(zeros, any)), ltv::InputError);
}

TEST(GammaGamma, HardCustomersAreFinite) {
  const ltv::GammaGammaParams p{6.25, 3.74, 15.44};
  for (double x : {1.0, 10000.0}) {
    for (double m : {1e-6, 1.0, 1e7}) {
      EXPECT_TRUE(std::isfinite(ltv::gamma_gamma::log_likelihood(p, x, m)));
      EXPECT_TRUE(std::isfinite(ltv::gamma_gamma::conditional_expected_average_spend(p, x, m)));
    }
  }
}

TEST(GammaGamma, RecoversSimulatedParametersSlow) {
  const ltv::GammaGammaParams truth{6.0, 4.0, 15.0};
  const double t[3] = {truth.p, truth.q, truth.gamma};
  int inside = 0;
  for (std::uint64_t seed : {11u, 12u, 13u, 14u, 15u}) {
    std::mt19937_64 rng(seed);
    std::gamma_distribution<double> nu_dist(truth.q, 1.0 / truth.gamma);
    std::vector<double> x(20000), m(20000);
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double nu = nu_dist(rng);
      x[i] = 1 + static_cast<double>(i % 8);
      // Mean of x Gamma(p, nu) values = Gamma(p x, nu x) / ... : sum ~ Gamma(p x, rate nu).
      std::gamma_distribution<double> sum_dist(truth.p * x[i], 1.0 / nu);
      m[i] = sum_dist(rng) / x[i];
    }
    const auto fit = ltv::gamma_gamma::fit(ltv::gamma_gamma::spend_data(x, m));
    ASSERT_TRUE(fit.converged) << fit.message;
    ASSERT_FALSE(fit.hessian_singular);
    for (int i = 0; i < 3; ++i) inside += fit.ci_lower[i] <= t[i] && t[i] <= fit.ci_upper[i];
  }
  EXPECT_GE(inside, 12) << "of 15";
}

}  // namespace
