// The registry's conditional operations used by the faces (the Python module's lifetimes
// surface): P(n purchases in (T, T+t] | history), P(alive at T + t | history), and the
// natural-scale covariance of a fit. Checked against identities that do not use the functions'
// own formulas: the probabilities of n = 0, 1, 2, ... sum to 1, their mean is the conditional
// expectation, and the delta-method covariance equals the inverse observed information computed
// numerically in natural parameters.
#include <gtest/gtest.h>

#include <Eigen/Dense>

#include <cmath>
#include <vector>

#include "csv_table.hpp"
#include "ltv/error.hpp"
#include "ltv/math/fit.hpp"
#include "ltv/models/bg_nbd.hpp"
#include "ltv/models/registry.hpp"
#include "test_data.hpp"

namespace ltv {
namespace {

struct Customer {
  double x, t_x, T;
};

/// Published CDNOW estimates (Fader, Hardie & Lee 2005 for BG/NBD; BTYD's stored Pareto/NBD;
/// BTYDplus's MBG/NBD, see ../shared/data/README.md) and the donations BG/BB fit (Fader, Hardie
/// & Shang 2010).
struct Case {
  const char* model;
  std::vector<double> theta;
  std::vector<Customer> customers;
  double t;  // horizon (BG/BB: opportunities)
  int max_n;
};

std::vector<Case> cases() {
  const std::vector<Customer> cdnow{{0, 0, 38.86}, {2, 30.43, 38.86}, {26, 30.86, 31}, {1, 2, 20}};
  return {
      {"bgnbd", {0.243, 4.414, 0.793, 2.426}, cdnow, 39, 200},
      {"mbgnbd", {0.525, 6.183, 0.891, 1.614}, cdnow, 39, 200},
      {"pnbd", {0.5533971, 10.5801985, 0.6060625, 11.6562237}, cdnow, 39, 200},
      {"bgbb", {1.204, 0.750, 0.657, 2.783}, {{0, 0, 6}, {2, 4, 6}, {6, 6, 6}}, 5, 5},
  };
}

TEST(RegistryConditional, PnSumsToOneAndItsMeanIsTheConditionalExpectation) {
  for (const Case& c : cases()) {
    const FittedCountModel model = FittedCountModel::with_parameters(c.model, c.theta);
    for (const Customer& h : c.customers) {
      double total = 0, mean = 0;
      for (int n = 0; n <= c.max_n; ++n) {
        const double p = model.conditional_p_n_transactions(n, c.t, h.x, h.t_x, h.T);
        ASSERT_GE(p, 0.0) << c.model << " n=" << n;
        total += p;
        mean += n * p;
      }
      EXPECT_NEAR(total, 1.0, 1e-6) << c.model << " x=" << h.x;
      EXPECT_NEAR(mean, model.conditional_expected_transactions(c.t, h.x, h.t_x, h.T), 1e-5)
          << c.model << " x=" << h.x;
    }
  }
}

TEST(RegistryConditional, AliveAtTPlusT) {
  const FittedCountModel pnbd =
      FittedCountModel::with_parameters("pnbd", std::vector<double>{0.553, 10.578, 0.606, 11.669});
  // At t = 0 it is P(alive at T); later it can only fall.
  EXPECT_DOUBLE_EQ(pnbd.p_alive_at(0, 26, 30.86, 31), pnbd.p_alive(26, 30.86, 31));
  EXPECT_LT(pnbd.p_alive_at(52, 26, 30.86, 31), pnbd.p_alive(26, 30.86, 31));
  // BG/BB: t = 1 is P(alive in opportunity n + 1), the registry's P(alive) (FHS 2010 eq. 11):
  // 0.11, 0.59, 0.93 for (0, 0), (2, 4), (6, 6) as published.
  const FittedCountModel bgbb =
      FittedCountModel::with_parameters("bgbb", std::vector<double>{1.204, 0.750, 0.657, 2.783});
  EXPECT_DOUBLE_EQ(bgbb.p_alive_at(1, 2, 4, 6), bgbb.p_alive(2, 4, 6));
  EXPECT_NEAR(bgbb.p_alive_at(1, 6, 6, 6), 0.93, 0.005);
  EXPECT_GT(bgbb.p_alive_at(0, 2, 4, 6), bgbb.p_alive_at(1, 2, 4, 6));
  // BG/NBD customers drop out only at purchases: no closed form without the future purchases.
  const FittedCountModel bgnbd =
      FittedCountModel::with_parameters("bgnbd", std::vector<double>{0.243, 4.414, 0.793, 2.426});
  EXPECT_THROW(bgnbd.p_alive_at(1, 2, 30.43, 38.86), ModelError);
}

TEST(RegistryConditional, NaturalCovarianceIsTheInverseInformationInNaturalParameters) {
  const auto t = test::read_csv(test::shared_data("cdnow/cdnow_customers_summary.csv"));
  const RfmPatterns patterns =
      compress_patterns(t.numbers("frequency"), t.numbers("recency"), t.numbers("T"));
  const FitResult fit = bg_nbd::fit(patterns);
  const std::vector<double> cov = natural_covariance(fit);
  ASSERT_EQ(cov.size(), 16u);
  // Observed information by central second differences of the log-likelihood in (r, alpha, a, b).
  const std::vector<double>& theta = fit.estimates;
  const auto ll = [&](std::vector<double> v) {
    return bg_nbd::log_likelihood({v[0], v[1], v[2], v[3]}, patterns);
  };
  Eigen::Matrix4d H;
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 4; ++j) {
      const double hi = 1e-4 * theta[i], hj = 1e-4 * theta[j];
      auto at = [&](double di, double dj) {
        std::vector<double> v = theta;
        v[i] += di;
        v[j] += dj;
        return ll(v);
      };
      H(i, j) = -(at(hi, hj) - at(hi, -hj) - at(-hi, hj) + at(-hi, -hj)) / (4 * hi * hj);
    }
  }
  const Eigen::Matrix4d numeric = H.inverse();
  for (int i = 0; i < 4; ++i) {
    EXPECT_NEAR(cov[i * 4 + i], fit.std_errors[i] * fit.std_errors[i], 1e-12 * cov[i * 4 + i]);
    for (int j = 0; j < 4; ++j) {
      EXPECT_DOUBLE_EQ(cov[i * 4 + j], cov[j * 4 + i]);
      const double scale = std::sqrt(numeric(i, i) * numeric(j, j));
      EXPECT_NEAR(cov[i * 4 + j], numeric(i, j), 0.02 * scale) << i << "," << j;
    }
  }
  FitResult without = fit;
  without.log_covariance.clear();
  EXPECT_TRUE(natural_covariance(without).empty());
}

}  // namespace
}  // namespace ltv
