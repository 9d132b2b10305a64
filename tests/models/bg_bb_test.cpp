// BG/BB: Fader, Hardie & Shang (2010), "Customer-base analysis in a discrete-time noncontractual
// setting", Marketing Science 29(6). Donations data (11,104 donors, 6 calibration years):
// published alpha = 1.204, beta = 0.750, gamma = 0.657, delta = 2.783, LL = -33,225.6; P(alive in
// 2002), the 5-year holdout forecast and the histogram values as asserted by lifetimes' tests
// (../shared/data/README.md).
#include "ltv/models/bg_bb.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "csv_table.hpp"
#include "ltv/error.hpp"
#include "numeric_hessian.hpp"
#include "test_data.hpp"

namespace {

ltv::RfmPatterns donations() {
  const auto t = ltv::test::read_csv(ltv::test::shared_data("donations/donations.csv"));
  return ltv::compress_patterns(t.numbers("frequency"), t.numbers("recency"), t.numbers("periods"),
                                t.numbers("weights"));
}

const ltv::BgBbParams kPublished{1.204, 0.750, 0.657, 2.783};

TEST(BgBb, MatchesPublishedDonationsFit) {
  const auto data = donations();
  EXPECT_DOUBLE_EQ(data.customers(), 11104.0);
  const ltv::FitResult fit = ltv::bg_bb::fit(data);
  ASSERT_TRUE(fit.converged) << fit.message;
  EXPECT_EQ(fit.model, "bgbb");
  EXPECT_NEAR(fit.estimates[0], 1.204, 0.0005);
  EXPECT_NEAR(fit.estimates[1], 0.750, 0.0005);
  EXPECT_NEAR(fit.estimates[2], 0.657, 0.0005);
  EXPECT_NEAR(fit.estimates[3], 2.783, 0.0005);
  EXPECT_NEAR(fit.log_likelihood, -33225.6, 0.05);
  EXPECT_FALSE(fit.hessian_singular);
}

TEST(BgBb, StandardErrorsMatchNumericalHessian) {
  // Checks the analytic gradient (the driver differentiates it) against likelihood values only.
  const auto data = donations();
  const ltv::FitResult fit = ltv::bg_bb::fit(data);
  ASSERT_EQ(fit.std_errors.size(), 4u);
  const auto se = ltv::test::numeric_std_errors(
      [&](const std::vector<double>& t) {
        return ltv::bg_bb::log_likelihood({t[0], t[1], t[2], t[3]}, data);
      },
      fit.estimates);
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(fit.std_errors[i], se[i], 0.01 * se[i]) << i;
}

TEST(BgBb, DonationsPredictionsMatchPublishedValues) {
  const auto data = donations();
  const ltv::BgBbParams p = ltv::bg_bb::params(ltv::bg_bb::fit(data));
  EXPECT_NEAR(ltv::bg_bb::p_alive(p, 0, 0, 6), 0.11, 0.005);
  EXPECT_NEAR(ltv::bg_bb::p_alive(p, 2, 4, 6), 0.59, 0.005);
  EXPECT_NEAR(ltv::bg_bb::p_alive(p, 6, 6, 6), 0.93, 0.005);
  const auto cet = ltv::bg_bb::conditional_expected_transactions(p, 5, data);
  double total = 0;
  for (std::size_t i = 0; i < data.size(); ++i) total += cet[i] * data.weight[i];
  EXPECT_NEAR(total, 12884.2, 0.05);
  EXPECT_NEAR(11104 * ltv::bg_bb::p_n_transactions(p, 0, 6), 3454.9, 0.05);
  EXPECT_NEAR(11104 * ltv::bg_bb::p_n_transactions(p, 6, 6), 1253.1, 0.05);
}

TEST(BgBb, PmfsSumToOneWithMatchingMeans) {
  double total = 0, mean = 0;
  for (int k = 0; k <= 10; ++k) {
    const double pk = ltv::bg_bb::p_n_transactions(kPublished, k, 10);
    total += pk;
    mean += k * pk;
  }
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_NEAR(mean, ltv::bg_bb::expected_transactions(kPublished, 10), 1e-10);
  struct C {
    double x, t_x, n;
  } customers[] = {{0, 0, 6}, {2, 4, 6}, {6, 6, 6}, {1, 1, 6}};
  for (const auto& c : customers) {
    double t = 0, m = 0;
    for (int k = 0; k <= 5; ++k) {
      const double pk = ltv::bg_bb::conditional_p_n_transactions(kPublished, k, 5, c.x, c.t_x, c.n);
      t += pk;
      m += k * pk;
    }
    EXPECT_NEAR(t, 1.0, 1e-12);
    EXPECT_NEAR(m, ltv::bg_bb::conditional_expected_transactions(kPublished, 5, c.x, c.t_x, c.n),
                1e-10);
  }
}

TEST(BgBb, ExpectedTransactionsMatchesClosedFormOfEq7) {
  const auto& p = kPublished;
  for (double n : {1.0, 6.0, 11.0}) {
    const double closed =
        p.alpha / (p.alpha + p.beta) * p.delta / (p.gamma - 1) *
        (1 - std::exp(std::lgamma(p.gamma + p.delta) - std::lgamma(p.gamma + p.delta + n) +
                      std::lgamma(1 + p.delta + n) - std::lgamma(1 + p.delta)));
    EXPECT_NEAR(ltv::bg_bb::expected_transactions(p, n), closed, 1e-12);
  }
}

TEST(BgBb, DertMatchesLongCetSumsAndEq14) {
  // DERT with d: sum of discounted per-opportunity expectations; compare with differences of CET.
  const double d = 0.1;
  const double x = 2, t_x = 4, n = 6;
  double sum = 0, prev = 0;
  for (int i = 1; i <= 600; ++i) {
    const double c = ltv::bg_bb::conditional_expected_transactions(kPublished, i, x, t_x, n);
    sum += (c - prev) / std::pow(1 + d, i);
    prev = c;
  }
  EXPECT_NEAR(ltv::bg_bb::dert(kPublished, d, x, t_x, n), sum, 1e-10);
}

TEST(BgBb, HardCustomersAreFinite) {
  const ltv::BgBbParams hard[] = {kPublished, {0.2, 0.3, 0.1, 0.2}, {50, 1e4, 0.5, 1e5}};
  for (const auto& p : hard) {
    for (double n : {1.0, 100.0, 2000.0}) {
      for (double x : {0.0, 1.0, n}) {
        const double t_x = x == 0 ? 0 : n;
        EXPECT_TRUE(std::isfinite(ltv::bg_bb::log_likelihood(p, x, t_x, n)));
        const double pa = ltv::bg_bb::p_alive(p, x, t_x, n);
        EXPECT_TRUE(pa >= 0 && pa <= 1);
        EXPECT_TRUE(std::isfinite(ltv::bg_bb::conditional_expected_transactions(p, 50, x, t_x, n)));
        EXPECT_TRUE(std::isfinite(ltv::bg_bb::dert(p, 0.01, x, t_x, n)));
      }
    }
  }
}

TEST(BgBb, RejectsInvalidInput) {
  EXPECT_THROW(ltv::bg_bb::p_alive(kPublished, 3, 2, 6), ltv::InputError);    // t_x < x
  EXPECT_THROW(ltv::bg_bb::p_alive(kPublished, 1, 7, 6), ltv::InputError);    // t_x > n
  EXPECT_THROW(ltv::bg_bb::p_alive(kPublished, 1.5, 2, 6), ltv::InputError);  // fractional
  EXPECT_THROW(ltv::bg_bb::p_alive(kPublished, -1, 0, 6), ltv::InputError);
  EXPECT_THROW(ltv::bg_bb::dert(kPublished, 0, 1, 1, 6), ltv::InputError);
  EXPECT_THROW(ltv::bg_bb::fit(ltv::RfmPatterns{}), ltv::InputError);
  EXPECT_THROW(ltv::bg_bb::expected_transactions({1, -1, 1, 1}, 3), ltv::ModelError);
}

TEST(BgBb, RecoversSimulatedParametersSlow) {
  const ltv::BgBbParams truth = kPublished;
  const double t[4] = {truth.alpha, truth.beta, truth.gamma, truth.delta};
  const std::vector<double> n(50000, 8.0);
  int inside = 0;
  for (std::uint64_t seed : {21u, 22u, 23u, 24u, 25u}) {
    const auto fit = ltv::bg_bb::fit(ltv::bg_bb::simulate(truth, n, seed));
    ASSERT_TRUE(fit.converged) << fit.message;
    ASSERT_FALSE(fit.hessian_singular);
    for (int i = 0; i < 4; ++i) inside += fit.ci_lower[i] <= t[i] && t[i] <= fit.ci_upper[i];
  }
  EXPECT_GE(inside, 16) << "of 20";
}

}  // namespace
